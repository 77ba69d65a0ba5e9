"""Alembic environment: runs migrations on the URL given by core.migrate (or IPC_DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import analytics.models  # noqa: F401
import community.agencies.models  # noqa: F401
import community.forums.models  # noqa: F401
import copyright.keys  # noqa: F401
import copyright.log  # noqa: F401
import copyright.models  # noqa: F401
import core.accounts.models  # noqa: F401 - register tables for autogenerate
import core.accounts.sessions  # noqa: F401
import core.audit  # noqa: F401
import core.notifications  # noqa: F401
import ipsearch.collections  # noqa: F401
import ipsearch.events  # noqa: F401
import ipsearch.history  # noqa: F401
import loaders.journal  # noqa: F401
import servicehall.models  # noqa: F401
from core.db import Base, get_engine
from core.settings import get_settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().effective_database_url
target_metadata = Base.metadata


def run() -> None:
    engine = get_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table on SQLite and drops the old one; with foreign keys
            # on, that drop deletes every row referring to it (ON DELETE CASCADE). The pragma only
            # works outside a transaction, and the pooled connection gets it back afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            _migrate(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
