"""Search backends: Elasticsearch (production, scale-out) and embedded SQLite FTS5 (zero setup)."""

from __future__ import annotations

from core.settings import Settings
from ipsearch.backends.base import IndexWriter, SearchBackend, WriteOutcome


def get_backend(settings: Settings, kind: str | None = None) -> SearchBackend:
    """The backend named by ``kind`` ('es' / 'elasticsearch' / 'embedded'), else the configured one."""
    kind = kind or settings.search_backend_kind
    if kind in ("es", "elasticsearch"):
        if not settings.elasticsearch_url:
            raise ValueError("IPC_ELASTICSEARCH_URL is not set")
        from ipsearch.backends.elastic import ElasticsearchBackend

        return ElasticsearchBackend(settings.elasticsearch_url, alias=settings.es_index_prefix)
    if kind == "embedded":
        from ipsearch.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(settings.embedded_index_path)
    raise ValueError(f"unknown search backend {kind!r} (use 'es' or 'embedded')")


__all__ = ["IndexWriter", "SearchBackend", "WriteOutcome", "get_backend"]
