"""Embedded backend: SQLite FTS5 over the same pre-analysed tokens Elasticsearch indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.health import ServiceStatus, timed


class EmbeddedBackend:
    kind = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def health(self) -> ServiceStatus:
        def probe() -> str | None:
            conn = self.connect()
            try:
                options = {row[0] for row in conn.execute("PRAGMA compile_options")}
                if "ENABLE_FTS5" not in options:
                    raise RuntimeError("this SQLite has no FTS5")
                return "sqlite " + conn.execute("select sqlite_version()").fetchone()[0] + " fts5"
            finally:
                conn.close()

        return timed("search", self.kind, str(self.path), probe)
