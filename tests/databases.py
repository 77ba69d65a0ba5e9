"""Migrated databases for tests, quickly.

Migrating an empty SQLite file to head runs every Alembic script, about half a second, and hundreds
of tests each want a fresh one. So the first one in a process is migrated for real and kept as a
template; later ones are copies of it made with SQLite's backup API (which also carries what is still
in the template's write-ahead log). tests/core/test_migrations.py keeps running the scripts
themselves on empty SQLite and PostgreSQL databases.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import cached_engine
from core.migrate import upgrade

_SQLITE = "sqlite"


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ipc-migrated-"))
    atexit.register(shutil.rmtree, folder, True)  # the template lives as long as the test process
    path = folder / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


def migrated(url: str) -> None:
    """Bring the database at ``url`` to the newest migration: a new SQLite file is a copy of the
    template; any other database (PostgreSQL, or a SQLite file that holds data) is upgraded."""
    parsed = make_url(url)
    if parsed.get_backend_name() != _SQLITE or not parsed.database or Path(parsed.database).exists():
        upgrade(url)
        return
    target = Path(parsed.database)
    target.parent.mkdir(parents=True, exist_ok=True)
    source, copy = sqlite3.connect(_template()), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


@contextmanager
def new_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database on the server ``server_url`` names, dropped on
    leaving (with whatever is still connected to it). The tests' session database, the migration
    tests' empty ones and the benchmarks' all come from here."""
    base, _, _ = server_url.rpartition("/")
    url = f"{base}/{prefix}_{uuid.uuid4().hex[:10]}"
    name = make_url(url).database
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)  # survives restarts
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        if (engine := cached_engine(url)) is not None:  # this process's connections first
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
