"""Elasticsearch backend (official client, 8.x): index ``<alias>-v1`` behind the alias ``<alias>``."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from core.health import ServiceStatus, timed
from ipsearch.backends.base import WriteOutcome
from ipsearch.mapping import index_body, index_name

BULK_CHUNK = 250
BULK_MAX_BYTES = 20 * 1024 * 1024


class ElasticsearchBackend:
    kind = "elasticsearch"

    def __init__(self, url: str, alias: str = "patents", client: Elasticsearch | None = None) -> None:
        self.url = url
        self.alias = alias
        self.index = index_name(alias)
        self.client = client or Elasticsearch(url, request_timeout=60, retry_on_timeout=True, max_retries=3)

    def health(self) -> ServiceStatus:
        def probe() -> str | None:
            nodes = self.client.options(request_timeout=3).nodes.info(filter_path="nodes.*.version")
            versions = sorted({n["version"] for n in nodes["nodes"].values()})
            health = self.client.options(request_timeout=3).cluster.health()
            return f"elasticsearch {', '.join(versions)} ({health['status']})"

        return timed("search", self.kind, self.url, probe)

    # --- writing ---------------------------------------------------------------------------
    def ensure_index(self) -> None:
        if not self.client.indices.exists(index=self.index):
            self.client.options(ignore_status=400).indices.create(index=self.index, **index_body())
        if not self.client.indices.exists_alias(name=self.alias, index=self.index):
            self.client.indices.put_alias(index=self.index, name=self.alias)

    def write(self, items: Iterable[tuple[Any, dict[str, Any]]]) -> Iterator[WriteOutcome]:
        tags: deque[Any] = deque()

        def actions() -> Iterator[dict[str, Any]]:
            for tag, doc in items:
                tags.append(tag)
                yield {"_op_type": "index", "_index": self.index, "_id": doc["pn"], "_source": doc}

        # Retries 429/503 per item with exponential backoff; a dead node raises (the journal
        # keeps what was confirmed, and the load resumes from there).
        for ok, info in helpers.streaming_bulk(
            self.client, actions(), chunk_size=BULK_CHUNK, max_chunk_bytes=BULK_MAX_BYTES, max_retries=6,
            initial_backoff=1, max_backoff=30, retry_on_status=(429, 503), raise_on_error=False,
            raise_on_exception=True,
        ):
            tag = tags.popleft()
            error = None if ok else str(info.get("index", {}).get("error", info))[:1000]
            yield WriteOutcome(tag=tag, ok=ok, error=error)

    def refresh(self) -> None:
        self.client.indices.refresh(index=self.alias)

    def count(self) -> int:
        try:
            return int(self.client.count(index=self.alias)["count"])
        except NotFoundError:
            return 0

    def ids(self) -> set[str]:
        try:
            return {hit["_id"] for hit in helpers.scan(self.client, index=self.alias, _source=False,
                                                        query={"query": {"match_all": {}}}, size=1000)}
        except NotFoundError:
            return set()

    def get(self, pn: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(index=self.alias, id=pn)["_source"])
        except NotFoundError:
            return None

    def drop(self) -> None:
        self.client.options(ignore_status=404).indices.delete(index=self.index)
