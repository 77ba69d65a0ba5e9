"""A migration that rebuilds a table on SQLite (Alembic's batch mode) keeps the rows of the tables
that refer to it: here, downgrading 0013 rebuilds ``forum_topics``, and its posts stay (with
foreign keys on during the rebuild, dropping the old table cascaded to every post)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from core.db import get_engine
from core.migrate import alembic_config, upgrade
from tests.community.test_forum_tokens_migration import LEGACY, _seed


def _count(url: str, table: str) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_rebuilding_a_table_keeps_the_rows_that_refer_to_it(fresh_db: str) -> None:
    upgrade(fresh_db, "0013")
    _seed(fresh_db)
    command.downgrade(alembic_config(fresh_db), "0012")  # drops forum_topics.pinned: a rebuild on SQLite
    assert (_count(fresh_db, "forum_topics"), _count(fresh_db, "forum_posts")) == (1, len(LEGACY))
    upgrade(fresh_db)
    assert _count(fresh_db, "forum_posts") == len(LEGACY)
    if get_engine(fresh_db).dialect.name == "sqlite":  # and the pooled connection checks keys again
        with get_engine(fresh_db).connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
