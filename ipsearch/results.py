"""Search parameters and results shared by the backends and the search service."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import InvalidInput


class SortMode(StrEnum):
    relevance = "relevance"
    date = "date"  # newest first
    date_asc = "date_asc"


class Grouping(StrEnum):
    """Search rows: one per document, or one per family (its best-ranked member, the others listed)."""

    document = "document"
    family = "family"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self is ExportFormat.csv else "application/x-ndjson"

# facet name -> index field (keyword list fields and scalar columns)
FACETS: dict[str, str] = {
    "ipc_section": "ipc_section", "ipc_class": "ipc_class", "ipc_subclass": "ipc_subclass",
    "cpc_subclass": "cpc_subclass", "applicant": "owner_keys", "country": "country",
    "year": "publication_year", "kind": "doc_kind",
}
FACET_BUCKETS = 20
YEAR_BUCKETS = 50  # years of the year facet, the newest first
# What a hit shows: index fields, and every title of the stored document with its language (``doc.titles``),
# so a page shows the title in its reader's language where the document has one (``title`` is the
# English one first). A path with a dot reads inside the stored document; the backends return it
# nested, as Elasticsearch filters ``_source`` (``nested``).
HIT_FIELDS = ["pn", "title", "abstract", "publication_date", "filing_date", "country", "kind", "doc_kind",
              "owners", "ipc", "applicants", "family_id", "synthetic", "doc.titles"]
HIT_KEYS = list(dict.fromkeys(f.split(".")[0] for f in HIT_FIELDS))  # a hit's source: its top-level keys


def nested(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Field paths and their values as a filtered ``_source``: ``("doc.titles", v)`` -> ``{"doc": {"titles": v}}``."""
    out: dict[str, Any] = {}
    for path, value in pairs:
        *parents, name = path.split(".")
        holder = out
        for parent in parents:
            holder = holder.setdefault(parent, {})
        holder[name] = value
    return out


def titles_of(source: Mapping[str, Any]) -> dict[str, str]:
    """A hit's titles by language (the first of each language), from its ``doc.titles``."""
    titles: dict[str, str] = {}
    for item in (source.get("doc") or {}).get("titles") or []:
        if isinstance(item, dict) and item.get("text"):
            titles.setdefault(str(item.get("lang") or ""), str(item["text"]))
    return titles


class SearchParams(BaseModel):
    size: int = Field(default=20, ge=1, le=500)
    sort: SortMode = SortMode.relevance
    facets: list[str] = []
    after: list[Any] | None = None  # the last hit's sort values (keyset / search_after)
    pit: str | None = None
    shown: int = 0  # rows (hits, or families) on the pages before this one: the one reaching the total is the last


class RawHit(BaseModel):
    pn: str
    score: float
    source: dict[str, Any]
    sort: list[Any]


class FacetBucket(BaseModel):
    value: str
    count: int
    label: str | None = Field(default=None, description="how people write the value, where it is a key: "
                              "an applicant facet counts harmonised names ('asml holding': 'ASML Holding N.V.')")


class Page(BaseModel):
    total: int
    hits: list[RawHit]
    facets: dict[str, list[FacetBucket]] = {}
    pit: str | None = None


class FamilyHeads(BaseModel):
    """One row per family: the best hit (by the search's sort) of each family, families in the
    order of their best hits; ``heads`` are the rows from the requested offset."""

    documents: int  # matching documents
    families: int  # matching families
    heads: list[RawHit]
    more: bool  # rows follow these
    facets: dict[str, list[FacetBucket]] = {}


class SearchRequestError(InvalidInput):
    """A search request this service cannot honour: a foreign or broken cursor, an unknown facet."""


class Cursor(BaseModel):
    """Where the next page of a search starts. Handed out signed (``encode_cursor``), so a cursor
    that comes back is one this service issued, whole: nothing in it needs checking again."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str  # a digest of the query the cursor pages through: cursors stay short whatever it is
    sort: SortMode
    group: Grouping
    shown: int = Field(ge=0)  # rows (documents, or families) on the pages before the next one
    after: list[float | int | str | None] = []  # document rows: the last hit's sort values
    pit: str | None = None  # document rows on Elasticsearch: the point in time the pages read


CURSOR_MAC_BYTES = 16
FOREIGN_CURSOR = "the cursor is not one this service issued: start again from the first page"


def _cursor_mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:CURSOR_MAC_BYTES]


def encode_cursor(cursor: Cursor, key: bytes) -> str:
    payload = cursor.model_dump_json(exclude_defaults=True).encode()
    return base64.urlsafe_b64encode(_cursor_mac(key, payload) + payload).decode().rstrip("=")


def decode_cursor(token: str, key: bytes) -> Cursor:
    """The cursor ``token`` carries, when its signature is ours (SearchRequestError otherwise)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError as exc:
        raise SearchRequestError(FOREIGN_CURSOR) from exc
    mac, payload = raw[:CURSOR_MAC_BYTES], raw[CURSOR_MAC_BYTES:]
    if not payload or not hmac.compare_digest(mac, _cursor_mac(key, payload)):
        raise SearchRequestError(FOREIGN_CURSOR)
    try:
        return Cursor.model_validate_json(payload)
    except ValidationError as exc:  # signed by us, so only an older release's cursor gets here
        raise SearchRequestError(FOREIGN_CURSOR) from exc
