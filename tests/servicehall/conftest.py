"""A service-hall office on the real PostgreSQL of the test session: a department of its own per
test (so tests never see each other's work), an item with known step times, and one person per
role, plus an applicant, a stranger and an admin. Time is injected, never slept."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, close_all_sessions, sessionmaker

from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, Writer
from core.db import session_factory
from core.settings import Settings
from servicehall import catalogue, service
from servicehall.calendar import BEIJING
from servicehall.models import SUPPLY_DAYS, ItemKind, StaffRole, Step
from servicehall.schemas import (
    ApplicationOut,
    ApplyIn,
    Bilingual,
    DepartmentIn,
    FieldSpec,
    ItemIn,
    MaterialSpec,
    StaffIn,
)
from tests.conftest import TEST_SIGNING_PASSPHRASE

ROLES = (StaffRole.acceptor, StaffRole.handler, StaffRole.reviewer, StaffRole.approver, StaffRole.head)


def bj(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    """A moment in Beijing time."""
    return datetime(y, m, d, h, mi, tzinfo=BEIJING)


@dataclass
class Office:
    sessions: sessionmaker[Session]
    settings: Settings
    department: str
    item: str
    people: dict[str, int]

    def writer(self, who: str) -> Writer:
        session = self.sessions()
        return Writer(session, session.get(User, self.people[who]), AuditContext(actor_id=self.people[who]))

    def apply(self, now: datetime, files: int = 1, who: str = "applicant") -> ApplicationOut:
        w = self.writer(who)
        try:
            return service.apply(w, self.settings, ApplyIn(item=self.item, fields={"details": "d"}),
                                 [(f"evidence-{i}.txt", io.BytesIO(f"evidence {i}".encode())) for i in range(files)],
                                 now=now)
        finally:
            w.session.close()


def _user(session: Session, tag: str, role: Role = Role.member) -> int:
    user = create_user(session, f"{tag}-{uuid.uuid4().hex[:8]}@example.org", "correct horse battery")
    user.role = role
    session.flush()
    return user.id


def make_office(sessions: sessionmaker[Session], settings: Settings, step_days: dict[Step, int] | None = None,
                total_days: int = 20, warn_ratio: float = 0.8, kind: ItemKind = ItemKind.rights_protection,
                fields: list[FieldSpec] | None = None, supply_days: int = SUPPLY_DAYS) -> Office:
    code = f"d{uuid.uuid4().hex[:8]}"
    with sessions() as session:
        people = {name: _user(session, name) for name in ("applicant", "stranger", *[r.value for r in ROLES])}
        people["admin"] = _user(session, "admin", Role.admin)
        session.commit()
        admin = session.get(User, people["admin"])
        w = Writer(session, admin, AuditContext(actor_id=people["admin"]))
        catalogue.seed(w)  # the real catalogue too (idempotent)
        catalogue._put_department(w, DepartmentIn(code=code, name=Bilingual(zh="测试处", en="Test office")))
        catalogue.add_item(w, ItemIn(
            code=f"i-{code}", kind=kind, name=Bilingual(zh="测试事项", en="Test item"),
            description=Bilingual(zh="", en=""), materials=[MaterialSpec(zh="证据", en="Evidence", required=True)],
            fields=fields or [FieldSpec(name="details", zh="说明", en="Details", required=True)],
            step_days=step_days or {Step.accept: 2, Step.handle: 5, Step.review: 3, Step.approve: 2},
            total_days=total_days, warn_ratio=warn_ratio, supply_days=supply_days, department=code))
        for role in ROLES:
            email = session.get(User, people[role.value]).email  # type: ignore[union-attr]
            catalogue.add_staff(w, StaffIn(email=email, department=code, role=role))
    return Office(sessions=sessions, settings=settings, department=code, item=f"i-{code}", people=people)


@pytest.fixture
def hall_settings(tmp_path: Path, pg_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=pg_url, max_upload_bytes=1024,
                    signing_key_passphrase=TEST_SIGNING_PASSPHRASE)


@pytest.fixture
def sessions(hall_settings: Settings) -> Iterator[sessionmaker[Session]]:
    yield session_factory(hall_settings.effective_database_url)
    close_all_sessions()  # the writers a test opened and did not close, before the database is dropped


@pytest.fixture
def office(sessions: sessionmaker[Session], hall_settings: Settings) -> Office:
    return make_office(sessions, hall_settings)
