"""Permission checks on writes, and the audit trail they leave (or do not leave)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import audit_rows, new_admin, new_user, register


def test_refused_write_is_403_and_audits_nothing(client: TestClient) -> None:
    member, headers = new_user(client)
    target = register(client)
    before = audit_rows(client)
    r = client.put(f"/api/v1/users/{target['id']}/role", json={"role": "admin"}, headers=headers)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    assert audit_rows(client) == before
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["role"] == "member"


def test_anonymous_write_is_401_and_audits_nothing(client: TestClient) -> None:
    before = audit_rows(client)
    assert client.post("/api/v1/orgs", json={"name": "Acme", "kind": "sme"}).status_code == 401
    assert client.post("/api/v1/auth/api-keys", json={"name": "x"}).status_code == 401
    assert audit_rows(client) == before


def test_each_allowed_write_appends_an_audit_record(client: TestClient) -> None:
    admin, admin_h = new_admin(client)
    owner, owner_h = new_user(client)
    other, _ = new_user(client)
    org = client.post("/api/v1/orgs", json={"name": "LED Industry Association", "kind": "association"},
                      headers={**owner_h, "X-Request-ID": "req-create-org-1"})
    assert org.status_code == 201
    org_id = org.json()["id"]
    assert client.post(f"/api/v1/orgs/{org_id}/members", json={"user_id": other["id"]},
                       headers=owner_h).status_code == 201
    assert client.put(f"/api/v1/users/{other['id']}/role", json={"role": "moderator"},
                      headers=admin_h).status_code == 200
    rows = [r for r in audit_rows(client, object_type="organisation") if r["object_id"] == str(org_id)]
    assert [r["action"] for r in rows] == ["org.create", "org.member.add"]  # other tests share the database
    assert rows[0]["actor_id"] == owner["id"]
    assert rows[0]["request_id"] == "req-create-org-1"
    assert rows[0]["client_ip"] == "testclient"
    role_rows = audit_rows(client, action="user.role.set")
    assert role_rows[0]["actor_id"] == admin["id"] and role_rows[0]["object_id"] == str(other["id"])


def test_org_member_add_requires_org_admin(client: TestClient) -> None:
    _, owner_h = new_user(client)
    outsider, outsider_h = new_user(client)
    org_id = client.post("/api/v1/orgs", json={"name": "Shenzhen SME", "kind": "sme"}, headers=owner_h).json()["id"]
    r = client.post(f"/api/v1/orgs/{org_id}/members", json={"user_id": outsider["id"]}, headers=outsider_h)
    assert r.status_code == 403
    assert client.get("/api/v1/orgs", headers=outsider_h).json() == []


def test_audit_endpoint_admin_only_with_filters_and_no_write_methods(client: TestClient) -> None:
    _, admin_h = new_admin(client)
    member, member_h = new_user(client)
    client.post("/api/v1/orgs", json={"name": "Telecom Co", "kind": "sme"}, headers=member_h)
    assert client.get("/api/v1/audit", headers=member_h).status_code == 403
    rows = client.get("/api/v1/audit", params={"actor_id": member["id"]}, headers=admin_h).json()
    assert {r["action"] for r in rows} == {"user.register", "org.create"}
    rows = client.get("/api/v1/audit", params={"action": "org.create", "actor_id": member["id"]},
                      headers=admin_h).json()
    assert len(rows) == 1 and rows[0]["object_type"] == "organisation"
    assert client.get("/api/v1/audit", params={"limit": 0}, headers=admin_h).status_code == 422
    for method in ("put", "patch", "delete", "post"):
        r = getattr(client, method)(f"/api/v1/audit/{rows[0]['id']}", headers=admin_h)
        assert r.status_code in (404, 405)
    assert client.delete("/api/v1/audit", headers=admin_h).status_code == 405


def test_audit_rows_cannot_be_changed_even_in_the_database(client: TestClient) -> None:
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from core.db import get_engine

    register(client)
    engine = get_engine(client.app.state.platform.settings.effective_database_url)
    for stmt in ("UPDATE audit_records SET action = 'forged'", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    assert audit_rows(client)


def test_every_write_route_requires_a_writer() -> None:
    """Structural guard: each POST/PUT/PATCH/DELETE route depends on a Writer or is the login."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from api.app import create_app
    from api.deps import Writer

    app = create_app()
    writes = [c.route for c in iter_route_contexts(app.routes)  # app.routes holds included routers' wrappers
              if isinstance(c.route, APIRoute) and c.route.include_in_schema
              and c.route.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(writes) > 40  # the walk really sees the API's writes
    # POSTs that change nothing: signing in (the session it opens is audited by the service) and
    # verifying a certificate or a file (a body too large for a query string)
    reads = {"/api/v1/auth/token", "/api/v1/copyright/verify", "/api/v1/copyright/verify-file"}
    for route in writes:
        if route.path in reads:
            continue
        returns = [getattr(dep.call, "__annotations__", {}).get("return") for dep in route.dependant.dependencies]
        assert Writer in returns or "Writer" in returns, f"{route.methods} {route.path} does not take a Writer"
