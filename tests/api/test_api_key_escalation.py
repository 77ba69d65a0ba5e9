"""An API key cannot mint more API keys (they would outlive its revocation): creating one needs the
password (a bearer token from /api/v1/auth/token) or the account page. Revoking one key revokes that
key and nothing else, and says which."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import audit_rows, new_user


def _key(client: TestClient, headers: dict[str, str], name: str) -> tuple[int, str]:
    r = client.post("/api/v1/auth/api-keys", json={"name": name}, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"]), str(r.json()["secret"])


def test_an_api_key_cannot_create_api_keys(embedded_client: TestClient) -> None:
    client = embedded_client
    user, password_login = new_user(client)
    _, secret = _key(client, password_login, "robot")
    for headers in ({"X-API-Key": secret}, {"Authorization": f"Bearer {secret}"}):
        r = client.post("/api/v1/auth/api-keys", json={"name": "offspring"}, headers=headers)
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
        assert "an API key cannot create API keys" in r.json()["detail"]
    # A password login sent along does not launder the key: the key is the credential used.
    r = client.post("/api/v1/auth/api-keys", json={"name": "offspring"},
                    headers={"Authorization": f"Bearer {secret}", "X-API-Key": "ignored"})
    assert r.status_code == 403
    assert [k["name"] for k in client.get("/api/v1/auth/api-keys", headers=password_login).json()] == ["robot"]
    assert [r["action"] for r in audit_rows(client, actor_id=user["id"])].count("api_key.create") == 1
    # The key still reads what its owner may read.
    assert client.get("/api/v1/auth/api-keys", headers={"X-API-Key": secret}).status_code == 200


def test_revoking_a_key_revokes_that_key_only(embedded_client: TestClient) -> None:
    client = embedded_client
    _, password_login = new_user(client)
    first_id, first = _key(client, password_login, "first")
    second_id, second = _key(client, password_login, "second")
    _, other_login = new_user(client)
    _, others = _key(client, other_login, "someone else's")
    r = client.delete(f"/api/v1/auth/api-keys/{first_id}", headers=password_login)
    assert r.status_code == 200 and r.json()["id"] == first_id and r.json()["revoked_at"]
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": first}).status_code == 401
    for still in ({"X-API-Key": second}, {"X-API-Key": others}, password_login):
        assert client.get("/api/v1/auth/me", headers=still).status_code == 200
    listed = {k["id"]: k["revoked_at"] for k in client.get("/api/v1/auth/api-keys", headers=password_login).json()}
    assert listed[first_id] is not None and listed[second_id] is None
