"""The catalogue and who works in which department: items, departments, staff roles. Admins
configure them; anyone reads the catalogue."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import is_admin, require_admin
from core.accounts.service import normalise_email
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import Listed, Named, Quoted, Term
from servicehall.models import Application, Department, Event, ServiceItem, Staff, StaffRole, Status
from servicehall.schemas import Bilingual, DepartmentIn, DutiesIn, ItemIn, ItemOut, StaffIn, StaffOut
from servicehall.seed import DEPARTMENTS, ITEMS
from servicehall.workflow import ROLE_FOR_STATUS, Entry


def department(session: Session, code: str) -> Department:
    """The department of ``code``; refused with the codes there are, so a typo at the command line
    (``ipcommons hall duties``) or in a form shows what to type instead."""
    found = session.scalar(select(Department).where(Department.code == code))
    if found is None:
        codes = list(session.scalars(select(Department.code).order_by(Department.id)))
        raise NotFound.said("no department %(code)s: the departments are %(codes)s", code=code,
                            codes=Listed(codes)).about("department")
    return found


def get_item(session: Session, code: str) -> ServiceItem:
    found = session.scalar(select(ServiceItem).where(ServiceItem.code == code))
    if found is None or not found.active:
        raise NotFound.said("no service %(code)s in the catalogue", code=code)
    return found


def item_out(session: Session, item: ServiceItem) -> ItemOut:
    dept = session.get(Department, item.department_id)
    assert dept is not None
    return ItemOut(id=item.id, code=item.code, kind=item.kind, name=Bilingual(zh=item.name_zh, en=item.name_en),
                   description=Bilingual(zh=item.description_zh, en=item.description_en),
                   materials=item.materials, fields=item.fields, step_days=item.step_days,
                   total_days=item.total_days, warn_ratio=item.warn_ratio, supply_days=item.supply_days,
                   department=dept.code,
                   department_name=Bilingual(zh=dept.name_zh, en=dept.name_en), public_results=item.public_results)


def items(session: Session) -> list[ItemOut]:
    rows = session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True)).order_by(ServiceItem.id))
    return [item_out(session, row) for row in rows]


def item(session: Session, code: str) -> ItemOut:
    return item_out(session, get_item(session, code))


# The fields a link may fill in, and what their values must look like: an agency's page gives its
# number. Every other field is the applicant's own words, which no link may write for them.
# What a link may fill in, as the registry or the directory writes it: an agency's number (from its
# page), a registration's (from a record held for review).
PREFILLED = {"agency_id": re.compile(r"[0-9]{1,12}"), "registration": re.compile(r"CR-[0-9]{4}-[0-9]{8}")}


def prefilled(item: ItemOut, given: Mapping[str, str]) -> dict[str, str]:
    """The values of ``given`` (a link's ``f_<field>``) that ``item`` lets a link fill in."""
    names = {f.name for f in item.fields}
    return {name: value for name, pattern in PREFILLED.items()
            if name in names and (value := given.get(f"f_{name}", "")) and pattern.fullmatch(value)}


def _put_department(w: Writer, body: DepartmentIn) -> bool:
    if w.session.scalar(select(Department).where(Department.code == body.code)) is not None:
        return False
    w.session.add(Department(code=body.code, name_zh=body.name.zh, name_en=body.name.en,
                             separate_duties=body.separate_duties))
    w.session.flush()
    w.audit(AuditAction.hall_catalogue, "hall_department", body.code, created=True)
    return True


def _put_item(w: Writer, body: ItemIn) -> bool:
    if w.session.scalar(select(ServiceItem).where(ServiceItem.code == body.code)) is not None:
        return False
    dept = department(w.session, body.department)
    w.session.add(ServiceItem(
        code=body.code, kind=body.kind, name_zh=body.name.zh, name_en=body.name.en,
        description_zh=body.description.zh, description_en=body.description.en,
        materials=[m.model_dump() for m in body.materials], fields=[f.model_dump() for f in body.fields],
        step_days={k.value: v for k, v in body.step_days.items()}, total_days=body.total_days,
        warn_ratio=body.warn_ratio, supply_days=body.supply_days, department_id=dept.id,
        public_results=body.public_results))
    w.session.flush()
    w.audit(AuditAction.hall_catalogue, "hall_item", body.code, created=True)
    return True


def seed(w: Writer) -> list[ItemOut]:
    """Create the seed departments and items that are missing (idempotent); admins or the CLI."""
    w.require_admin()
    created = sum(_put_department(w, d) for d in DEPARTMENTS) + sum(_put_item(w, i) for i in ITEMS)
    if created:
        w.commit()
    return items(w.session)


def add_item(w: Writer, body: ItemIn) -> ItemOut:
    require_admin(w.actor)
    if not _put_item(w, body):
        raise Conflict.said("the catalogue already has %(code)s", code=body.code)
    w.commit()
    return item(w.session, body.code)


# --- staff -------------------------------------------------------------------------------------

def staff_role(value: str) -> StaffRole:
    """A role as a form sends it; one the form never offers (posted by hand) is refused with the
    roles there are, in the reader's words, not as Python's "'boss' is not a valid StaffRole"."""
    try:
        return StaffRole(value)
    except ValueError:
        roles = {r.value: Term(r.value) for r in StaffRole}  # each in the reader's word (受理人, acceptance officer)
        raise InvalidInput.said(
            "there is no department role %(value)s: choose %(acceptor)s, %(handler)s, %(reviewer)s, %(approver)s "
            "or %(head)s", value=Quoted(value[:40]), **roles).about("role") from None


def roles_of(session: Session, user: User | None, department_id: int) -> set[StaffRole]:
    if user is None:
        return set()
    return set(session.scalars(select(Staff.role).where(Staff.user_id == user.id,
                                                        Staff.department_id == department_id)))


def is_staff_anywhere(session: Session, user: User | None) -> bool:
    return user is not None and session.scalar(select(Staff.id).where(Staff.user_id == user.id).limit(1)) is not None


def holders(session: Session, department_id: int, role: StaffRole) -> list[int]:
    return list(session.scalars(select(Staff.user_id).where(Staff.department_id == department_id,
                                                            Staff.role == role).order_by(Staff.user_id)))


def _staff_out(session: Session, row: Staff) -> StaffOut:
    user = session.get(User, row.user_id)
    dept = session.get(Department, row.department_id)
    assert user is not None and dept is not None
    return StaffOut(user_id=user.id, email=user.email, display_name=user.display_name, department=dept.code,
                    role=row.role)


def add_staff(w: Writer, body: StaffIn) -> StaffOut:
    """An admin (or the operator at the command line) gives a person a role in a
    department (idempotent)."""
    w.require_admin()
    dept = department(w.session, body.department)
    user = w.session.scalar(select(User).where(User.email == normalise_email(str(body.email))))
    if user is None:
        raise NotFound.said("no account for %(email)s", email=str(body.email)).about("email")
    row = w.session.scalar(select(Staff).where(Staff.department_id == dept.id, Staff.user_id == user.id,
                                               Staff.role == body.role))
    if row is None:
        row = Staff(department_id=dept.id, user_id=user.id, role=body.role)
        w.session.add(row)
        w.session.flush()
        w.audit(AuditAction.hall_staff, "hall_department", dept.code, user_id=user.id, role=body.role.value,
                added=True)
        w.commit()
    return _staff_out(w.session, row)


def remove_staff(w: Writer, body: StaffIn) -> None:
    """An admin (or the operator at the command line) takes a role away (the API, the
    staff page, ``ipcommons hall staff --remove``); a role the person does not hold is refused by
    name, department included."""
    w.require_admin()
    dept = department(w.session, body.department)
    row = w.session.scalar(select(Staff).join(User, User.id == Staff.user_id).where(
        Staff.department_id == dept.id, User.email == normalise_email(str(body.email)), Staff.role == body.role))
    if row is None:
        raise NotFound.said("the account %(email)s is not %(role)s in %(department)s", email=str(body.email),
                            role=Term(body.role.value), department=Named(zh=dept.name_zh, en=dept.name_en))
    w.session.delete(row)
    released = _release(w, dept, row.user_id, body.role)
    w.audit(AuditAction.hall_staff, "hall_department", dept.code, user_id=row.user_id, role=body.role.value,
            added=False, returned_to_pool=released)
    w.commit()


def _release(w: Writer, dept: Department, user_id: int, role: StaffRole) -> list[str]:
    """The open applications whose current step needs ``role`` and was assigned to the person losing
    it go back to the department's pool, each with a trail entry: assigned to someone who may no
    longer take the step, no one else could have taken it either. Their numbers, for the audit."""
    steps = [status for status, needs in ROLE_FOR_STATUS.items() if needs is role]
    held = select(Application).where(
        Application.department_id == dept.id, Application.assignee_id == user_id,
        or_(Application.status.in_(steps), and_(Application.status == Status.materials,
                                                 Application.paused_from.in_(steps))))
    numbers = []
    for app in w.session.scalars(held.with_for_update()):
        app.assignee_id = None
        w.session.add(Event(application_id=app.id, at=utcnow(), actor_id=w.user.id if w.user else None,
                            action=Entry.assign, from_status=app.status, to_status=app.status,
                            comment=""))
        numbers.append(app.number)
    return numbers


# a person's roles in the order of the workflow (受理, 承办, 审核, 批准, then the head), not alphabetical
ROLE_ORDER = {role: i for i, role in enumerate(StaffRole)}


def staff(session: Session, user: User) -> list[StaffOut]:
    """Every department role (admins see all; staff their own departments), by department, then
    person, then role in the workflow's order."""
    stmt = select(Staff).order_by(Staff.department_id, Staff.user_id)
    if not is_admin(user):
        if not is_staff_anywhere(session, user):
            raise PermissionDenied("only department staff and admins see the staff list")
        mine = select(Staff.department_id).where(Staff.user_id == user.id)
        stmt = stmt.where(Staff.department_id.in_(mine))
    rows = sorted(session.scalars(stmt), key=lambda r: (r.department_id, r.user_id, ROLE_ORDER[r.role]))
    return [_staff_out(session, row) for row in rows]


def departments(session: Session) -> list[DepartmentIn]:
    return [_department_out(d) for d in session.scalars(select(Department).order_by(Department.id))]


def _department_out(d: Department) -> DepartmentIn:
    return DepartmentIn(code=d.code, name=Bilingual(zh=d.name_zh, en=d.name_en), separate_duties=d.separate_duties)


def set_separate_duties(w: Writer, code: str, body: DutiesIn) -> DepartmentIn:
    """An admin (or the operator) decides whether the department keeps handling, review
    and approval in different hands; a change applies to the steps taken after it."""
    w.require_admin()
    dept = department(w.session, code)
    if dept.separate_duties != body.separate:
        dept.separate_duties = body.separate
        w.audit(AuditAction.hall_duties, "hall_department", dept.code, separate_duties=body.separate)
        w.commit()
    return _department_out(dept)
