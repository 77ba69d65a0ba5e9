"""Search backends: Elasticsearch (production, scale-out) and embedded SQLite FTS5 (zero setup)."""

from __future__ import annotations

from core.errors import InvalidInput
from core.settings import BackendKind, Settings
from ipsearch.backends.base import IndexWriter, SearchBackend, WriteOutcome


def get_backend(settings: Settings, kind: BackendKind | str | None = None) -> SearchBackend:
    """The backend of ``kind``, else the configured one."""
    try:
        kind = BackendKind(kind) if kind else settings.search_backend_kind
    except ValueError as exc:
        raise InvalidInput(f"unknown search backend {kind!r}: elasticsearch (es) or embedded") from exc
    if kind is BackendKind.elasticsearch:
        if not settings.elasticsearch_url:
            raise InvalidInput("IPC_ELASTICSEARCH_URL is not set")
        from ipsearch.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend(settings.elasticsearch_url, alias=settings.es_index_prefix)
    from ipsearch.backends.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.embedded_index_path)


__all__ = ["IndexWriter", "SearchBackend", "WriteOutcome", "get_backend"]
