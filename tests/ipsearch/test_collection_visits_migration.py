"""Migration 0024 adds ``collection_visits`` on SQLite and PostgreSQL: one row per collection and
reader, gone with its collection; downgrading drops it and leaves the collections as they were."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from core.db import get_engine
from core.migrate import alembic_config, upgrade


def _tables(url: str) -> set[str]:
    return set(sa.inspect(get_engine(url)).get_table_names())


def test_migration_0024_adds_collection_visits_and_downgrades(fresh_db: str) -> None:
    upgrade(fresh_db, "0023")
    assert "collection_visits" not in _tables(fresh_db)
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(get_engine(fresh_db), only=["users", "collections"])
    users, collections = meta.tables["users"], meta.tables["collections"]
    with get_engine(fresh_db).begin() as conn:
        reader = conn.execute(users.insert().values(
            email="reader@example.org", display_name="reader", password_hash="-", role="member", is_active=True,
            created_at=now).returning(users.c.id)).scalar_one()
        kept, gone = (conn.execute(collections.insert().values(
            owner_id=reader, name=name, description="", visibility="private", last_event_id=0, created_at=now)
            .returning(collections.c.id)).scalar_one() for name in ("kept", "gone"))

    upgrade(fresh_db, "0024")
    meta = sa.MetaData()
    meta.reflect(get_engine(fresh_db), only=["collection_visits"])
    visits = meta.tables["collection_visits"]
    with get_engine(fresh_db).begin() as conn:
        for cid in (kept, gone):
            conn.execute(visits.insert().values(collection_id=cid, user_id=reader, last_seen_at=now, seen_before=None))
    with pytest.raises(sa.exc.IntegrityError), get_engine(fresh_db).begin() as conn:  # one row per reader
        conn.execute(visits.insert().values(collection_id=kept, user_id=reader, last_seen_at=now))
    with get_engine(fresh_db).begin() as conn:
        conn.execute(collections.delete().where(collections.c.id == gone))
        assert conn.execute(sa.select(visits.c.collection_id)).scalars().all() == [kept]  # gone with it

    command.downgrade(alembic_config(fresh_db), "0023")
    assert "collection_visits" not in _tables(fresh_db)
    with get_engine(fresh_db).connect() as conn:
        assert conn.execute(sa.select(collections.c.name)).scalars().all() == ["kept"]
    upgrade(fresh_db)
    assert "collection_visits" in _tables(fresh_db)
