"""A real three-node Elasticsearch cluster (``scripts/services cluster``) losing a node (SIGKILL)
in the middle of the work: a load finishes with the exact count and no duplicate, and searches
keep answering in full while the replica takes over. The node that dies is the one holding the
index's primary shard, so the failover really happens."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.backends.elastic import ElasticsearchBackend
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files
from tests.databases import migrated
from tests.processes import REPO

# The cluster is these tests' own, but the module starts it once for all three: pytest-xdist may send
# a module's tests to both workers, so the module runs with the serial ones.
pytestmark = pytest.mark.serial

SERVICES = str(REPO / "scripts" / "services")


def _services(*args: str) -> str:
    done = subprocess.run([SERVICES, *args], capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    """The cluster, started for these tests and stopped after them."""
    url = _services("cluster", "start").strip().splitlines()[-1].removeprefix("IPC_ELASTICSEARCH_URL=")
    yield url
    _services("cluster", "stop")


def _primary_node(client: Elasticsearch, index: str) -> int:
    """The number (1..3) of the node holding the index's primary shard."""
    rows = client.cat.shards(index=index, format="json", h="prirep,state,node")
    node = next(r["node"] for r in rows if r["prirep"] == "p" and r["state"] == "STARTED")
    return int(node.removeprefix("ipcommons-c"))


def _revive(client: Elasticsearch, number: int) -> None:
    _services("cluster", "start-node", str(number))
    client.options(request_timeout=180).cluster.health(wait_for_nodes="3", wait_for_status="green", timeout="170s")


def _settings(tmp_path: Path, cluster_url: str, shared_data_dir: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "var", database_url=None, elasticsearch_url=cluster_url,
                        shared_data_dir=shared_data_dir, es_index_prefix=f"patents-cluster-{uuid.uuid4().hex[:8]}")
    migrated(settings.effective_database_url)  # the load journal
    return settings


def test_the_index_has_a_replica_on_a_cluster(cluster_url: str, tmp_path: Path, shared_data_dir: Path) -> None:
    backend = get_backend(_settings(tmp_path, cluster_url, shared_data_dir), BackendKind.elasticsearch)
    assert isinstance(backend, ElasticsearchBackend)
    backend.ensure_index()
    index_settings = backend.client.indices.get_settings(index=backend.index)[backend.index]["settings"]["index"]
    assert (index_settings["number_of_shards"], index_settings["number_of_replicas"]) == ("1", "1")
    assert "3 nodes" in (backend.health().version or "")
    backend.drop()


def test_a_load_survives_losing_the_primarys_node(cluster_url: str, tmp_path: Path, shared_data_dir: Path) -> None:
    settings = _settings(tmp_path, cluster_url, shared_data_dir)
    files = write_weekly_files(tmp_path / "xml", SyntheticOptions(docs=3000, seed=21), docs_per_file=250)
    backend = get_backend(settings, BackendKind.elasticsearch)
    assert isinstance(backend, ElasticsearchBackend)
    backend.ensure_index()
    victim = _primary_node(backend.client, backend.index)
    result: dict[str, object] = {}
    loader = threading.Thread(target=lambda: result.update(summary=run_load(settings, files)))
    loader.start()
    while backend.count() < 500 and loader.is_alive():  # well into the load
        time.sleep(0.2)
    _services("cluster", "kill-node", str(victim))
    loader.join(timeout=600)
    summary = result["summary"]
    assert (summary.loaded, summary.failed) == (3000, 0)  # type: ignore[attr-defined]
    backend.refresh()
    ids = backend.ids()
    assert backend.count() == len(ids) == 3000  # exact, and no document twice
    assert _primary_node(backend.client, backend.index) != victim  # the replica took over
    _revive(backend.client, victim)
    backend.drop()


def test_searches_keep_answering_while_the_primarys_node_dies(cluster_url: str, tmp_path: Path,
                                                                shared_data_dir: Path) -> None:
    settings = _settings(tmp_path, cluster_url, shared_data_dir)
    files = write_weekly_files(tmp_path / "xml", SyntheticOptions(docs=800, seed=22))
    assert run_load(settings, files).loaded == 800
    backend = get_backend(settings, BackendKind.elasticsearch)
    assert isinstance(backend, ElasticsearchBackend)
    backend.client.cluster.health(wait_for_status="green", timeout="60s")
    search = SearchService(backend)
    queries = ["light emitting diode", "IPC=H04W", "base station NEAR3 antenna", "PD>=2015"]
    expected = {q: search.search(q, size=5).total for q in queries}
    answers: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def client_loop() -> None:
        while not stop.is_set():
            for q in queries:
                try:
                    answers.append((q, search.search(q, size=5).total))
                except BaseException as exc:  # noqa: BLE001 - every failure is the test's finding
                    errors.append(exc)

    victim = _primary_node(backend.client, backend.index)
    threads = [threading.Thread(target=client_loop) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    _services("cluster", "kill-node", str(victim))
    time.sleep(8)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(answers) > 40 and all(total == expected[q] for q, total in answers)  # every answer complete
    _revive(backend.client, victim)
    backend.drop()
