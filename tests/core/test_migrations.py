"""Migrations reach head on PostgreSQL and SQLite and create the same tables."""

from __future__ import annotations

from sqlalchemy import inspect

from core.db import Base, get_engine
from core.migrate import MIGRATIONS_DIR, current_heads, upgrade
from core.settings import Settings


def _head() -> str:
    from alembic.script import ScriptDirectory

    from core.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_postgresql_at_head(pg_url: str) -> None:
    assert current_heads(pg_url) == {_head()}
    tables = set(inspect(get_engine(pg_url)).get_table_names())
    assert {"users", "organisations", "memberships", "api_keys", "audit_records"} <= tables


def test_sqlite_at_head_and_idempotent(embedded_settings: Settings) -> None:
    url = embedded_settings.effective_database_url
    assert url.startswith("sqlite:///") and str(embedded_settings.resolved_data_dir) in url
    upgrade(url)  # a second run changes nothing
    assert current_heads(url) == {_head()}


def test_schema_matches_models_on_both(pg_url: str, embedded_settings: Settings) -> None:
    """Every model table exists after migrating (no model without a migration)."""
    import analytics  # noqa: F401
    import core.accounts.models  # noqa: F401
    import core.audit  # noqa: F401

    expected = set(Base.metadata.tables)
    for url in (pg_url, embedded_settings.effective_database_url):
        assert expected <= set(inspect(get_engine(url)).get_table_names()), url
    assert (MIGRATIONS_DIR / "env.py").is_file()
