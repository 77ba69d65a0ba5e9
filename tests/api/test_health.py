"""/healthz reports each service, on the production stack and on the embedded default."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import new_admin


def test_healthz_production_stack(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200, r.text
    services = r.json()["services"]
    assert services["database"]["kind"] == "postgresql" and services["database"]["ok"]
    assert services["search"]["kind"] == "elasticsearch"
    assert services["search"]["version"].startswith("elasticsearch 8.")
    assert services["broker"]["kind"] == "redis" and services["broker"]["ok"]
    # where each service lives is for the operators: not said to anyone who asks
    assert all(s["where"] is None and s["detail"] is None for s in services.values())
    _, admin = new_admin(client)
    told = client.get("/healthz", headers=admin).json()["services"]
    assert told["database"]["where"].startswith("postgresql") and "***@" in told["database"]["where"]
    # a stale credential is no reason to refuse a probe its report: it reads as anyone's
    stale = client.get("/healthz", headers={"Authorization": "Bearer not.a.token"})
    assert stale.status_code == 200 and stale.json()["services"]["database"]["where"] is None


def test_healthz_embedded_needs_no_server(embedded_client: TestClient) -> None:
    r = embedded_client.get("/healthz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert {name: s["kind"] for name, s in body["services"].items()} == {
        "database": "embedded", "search": "embedded", "broker": "embedded"}


def test_healthz_reports_an_unreachable_service(prod_settings) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    broken = prod_settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(broken)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["services"]["broker"]["ok"] is False and r.json()["services"]["broker"]["detail"] is None
    assert r.json()["services"]["database"]["ok"] is True


def test_embedded_flow_register_login(embedded_client: TestClient) -> None:
    from tests.helpers import audit_rows, new_user

    user, headers = new_user(embedded_client)
    assert embedded_client.get("/api/v1/auth/me", headers=headers).json()["id"] == user["id"]
    assert [r["action"] for r in audit_rows(embedded_client)] == ["user.register"]
