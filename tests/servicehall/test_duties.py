"""审批分离 (separation of duties): where a department separates them, who handled an application
neither reviews nor approves it and who reviewed it does not approve it, within one round (a
send-back starts the next); the refusal names the step that bars the person, the page offers them
no button and says why, the head cannot assign them the step; an admin switches it per department."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.i18n import translations
from core.accounts.models import User
from core.audit import AuditContext, AuditRecord, Writer
from core.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from core.i18n import Language
from servicehall import catalogue, service, views, warnings
from servicehall.models import Application, Department, StaffRole, Status
from servicehall.schemas import AssignIn, DutiesIn, StaffIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office
from tests.servicehall.test_workflow import NOW, do, reach, snapshot

A = Action


def give(office: Office, who: str, *roles: str) -> None:
    """``who`` (one of the office's people) holds ``roles`` too."""
    with office.sessions() as session:
        email = session.get(User, office.people[who]).email  # type: ignore[union-attr]
    for role in roles:
        catalogue.add_staff(office.writer("admin"), StaffIn(email=email, department=office.department,
                                                            role=role))  # type: ignore[arg-type]


def shown_to(office: Office, who: str, number: str) -> tuple[list[Action], Action | None]:
    with office.sessions() as session:
        user = session.get(User, office.people[who])
        shown = views.get(session, user, number, NOW)  # type: ignore[arg-type]
        return shown.actions, shown.barred_by


def test_the_handler_does_not_review_and_the_reviewer_does_not_approve(office: Office) -> None:
    give(office, "handler", "reviewer", "approver")
    give(office, "reviewer", "approver")
    number = reach(office, Status.reviewing)  # the handler handled it
    assert shown_to(office, "handler", number) == ([], A.handle)  # no button, and the reason
    before = snapshot(office, number)
    for action in (A.review, A.send_back):
        with pytest.raises(PermissionDenied) as refused:
            do(office, "handler", number, action)
        assert "handle" in refused.value.params.values() and "separates duties" in str(refused.value)
    zh = refused.value.in_words(translations(Language.zh).gettext, Language.zh)  # the step refused, and why
    assert zh == f"您不能对办件 {number} 执行“退回”：该办件的“承办”环节由您办理，本部门实行审批分离", zh
    assert snapshot(office, number) == before  # nothing changed, nothing audited
    assert shown_to(office, "reviewer", number) == ([A.review, A.send_back], None)
    assert do(office, "reviewer", number, A.review) is Status.approving
    assert shown_to(office, "handler", number) == ([], A.handle)
    assert shown_to(office, "reviewer", number) == ([], A.review)
    with pytest.raises(PermissionDenied):
        do(office, "reviewer", number, A.approve)
    with pytest.raises(PermissionDenied):
        do(office, "handler", number, A.reject)
    assert shown_to(office, "approver", number)[1] is None
    assert do(office, "approver", number, A.approve) is Status.completed


def test_a_send_back_starts_a_new_round(office: Office) -> None:
    """Who handled a proposal sent back may review the next one, handled by someone else."""
    give(office, "reviewer", "handler")
    number = reach(office, Status.handling)
    do(office, "reviewer", number, A.handle)  # the reviewer, as a handler, makes the first proposal
    with pytest.raises(PermissionDenied):
        do(office, "reviewer", number, A.review)
    give(office, "approver", "reviewer")  # a second reviewer, who sends it back
    do(office, "approver", number, A.send_back)  # back to the handling step, to its last handler
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"]), now=NOW)
    do(office, "handler", number, A.handle)  # the second round's proposal is the handler's
    assert do(office, "reviewer", number, A.review) is Status.approving


def test_the_head_cannot_give_the_step_to_a_barred_person(office: Office) -> None:
    give(office, "handler", "reviewer")
    number = reach(office, Status.reviewing)
    with office.sessions() as session:
        head = session.get(User, office.people["head"])
        offered = [uid for uid, _ in views.assignable(session, head, number)]  # type: ignore[arg-type]
    assert office.people["reviewer"] in offered and office.people["handler"] not in offered
    with pytest.raises(InvalidInput) as refused:
        service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"]), now=NOW)
    assert "separates duties" in str(refused.value)


def test_a_department_of_few_people_lets_one_take_every_step(office: Office) -> None:
    give(office, "handler", "reviewer", "approver")
    done = catalogue.set_separate_duties(office.writer("admin"), office.department, DutiesIn(separate=False))
    assert done.separate_duties is False
    number = reach(office, Status.reviewing)
    assert shown_to(office, "handler", number) == ([A.review, A.send_back], None)
    assert do(office, "handler", number, A.review) is Status.approving
    assert do(office, "handler", number, A.approve) is Status.completed
    catalogue.set_separate_duties(office.writer("admin"), office.department, DutiesIn(separate=True))
    number = reach(office, Status.reviewing)
    with pytest.raises(PermissionDenied):  # switched on again: the steps after it are separated
        do(office, "handler", number, A.review)


def test_only_an_admin_switches_it_and_each_change_is_audited(office: Office) -> None:
    def changes() -> int:
        with office.sessions() as session:
            return session.scalar(select(func.count()).select_from(AuditRecord).where(
                AuditRecord.object_type == "hall_department", AuditRecord.object_id == office.department,
                AuditRecord.details["separate_duties"].isnot(None))) or 0

    for who in ("head", "handler", "applicant"):
        with pytest.raises(PermissionDenied):
            catalogue.set_separate_duties(office.writer(who), office.department, DutiesIn(separate=False))
    with pytest.raises(NotFound):
        catalogue.set_separate_duties(office.writer("admin"), "no-such-office", DutiesIn(separate=False))
    assert changes() == 0
    catalogue.set_separate_duties(office.writer("admin"), office.department, DutiesIn(separate=True))
    assert changes() == 0  # already so: nothing written
    catalogue.set_separate_duties(office.writer("admin"), office.department, DutiesIn(separate=False))
    assert changes() == 1
    with office.sessions() as session:
        dept = session.scalars(select(Department).where(Department.code == office.department)).one()
        assert dept.separate_duties is False
        assert {d.code: d.separate_duties for d in catalogue.departments(session)}[office.department] is False


def test_a_send_back_from_approval_starts_a_round_of_new_hands(office: Office) -> None:
    """Who reviewed the first round may approve the second, reviewed by someone else; who reviewed
    the second may not approve it."""
    give(office, "reviewer", "approver")
    give(office, "approver", "reviewer")
    number = reach(office, Status.approving)  # handled by the handler, reviewed by the reviewer
    with pytest.raises(PermissionDenied):
        do(office, "reviewer", number, A.approve)
    do(office, "approver", number, A.send_back)
    do(office, "handler", number, A.handle)
    do(office, "approver", number, A.review)  # this round's review is the approver's
    assert shown_to(office, "approver", number) == ([], A.review)
    assert shown_to(office, "reviewer", number)[1] is None
    assert do(office, "reviewer", number, A.approve) is Status.completed


def test_the_worklist_and_the_cards_leave_out_a_barred_person(office: Office) -> None:
    """The review is not the handler's work: it is not on their worklist, and a late review's card
    goes to the reviewers who may take it (and the heads), not to them."""
    give(office, "handler", "reviewer")
    number = reach(office, Status.reviewing)
    with office.sessions() as session:
        def listed(who: str) -> list[str]:
            user = session.get(User, office.people[who])
            return [w.number for w in views.worklist(session, user, NOW)]  # type: ignore[arg-type]

        assert number not in listed("handler") and number in listed("reviewer")
        app = session.scalars(select(Application).where(Application.number == number)).one()
        told = warnings.recipients(session, app)
        assert office.people["handler"] not in told
        assert {office.people["reviewer"], office.people["head"]} <= set(told)


def test_no_account_is_no_operator_only_the_console_is(office: Office) -> None:
    """The administrator's hall writes take the operator (a console command, a scheduled task) or an
    administrator; an anonymous web write has no user either and is refused, not taken for the operator."""
    with office.sessions() as session:
        email = session.get(User, office.people["stranger"]).email  # type: ignore[union-attr]
        anonymous = Writer(session, None, AuditContext(client_ip="192.0.2.1"))
        staff = StaffIn(email=email, department=office.department, role=StaffRole.handler)
        for write in (lambda: catalogue.add_staff(anonymous, staff), lambda: catalogue.remove_staff(anonymous, staff),
                      lambda: catalogue.seed(anonymous),
                      lambda: catalogue.set_separate_duties(anonymous, office.department, DutiesIn(separate=True))):
            with pytest.raises(NotAuthenticated):
                write()
        session.rollback()
        operator = Writer(session, None, AuditContext(client_ip="cli"), operator=True)
        catalogue.add_staff(operator, staff)
        assert StaffRole.handler in catalogue.roles_of(session, session.get(User, office.people["stranger"]),
                                                      catalogue.department(session, office.department).id)
