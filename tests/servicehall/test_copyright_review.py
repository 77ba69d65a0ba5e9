"""A copyright-review application is joined to the registry's review: only a registration held for
review can be asked about, by its registrant, once at a time; the approver's decision, which must
come from a moderator, registers the work (logged) or refuses it (revoked). A subsidy is asked for
one's own registration, in yuan."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.i18n import translations
from copyright import service as registry
from copyright.models import RegistrationStatus, WorkType
from copyright.registry import ContentHash, WorkIn
from copyright.schemas import RegisterIn
from core.accounts.models import Role, User
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.i18n import Language
from core.settings import Settings
from servicehall import service
from servicehall.models import ItemKind, Status
from servicehall.schemas import ActionIn, ApplicationOut, ApplyIn, FieldSpec
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


def _register(office: Office, who: str) -> str:
    body = RegisterIn(work=WorkIn(title="Own work", work_type=WorkType.written),
                      content=ContentHash(sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest()))
    w = office.writer(who)
    with w.session:
        return registry.register_hash(w, office.settings, body).number


def _apply(office: Office, registration: str) -> str:
    w = office.writer("applicant")
    with w.session:
        return service.apply(w, office.settings, ApplyIn(item=office.item, fields={"registration": registration}),
                             [("draft.txt", io.BytesIO(b"my first draft"))], now=NOW).number


def _act(office: Office, who: str, number: str, action: Action, result: str = "Not a copy.") -> Status:
    w = office.writer(who)
    with w.session:
        return service.act(w, number, ActionIn(action=action, comment="checked", result=result), now=NOW,
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
    with pytest.raises(PermissionDenied, match="not yours"):  # another person's registration
        _apply(office, first)
    with pytest.raises(Conflict, match="not held for review"):  # the applicant's own, registered
        _apply(office, _register(office, "applicant"))
    number = _apply(office, held)
    with pytest.raises(Conflict, match=f"already has an open application: {number}"):  # a second, meanwhile
        _apply(office, held)
    for who, action in (("acceptor", Action.accept), ("handler", Action.handle), ("reviewer", Action.review)):
        _act(office, who, number, action)
    with pytest.raises(PermissionDenied):  # the approver is not a moderator yet: nothing changes
        _act(office, "approver", number, decision)
    assert _status(office, held) is RegistrationStatus.under_review
    _make_moderator(office, "approver")
    assert _act(office, "approver", number, decision, result="") in (Status.completed, Status.rejected)
    assert _status(office, held) is expected
    # the registry's note is public: a refusal's reasons ("checked"), never an approval's own comment
    with office.sessions() as session:
        note = registry.registration(session, held).review
    assert note is not None and note.note.startswith("checked" if decision is Action.reject else "decided in")


@pytest.mark.parametrize(("typed", "kept"), [("1200", "1200.00"), ("1,200.5", "1200.50"), ("800元", "800.00")])
def test_a_subsidy_is_asked_in_yuan_for_ones_own_registration(sessions: sessionmaker[Session],
                                                               hall_settings: Settings, typed: str, kept: str) -> None:
    fields = [*FIELDS, FieldSpec(name="amount", zh="申请金额（元）", en="Amount asked (CNY)", required=True)]
    office = make_office(sessions, hall_settings, kind=ItemKind.registration_subsidy, fields=fields)
    own, others = _register(office, "applicant"), _register(office, "stranger")

    def ask(registration: str, amount: str) -> ApplicationOut:
        w = office.writer("applicant")
        with w.session:
            body = ApplyIn(item=office.item, fields={"registration": registration, "amount": amount})
            return service.apply(w, office.settings, body, [("receipt.pdf", io.BytesIO(b"%PDF fees"))], now=NOW)

    for amount in ("abc", "0", "-5", "12.345", "1e9", "NaN", "Infinity"):
        with pytest.raises(InvalidInput, match="sum in yuan"):
            ask(own, amount)
    with pytest.raises(PermissionDenied, match="not yours"):
        ask(others, "100")
    with pytest.raises(InvalidInput) as unknown:  # a value of the form, said with the number's shape
        ask("不存在的号", "100")
    assert unknown.value.detail.startswith("no registration is numbered '不存在的号': its number is on its certificate")
    assert unknown.value.in_words(translations(Language.zh).gettext, Language.zh) == \
        "没有登记号为“不存在的号”的登记：登记号印在证书上，例如 CR-2026-00000001"
    assert ask(own, typed).fields["amount"] == kept
