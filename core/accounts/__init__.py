"""Users, organisations, roles, API keys: needed by every feature, so they live in core."""
