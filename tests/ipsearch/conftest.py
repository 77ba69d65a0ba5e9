"""Search tests use the corpus fixtures of tests/conftest.py."""
