"""The interfaces every search backend implements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from core.health import ServiceStatus
from core.settings import BackendKind

if TYPE_CHECKING:
    from ipsearch.indexdoc import IndexRecord
    from ipsearch.query.ast import Node
    from ipsearch.query.plan import Planner
    from ipsearch.results import Page, RawHit, SearchParams


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one written document; ``tag`` is the caller's, returned in input order."""

    tag: Any
    ok: bool
    error: str | None = None


class IndexWriter(Protocol):
    kind: BackendKind

    def ensure_index(self) -> None:
        """Create the index/schema if missing (idempotent)."""

    def write(self, items: Iterable[tuple[Any, IndexRecord]]) -> Iterator[WriteOutcome]:
        """Index ``(tag, index_doc)`` pairs; yield one outcome per item, in order, once durable."""
        ...

    def refresh(self) -> None: ...

    def update_citations(self, run_id: int) -> int:
        """Set ``cited_by`` (how many corpus documents cite it) on the documents load run ``run_id``
        wrote and on the corpus documents they cite; returns how many documents were updated."""
        ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def get(self, pn: str) -> dict[str, Any] | None: ...

    def drop(self) -> None:
        """Delete the whole index (tests, rebuilds)."""


class SearchBackend(IndexWriter, Protocol):
    """What the search service, collections and analytics need from a backend."""

    def health(self) -> ServiceStatus: ...

    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]:
        """Distinct indexed tokens starting with ``prefix`` (wildcard expansion)."""
        ...

    def run_search(self, node: Node, planner: Planner, params: SearchParams) -> Page: ...

    def run_ids(self, node: Node, planner: Planner, limit: int = 1_000_000) -> list[str]: ...

    def similar(self, pn: str, size: int) -> list[RawHit]: ...

    def explain(self, node: Node, planner: Planner) -> str:
        """What this backend would run for ``node``, for people reading ``ipcommons explain``."""
        ...

    def count_by(self, node: Node, planner: Planner, field: str, by: str | None = None,
                 distinct: str | None = None) -> dict[tuple[str, ...], int]:
        """Exact document counts per value of ``field`` (and ``by``), or distinct values of ``distinct``."""
        ...

    def count_matching(self, node: Node, planner: Planner) -> int:
        """How many documents match."""
        ...

    def top_values(self, node: Node | None, planner: Planner | None, field: str, size: int,
                   include: list[str] | None = None) -> dict[str, int]:
        """Documents per value of ``field``: the ``size`` largest (count descending, then value), or
        with ``include`` the counts of exactly those values. ``node`` None means the whole corpus."""
        ...

    def top_docs(self, node: Node, planner: Planner, sort: list[tuple[str, str]], size: int,
                 fields: list[str]) -> list[dict[str, Any]]:
        """The first ``size`` documents by ``sort`` ((field, "asc" | "desc") pairs, missing values
        last, then publication number), with ``fields`` of each."""
        ...

