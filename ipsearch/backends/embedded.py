"""Embedded backend: SQLite FTS5 over the same pre-analysed tokens Elasticsearch indexes.

Tables: ``docs`` (one row per patent, the index record as JSON plus sortable columns),
``doc_values`` (multi-valued keyword fields, for filters and SQL facets) and two FTS5 tables over
the same tokens: ``texts``, one row a document (rowid = ``docs.id``), which finds and ranks
documents as Elasticsearch does (BM25 over each field as a whole), and ``passages``, one row a
title/abstract language, claim or description paragraph, where NEAR/ADJ/SAME are checked so
proximity stays inside one claim or paragraph as it does on Elasticsearch. A document's paragraphs
are joined in ``texts`` with a token no analyser emits (``GAP``), so a phrase never spans two.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from core.health import ServiceStatus, timed
from core.settings import BackendKind
from ipsearch.backends.base import (
    IndexSchemaError,
    StoredClaims,
    WriteOutcome,
    batches,
    prepare_batch,
    scan_family_heads,
)
from ipsearch.families import FamilyRow
from ipsearch.indexdoc import KEYWORD_LIST_FIELDS, TEXT_FIELDS, IndexRecord, list_field
from ipsearch.query.ast import Node
from ipsearch.query.plan import Planner
from ipsearch.query.to_sql import PASSAGE_ROW_BITS, SqlCompiler, SqlQuery, fts_quote
from ipsearch.results import (
    FACET_BUCKETS,
    FACETS,
    HIT_FIELDS,
    YEAR_BUCKETS,
    FacetBucket,
    FamilyHeads,
    Page,
    RawHit,
    SearchParams,
    nested,
)
from ipsearch.similar import SIMILAR_FIELDS, SimilarQuery

_HIT_SQL = ", ".join(f"json_extract(b.body, '$.{f}')" for f in HIT_FIELDS)
_SCORE = "round(m.s, 9)"  # the relevance sort key (and cursor value): scores equal to 9 places tie
_SCALAR_FACETS = {"country", "publication_year", "doc_kind"}
# From this many matches on, a list facet reads its field's index whole rather than each match's values.
FACET_SCAN_FROM = 2000
_LIST_HIT_FIELDS = {"owners", "ipc", "applicants", "doc.titles"}
_FIELD_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*")  # what top_docs reads: written into SQL

BATCH = 200
SCHEMA_VERSION = 12  # raised with analysis.ANALYSIS_VERSION (12: its version 4)
PASSAGE_ROWS = 1 << PASSAGE_ROW_BITS  # rowids per document in ``passages`` (a document has a few thousand at most)
GAP = " \ue000 "  # a private-use character: a token for FTS5, never produced by the analyser
SCALAR_COLUMNS = ("pn_base", "an_key", "country", "kind", "doc_kind", "lang", "publication_date", "filing_date",
                  "priority_date", "publication_year", "filing_year", "priority_year", "title", "first_applicant",
                  "claim_count", "citation_count", "priority_count", "family_id", "family_basis",
                  "application_number", "synthetic", "source_format", "expiry_date", "expiry_year", "expiry_basis",
                  "legal_status", "legal_status_date", "legal_status_code", "load_run", "cited_by")
MMAP_BYTES = 4 << 30
CACHE_KIB = 64 << 10
LOOKUP_CHUNK = 500  # values per IN (...) list
INTEGER_COLUMNS = {c for c in SCALAR_COLUMNS if c.endswith(("_year", "_count"))} | {"synthetic", "load_run", "cited_by"}

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    pn TEXT NOT NULL UNIQUE,
    {", ".join(f"{c} {'INTEGER' if c in INTEGER_COLUMNS else 'TEXT'}" for c in SCALAR_COLUMNS)}
);
-- The stored document, apart from ``docs``: a body averages 20 kB, so inside ``docs`` each row
-- filled a page or more, and every filter, facet and page lookup read those pages.
CREATE TABLE IF NOT EXISTS doc_bodies (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc_values (pn TEXT NOT NULL, id INTEGER NOT NULL, field TEXT NOT NULL,
                                       value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_doc_values_pn ON doc_values (pn);
CREATE INDEX IF NOT EXISTS ix_doc_values_field_value ON doc_values (field, value, id);
CREATE INDEX IF NOT EXISTS ix_docs_pub ON docs (publication_date);
CREATE INDEX IF NOT EXISTS ix_docs_pn_base ON docs (pn_base);
CREATE INDEX IF NOT EXISTS ix_docs_family ON docs (family_id);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(
    {", ".join(TEXT_FIELDS)}, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5(
    pn UNINDEXED, {", ".join(TEXT_FIELDS)},
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_vocab USING fts5vocab(passages, 'col');
PRAGMA user_version = {SCHEMA_VERSION};
"""


def facets_statement(sq: SqlQuery, names: list[str], total: int) -> tuple[str, list[object]]:
    """Every facet of a search in one statement, rows ``(facet position, value, count)``.

    The matching ids are found once, without scores (a facet needs none), where one statement per
    facet found and ranked them again each time (the search page's five facets on a 20,000-match
    query took 1 s at 100,000 documents). ``CROSS JOIN`` keeps the matches as the outer loop:
    left to itself, SQLite drove a few matches' lookups from the whole field and scanned the
    matches for each value (seconds on 10,000 documents)."""
    params: list[object]
    if sq.text_match is not None:
        ids, params = "SELECT rowid AS id FROM texts WHERE texts MATCH ?", [sq.text_match]
    else:
        ids, params = f"SELECT d.id FROM docs d WHERE {sq.where}", list(sq.params)
    scalars = [FACETS[name] for name in names if FACETS[name] in _SCALAR_FACETS]
    ctes = [f"m AS MATERIALIZED ({ids})"]
    if scalars:  # the matches' scalar columns, read once for all scalar facets
        ctes.append(f"sc AS MATERIALIZED (SELECT {', '.join(f'd.{c}' for c in scalars)} FROM m "
                    f"CROSS JOIN docs d ON d.id = m.id)")
    branches: list[str] = []
    for i, name in enumerate(names):
        field, size = FACETS[name], YEAR_BUCKETS if name == "year" else FACET_BUCKETS
        if field in _SCALAR_FACETS:
            branch = f"SELECT {field} AS value, count(*) AS n FROM sc WHERE {field} IS NOT NULL GROUP BY 1"
        elif total > FACET_SCAN_FROM:  # many matches: read the field's index once, in value order
            branch = ("SELECT value, count(DISTINCT id) AS n FROM doc_values "
                      "WHERE field = ? AND id IN (SELECT id FROM m) GROUP BY 1")
            params.append(field)
        else:  # a few matches: look up each one's values
            branch = ("SELECT v.value, count(DISTINCT v.id) AS n FROM m CROSS JOIN docs d ON d.id = m.id "
                      "CROSS JOIN doc_values v ON v.pn = d.pn WHERE v.field = ? GROUP BY 1")
            params.append(field)
        order = "1 DESC" if name == "year" else "2 DESC, 1"  # the newest years; the largest other values
        branches.append(f"SELECT {i} AS f, value, n FROM ({branch} ORDER BY {order} LIMIT ?)")
        params.append(size)
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(branches)} ORDER BY 1, 3 DESC, 2", params


class EmbeddedBackend:
    kind = BackendKind.embedded

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        # reads through the OS page cache without a copy per page, and a larger private cache for
        # the B-tree's inner pages (SQLite's default is 2 MB)
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """One connection per thread; the first one creates the schema, so an index nobody loaded
        yet answers as an empty corpus (an index of an older schema raises ``IndexSchemaError``)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
            self.ensure_index()
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
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        has_docs = self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'docs'").fetchone()
        if has_docs and version != SCHEMA_VERSION:
            raise IndexSchemaError(f"{self.path} has index schema {version}, this version needs {SCHEMA_VERSION}: "
                                   "delete it and load your files again (`ipcommons load PATH...`)")
        self.conn.executescript(SCHEMA)

    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]:
        """Distinct indexed tokens starting with ``prefix`` in ``fields`` (wildcard expansion)."""
        marks = ", ".join("?" * len(fields))
        rows = self.conn.execute(
            f"SELECT DISTINCT term FROM passages_vocab WHERE col IN ({marks}) AND term >= ? AND term < ? "
            f"ORDER BY term LIMIT ?", (*fields, prefix, prefix + "\U0010ffff", limit))
        return [r[0] for r in rows]

    def write(self, items: Iterable[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        for batch in batches(items, BATCH):
            yield from self._write_batch(batch)

    def loading(self) -> AbstractContextManager[None]:
        """Nothing to change for a load: each batch is one transaction already."""
        return nullcontext()

    def stored_records(self, pns: list[str]) -> dict[str, IndexRecord]:
        out: dict[str, IndexRecord] = {}
        for i in range(0, len(pns), LOOKUP_CHUNK):
            chunk = pns[i:i + LOOKUP_CHUNK]
            rows = self.conn.execute(f"SELECT d.pn, b.body FROM docs d JOIN doc_bodies b ON b.id = d.id "
                                     f"WHERE d.pn IN ({', '.join('?' * len(chunk))})", chunk)
            out.update((pn, json.loads(body)) for pn, body in rows)
        return out

    def stored_claims(self, pns: list[str]) -> dict[str, StoredClaims]:
        """Only the claims are read out of each stored body (SQLite's JSON functions, in C): a page's
        hits would otherwise parse their whole records, descriptions included."""
        out: dict[str, StoredClaims] = {}
        for i in range(0, len(pns), LOOKUP_CHUNK):
            chunk = pns[i:i + LOOKUP_CHUNK]
            rows = self.conn.execute(
                "SELECT d.pn, json_extract(b.body, '$.doc.lang'), json_extract(b.body, '$.doc.claims') FROM docs d "
                f"JOIN doc_bodies b ON b.id = d.id WHERE d.pn IN ({', '.join('?' * len(chunk))})", chunk)
            out.update((pn, {"lang": lang, "claims": json.loads(claims) if claims else {}})
                       for pn, lang, claims in rows)
        return out

    def family_rows(self, keys: set[str]) -> list[FamilyRow]:
        ordered = sorted(keys)
        found: dict[str, FamilyRow] = {}
        for i in range(0, len(ordered), LOOKUP_CHUNK):
            chunk = ordered[i:i + LOOKUP_CHUNK]
            rows = self.conn.execute(
                "SELECT d.pn, d.family_id, d.family_basis, (SELECT json_group_array(k.value) FROM doc_values k "
                "  WHERE k.pn = d.pn AND k.field = 'family_keys') FROM docs d WHERE d.pn IN (SELECT pn FROM doc_values "
                f"  WHERE field = 'family_keys' AND value IN ({', '.join('?' * len(chunk))}))", chunk)
            for pn, family_id, basis, keys_json in rows:
                own = family_id if basis == "docdb" else None
                found[pn] = FamilyRow(pn, frozenset(json.loads(keys_json)), own, family_id)
        return list(found.values())

    def _write_batch(self, items: list[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        with self.conn:  # one transaction: the batch is durable together or not at all
            prepared = prepare_batch(items, self)
            updates = list(prepared.family_updates.items())
            self.conn.executemany("UPDATE doc_bodies SET body = json_set(body, '$.family_id', ?) "
                                  "WHERE id = (SELECT id FROM docs WHERE pn = ?)", [(fid, pn) for pn, fid in updates])
            self.conn.executemany("UPDATE docs SET family_id = ? WHERE pn = ?", [(fid, pn) for pn, fid in updates])
            self._store(list({doc["pn"]: doc for _, doc in prepared.records}.values()))  # the last version of each
        for tag, _ in prepared.records:
            yield WriteOutcome(tag=tag, ok=True)

    def _store(self, docs: list[IndexRecord]) -> None:
        """Replace the rows of ``docs`` in the four tables (inside the caller's transaction)."""
        conn = self.conn
        pns = [doc["pn"] for doc in docs]
        self._delete(pns)
        conn.executemany(
            f"INSERT INTO docs (pn, {', '.join(SCALAR_COLUMNS)}) VALUES ({', '.join('?' * (len(SCALAR_COLUMNS) + 1))})",
            [(doc["pn"], *[_scalar(doc.get(c)) for c in SCALAR_COLUMNS]) for doc in docs],
        )
        ids = dict(conn.execute(f"SELECT pn, id FROM docs WHERE pn IN ({', '.join('?' * len(pns))})", pns))
        conn.executemany("INSERT INTO doc_bodies (id, body) VALUES (?, ?)",
                         [(ids[doc["pn"]], json.dumps(doc, ensure_ascii=False)) for doc in docs])
        conn.executemany(
            "INSERT INTO doc_values (pn, id, field, value) VALUES (?, ?, ?, ?)",
            [(doc["pn"], ids[doc["pn"]], field, str(value)) for doc in docs for field in KEYWORD_LIST_FIELDS
             for value in list_field(doc, field)],
        )
        conn.executemany(
            f"INSERT INTO texts (rowid, {', '.join(TEXT_FIELDS)}) VALUES (?, {', '.join('?' * len(TEXT_FIELDS))})",
            [(ids[doc["pn"]], *[GAP.join(list_field(doc, f)) or None for f in TEXT_FIELDS]) for doc in docs])
        conn.executemany(
            f"INSERT INTO passages (rowid, pn, {', '.join(TEXT_FIELDS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(TEXT_FIELDS))})",
            [row for doc in docs for row in _passage_rows(ids[doc["pn"]], doc)])

    def _delete(self, pns: list[str]) -> None:
        """Remove the stored rows of ``pns``; FTS rows by rowid (their ``pn`` column has no index)."""
        conn = self.conn
        old = [row[0] for row in conn.execute(f"SELECT id FROM docs WHERE pn IN ({', '.join('?' * len(pns))})", pns)]
        conn.executemany("DELETE FROM texts WHERE rowid = ?", [(i,) for i in old])
        conn.executemany("DELETE FROM doc_bodies WHERE id = ?", [(i,) for i in old])
        conn.executemany("DELETE FROM passages WHERE rowid >= ? AND rowid < ?",
                         [(i * PASSAGE_ROWS, (i + 1) * PASSAGE_ROWS) for i in old])
        conn.executemany("DELETE FROM doc_values WHERE pn = ?", [(pn,) for pn in pns])
        conn.executemany("DELETE FROM docs WHERE pn = ?", [(pn,) for pn in pns])

    def refresh(self) -> None:
        """SQLite is consistent after commit; nothing to do."""

    def update_citations(self, run_id: int) -> int:
        with self.conn:
            cur = self.conn.execute(
                "UPDATE docs SET cited_by = (SELECT count(DISTINCT v.pn) FROM doc_values v "
                "  WHERE v.field = 'cited_bases' AND v.value = docs.pn_base) "
                "WHERE pn_base IN (SELECT pn_base FROM docs WHERE load_run = ? UNION "
                "  SELECT value FROM doc_values WHERE field = 'cited_bases' "
                "  AND pn IN (SELECT pn FROM docs WHERE load_run = ?))", (run_id, run_id))
        return cur.rowcount

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
        row = self.conn.execute("SELECT b.body FROM docs d JOIN doc_bodies b ON b.id = d.id WHERE d.pn = ?",
                                (pn,)).fetchone()
        return json.loads(row[0]) if row else None

    # --- searching -------------------------------------------------------------------------
    def _matched_cte(self, sq: SqlQuery) -> tuple[str, list[object]]:
        """``r``: the matching documents' ids and ``s``, their BM25 score over the positive words (0
        without any), found once; ``m``: the same rows with what a page needs (pn, publication date).
        A text-only query's ``r`` comes from ``texts`` alone, so ranking and counting its matches
        reads no ``docs`` row; only the rows that can reach the page are looked up there."""
        if sq.text_match is not None:
            return ("WITH r AS MATERIALIZED (SELECT rowid AS id, -bm25(texts) AS s FROM texts WHERE texts MATCH ?), "
                    "m AS (SELECT r.id, d.pn, d.publication_date, r.s FROM r JOIN docs d ON d.id = r.id)",
                    [sq.text_match])
        found = f"SELECT d.id, d.pn, d.publication_date FROM docs d WHERE {sq.where}"
        if not sq.rank_match:
            return (f"WITH r AS MATERIALIZED (SELECT f.*, 0.0 AS s FROM ({found}) f), m AS (SELECT * FROM r)",
                    list(sq.params))
        # BM25 only for the rows the filters kept: scoring is most of a search's time and a score does
        # not depend on which rows are scored (NOT IPC=G06F AND neural, 100,000 documents: 88 -> 48 ms).
        # ``+rowid`` keeps the IN a filter on FTS5's scan, not one full-text lookup per value.
        return (f"WITH f AS MATERIALIZED ({found}), "
                "t AS MATERIALIZED (SELECT rowid AS id, -bm25(texts) AS s FROM texts "
                "WHERE texts MATCH ? AND +rowid IN (SELECT id FROM f)), "
                "r AS MATERIALIZED (SELECT f.*, COALESCE(t.s, 0.0) AS s FROM f LEFT JOIN t ON t.id = f.id), "
                "m AS (SELECT * FROM r)",
                [*sq.params, sq.rank_match])

    def run_search(self, node: Node, planner: Planner, params: SearchParams) -> Page:
        sq = SqlCompiler(planner, self.conn).compile(node)
        with_sql, base = self._matched_cte(sq)
        key, direction = {"relevance": (_SCORE, "DESC"), "date": ("COALESCE(m.publication_date, '')", "DESC"),
                          "date_asc": ("COALESCE(m.publication_date, '9999')", "ASC")}[params.sort]
        cmp = "<" if direction == "DESC" else ">"
        where: list[str] = []
        where_params: list[object] = []
        if params.after:
            where.append(f"({key} {cmp} ? OR ({key} = ? AND m.pn > ?))")
            where_params += [params.after[0], params.after[0], params.after[1]]
        if params.sort == "relevance" and (sq.text_match is not None or sq.rank_match):
            cut, cut_params = _relevance_cut(params.size, params.after[0] if params.after else None)
            where.append(cut)
            where_params += cut_params
        # the page is chosen on the sort key alone; only its rows' JSON bodies are read for the hits
        sql = (f"{with_sql}, page AS (SELECT m.id, m.pn, {_SCORE} AS score, {key} AS k FROM m "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY k {direction}, m.pn ASC LIMIT ?) "
               f"SELECT page.pn, page.score, page.k, (SELECT count(*) FROM r), {_HIT_SQL} FROM page "
               f"JOIN doc_bodies b ON b.id = page.id ORDER BY page.k {direction}, page.pn ASC")
        rows = self.conn.execute(sql, [*base, *where_params, params.size]).fetchall()
        hits = [RawHit(pn=row[0], score=float(row[1]), source=_hit_source(row[4:]), sort=[row[2], row[0]])
                for row in rows]
        if rows:  # the count rides along with the page (one evaluation of the query)
            total = rows[0][3]
        else:
            total = self.conn.execute(f"{with_sql} SELECT count(*) FROM r", base).fetchone()[0]
        names = list(dict.fromkeys(params.facets))  # a facet asked for twice is counted once
        facets = self._facets(sq, names, total) if names else {}
        return Page(total=total, hits=hits, facets=facets)

    def _facets(self, sq: SqlQuery, names: list[str], total: int) -> dict[str, list[FacetBucket]]:
        facets: dict[str, list[FacetBucket]] = {name: [] for name in names}
        sql, params = facets_statement(sq, names, total)
        for i, value, count in self.conn.execute(sql, params):
            facets[names[i]].append(FacetBucket(value=str(value), count=count))
        if "year" in facets:  # newest first, as Elasticsearch orders them
            facets["year"].sort(key=lambda b: b.value, reverse=True)
        return facets

    def run_ids(self, node: Node, planner: Planner, limit: int = 1_000_000) -> list[str]:
        sq = SqlCompiler(planner, self.conn).compile(node)
        rows = self.conn.execute(f"SELECT d.pn FROM docs d WHERE {sq.where} LIMIT ?", [*sq.params, limit])
        return [r[0] for r in rows]

    @staticmethod
    def _matches(where: str) -> str:
        """The matching documents, found once: ``m (id, pn)``, the outer loop of the joins below."""
        return f"WITH m AS MATERIALIZED (SELECT d.id, d.pn FROM docs d WHERE {where}) "

    @staticmethod
    def _values_join(field: str, alias: str) -> str:
        """A join from the matches ``m`` to their values of a scalar column or a multi-valued
        keyword field, as ``{alias}.value``. ``CROSS JOIN`` keeps the matches outside: joined to a
        whole field's values (once a DISTINCT subquery SQLite had to build and scan per match), a
        region page's counts took seconds on the demo."""
        if field in SCALAR_COLUMNS or field == "pn":
            return (f"CROSS JOIN (SELECT id, CAST({field} AS TEXT) AS value FROM docs WHERE {field} IS NOT NULL) "
                    f"{alias} ON {alias}.id = m.id")
        if field not in KEYWORD_LIST_FIELDS:
            raise ValueError(f"cannot group by {field!r}")
        return f"CROSS JOIN doc_values {alias} ON {alias}.pn = m.pn AND {alias}.field = '{field}'"

    def count_by(self, node: Node, planner: Planner, field: str, by: str | None = None,
                 distinct: str | None = None) -> dict[tuple[str, ...], int]:
        """Exact document counts per value of ``field`` (and ``by``), or distinct values of ``distinct``."""
        sq = SqlCompiler(planner, self.conn).compile(node)
        joins = self._values_join(field, "k")
        keys = ["k.value"]
        if by:
            joins += " " + self._values_join(by, "b")
            keys.append("b.value")
        measure = "count(DISTINCT m.id)"
        if distinct:
            joins += " " + self._values_join(distinct, "x")
            measure = "count(DISTINCT x.value)"
        sql = f"{self._matches(sq.where)}SELECT {', '.join(keys)}, {measure} FROM m {joins} GROUP BY {', '.join(keys)}"
        return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in self.conn.execute(sql, sq.params)}

    def count_matching(self, node: Node, planner: Planner) -> int:
        sq = SqlCompiler(planner, self.conn).compile(node)
        return int(self.conn.execute(f"SELECT count(*) FROM docs d WHERE {sq.where}", sq.params).fetchone()[0])

    def family_heads(self, node: Node, planner: Planner, params: SearchParams) -> FamilyHeads:
        return scan_family_heads(self, node, planner, params)

    def count_distinct(self, node: Node, planner: Planner, field: str) -> int:
        sq = SqlCompiler(planner, self.conn).compile(node)
        sql = f"{self._matches(sq.where)}SELECT count(DISTINCT k.value) FROM m {self._values_join(field, 'k')}"
        return int(self.conn.execute(sql, sq.params).fetchone()[0])

    def top_values(self, node: Node | None, planner: Planner | None, field: str, size: int,
                   include: list[str] | None = None) -> dict[str, int]:
        """The ``size`` values of ``field`` on most matching documents (all without ``node``), or
        the counts of exactly ``include``: for a list field those values' index entries, each
        tested in the matches (a region page's emerging terms took 3.3 s on the demo, now 2 ms), or
        all counted over the whole corpus (a real patent's similar documents ask for a few hundred
        values: testing them against every document took 5 s, counting them 1 ms)."""
        params: list[Any] = []
        where: str | None = None  # None: the whole corpus
        if node is not None and planner is not None:
            sq = SqlCompiler(planner, self.conn).compile(node)
            where, params = sq.where, list(sq.params)
        if include is not None and not include:
            return {}
        if field in KEYWORD_LIST_FIELDS and include is not None:
            matches, in_matches = ("", "") if where is None else (self._matches(where), " AND id IN (SELECT id FROM m)")
            sql = ("SELECT value, count(DISTINCT id) AS c FROM doc_values WHERE field = ? "
                   f"AND value IN ({', '.join('?' * len(include))}){in_matches} GROUP BY value")
            params.extend([field, *include])
        else:
            matches = self._matches(where or "1 = 1")
            value_filter = f"WHERE k.value IN ({', '.join('?' * len(include))})" if include is not None else ""
            params.extend(include or [])
            sql = f"SELECT k.value, count(DISTINCT m.id) AS c FROM m {self._values_join(field, 'k')} {value_filter} " \
                  "GROUP BY k.value"
        limit = len(include) if include is not None else max(size, 1)
        rows = self.conn.execute(f"{matches}{sql} ORDER BY c DESC, 1 ASC LIMIT ?", [*params, limit])
        return {str(v): int(c) for v, c in rows}

    def top_docs(self, node: Node, planner: Planner, sort: list[tuple[str, str]], size: int,
                 fields: list[str]) -> list[dict[str, Any]]:
        if not all(_FIELD_PATH.fullmatch(f) for f in [*(f for f, _ in sort), *fields]) or \
                not all(o in ("asc", "desc") for _, o in sort):
            raise ValueError("sort and field names must be identifiers or paths of them, orders asc or desc")
        sq = SqlCompiler(planner, self.conn).compile(node)
        def col(f: str) -> str:
            return f"d.{f}" if f in SCALAR_COLUMNS else f"json_extract(b.body, '$.{f}')"

        def json_kind(f: str) -> str:  # json_type tells arrays and objects (returned as JSON text) from plain strings
            return "NULL" if f in SCALAR_COLUMNS else f"json_type(b.body, '$.{f}')"

        order = "".join(f"{col(f)} IS NULL, {col(f)} {o.upper()}, " for f, o in sort)
        columns = ", ".join(f"{col(f)}, {json_kind(f)}" for f in fields)
        in_body = any(f not in SCALAR_COLUMNS for f in [*(f for f, _ in sort), *fields])
        bodies = "JOIN doc_bodies b ON b.id = d.id " if in_body else ""
        sql = f"SELECT d.pn, {columns} FROM docs d {bodies}WHERE {sq.where} ORDER BY {order}d.pn LIMIT ?"
        out = []
        for row in self.conn.execute(sql, [*sq.params, size]):
            values = ((f, json.loads(value) if kind in ("array", "object") else value)
                      for f, value, kind in zip(fields, row[1::2], row[2::2], strict=True))
            out.append({"pn": row[0], **nested(values)})  # a path (doc.titles) nested, as Elasticsearch's _source
        return out

    def explain(self, node: Node, planner: Planner) -> str:
        self.ensure_index()
        sq = SqlCompiler(planner, self.conn).compile(node)
        return f"WHERE {sq.where}\nparams: {sq.params}\nrank: {sq.rank_match}"

    def similar(self, query: SimilarQuery) -> list[RawHit]:
        """Text candidates (FTS5 bm25 of a document's best passage: a sum would favour documents with
        many claims) and linked candidates in that order, chosen in one statement; then their
        SIMILAR_FIELDS."""
        ctes = ["s AS (SELECT NULL AS pn, 0.0 AS s WHERE 0)"]
        params: list[Any] = []
        if query.terms:
            ctes = ["x AS MATERIALIZED (SELECT pn, bm25(passages) AS b FROM passages WHERE passages MATCH ?)",
                    "s AS (SELECT pn, -min(b) AS s FROM x GROUP BY pn)"]
            params.append("{ti ab cl} : (" + " OR ".join(fts_quote(t) for t in query.terms) + ")")
        links, link_params = _similar_links(query)
        ctes.append(f"l AS ({links})")
        keep = "d.pn != ? AND (? IS NULL OR d.family_id IS NOT ?)"
        kept = [query.pn, query.family_id, query.family_id, query.limit]
        sql = (f"WITH {', '.join(ctes)}, "
               f"t AS (SELECT d.pn FROM s JOIN docs d ON d.pn = s.pn WHERE {keep} ORDER BY s.s DESC, d.pn LIMIT ?), "
               f"k AS (SELECT d.pn FROM l JOIN docs d ON d.pn = l.pn LEFT JOIN s ON s.pn = d.pn WHERE {keep} "
               "ORDER BY coalesce(s.s, 0) DESC, d.pn LIMIT ?) SELECT pn FROM t UNION SELECT pn FROM k")
        pns = [row[0] for row in self.conn.execute(sql, [*params, *link_params, *kept, *kept])]
        paths = ", ".join(f"'$.{f}'" for f in SIMILAR_FIELDS)
        hits = []
        for chunk in batches(sorted(pns), LOOKUP_CHUNK):
            rows = self.conn.execute(f"SELECT d.pn, json_extract(b.body, {paths}) FROM docs d "
                                     f"JOIN doc_bodies b ON b.id = d.id WHERE d.pn IN ({', '.join('?' * len(chunk))})",
                                     chunk)
            hits += [RawHit(pn=pn, score=0.0, source=nested(zip(SIMILAR_FIELDS, json.loads(values), strict=True)),
                            sort=[]) for pn, values in rows]
        return hits

    def drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def _relevance_cut(size: int, after: Any | None) -> tuple[str, list[object]]:
    """A condition on ``m`` that keeps only rows scoring at least the page's last score, so the
    page's ``docs`` lookups and its sort by (score, pn) cover a few rows, not every match. After a
    cursor, the last score is the ``size``-th best among those below the cursor's score (rows tied
    with the cursor's score are above it and stay: their pn decides)."""
    below, below_params = ("WHERE k < ? ", [after]) if after is not None else ("", [])
    return (f"{_SCORE} >= COALESCE((SELECT round(s, 9) AS k FROM r {below}ORDER BY k DESC LIMIT 1 OFFSET ?), -1e308)",
            [*below_params, size - 1])


def _hit_source(values: tuple[Any, ...]) -> dict[str, Any]:
    """The HIT_FIELDS of one row (json_extract returns list fields as JSON text), nested as Elasticsearch gives them."""
    return nested((f, json.loads(v) if f in _LIST_HIT_FIELDS and isinstance(v, str) else v)
                  for f, v in zip(HIT_FIELDS, values, strict=True))


def _passage_rows(doc_id: int, doc: IndexRecord) -> Iterator[tuple[Any, ...]]:
    """One ``passages`` row per title/abstract language, claim, paragraph and party name, numbered
    from ``doc_id * PASSAGE_ROWS`` in document order (a document's passages are one rowid range)."""
    seq = 0
    for field in TEXT_FIELDS:
        for text in list_field(doc, field):
            row: dict[str, str | None] = dict.fromkeys(TEXT_FIELDS)
            row[field] = text
            yield (doc_id * PASSAGE_ROWS + seq, doc["pn"], *[row[f] for f in TEXT_FIELDS])
            seq += 1


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value


def _similar_links(query: SimilarQuery) -> tuple[str, list[Any]]:
    """The documents linked to the query's: by classification, cited by it, citing it or what it cites."""
    def marks(values: list[str]) -> str:
        return ", ".join("?" * len(values))

    parts, params = [], []
    for field, values in query.links.items():
        if values:
            parts.append(f"SELECT pn FROM doc_values WHERE field = ? AND value IN ({marks(values)})")
            params += [field, *values]
    for field, prefixes in query.link_prefixes.items():
        for prefix in prefixes:
            parts.append("SELECT pn FROM doc_values WHERE field = ? AND value >= ? AND value < ?")
            params += [field, prefix, prefix + "\U0010ffff"]
    if query.cited_bases:
        parts.append(f"SELECT pn FROM docs WHERE pn_base IN ({marks(query.cited_bases)})")
        params += query.cited_bases
    cited = [*query.cited_bases, query.pn_base]
    parts.append(f"SELECT pn FROM doc_values WHERE field = 'cited_bases' AND value IN ({marks(cited)})")
    return " UNION ".join(parts), [*params, *cited]
