"""Demo content for make run: seeded through the feature services, labelled demo everywhere."""
