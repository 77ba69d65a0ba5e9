"""The interface every search backend implements."""

from __future__ import annotations

from typing import Protocol

from core.health import ServiceStatus


class SearchBackend(Protocol):
    kind: str

    def health(self) -> ServiceStatus: ...
