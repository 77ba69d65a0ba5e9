"""A copyright-review application is joined to the registry's review: only a registration held for
review can be asked about; the approver's decision, which must come from a moderator, registers
the work (logged) or refuses it (revoked)."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker

from copyright import service as registry
from copyright.models import RegistrationStatus, WorkType
from copyright.registry import ContentHash, WorkIn
from copyright.schemas import RegisterIn
from core.accounts.models import Role, User
from core.errors import Conflict, PermissionDenied
from core.settings import Settings
from servicehall import service
from servicehall.models import ItemKind, Status
from servicehall.schemas import ActionIn, ApplyIn, FieldSpec
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, bj, make_office

NOW = bj(2026, 5, 6)
FIELDS = [FieldSpec(name="registration", zh="登记号", en="Registration number", required=True)]


def _held_copy(office: Office) -> tuple[str, str]:
    """A registered work and an identical one that the registry holds for review."""
    body = RegisterIn(work=WorkIn(title="Harbour Notes", work_type=WorkType.written),
                      content=ContentHash(sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest()))
    numbers = []
    for who in ("stranger", "applicant"):
        w = office.writer(who)
        with w.session:
            numbers.append(registry.register_hash(w, office.settings, body).number)
    return numbers[0], numbers[1]


def _apply(office: Office, registration: str) -> str:
    w = office.writer("applicant")
    with w.session:
        return service.apply(w, office.settings, ApplyIn(item=office.item, fields={"registration": registration}),
                             [("draft.txt", io.BytesIO(b"my first draft"))], now=NOW).number


def _act(office: Office, who: str, number: str, action: Action) -> Status:
    w = office.writer(who)
    with w.session:
        return service.act(w, number, ActionIn(action=action, comment="checked", result="Not a copy."), now=NOW,
                           settings=office.settings).status


def _status(office: Office, number: str) -> RegistrationStatus:
    with office.sessions() as session:
        return registry.registration(session, number).status


def _make_moderator(office: Office, who: str) -> None:
    with office.sessions() as session:
        user = session.get(User, office.people[who])
        assert user is not None
        user.role = Role.moderator
        session.commit()


@pytest.mark.parametrize(("decision", "expected"), [(Action.approve, RegistrationStatus.registered),
                                                    (Action.reject, RegistrationStatus.revoked)])
def test_the_approver_decides_the_registry_review(sessions: sessionmaker[Session], hall_settings: Settings,
                                                  decision: Action, expected: RegistrationStatus) -> None:
    office = make_office(sessions, hall_settings, kind=ItemKind.copyright_review, fields=FIELDS)
    first, held = _held_copy(office)
    with pytest.raises(Conflict):  # a registered work is not held for review
        _apply(office, first)
    number = _apply(office, held)
    for who, action in (("acceptor", Action.accept), ("handler", Action.handle), ("reviewer", Action.review)):
        _act(office, who, number, action)
    with pytest.raises(PermissionDenied):  # the approver is not a moderator yet: nothing changes
        _act(office, "approver", number, decision)
    assert _status(office, held) is RegistrationStatus.under_review
    _make_moderator(office, "approver")
    assert _act(office, "approver", number, decision) in (Status.completed, Status.rejected)
    assert _status(office, held) is expected
