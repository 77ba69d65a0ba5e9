"""The interfaces every search backend implements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from core.health import ServiceStatus


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one written document; ``tag`` is the caller's, returned in input order."""

    tag: Any
    ok: bool
    error: str | None = None


class IndexWriter(Protocol):
    kind: str

    def ensure_index(self) -> None:
        """Create the index/schema if missing (idempotent)."""

    def write(self, items: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[WriteOutcome]:
        """Index ``(tag, index_doc)`` pairs; yield one outcome per item, in order, once durable."""
        ...

    def refresh(self) -> None: ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...

    def get(self, pn: str) -> dict[str, Any] | None: ...

    def drop(self) -> None:
        """Delete the whole index (tests, rebuilds)."""


class SearchBackend(IndexWriter, Protocol):
    def health(self) -> ServiceStatus: ...
