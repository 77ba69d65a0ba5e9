"""Copyright registry: registrations, keys, certificates, transparency log."""
