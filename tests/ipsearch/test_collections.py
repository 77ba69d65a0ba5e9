"""Topic collections: a saved query gains a new match after a second load and the owner gets
exactly one notification (a real Celery worker on Redis); private collections stay private."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.tasks import refresh_collections
from loaders.pipeline import run_load
from tests.helpers import audit_rows, new_user

REPO = Path(__file__).resolve().parents[2]


def _worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IPC_DATA_DIR": str(settings.resolved_data_dir),
           "IPC_DATABASE_URL": str(settings.database_url), "IPC_ES_INDEX_PREFIX": settings.es_index_prefix}
    return subprocess.Popen([sys.executable, "-m", "api.worker", "worker",
                             "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_saved_query_gains_new_match_and_owner_is_notified_once(client: TestClient, prod_settings: Settings,
                                                                 shared_data_dir: Path) -> None:
    patents = shared_data_dir / "patents"
    backend = get_backend(prod_settings, "es")
    worker = _worker(prod_settings)
    try:
        assert run_load(prod_settings, [patents / "epo"], backend="es").loaded == 11
        owner, owner_h = new_user(client)
        r = client.post("/api/v1/collections", json={"name": "Lamps", "query": "TI=lamp"}, headers=owner_h)
        assert r.status_code == 201, r.text
        coll = r.json()
        assert coll["items"] == 0  # no lamp among the EP documents
        # second load: a US weekly file with design patent "Lamp" (USD630349S1)
        assert run_load(prod_settings, [patents / "uspto" / "ipg110104.small.xml"], backend="es").loaded == 25
        deadline = time.time() + 60
        notes: list[dict[str, object]] = []
        while time.time() < deadline and not notes:
            time.sleep(0.5)
            notes = client.get("/api/v1/notifications", headers=owner_h).json()
        assert len(notes) == 1, notes
        assert notes[0]["kind"] == "collection.new_matches" and notes[0]["payload"]["pns"] == ["USD630349S1"]
        items = client.get(f"/api/v1/collections/{coll['id']}/items", headers=owner_h).json()["items"]
        assert [i["pn"] for i in items] == ["USD630349S1"]
        # the same event handled again (beat sweep, duplicate message): no second notification
        assert refresh_collections(prod_settings)["new_matches"] == 0
        assert len(client.get("/api/v1/notifications", headers=owner_h).json()) == 1
        # loading the same file again changes nothing and notifies nobody
        assert run_load(prod_settings, [patents / "uspto" / "ipg110104.small.xml"], backend="es").loaded == 0
        time.sleep(1.5)
        assert len(client.get("/api/v1/notifications", headers=owner_h).json()) == 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        backend.drop()


def test_private_collection_is_invisible_to_others(client: TestClient, prod_settings: Settings) -> None:
    get_backend(prod_settings, "es").ensure_index()
    _, owner_h = new_user(client)
    _, other_h = new_user(client)
    cid = client.post("/api/v1/collections", json={"name": "Secret project"}, headers=owner_h).json()["id"]
    before = audit_rows(client)
    for method, path, body in (
        ("get", f"/api/v1/collections/{cid}", None),
        ("get", f"/api/v1/collections/{cid}/items", None),
        ("get", f"/api/v1/collections/{cid}/stats", None),
        ("get", f"/api/v1/collections/{cid}/export", None),
        ("patch", f"/api/v1/collections/{cid}", {"name": "mine now"}),
        ("delete", f"/api/v1/collections/{cid}", None),
        ("post", f"/api/v1/collections/{cid}/items", {"pns": ["US6836899B1"]}),
        ("post", f"/api/v1/collections/{cid}/notes", {"pn": "US6836899B1", "text": "x"}),
    ):
        r = client.request(method, path, json=body, headers=other_h)
        assert r.status_code in (403, 404), (method, path, r.status_code)
    assert client.get(f"/api/v1/collections/{cid}").status_code == 404  # anonymous
    assert audit_rows(client) == before
    assert client.get(f"/api/v1/collections/{cid}", headers=owner_h).json()["name"] == "Secret project"


def test_manual_items_tags_notes_and_removal(client: TestClient, prod_settings: Settings,
                                             shared_data_dir: Path) -> None:
    patents = shared_data_dir / "patents"
    assert run_load(prod_settings, [patents / "epo", patents / "uspto" / "ipg050104.small.xml"],
                    backend="es").failed == 0
    _, h = new_user(client)
    cid = client.post("/api/v1/collections", json={"name": "Picks"}, headers=h).json()["id"]
    r = client.post(f"/api/v1/collections/{cid}/items", json={"pns": ["US 6,836,899 B1", "EP3383757B1"]}, headers=h)
    assert r.json()["added"] == ["US6836899B1", "EP3383757B1"]
    assert client.post(f"/api/v1/collections/{cid}/tags", json={"pn": "US6836899B1", "tag": "核心专利"},
                       headers=h).status_code == 201
    assert client.post(f"/api/v1/collections/{cid}/tags", json={"pn": "US0000001B1", "tag": "x"},
                       headers=h).status_code == 400
    assert client.post(f"/api/v1/collections/{cid}/notes", json={"pn": "EP3383757B1", "text": "check claim 1"},
                       headers=h).status_code == 201
    assert client.post(f"/api/v1/collections/{cid}/items/remove", json={"pns": ["EP3383757B1"]},
                       headers=h).json() == {"removed": 1}
    items = client.get(f"/api/v1/collections/{cid}/items", headers=h).json()["items"]
    added_at = items[0].pop("added_at")
    assert items == [{"pn": "US6836899B1", "tags": ["核心专利"], "in_corpus": True, "publication_date": "2005-01-04",
                      "title": "Device for detachably holding an absorbent napkin across the torso",
                      "applicants": ["Glasmire, Samuel G."], "found_later": False,
                      "new_to_you": False}]  # added by hand
    assert client.get(f"/api/v1/collections/{cid}/items", headers=h).json()["new_matches"] == 0  # none found later
    note = client.post(f"/api/v1/collections/{cid}/notes", json={"pn": "US6836899B1", "text": "to delete"},
                       headers=h).json()["id"]
    assert client.delete(f"/api/v1/collections/{cid}/notes/{note}", headers=h).status_code == 204
    # deleted already: the API still answers 404 (the web page says it was deleted already instead)
    again = client.delete(f"/api/v1/collections/{cid}/notes/{note}", headers=h)
    assert again.status_code == 404 and again.json()["detail"] == f"note {note} not found in collection {cid}"
    added = datetime.fromisoformat(added_at.replace("Z", "+00:00"))
    assert added_at.endswith("Z") and abs((datetime.now(UTC) - added).total_seconds()) < 600
    assert client.post("/api/v1/collections", json={"name": "bad", "query": "(led"}, headers=h).status_code == 400
    assert client.post(f"/api/v1/collections/{cid}/items", json={"pns": ["garbage!"]}, headers=h).status_code == 400
    # a number typed wrong is refused and named, not stored as "US0B2"
    r = client.post(f"/api/v1/collections/{cid}/items", json={"pns": ["US0000000B2"]}, headers=h)
    assert r.status_code == 400 and "not in the corpus: US0000000B2" in r.json()["detail"]
    assert [i["pn"] for i in client.get(f"/api/v1/collections/{cid}/items", headers=h).json()["items"]] == [
        "US6836899B1"]
    # a collection may start with documents (the patent page's "new collection"): as the corpus numbers
    # them, audited with its creation; an unknown or overlong number refuses it whole, nothing made
    made = client.post("/api/v1/collections", json={"name": "Started", "pns": ["US 6,836,899 B1"]}, headers=h)
    assert made.status_code == 201, made.text
    started = made.json()["id"]
    assert [i["pn"] for i in client.get(f"/api/v1/collections/{started}/items", headers=h).json()["items"]] == [
        "US6836899B1"]
    assert [r["details"]["pns"] for r in audit_rows(client, action="collection.create", object_id=str(started))] == [
        ["US6836899B1"]]
    before = len(client.get("/api/v1/collections", headers=h).json())
    unknown = client.post("/api/v1/collections", json={"name": "Typo", "pns": ["US0000000B2"]}, headers=h)
    assert unknown.status_code == 400 and unknown.json()["missing"] == ["US0000000B2"]
    for pns in (["9" * 41], [""]):
        assert client.post("/api/v1/collections", json={"name": "Long", "pns": pns}, headers=h).status_code == 422
    assert len(client.get("/api/v1/collections", headers=h).json()) == before
