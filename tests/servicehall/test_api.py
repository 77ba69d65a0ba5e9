"""The service hall through the JSON API: apply with a file, the statuses of refusals (403 for the
role, 409 for the status), the worklist, the dashboard, and a mediation upheld by an admin approver
entering the agency's integrity record."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import new_admin, quick_user

H = "/api/v1/hall"


def _staff(client: TestClient, admin: dict[str, str], department: str, roles: list[str]) -> dict[str, str]:
    user, auth = quick_user(client)
    for role in roles:
        r = client.post(f"{H}/staff", json={"email": user["email"], "department": department, "role": role},
                        headers=admin)
        assert r.status_code == 201, r.text
    return auth


def _apply(client: TestClient, auth: dict[str, str], item: str, fields: dict[str, str]) -> dict[str, Any]:
    r = client.post(f"{H}/applications", headers=auth, data={"application": json.dumps({"item": item,
                                                                                          "fields": fields})},
                    files=[("files", ("id.txt", b"my identity card", "text/plain")),
                           ("files", ("evidence.txt", b"the infringing copy", "text/plain"))])
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_apply_handle_and_refusals_through_the_api(client: TestClient) -> None:
    _, admin = new_admin(client)
    assert client.post(f"{H}/seed", headers=admin).status_code == 200
    items = client.get(f"{H}/items").json()
    assert {i["code"] for i in items} >= {"copyright-review", "registration-subsidy", "legal-aid",
                                          "rights-protection", "complaint", "agency-mediation"}
    acceptor = _staff(client, admin, "protection", ["acceptor"])
    handler = _staff(client, admin, "protection", ["handler"])
    _, creator = quick_user(client)
    app = _apply(client, creator, "rights-protection",
                 {"subject": "my song", "infringer": "X Ltd", "details": "copied"})
    number = app["number"]
    assert app["status"] == "submitted" and app["materials"][0]["sha256"] and number.startswith("SH")
    act = f"{H}/applications/{number}/actions"
    assert client.post(act, json={"action": "handle"}, headers=handler).status_code == 409  # not at this status
    assert client.post(act, json={"action": "accept"}, headers=handler).status_code == 403  # not an acceptor
    assert client.post(act, json={"action": "accept"}, headers=creator).status_code == 403
    _, stranger = quick_user(client)
    assert client.post(act, json={"action": "accept"}, headers=stranger).status_code == 404
    done = client.post(act, json={"action": "accept", "version": app["version"]}, headers=acceptor)
    assert done.status_code == 200 and done.json()["status"] == "handling"
    stale = client.post(act, json={"action": "handle", "version": app["version"]}, headers=handler)
    assert stale.status_code == 409
    work = client.get(f"{H}/worklist", headers=handler).json()
    assert [w["number"] for w in work] == [number] and work[0]["actions"] == ["handle", "request_materials"]
    file_id = next(m["id"] for m in app["materials"] if m["filename"] == "evidence.txt")
    got = client.get(f"{H}/applications/{number}/materials/{file_id}", headers=handler)
    assert got.status_code == 200 and got.content == b"the infringing copy"
    assert client.get(f"{H}/applications/{number}/materials/{file_id}", headers=stranger).status_code == 404
    dash = client.get(f"{H}/dashboard", headers=handler).json()
    assert dash["total"]["open"] >= 1
    assert client.get(f"{H}/dashboard", headers=creator).status_code == 403


def test_an_upheld_mediation_enters_the_agency_integrity_record(client: TestClient) -> None:
    _, admin = new_admin(client)
    client.post(f"{H}/seed", headers=admin)
    r = client.post("/api/v1/agencies", headers=admin,
                    json={"name": "Careless Agency", "licence_number": f"L{uuid.uuid4().hex[:8]}"})
    assert r.status_code == 201, r.text
    agency_id = r.json()["id"]
    staff = _staff(client, admin, "supervision", ["acceptor", "handler"])
    reviewer = _staff(client, admin, "supervision", ["reviewer"])
    approver = _staff(client, admin, "supervision", ["approver"])
    _, creator = quick_user(client)
    number = _apply(client, creator, "agency-mediation", {"agency_id": str(agency_id), "details": "missed a deadline"}
                    )["number"]
    act = f"{H}/applications/{number}/actions"
    for action, who in (("accept", staff), ("handle", staff), ("review", reviewer)):
        assert client.post(act, json={"action": action}, headers=who).status_code == 200, action
    upheld = {"action": "approve", "upheld": True, "result": "The agency missed the filing deadline."}
    assert client.post(act, json=upheld, headers=approver).status_code == 403  # integrity records: admins
    client.post(f"{H}/staff", json={"email": client.get("/api/v1/auth/me", headers=admin).json()["email"],
                                    "department": "supervision", "role": "approver"}, headers=admin)
    r = client.post(act, json=upheld, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["upheld"] is True
    profile = client.get(f"/api/v1/agencies/{agency_id}").json()
    records = profile["integrity_records"]
    assert [(x["kind"], x["source"]) for x in records] == [("complaint_upheld", f"service hall {number}")]


def test_separation_of_duties_through_the_api(client: TestClient) -> None:
    """A handler who also reviews is refused the review of their own proposal (403, saying why) and
    is shown why; an admin alone switches a department's separation, each value checked."""
    _, admin = new_admin(client)
    assert client.post(f"{H}/seed", headers=admin).status_code == 200
    departments = {d["code"]: d for d in client.get(f"{H}/departments").json()}
    assert departments["protection"]["separate_duties"] is True  # every department's default
    acceptor = _staff(client, admin, "protection", ["acceptor"])
    both = _staff(client, admin, "protection", ["handler", "reviewer"])
    _, creator = quick_user(client)
    number = _apply(client, creator, "rights-protection", {"subject": "s", "infringer": "X", "details": "d"})["number"]
    act = f"{H}/applications/{number}/actions"
    assert client.post(act, json={"action": "accept"}, headers=acceptor).status_code == 200
    assert client.post(act, json={"action": "handle"}, headers=both).status_code == 200
    refused = client.post(act, json={"action": "review"}, headers=both)
    assert refused.status_code == 403 and "separates duties" in refused.json()["detail"], refused.text
    shown = client.get(f"{H}/applications/{number}", headers=both).json()
    assert shown["status"] == "reviewing" and shown["actions"] == [] and shown["barred_by"] == "handle"

    duties = f"{H}/departments/protection/duties"
    assert client.put(duties, json={"separate": False}, headers=both).status_code == 403  # staff, not an admin
    assert client.put(duties, json={"separate": False}).status_code == 401
    assert client.put(f"{H}/departments/nowhere/duties", json={"separate": False}, headers=admin).status_code == 404
    assert client.put(duties, json={"separate": "perhaps"}, headers=admin).status_code == 422
    assert client.put(duties, json={}, headers=admin).status_code == 422
    try:
        done = client.put(duties, json={"separate": False}, headers=admin)
        assert done.status_code == 200 and done.json()["separate_duties"] is False
        assert client.post(act, json={"action": "review"}, headers=both).json()["status"] == "approving"
    finally:  # the seed department is shared by the session's other tests
        assert client.put(duties, json={"separate": True}, headers=admin).json()["separate_duties"] is True
