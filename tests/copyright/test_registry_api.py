"""The registry over HTTP on PostgreSQL: near-duplicates go to review, only holders license or
transfer, disputes mark registrations, 200 concurrent registrations are 200 consecutive entries."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from copyright import log
from copyright.registry import registry_day
from core.db import session_scope
from core.settings import RouteLimit, Settings
from tests.copyright.media import picture
from tests.helpers import new_admin, new_user, quick_user

WORK = {"title": "Harbour at dawn", "work_type": "photographic", "authors": ["Wang Fang"]}




def upload(client: TestClient, headers: dict[str, str], data: bytes, name: str, work: dict[str, object]) -> dict:  # type: ignore[type-arg]
    r = client.post("/api/v1/copyright/registrations/upload", headers=headers,
                    files={"file": (name, data)}, data={"work": json.dumps(work)})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_near_duplicate_image_and_edited_text_go_to_review(client: TestClient) -> None:
    _, alice = new_user(client)
    _, bob = new_user(client)
    first = upload(client, alice, picture(11), "harbour.png", WORK)
    assert first["status"] == "registered" and first["matches"] == []
    copy = upload(client, bob, picture(11, (240, 180), "JPEG", 55), "harbour-small.jpg", WORK)
    assert copy["status"] == "under_review"
    assert copy["matches"][0]["number"] == first["number"] and copy["matches"][0]["kind"] == "near-duplicate"
    assert client.get(f"/api/v1/copyright/registrations/{copy['number']}/certificate").status_code == 400
    # Which work a held registration matched is for its owner and the moderators, not for anyone.
    record = f"/api/v1/copyright/registrations/{copy['number']}"
    _, admin = new_admin(client)
    for reader, sees in (({}, False), (alice, False), (bob, True), (admin, True)):
        shown = client.get(record, headers=reader)
        assert shown.status_code == 200 and shown.json()["status"] == "under_review"
        assert [m["number"] for m in shown.json()["matches"]] == ([first["number"]] if sees else [])
    other = upload(client, bob, picture(99), "other.png", WORK)
    assert other["status"] == "registered"

    story = " ".join(f"Chapter {i}: the fisherman rowed past lantern {i % 17} and sang to the tide."
                     for i in range(120))
    text_work = {"title": "Tide songs", "work_type": "written", "authors": ["Wang Fang"]}
    original = upload(client, alice, story.encode(), "tide.txt", text_work)
    assert original["status"] == "registered"
    edited = story.replace("lantern 3 ", "lamp 3 ").replace("sang", "hummed", 3)
    lightly = upload(client, bob, edited.encode(), "tide2.txt", text_work)
    assert lightly["status"] == "under_review" and lightly["matches"][0]["number"] == original["number"]
    identical = client.post("/api/v1/copyright/registrations", headers=bob, json={
        "work": text_work, "content": {"sha256": __import__("hashlib").sha256(story.encode()).hexdigest()}}).json()
    assert identical["status"] == "under_review" and identical["matches"][0]["kind"] == "identical"


def test_review_decisions_are_for_moderators(client: TestClient) -> None:
    _, alice = new_user(client)
    _, bob = new_user(client)
    _, admin = new_admin(client)
    upload(client, alice, picture(21), "a.png", WORK)
    held = upload(client, bob, picture(21, (300, 225), "JPEG", 70), "b.jpg", WORK)
    assert held["status"] == "under_review"
    url = f"/api/v1/copyright/registrations/{held['number']}/review"
    assert client.post(url, headers=bob, json={"approve": True, "note": "mine"}).status_code == 403
    done = client.post(url, headers=admin, json={"approve": True, "note": "independent photo from the same spot"})
    assert done.status_code == 200 and done.json()["status"] == "registered" and done.json()["log_index"] is not None
    assert client.get(f"/api/v1/copyright/registrations/{held['number']}/certificate").status_code == 200
    assert client.post(url, headers=admin, json={"approve": False, "note": "again"}).status_code == 409


def test_only_holders_license_and_transfer(client: TestClient) -> None:
    owner, owner_h = new_user(client)
    lic, lic_h = new_user(client)
    third, third_h = new_user(client)
    reg = client.post("/api/v1/copyright/registrations", headers=owner_h, json={
        "work": {"title": "Ledger app", "work_type": "software"}, "content": {"sha256": "ab" * 32}}).json()
    base = f"/api/v1/copyright/registrations/{reg['number']}"
    today = registry_day().isoformat()  # Beijing's day, as the registry's
    grant = {"licensee_id": lic["id"], "rights": ["reproduction", "distribution"], "start_date": today}
    assert client.post(f"{base}/licences", headers=third_h, json=grant).status_code == 403
    r = client.post(f"{base}/licences", headers=owner_h, json=grant)
    assert r.status_code == 201, r.text
    # the licensee cannot re-license without a right to sublicense
    sub = {"licensee_id": third["id"], "rights": ["reproduction"], "start_date": today}
    assert client.post(f"{base}/licences", headers=lic_h, json=sub).status_code == 403
    assert client.post(f"{base}/licences", headers=owner_h, json={**grant, "licensee_id": third["id"],
                                                                  "may_sublicense": True}).status_code == 201
    assert client.post(f"{base}/licences", headers=third_h, json={**sub, "licensee_id": lic["id"]}).status_code == 201
    # exclusive licences do not overlap
    excl = {"licensee_id": lic["id"], "rights": ["translation"], "start_date": today, "exclusive": True}
    assert client.post(f"{base}/licences", headers=owner_h, json=excl).status_code == 201
    clash = {**excl, "licensee_id": third["id"]}
    assert client.post(f"{base}/licences", headers=owner_h, json=clash).status_code == 409
    bad = {**grant, "end_date": "2000-01-01"}
    assert client.post(f"{base}/licences", headers=owner_h, json=bad).status_code == 422
    # transfers: only the holder; afterwards the new holder licenses, the old one cannot
    move = {"to_user_id": third["id"], "rights": ["adaptation"], "effective_date": today}
    assert client.post(f"{base}/transfers", headers=lic_h, json=move).status_code == 403
    moved = client.post(f"{base}/transfers", headers=owner_h, json=move)
    assert moved.status_code == 201 and moved.json()["withdrawn_offers"] == []  # the owner offered nothing
    adapt = {"licensee_id": lic["id"], "rights": ["adaptation"], "start_date": today}
    assert client.post(f"{base}/licences", headers=owner_h, json=adapt).status_code == 403
    assert client.post(f"{base}/licences", headers=third_h, json=adapt).status_code == 201
    held = client.get(f"{base}/rights", params={"on": today}).json()["holders"]
    assert held[str(third["id"])] == ["adaptation"] and "adaptation" not in held[str(owner["id"])]
    before = client.get(f"{base}/rights", params={"on": "2000-01-01"}).json()
    assert before["holders"] == {} and before["licences"] == []
    chain = client.get(f"{base}/chain").json()
    assert [e["type"] for e in chain][:2] == ["registration", "licence"] and "transfer" in [e["type"] for e in chain]
    assert all(chain[i]["index"] < chain[i + 1]["index"] for i in range(len(chain) - 1))
    stats = client.get("/api/v1/copyright/stats").json()
    assert stats["by_work_type"]["software"] >= 1 and stats["by_licence_type"]["exclusive"] >= 1


def test_disputes_mark_and_resolve(client: TestClient) -> None:
    _, owner_h = new_user(client)
    _, rival_h = new_user(client)
    _, admin = new_admin(client)
    reg = client.post("/api/v1/copyright/registrations", headers=owner_h, json={
        "work": {"title": "Song", "work_type": "music"}, "content": {"sha256": "cd" * 32}}).json()
    base = f"/api/v1/copyright/registrations/{reg['number']}"
    certificate = client.get(f"{base}/certificate").json()
    standing = client.post("/api/v1/copyright/verify", json={"certificate": certificate}).json()
    assert standing["valid"] is True and standing["status"] == "registered" and "revoked_at" not in standing
    d = client.post(f"{base}/disputes", headers=rival_h, json={"reason": "I wrote this melody in 2019"}).json()
    assert client.get(base).json()["status"] == "disputed"
    assert client.post("/api/v1/copyright/verify", json={"certificate": certificate}).json()["status"] == "disputed"
    assert client.post(f"/api/v1/copyright/disputes/{d['id']}/resolve", headers=rival_h,
                       json={"upheld": True, "resolution": "x"}).status_code == 403
    r = client.post(f"/api/v1/copyright/disputes/{d['id']}/resolve", headers=admin,
                    json={"upheld": True, "resolution": "evidence of earlier publication"})
    assert r.json()["status"] == "upheld" and client.get(base).json()["status"] == "revoked"
    types = [e["type"] for e in client.get(f"{base}/chain").json()]
    assert types == ["registration", "dispute_outcome", "revocation"]
    # the signed history stays verifiable, and the verdict says the registration no longer stands:
    # a certificate kept from before says "registered" (not signed), and one altered to say so too
    revoked = client.get(base).json()["revoked_at"]
    assert revoked is not None
    for held in (certificate, client.get(f"{base}/certificate").json() | {"status": "registered"}):
        verdict = client.post("/api/v1/copyright/verify", json={"certificate": held}).json()
        assert verdict == {"valid": True, "number": reg["number"], "steps": verdict["steps"], "status": "revoked",
                           "revoked_at": revoked}


@pytest.fixture
def unlimited(prod_settings: Settings) -> Iterator[TestClient]:
    """The API with the registration limits raised: 200 registrations from one address is the point."""
    many = RouteLimit(per_user=10_000, per_ip=10_000)
    with TestClient(create_app(prod_settings.model_copy(update={"limit_upload": many}))) as c:
        yield c


def test_200_concurrent_registrations_are_200_consecutive_entries(unlimited: TestClient) -> None:
    client = unlimited
    users = [quick_user(client)[1] for _ in range(8)]
    settings = client.app.state.platform.settings  # type: ignore[attr-defined]
    with session_scope(settings.effective_database_url) as session:
        start = log.size(session)
    numbers: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        for i in range(25):
            r = client.post("/api/v1/copyright/registrations", headers=users[k], json={
                "work": {"title": f"work {k}-{i}", "work_type": "written"},
                "content": {"sha256": f"{k:02x}{i:02x}".ljust(64, "0")}})
            with lock:
                (numbers if r.status_code == 201 else failures).append(r.json().get("number", r.text))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(set(numbers)) == 200
    with session_scope(settings.effective_database_url) as session:
        rows = session.execute(select(log.LogEntry.idx, log.LogEntry.subject).where(log.LogEntry.idx >= start)
                               .order_by(log.LogEntry.idx)).all()
    assert [r[0] for r in rows] == list(range(start, start + 200))
    assert {r[1] for r in rows} == set(numbers)


def test_verify_a_file(client: TestClient) -> None:
    _, h = new_user(client)
    data = picture(77)
    reg = upload(client, h, data, "p.png", WORK)
    r = client.post("/api/v1/copyright/verify-file", files={"file": ("p.png", data)}).json()
    assert r["registrations"] == [{"number": reg["number"], "status": "registered", "certificate_valid": True}]
    assert client.post("/api/v1/copyright/verify-file", files={"file": ("x", b"never registered")}).json()[
        "registrations"] == []


def test_bad_inputs(client: TestClient) -> None:
    _, h = new_user(client)
    assert client.post("/api/v1/copyright/registrations", headers=h, json={
        "work": {"title": "x", "work_type": "poem"}, "content": {"sha256": "ab" * 32}}).status_code == 422
    assert client.post("/api/v1/copyright/registrations", headers=h, json={
        "work": {"title": "x", "work_type": "written"}, "content": {"sha256": "not hex"}}).status_code == 422
    assert client.post("/api/v1/copyright/registrations", json={
        "work": {"title": "x", "work_type": "written"}, "content": {"sha256": "ab" * 32}}).status_code == 401
    r = client.post("/api/v1/copyright/registrations/upload", headers=h, files={"file": ("a.txt", b"abc")},
                    data={"work": "{not json"})
    assert r.status_code == 400
    assert client.get("/api/v1/copyright/registrations/CR-1999-00000001").status_code == 404
    assert client.post("/api/v1/copyright/verify", json={"certificate": {"x": 1}}).json()["failed_step"] == (
        "certificate format")


def test_a_date_before_1900_is_refused_by_the_api(client: TestClient) -> None:
    """0101 typed for 2010 was registered through the API as through the form."""
    _, h = new_user(client)
    for work, said in (({"completion_date": "0101-01-01"}, "the completion date is before 1900: check the year"),
                       ({"published": True, "first_publication_date": "1899-12-31"},
                        "the first publication date is before 1900: check the year")):
        body = {"work": {"title": "x", "work_type": "written", **work}, "content": {"sha256": "cd" * 32}}
        r = client.post("/api/v1/copyright/registrations", headers=h, json=body)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        assert said in json.dumps(r.json()["errors"])
        r = client.post("/api/v1/copyright/registrations/upload", headers=h, files={"file": ("a.txt", b"abc")},
                        data={"work": json.dumps(body["work"])})
        assert r.status_code == 400 and said in r.json()["detail"]
    body = {"work": {"title": "x", "work_type": "written", "completion_date": "1900-01-01"},
            "content": {"sha256": "cd" * 32}}
    assert client.post("/api/v1/copyright/registrations", headers=h, json=body).status_code == 201


def test_a_sha256_in_capitals_is_the_same_hash(client: TestClient) -> None:
    """PowerShell's Get-FileHash and certutil print SHA-256 in capitals: it was refused by a pattern."""
    _, owner_h = new_user(client)
    digest = hashlib.sha256(b"a poem in capitals").hexdigest()
    reg = client.post("/api/v1/copyright/registrations", headers=owner_h, json={
        "work": {"title": "Poem", "work_type": "written"}, "content": {"sha256": digest.upper()}})
    assert reg.status_code == 201, reg.text
    assert reg.json()["sha256"] == digest
    certificate = client.get(f"/api/v1/copyright/registrations/{reg.json()['number']}/certificate").json()
    verdict = client.post("/api/v1/copyright/verify", json={"certificate": certificate, "sha256": digest.upper()})
    assert verdict.json()["valid"] is True and "file hash" in verdict.json()["steps"]
    wrong = client.post("/api/v1/copyright/verify", json={"certificate": certificate, "sha256": "G" * 64})
    assert wrong.status_code == 422  # still hex, whatever its case
