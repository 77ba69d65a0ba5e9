"""Backups that restore: the database, the search index, the stored files and the secrets that
decrypt the signing keys, in one folder with a manifest (``backup.service``)."""
