"""Settings, database sessions, accounts, audit trail and the Celery app shared by every feature."""
