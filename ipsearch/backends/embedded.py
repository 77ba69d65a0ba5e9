"""Embedded backend: SQLite FTS5 over the same pre-analysed tokens Elasticsearch indexes.

Tables: ``docs`` (one row per patent, the index record as JSON plus sortable columns),
``doc_values`` (multi-valued keyword fields, for filters and SQL facets) and ``passages``, an FTS5
table with one row per title/abstract language, claim and description paragraph, so proximity
stays inside one claim or paragraph as it does on Elasticsearch.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from core.health import ServiceStatus, timed
from ipsearch.backends.base import WriteOutcome
from ipsearch.indexdoc import KEYWORD_LIST_FIELDS, TEXT_FIELDS

BATCH = 200
SCALAR_COLUMNS = ("country", "kind", "doc_kind", "lang", "publication_date", "filing_date", "priority_date",
                  "publication_year", "filing_year", "priority_year", "title", "first_applicant", "claim_count",
                  "citation_count", "family_id", "application_number", "synthetic", "source_format")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS docs (
    pn TEXT PRIMARY KEY,
    {", ".join(f"{c} {'INTEGER' if c.endswith(('_year', '_count')) or c == 'synthetic' else 'TEXT'}"
               for c in SCALAR_COLUMNS)},
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS doc_values (pn TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_doc_values_pn ON doc_values (pn);
CREATE INDEX IF NOT EXISTS ix_doc_values_field_value ON doc_values (field, value);
CREATE INDEX IF NOT EXISTS ix_docs_pub ON docs (publication_date);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    pn UNINDEXED, seq UNINDEXED, {", ".join(TEXT_FIELDS)},
    tokenize = 'unicode61 remove_diacritics 0'
);
"""


class EmbeddedBackend:
    kind = "embedded"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """One connection per thread."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
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

    # --- writing ---------------------------------------------------------------------------
    def ensure_index(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn.executescript(SCHEMA)

    def write(self, items: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[WriteOutcome]:
        batch: list[tuple[Any, dict[str, Any]]] = []
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                yield from self._write_batch(batch)
                batch = []
        if batch:
            yield from self._write_batch(batch)

    def _write_batch(self, batch: list[tuple[Any, dict[str, Any]]]) -> Iterator[WriteOutcome]:
        conn = self.conn
        with conn:  # one transaction: the batch is durable together or not at all
            pns = [(doc["pn"],) for _, doc in batch]
            conn.executemany("DELETE FROM passages WHERE pn = ?", pns)
            conn.executemany("DELETE FROM doc_values WHERE pn = ?", pns)
            conn.executemany(
                f"INSERT OR REPLACE INTO docs (pn, {', '.join(SCALAR_COLUMNS)}, body) "
                f"VALUES ({', '.join('?' * (len(SCALAR_COLUMNS) + 2))})",
                [(doc["pn"], *[_scalar(doc.get(c)) for c in SCALAR_COLUMNS], json.dumps(doc, ensure_ascii=False))
                 for _, doc in batch],
            )
            conn.executemany(
                "INSERT INTO doc_values (pn, field, value) VALUES (?, ?, ?)",
                [(doc["pn"], field, str(value)) for _, doc in batch for field in KEYWORD_LIST_FIELDS
                 for value in doc.get(field) or []],
            )
            rows = []
            for _, doc in batch:
                seq = 0
                for field in TEXT_FIELDS:
                    for text in doc.get(field) or []:
                        row = {f: None for f in TEXT_FIELDS}
                        row[field] = text
                        rows.append((doc["pn"], seq, *[row[f] for f in TEXT_FIELDS]))
                        seq += 1
            placeholders = ", ".join("?" * len(TEXT_FIELDS))
            conn.executemany(
                f"INSERT INTO passages (pn, seq, {', '.join(TEXT_FIELDS)}) VALUES (?, ?, {placeholders})", rows
            )
        for tag, _ in batch:
            yield WriteOutcome(tag=tag, ok=True)

    def refresh(self) -> None:
        """SQLite is consistent after commit; nothing to do."""

    def count(self) -> int:
        if not self.path.exists():
            return 0
        try:
            return int(self.conn.execute("SELECT count(*) FROM docs").fetchone()[0])
        except sqlite3.OperationalError:
            return 0

    def ids(self) -> set[str]:
        if not self.path.exists():
            return set()
        try:
            return {row[0] for row in self.conn.execute("SELECT pn FROM docs")}
        except sqlite3.OperationalError:
            return set()

    def get(self, pn: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT body FROM docs WHERE pn = ?", (pn,)).fetchone()
        return json.loads(row[0]) if row else None

    def drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value
