"""POST /api/v1/loads: admin only, confined paths, run by a real Celery worker on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from ipsearch.backends import get_backend
from tests.helpers import audit_rows, new_admin, new_user

REPO = Path(__file__).resolve().parents[2]


def test_member_cannot_start_a_load(client: TestClient, shared_data_dir: Path) -> None:
    _, headers = new_user(client)
    before = audit_rows(client)
    r = client.post("/api/v1/loads", json={"paths": [str(shared_data_dir / "patents" / "epo")]}, headers=headers)
    assert r.status_code == 403
    assert audit_rows(client) == before
    assert client.get("/api/v1/loads", headers=headers).status_code == 403


def test_paths_outside_the_load_roots_are_refused(client: TestClient, shared_data_dir: Path) -> None:
    _, headers = new_admin(client)
    for bad in ("/etc", str(shared_data_dir / "patents" / ".." / ".." / ".."), "/nonexistent/file.xml",
                str(shared_data_dir / "patents" / "nope.xml"), "a\x00b"):
        r = client.post("/api/v1/loads", json={"paths": [bad]}, headers=headers)
        assert r.status_code == 400, (bad, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert client.post("/api/v1/loads", json={"paths": []}, headers=headers).status_code == 422
    assert client.post("/api/v1/loads", json={"paths": ["x"], "backend": "solr"}, headers=headers).status_code == 422
    assert client.get("/api/v1/loads/999999", headers=headers).status_code == 404


def test_admin_load_runs_in_a_worker_and_reports_progress(client: TestClient, prod_settings: Settings,
                                                          shared_data_dir: Path) -> None:
    admin, headers = new_admin(client)
    env = {**os.environ, "IPC_DATA_DIR": str(prod_settings.resolved_data_dir),
           "IPC_DATABASE_URL": str(prod_settings.database_url), "IPC_ES_INDEX_PREFIX": prod_settings.es_index_prefix}
    log = (prod_settings.resolved_data_dir / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "api.worker", "worker",
                               "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
                              cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        r = client.post("/api/v1/loads", json={"paths": [str(shared_data_dir / "patents" / "epo")], "backend": "es"},
                        headers=headers)
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
        assert r.json()["status"] == "queued"
        deadline = time.time() + 60
        body = r.json()
        while time.time() < deadline and body["status"] in ("queued", "running"):
            time.sleep(0.5)
            body = client.get(f"/api/v1/loads/{run_id}", headers=headers).json()
        assert body["status"] == "done", (body, (prod_settings.resolved_data_dir / "worker.log").read_text()[-3000:])
        assert (body["loaded"], body["failed"], body["files_done"]) == (11, 0, 11)
        assert body["bytes_done"] == body["bytes_total"] > 0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    backend = get_backend(prod_settings, "es")
    backend.refresh()
    assert backend.count() == 11
    backend.drop()
    rows = audit_rows(client, action="load.start")
    assert rows[-1]["actor_id"] == admin["id"] and rows[-1]["object_id"] == str(run_id)
