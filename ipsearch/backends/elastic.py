"""Elasticsearch backend (official client, 8.x)."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from core.health import ServiceStatus, timed


class ElasticsearchBackend:
    kind = "elasticsearch"

    def __init__(self, url: str, alias: str = "patents") -> None:
        self.url = url
        self.alias = alias
        self.client = Elasticsearch(url, request_timeout=30, retry_on_timeout=True, max_retries=3)

    def health(self) -> ServiceStatus:
        def probe() -> str | None:
            nodes = self.client.options(request_timeout=3).nodes.info(filter_path="nodes.*.version")
            versions = sorted({n["version"] for n in nodes["nodes"].values()})
            health = self.client.options(request_timeout=3).cluster.health()
            return f"elasticsearch {', '.join(versions)} ({health['status']})"

        return timed("search", self.kind, self.url, probe)
