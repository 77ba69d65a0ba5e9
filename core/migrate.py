"""Apply the Alembic migrations in ./migrations to the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().effective_database_url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def current_heads(url: str | None = None) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    from core.db import get_engine

    with get_engine(url).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())
