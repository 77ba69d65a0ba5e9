"""Kill the real Elasticsearch in the middle of a load, restart it, resume: exactly the right
documents, no duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from core.settings import Settings
from ipsearch.backends import get_backend
from loaders.synthetic import SyntheticOptions, write_weekly_files

pytestmark = pytest.mark.serial  # kills a shared server: run alone (see the Makefile)

REPO = Path(__file__).resolve().parents[2]
DOCS = 6000


def _services_dir() -> Path:
    return Path(os.environ.get("IPC_SERVICES_DIR", REPO / "var" / "services"))


def _load_cmd(folder: Path) -> list[str]:
    return [sys.executable, "-m", "api.cli", "load", str(folder), "--backend", "es", "--json"]


def _wait_for_count(es: Elasticsearch, index: str, at_least: int, timeout: float) -> int:
    deadline = time.time() + timeout
    count = 0
    while time.time() < deadline:
        try:
            es.indices.refresh(index=index)
            count = int(es.count(index=index)["count"])
        except Exception:  # noqa: BLE001 - the index may not exist yet
            count = 0
        if count >= at_least:
            return count
        time.sleep(0.3)
    return count


def test_kill_elasticsearch_mid_load_then_resume(prod_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "syn"
    write_weekly_files(folder, SyntheticOptions(docs=DOCS, paragraphs=12), docs_per_file=1000)
    env = {**os.environ, "IPC_DATA_DIR": str(prod_settings.resolved_data_dir),
           "IPC_DATABASE_URL": str(prod_settings.database_url), "IPC_ES_INDEX_PREFIX": prod_settings.es_index_prefix,
           "IPC_ELASTICSEARCH_URL": str(prod_settings.elasticsearch_url)}
    backend = get_backend(prod_settings, "es")
    es = Elasticsearch(str(prod_settings.elasticsearch_url), request_timeout=10)
    pid_file = _services_dir() / "es.pid"
    assert pid_file.is_file(), "Elasticsearch must be started by scripts/services"
    try:
        load = subprocess.Popen(_load_cmd(folder), cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        reached = _wait_for_count(es, prod_settings.es_index_prefix, 500, timeout=240)
        assert 500 <= reached < DOCS, f"load progressed to {reached} before the kill"
        os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        out, errors = load.communicate(timeout=300)
        assert load.returncode == 3, (load.returncode, out, errors[-2000:])
        assert '"status": "interrupted"' in out
    finally:
        restart = subprocess.run([str(REPO / "scripts" / "services"), "start"], capture_output=True, text=True,
                                 timeout=300)
        assert restart.returncode == 0, restart.stderr[-3000:]
    before_resume = _wait_for_count(es, prod_settings.es_index_prefix, 1, timeout=120)
    assert 0 < before_resume < DOCS
    resumed = subprocess.run(_load_cmd(folder), cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    backend.refresh()
    assert backend.count() == DOCS
    assert backend.ids() == {f"US{90000000 + i}B2" for i in range(DOCS)}
    backend.drop()
