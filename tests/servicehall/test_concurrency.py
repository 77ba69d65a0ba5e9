"""Two handlers acting on the same application at the same moment, on PostgreSQL: one succeeds,
the other gets a clear Conflict, and the trail holds one event."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.models import User
from core.accounts.service import create_user
from core.audit import AuditContext, AuditRecord, Writer
from core.errors import Conflict
from core.settings import Settings
from servicehall import catalogue, service
from servicehall.models import Application, Event, StaffRole, Status
from servicehall.schemas import ActionIn, StaffIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, bj, make_office

NOW = bj(2026, 3, 2)


def _second_handler(office: Office) -> None:
    with office.sessions() as session:
        user = create_user(session, f"h2-{uuid.uuid4().hex[:8]}@example.org", "correct horse battery")
        session.commit()
        office.people["handler2"] = user.id
        email = user.email
    catalogue.add_staff(office.writer("admin"), StaffIn(email=email, department=office.department,
                                                        role=StaffRole.handler))


def _race(office: Office, number: str, bodies: dict[str, ActionIn]) -> dict[str, object]:
    barrier = threading.Barrier(len(bodies))
    outcome: dict[str, object] = {}

    def run(who: str) -> None:
        session = office.sessions()
        w = Writer(session, session.get(User, office.people[who]), AuditContext(actor_id=office.people[who]))
        barrier.wait()
        try:
            outcome[who] = service.act(w, number, bodies[who], now=NOW).status
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            outcome[who] = exc
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(who,)) for who in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome


def _trail(sessions: sessionmaker[Session], number: str, action: str) -> tuple[int, int]:
    with sessions() as session:
        app = session.scalars(select(Application).where(Application.number == number)).one()
        events = session.scalar(select(func.count()).select_from(Event).where(
            Event.application_id == app.id, Event.action == action))
        audits = [r.details for r in session.scalars(select(AuditRecord).where(
            AuditRecord.object_id == number, AuditRecord.action == "hall.transition"))]
        return int(events or 0), sum(1 for d in audits if d.get("event") == action)


@pytest.mark.parametrize("second", [Action.handle, Action.request_materials])
def test_two_handlers_at_once_one_wins_the_other_gets_a_conflict(sessions: sessionmaker[Session],
                                                                 hall_settings: Settings, second: Action) -> None:
    office = make_office(sessions, hall_settings)
    _second_handler(office)
    number = office.apply(NOW).number
    w = office.writer("acceptor")
    service.act(w, number, ActionIn(action=Action.accept), now=NOW)
    w.session.close()
    outcome = _race(office, number, {"handler": ActionIn(action=Action.handle, comment="mine"),
                                     "handler2": ActionIn(action=second, comment="mine too")})
    won = [who for who, got in outcome.items() if isinstance(got, Status)]
    lost = [got for got in outcome.values() if isinstance(got, Exception)]
    assert len(won) == 1 and len(lost) == 1, outcome
    assert isinstance(lost[0], Conflict) and ("not possible now" in str(lost[0]) or "changed" in str(lost[0]))
    handled = _trail(sessions, number, "handle")
    asked = _trail(sessions, number, "request_materials")
    assert handled[0] + asked[0] == 1 and handled[1] + asked[1] == 1


def test_the_version_a_person_saw_guards_their_action(sessions: sessionmaker[Session],
                                                      hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings)
    _second_handler(office)
    shown = office.apply(NOW)
    w = office.writer("acceptor")
    seen = service.act(w, shown.number, ActionIn(action=Action.accept), now=NOW).version
    w.session.close()
    outcome = _race(office, shown.number, {
        "handler": ActionIn(action=Action.request_materials, comment="page 2 missing", version=seen),
        "handler2": ActionIn(action=Action.request_materials, comment="page 3 missing", version=seen)})
    lost = [got for got in outcome.values() if isinstance(got, Exception)]
    assert len(lost) == 1 and isinstance(lost[0], Conflict), outcome
    assert _trail(sessions, shown.number, "request_materials") == (1, 1)
