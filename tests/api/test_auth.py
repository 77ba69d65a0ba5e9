"""Registration, login, JWT and API-key flows against PostgreSQL and Redis."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import PASSWORD, audit_rows, login, new_user, register


def test_register_login_me(client: TestClient) -> None:
    user = register(client, "Alice@Example.org")
    assert user["email"] == "alice@example.org"
    headers = login(client, "ALICE@example.org")
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]
    assert me.json()["role"] == "member"


def test_password_is_hashed_with_argon2(client: TestClient) -> None:
    from sqlalchemy import select

    from core.accounts.models import User
    from core.db import session_scope

    user = register(client)
    with session_scope(client.app.state.platform.settings.effective_database_url) as session:
        stored = session.scalar(select(User.password_hash).where(User.id == user["id"]))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_duplicate_and_bad_registration(client: TestClient) -> None:
    register(client, "bob@example.org")
    dup = client.post("/api/v1/auth/register", json={"email": "BOB@example.org", "password": PASSWORD})
    assert dup.status_code == 409
    assert dup.headers["content-type"] == "application/problem+json"
    short = client.post("/api/v1/auth/register", json={"email": "c@example.org", "password": "short"})
    assert short.status_code == 400 and "at least" in short.json()["detail"]
    bad = client.post("/api/v1/auth/register", json={"email": "not an email", "password": PASSWORD})
    assert bad.status_code == 400


def test_wrong_password_and_bad_tokens(client: TestClient) -> None:
    user = register(client)
    r = client.post("/api/v1/auth/token", data={"username": user["email"], "password": "wrong password!"})
    assert r.status_code == 401
    assert r.json()["title"] == "Not authenticated"
    for token in ("garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "ipc_000000000000_nope"):
        r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
    assert client.get("/api/v1/auth/me").status_code == 401


def test_forged_jwt_with_other_secret_is_refused(client: TestClient) -> None:
    import jwt

    user = register(client)
    forged = jwt.encode({"sub": str(user["id"]), "exp": 4102444800, "typ": "access"}, "other", algorithm="HS256")
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert r.json()["detail"] == "access token refused: it was not signed by this site"


def test_a_refused_token_is_told_why_in_a_sentence(client: TestClient) -> None:
    """PyJWT's own words ("Not enough segments", "Signature has expired") told a caller nothing."""
    import jwt

    user = register(client)
    secret = client.app.state.platform.settings.jwt_secret()
    expired = jwt.encode({"sub": str(user["id"]), "exp": 946684800, "typ": "access"}, secret, algorithm="HS256")
    no_expiry = jwt.encode({"sub": str(user["id"]), "typ": "access"}, secret, algorithm="HS256")
    refresh = jwt.encode({"sub": str(user["id"]), "exp": 4102444800, "typ": "refresh"}, secret, algorithm="HS256")
    expected = {
        "garbage": "it is not a token from /api/v1/auth/token (three dot-separated parts) nor an API key (ipc_…)",
        expired: "it has expired; ask for a new one at /api/v1/auth/token",
        no_expiry: "it lacks its “exp” claim",
        refresh: "it is not an access token",
    }
    for token, reason in expected.items():
        r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert (r.status_code, r.json()["detail"]) == (401, f"access token refused: {reason}"), token


def test_api_key_lifecycle(client: TestClient) -> None:
    user, headers = new_user(client)
    created = client.post("/api/v1/auth/api-keys", json={"name": "ci robot"}, headers=headers)
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("ipc_")
    listed = client.get("/api/v1/auth/api-keys", headers=headers).json()
    assert "secret" not in listed[0] and listed[0]["prefix"] == created.json()["prefix"]
    # Both header forms authenticate as the owner.
    for h in ({"X-API-Key": secret}, {"Authorization": f"Bearer {secret}"}):
        me = client.get("/api/v1/auth/me", headers=h)
        assert me.status_code == 200 and me.json()["id"] == user["id"]
    # Only the hash is stored.
    from sqlalchemy import select

    from core.accounts.models import ApiKey
    from core.db import session_scope

    with session_scope(client.app.state.platform.settings.effective_database_url) as session:
        stored = session.scalar(select(ApiKey.key_hash).where(ApiKey.id == created.json()["id"]))
    assert stored is not None and secret not in stored and len(stored) == 64
    # Another user cannot revoke it; the owner can, after which it stops working.
    _, other = new_user(client)
    assert client.delete(f"/api/v1/auth/api-keys/{created.json()['id']}", headers=other).status_code == 404
    revoked = client.delete(f"/api/v1/auth/api-keys/{created.json()['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 401
    actions = [r["action"] for r in audit_rows(client, actor_id=user["id"])]
    assert actions == ["user.register", "api_key.create", "api_key.revoke"]


def test_failed_logins_are_rate_limited_per_ip(client: TestClient) -> None:
    user = register(client)
    limit = client.app.state.platform.settings.login_attempts_per_minute
    # Logins that succeed are not counted: an office's staff share one address.
    signed_in = [client.post("/api/v1/auth/token", data={"username": user["email"], "password": PASSWORD}).status_code
                 for _ in range(limit + 2)]
    assert signed_in == [200] * (limit + 2)
    statuses = [
        client.post("/api/v1/auth/token", data={"username": user["email"], "password": "wrong password!"}).status_code
        for _ in range(limit + 2)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit:] == [429, 429]
    blocked = client.post("/api/v1/auth/token", data={"username": user["email"], "password": PASSWORD})
    assert blocked.status_code == 429, "even the right password is refused while limited"
    assert int(blocked.headers["retry-after"]) >= 1
    # The limit is kept in Redis, shared by every API process.
    import redis

    keys = redis.Redis.from_url(client.app.state.platform.settings.redis_url).keys("ipc:rl:login:*")
    assert keys


def test_the_api_documentation_offers_both_ways_to_authorise(client: TestClient) -> None:
    """/docs' "Authorize" took only a password: an API key from the account page could not be tried."""
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                       "description": schemes["APIKeyHeader"]["description"]}
    assert "account page" in schemes["APIKeyHeader"]["description"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    me = client.get("/openapi.json").json()["paths"]["/api/v1/auth/me"]["get"]
    assert {"APIKeyHeader": []} in me["security"] and {"OAuth2PasswordBearer": []} in me["security"]


def test_an_operation_that_answers_anyone_says_its_credential_is_optional(client: TestClient) -> None:
    """A public read takes a credential without requiring one (``{}`` among its requirements); one
    that needs an account does not say so. A client that read every operation as requiring a key
    took a public search's 200 for a key ignored."""
    paths = client.get("/openapi.json").json()["paths"]
    optional = {(path, method) for path, operations in paths.items() for method, operation in operations.items()
                if {} in operation.get("security", [])}
    assert optional == {  # each answers anyone, and reads the caller when there is one
        ("/api/v1/auth/register", "post"), ("/api/v1/collections/{cid}", "get"),
        ("/api/v1/collections/{cid}/items", "get"), ("/api/v1/collections/{cid}/notes", "get"),
        ("/api/v1/collections/{cid}/stats", "get"), ("/api/v1/collections/{cid}/export", "get"),
        ("/api/v1/copyright/registrations/{number}", "get"), ("/api/v1/forums/categories/{category_id}/topics", "get"),
        ("/api/v1/forums/topics/{topic_id}", "get"), ("/api/v1/forums/posts/{post_id}/revisions", "get"),
        ("/api/v1/analytics/scopes", "get"), ("/api/v1/analytics/indicators", "get"), ("/api/v1/regions/{code}", "get"),
        ("/healthz", "get")}  # an administrator is also told where each service lives
    topics = paths["/api/v1/forums/categories/{category_id}/topics"]["get"]["security"]
    assert {"APIKeyHeader": []} in topics and {"OAuth2PasswordBearer": []} in topics
    assert {} not in paths["/api/v1/auth/me"]["get"]["security"]
    assert {} not in paths["/api/v1/collections"]["post"]["security"]
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": "ipc_not-a-key"}).status_code == 401
    assert client.get("/api/v1/analytics/scopes", headers={"X-API-Key": "ipc_not-a-key"}).status_code == 401
    assert client.get("/api/v1/analytics/scopes").status_code == 200  # optional: a wrong key is not ignored
