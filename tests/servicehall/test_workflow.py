"""The handling flow, action by action and person by person: every allowed transition works for
the role it belongs to, every other one is refused (409 for the status, 403 for the person, 404
for a stranger who may not know the application exists) and changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from api.i18n import translations
from core.audit import AuditRecord
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import Language
from core.notifications import Notification
from servicehall import catalogue, service, views
from servicehall.models import Application, Event, Status
from servicehall.schemas import ActionIn, AssignIn, RateIn, StaffIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, bj

NOW = bj(2026, 3, 2)
A = Action
# status -> {action: (who may take it, status after)}; written out here, independent of the code
ALLOWED: dict[Status, dict[Action, tuple[str, Status]]] = {
    Status.submitted: {A.accept: ("acceptor", Status.handling), A.request_materials: ("acceptor", Status.materials),
                       A.reject: ("acceptor", Status.rejected), A.withdraw: ("applicant", Status.withdrawn)},
    Status.materials: {A.supply: ("applicant", Status.submitted), A.withdraw: ("applicant", Status.withdrawn)},
    Status.handling: {A.handle: ("handler", Status.reviewing), A.request_materials: ("handler", Status.materials),
                      A.withdraw: ("applicant", Status.withdrawn)},
    Status.reviewing: {A.review: ("reviewer", Status.approving), A.send_back: ("reviewer", Status.handling),
                       A.withdraw: ("applicant", Status.withdrawn)},
    Status.approving: {A.approve: ("approver", Status.completed), A.reject: ("approver", Status.rejected),
                       A.send_back: ("approver", Status.handling), A.withdraw: ("applicant", Status.withdrawn)},
    Status.completed: {}, Status.rejected: {}, Status.withdrawn: {},
}
# how to reach each status from a new application: (who, action) in order
PATH = {
    Status.submitted: [],
    Status.materials: [("acceptor", A.request_materials)],
    Status.handling: [("acceptor", A.accept)],
    Status.reviewing: [("acceptor", A.accept), ("handler", A.handle)],
    Status.approving: [("acceptor", A.accept), ("handler", A.handle), ("reviewer", A.review)],
    Status.completed: [("acceptor", A.accept), ("handler", A.handle), ("reviewer", A.review), ("approver", A.approve)],
    Status.rejected: [("acceptor", A.reject)],
    Status.withdrawn: [("applicant", A.withdraw)],
}
PEOPLE = ("applicant", "stranger", "acceptor", "handler", "reviewer", "approver", "head", "admin")


def do(office: Office, who: str, number: str, action: Action, now: datetime = NOW, **extra: object) -> Status:
    w = office.writer(who)
    try:
        if action is A.supply:
            return service.supply(w, office.settings, number, "here it is", [], now=now).status
        return service.act(w, number, ActionIn(action=action, comment="because", **extra), now=now).status
    finally:
        w.session.close()


def reach(office: Office, status: Status) -> str:
    number = office.apply(NOW).number
    for who, action in PATH[status]:
        do(office, who, number, action)
    return number


def snapshot(office: Office, number: str) -> tuple[object, ...]:
    with office.sessions() as session:
        app = session.scalars(select(Application).where(Application.number == number)).one()
        events = session.scalar(select(func.count()).select_from(Event).where(Event.application_id == app.id))
        audits = session.scalar(select(func.count()).select_from(AuditRecord).where(
            AuditRecord.object_type == "hall_application", AuditRecord.object_id == number))
        return app.status, app.version, app.step_no, app.paused_from, events, audits, app.step_due_at


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_allowed_transition_works_for_its_role(office: Office, status: Status) -> None:
    for action, (who, after) in ALLOWED[status].items():
        number = reach(office, status)
        assert do(office, who, number, action) is after, (status, action)


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_forbidden_transition_is_refused_and_changes_nothing(office: Office, status: Status) -> None:
    number = reach(office, status)
    before = snapshot(office, number)
    refused = 0
    for who in PEOPLE:
        for action in Action:
            rule = ALLOWED[status].get(action)
            if rule is not None and rule[0] == who:
                continue
            expected: type[Exception] = NotFound if who == "stranger" else (
                Conflict if rule is None else PermissionDenied)
            with pytest.raises(expected):
                do(office, who, number, action)
            refused += 1
    assert refused == len(PEOPLE) * len(Action) - len(ALLOWED[status])
    assert snapshot(office, number) == before


def test_a_withdrawn_application_cannot_be_approved(office: Office) -> None:
    number = reach(office, Status.approving)
    assert do(office, "applicant", number, A.withdraw) is Status.withdrawn
    with pytest.raises(Conflict) as refused:
        do(office, "approver", number, A.approve)
    assert snapshot(office, number)[0] is Status.withdrawn
    # said with the reader's words for the status and the action, not their codes
    zh = translations(Language.zh).gettext
    assert refused.value.in_words(zh, Language.zh) == f"办件 {number} 当前状态为“已撤回”：现在无法执行“批准”"


def test_the_whole_flow_leaves_a_trail_with_each_actor_and_comment(office: Office) -> None:
    number = reach(office, Status.submitted)
    do(office, "acceptor", number, A.request_materials)
    do(office, "applicant", number, A.supply)
    for who, action in PATH[Status.completed]:
        do(office, who, number, action, result="granted")
    w = office.writer("applicant")
    done = service.rate(w, number, RateIn(satisfaction="very_satisfied", comment="quick"), now=NOW)
    assert done.satisfaction == "very_satisfied" and done.status is Status.completed and done.result == "granted"
    assert [e.action for e in done.events] == ["apply", "request_materials", "supply", "accept", "handle", "review",
                                               "approve"]
    assert all(e.actor and e.at for e in done.events) and done.events[1].comment == "because"
    with pytest.raises(Conflict):
        service.rate(office.writer("applicant"), number, RateIn(satisfaction="neutral"), now=NOW)
    with office.sessions() as session:
        actions = list(session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == number)
                                       .order_by(AuditRecord.id)))
    assert actions == ["hall.apply"] + ["hall.transition"] * 6 + ["hall.rate"]
    with office.sessions() as session:
        told = [(n.kind, n.payload.get("status"), n.payload.get("result")) for n in session.scalars(
            select(Notification).where(Notification.user_id == office.people["applicant"]).order_by(Notification.id))]
    assert told[0] == ("hall.materials", "materials", "") and told[-1] == ("hall.status", "completed", "granted")


def test_the_offices_own_opinions_are_not_shown_to_the_applicant(office: Office) -> None:
    number = reach(office, Status.handling)  # accepted "because": addressed to the applicant
    w = office.writer("handler")
    service.act(w, number, ActionIn(action=A.handle, comment="grant it: the evidence is strong"), now=NOW)
    do(office, "reviewer", number, A.send_back)  # "because", said to the handler
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"],
                                                           comment="yours again, quickly"), now=NOW)
    for who, action in [("handler", A.handle), ("reviewer", A.review)]:
        do(office, who, number, action)
    approved = service.act(office.writer("approver"), number, ActionIn(action=A.approve, comment="agreed, sign it"),
                           now=NOW)
    assert approved.result is None  # an approval's comment is no result for the applicant
    said = {(e.action, e.comment) for e in approved.events}
    assert ("handle", "grant it: the evidence is strong") in said and ("assign", "yours again, quickly") in said
    with office.sessions() as session:
        app = session.scalar(select(Application).where(Application.number == number))
        applicant = session.get(views.User, office.people["applicant"])
        seen = views.application_out(session, applicant, app, NOW)  # type: ignore[arg-type]
        told = [n.payload.get("comment") for n in session.scalars(
            select(Notification).where(Notification.user_id == office.people["applicant"]))]
    shown = [(e.action, e.internal, e.comment) for e in seen.events]
    assert shown == [("apply", False, ""), ("accept", False, "because"), ("handle", True, ""),
                     ("send_back", True, ""), ("handle", True, ""), ("review", True, ""),
                     ("approve", True, "")]  # the assignment is internal routing: not listed to them at all
    assert set(told) == {"because", ""}  # the acceptance's comment reached the inbox; no opinion did
    # a refusal's reasons are the applicant's to read, and its result
    refused = reach(office, Status.approving)
    out = service.act(office.writer("approver"), refused, ActionIn(action=A.reject, comment="no evidence of use"),
                      now=NOW)
    assert out.result == "no evidence of use" and not out.events[-1].internal


def test_a_reason_is_required_to_ask_for_materials_send_back_or_reject(office: Office) -> None:
    number = reach(office, Status.submitted)
    w = office.writer("acceptor")
    with pytest.raises(InvalidInput):
        service.act(w, number, ActionIn(action=A.request_materials, comment=" "), now=NOW)
    # rejecting is named for its step on the page; the API keeps the action's own name
    with pytest.raises(InvalidInput) as refused:
        service.act(w, number, ActionIn(action=A.reject, comment=""), now=NOW)
    assert refused.value.detail == "say why (reject needs a comment)"
    zh = refused.value.in_words(translations(Language.zh).gettext, Language.zh)
    assert zh == "请说明理由（“不予受理”需要填写意见）"
    approving = reach(office, Status.approving)
    with pytest.raises(InvalidInput) as at_approval:
        service.act(office.writer("approver"), approving, ActionIn(action=A.reject, comment=""), now=NOW)
    en = at_approval.value.in_words(translations(Language.en).gettext)
    assert en == "say why (“refuse approval” needs a comment)"
    with pytest.raises(PermissionDenied) as not_theirs:  # the other refusals name it so too, in lower case
        service.act(office.writer("handler"), approving, ActionIn(action=A.reject, comment="no"), now=NOW)
    assert not_theirs.value.in_words(translations(Language.en).gettext).startswith("you may not refuse approval")
    assert not_theirs.value.in_words(translations(Language.zh).gettext, Language.zh) == \
        f"您无权对办件 {approving} 执行“不予批准”"


def test_assignment_gives_the_step_to_one_person(office: Office) -> None:
    number = reach(office, Status.handling)
    with office.sessions() as session:  # a second handler
        from core.accounts.service import create_user

        other = create_user(session, f"h2-{number}@example.org", "correct horse battery")
        session.commit()
        other_id, other_email = other.id, other.email
    catalogue.add_staff(office.writer("admin"), StaffIn(email=other_email, department=office.department,
                                                        role="handler"))
    office.people["handler2"] = other_id
    with pytest.raises(PermissionDenied):  # only the head assigns
        service.assign(office.writer("handler"), number, AssignIn(assignee_id=other_id), now=NOW)
    with pytest.raises(InvalidInput):  # only to someone holding the step's role
        service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["reviewer"]), now=NOW)
    shown = service.assign(office.writer("head"), number, AssignIn(assignee_id=other_id), now=NOW)
    assert shown.assignee is not None and shown.assignee.startswith("h2-")
    with pytest.raises(PermissionDenied):
        do(office, "handler", number, A.handle)
    with office.sessions() as session:
        user = session.get(views.User, office.people["handler"])
        assert number not in [i.number for i in views.worklist(session, user, NOW)]  # type: ignore[arg-type]
    assert do(office, "handler2", number, A.handle) is Status.reviewing
