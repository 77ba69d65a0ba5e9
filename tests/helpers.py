"""Small helpers for API tests."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"


def register(client: TestClient, email: str | None = None) -> dict[str, object]:
    email = email or f"u-{uuid.uuid4().hex[:8]}@example.org"
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def new_user(client: TestClient) -> tuple[dict[str, object], dict[str, str]]:
    user = register(client)
    return user, login(client, str(user["email"]))


def new_admin(client: TestClient) -> tuple[dict[str, object], dict[str, str]]:
    """A registered user promoted to admin directly in the database (as `users create-admin` does)."""
    from core.accounts.models import Role, User
    from core.db import session_scope

    user = register(client)
    settings = client.app.state.platform.settings  # type: ignore[attr-defined]
    with session_scope(settings.effective_database_url) as session:
        row = session.get(User, user["id"])
        assert row is not None
        row.role = Role.admin
    return user, login(client, str(user["email"]))


def audit_rows(client: TestClient, **filters: object) -> list[dict[str, object]]:
    """Audit records straight from the database (independent of the audit endpoint)."""
    from sqlalchemy import select

    from core.audit import AuditRecord
    from core.db import session_scope

    settings = client.app.state.platform.settings  # type: ignore[attr-defined]
    with session_scope(settings.effective_database_url) as session:
        stmt = select(AuditRecord).order_by(AuditRecord.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(AuditRecord, key) == value)
        return [
            {"action": r.action, "object_type": r.object_type, "object_id": r.object_id, "actor_id": r.actor_id,
             "request_id": r.request_id, "client_ip": r.client_ip, "details": r.details}
            for r in session.scalars(stmt)
        ]


def quick_user(client: TestClient) -> tuple[dict[str, object], dict[str, str]]:
    """A registered user with a token issued directly (for tests that need many users; the login
    endpoint is rate-limited per address, as it should be)."""
    from core.accounts.tokens import issue_access_token

    user = register(client)
    token = issue_access_token(client.app.state.platform.settings, int(user["id"]))  # type: ignore[attr-defined,call-overload]
    return user, {"Authorization": f"Bearer {token}"}
