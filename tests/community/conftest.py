"""Community test fixtures: a session with people for the service tests, on SQLite (``community``) or
on both SQLite and PostgreSQL (``both_dbs``), and empty databases to migrate (``fresh_db``)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import Role, User
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory, utcnow
from core.errors import PermissionDenied
from core.settings import Settings


class Community:
    """A database session plus the people service tests act as, and what the audit trail holds."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seq = itertools.count(1)
        self.tag = uuid.uuid4().hex[:8]  # tells this test's rows from others' in a shared database

    def user(self, role: Role = Role.member, age_days: int = 400) -> User:
        """A user whose account is ``age_days`` old (old accounts escape new-user limits)."""
        n = next(self._seq)
        user = User(email=f"user{n}-{self.tag}@example.org", display_name=f"user{n}", password_hash="-", role=role,
                    created_at=utcnow() - timedelta(days=age_days))
        self.session.add(user)
        self.session.commit()
        return user

    def writer(self, user: User, client_ip: str = "192.0.2.10") -> Writer:
        return Writer(self.session, user, AuditContext(actor_id=user.id, client_ip=client_ip))

    def audit_actions(self) -> list[str]:
        return list(self.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))

    def refused(self, call: Callable[[], object], error: type[Exception] = PermissionDenied) -> None:
        """``call`` raises ``error`` and leaves the session with no change and no audit record."""
        audited = self.audit_actions()
        with pytest.raises(error):
            call()
        assert not (self.session.new or self.session.dirty or self.session.deleted)
        assert self.audit_actions() == audited
        self.session.rollback()


@pytest.fixture
def community(embedded_settings: Settings) -> Iterator[Community]:
    session = session_factory(embedded_settings.effective_database_url)()
    try:
        yield Community(session)
    finally:
        session.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def both_dbs(request: pytest.FixtureRequest) -> Iterator[Community]:
    """The same service test on the embedded SQLite database and on the session's PostgreSQL one
    (shared with other tests: compare only this test's rows, found by ``Community.tag``)."""
    if request.param == "sqlite":
        url = request.getfixturevalue("embedded_settings").effective_database_url
    else:
        url = request.getfixturevalue("pg_url")
    session = session_factory(url)()
    try:
        yield Community(session)
    finally:
        session.rollback()
        session.close()
