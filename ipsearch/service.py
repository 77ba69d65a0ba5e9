"""The search service: parse, compile for the configured backend, page, highlight, export."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, Field

from core.errors import NotFound
from ipsearch.analysis import Analyzer, get_analyzer
from ipsearch.backends import SearchBackend
from ipsearch.highlight import highlight
from ipsearch.model import normalise_pn
from ipsearch.query.ast import Node, Not, Phrase, Term, leaves
from ipsearch.query.parser import parse_query, walk
from ipsearch.query.plan import Planner
from ipsearch.results import (
    FACETS,
    ExportFormat,
    FacetBucket,
    RawHit,
    SearchParams,
    SearchRequestError,
    SortMode,
    decode_cursor,
    encode_cursor,
)

MAX_EXPORT = 50_000
EXPORT_COLUMNS = ["pn", "title", "publication_date", "filing_date", "country", "kind", "applicants", "ipc"]


class Hit(BaseModel):
    pn: str
    title: str
    score: float
    publication_date: str | None = None
    filing_date: str | None = None
    country: str | None = None
    kind: str | None = None
    doc_kind: str | None = None
    applicants: list[str] = []
    ipc: list[str] = []
    highlights: dict[str, str] = {}


class SearchResult(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = {}
    next_cursor: str | None = None
    backend: str
    took_ms: float


class ClaimNode(BaseModel):
    number: int
    dependants: list[ClaimNode] = []


class DocumentView(BaseModel):
    pn: str
    document: dict[str, Any] = Field(description="the normalised document (see ipsearch.model.PatentDocument)")
    claim_tree: dict[str, list[ClaimNode]] = Field(description="per language: independent claims and dependants")


class SearchService:
    def __init__(self, backend: SearchBackend, analyzer: Analyzer | None = None) -> None:
        self.backend = backend
        self.analyzer = analyzer or get_analyzer()

    def plan(self, q: str) -> tuple[Node, Planner]:
        node = parse_query(q)
        return node, Planner(self.analyzer, self.backend, q)

    def search(self, q: str, size: int = 20, sort: SortMode = SortMode.relevance, facets: list[str] | None = None,
               cursor: str | None = None) -> SearchResult:
        start = time.perf_counter()
        node, planner = self.plan(q)
        for name in facets or []:
            if name not in FACETS:
                raise SearchRequestError(f"unknown facet {name!r}; known: {', '.join(FACETS)}")
        params = SearchParams(size=size, sort=sort, facets=facets or [])
        if cursor:
            data = decode_cursor(cursor)
            if data.get("q") != q or data.get("sort") != sort:
                raise SearchRequestError("this cursor belongs to another query or sort order")
            params.after, params.pit = data["after"], data.get("pit")
        page = self.backend.run_search(node, planner, params)
        tokens = self.query_tokens(node, planner)
        hits = [self._hit(h, tokens) for h in page.hits]
        next_cursor = None
        if len(page.hits) == size and page.hits:
            next_cursor = encode_cursor({"q": q, "sort": sort, "after": page.hits[-1].sort, "pit": page.pit})
        return SearchResult(total=page.total, hits=hits, facets=page.facets, next_cursor=next_cursor,
                            backend=self.backend.kind, took_ms=round((time.perf_counter() - start) * 1000, 2))

    def matching_ids(self, q: str, limit: int = 1_000_000) -> set[str]:
        node, planner = self.plan(q)
        return set(self.backend.run_ids(node, planner, limit))

    def query_tokens(self, node: Node, planner: Planner) -> set[str]:
        """The tokens of the positive words and phrases, for highlighting."""
        negated = {id(leaf) for n in walk(node) if isinstance(n, Not) for leaf in leaves(n.item)}
        out: set[str] = set()
        for leaf in leaves(node):
            if id(leaf) in negated or not isinstance(leaf, Term | Phrase):
                continue
            if isinstance(leaf, Term) and leaf.is_wildcard:
                if leaf.field in ("TI", "AB", "TXT", "CL", "DESC"):
                    out.update(planner.expand(leaf))
            else:
                out.update(planner.tokens(leaf))
        return out

    def _hit(self, raw: RawHit, tokens: set[str]) -> Hit:
        src = raw.source
        marks = {}
        if (title := highlight(src.get("title") or "", tokens, self.analyzer)) is not None:
            marks["title"] = title
        if (abstract := highlight(src.get("abstract") or "", tokens, self.analyzer, fragment=True)) is not None:
            marks["abstract"] = abstract
        return Hit(pn=raw.pn, title=src.get("title") or "", score=round(raw.score, 6),
                   publication_date=src.get("publication_date"), filing_date=src.get("filing_date"),
                   country=src.get("country"), kind=src.get("kind"), doc_kind=src.get("doc_kind"),
                   applicants=src.get("owners") or [], ipc=src.get("ipc") or [], highlights=marks)

    # --- documents -------------------------------------------------------------------------
    def document(self, pn: str) -> DocumentView:
        """The full normalised document plus its claim tree (independent claims with dependants)."""
        record = self.backend.get(normalise_pn(pn))
        if record is None:
            raise NotFound(f"{pn} is not in the corpus")
        doc = record["doc"]
        trees = {}
        for lang, claims in doc.get("claims", {}).items():
            children: dict[int, list[int]] = {}
            for c in claims:
                for parent in c.get("refers_to", [])[:1]:
                    children.setdefault(parent, []).append(c["number"])
            trees[lang] = [{"number": c["number"], "dependants": _descendants(c["number"], children)}
                           for c in claims if c.get("independent")]
        return DocumentView.model_validate({"pn": record["pn"], "document": doc, "claim_tree": trees})

    def similar(self, pn: str, size: int = 10) -> list[Hit]:
        key = normalise_pn(pn)
        if self.backend.get(key) is None:
            raise NotFound(f"{pn} is not in the corpus")
        return [self._hit(h, set()) for h in self.backend.similar(key, size)]

    # --- export ----------------------------------------------------------------------------
    def export(self, q: str, fmt: ExportFormat = ExportFormat.csv, limit: int = MAX_EXPORT,
               sort: SortMode = SortMode.relevance) -> Iterator[str]:
        """Up to ``limit`` hits as CSV or JSON Lines, page by page (cursor pagination). The query is
        checked now, so a bad one fails before the first byte is sent."""
        self.plan(q)
        return self._export_rows(q, fmt, min(max(limit, 1), MAX_EXPORT), sort)

    def _export_rows(self, q: str, fmt: ExportFormat, limit: int, sort: SortMode) -> Iterator[str]:
        sent = 0
        cursor = None
        if fmt is ExportFormat.csv:
            yield _csv_row(EXPORT_COLUMNS)
        while sent < limit:
            page = self.search(q, size=min(500, limit - sent), sort=sort, cursor=cursor)
            for hit in page.hits:
                row = hit.model_dump(exclude={"highlights"})
                if fmt is ExportFormat.csv:
                    yield _csv_row([_cell(row[c]) for c in EXPORT_COLUMNS])
                else:
                    yield json.dumps(row, ensure_ascii=False) + "\n"
            sent += len(page.hits)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


def _descendants(number: int, children: dict[int, list[int]]) -> list[dict[str, Any]]:
    return [{"number": c, "dependants": _descendants(c, children)} for c in children.get(number, [])]


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _csv_row(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(values)
    return buf.getvalue()
