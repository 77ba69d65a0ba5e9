"""Search parameters and results shared by the backends and the search service."""

from __future__ import annotations

import base64
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

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
HIT_FIELDS = ["pn", "title", "abstract", "publication_date", "filing_date", "country", "kind", "doc_kind",
              "owners", "ipc", "applicants", "family_id"]


class SearchParams(BaseModel):
    size: int = Field(default=20, ge=1, le=500)
    sort: SortMode = SortMode.relevance
    facets: list[str] = []
    after: list[Any] | None = None  # the last hit's sort values (keyset / search_after)
    pit: str | None = None


class RawHit(BaseModel):
    pn: str
    score: float
    source: dict[str, Any]
    sort: list[Any]


class FacetBucket(BaseModel):
    value: str
    count: int


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


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise SearchRequestError("the cursor is not one this service issued") from exc
    if not isinstance(data, dict) or not isinstance(data.get("after"), list):
        raise SearchRequestError("the cursor is not one this service issued")
    return data
