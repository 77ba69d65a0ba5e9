"""What people see of applications: one application with its steps, an applicant's list, the
handler's worklist sorted by urgency, and the published results of public items."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import is_admin
from core.db import utcnow
from core.errors import NotFound, PermissionDenied
from core.settings import Settings
from servicehall import calendar, clock, lapsing, uploads, workflow
from servicehall.access import (
    barred_by,
    earlier_step_of,
    idle_reason,
    may_act,
    may_extend_supply,
    sees_internal,
    visible,
)
from servicehall.calendar import DAY
from servicehall.catalogue import roles_of
from servicehall.models import (
    FINAL,
    OPEN,
    STEP_OF,
    Application,
    Card,
    CardLevel,
    Department,
    Event,
    Material,
    ServiceItem,
    Staff,
    StaffRole,
    Status,
)
from servicehall.schemas import (
    ActionChoice,
    ApplicationOut,
    Bilingual,
    CardOut,
    DayRange,
    EventOut,
    MaterialOut,
    PublicResultOut,
    WorkItemOut,
)
from servicehall.workflow import ROLE_FOR_STATUS, Action

WORKLIST_LIMIT = 500


def _name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else None


def actions_for(session: Session, user: User | None, app: Application, now: datetime) -> list[Action]:
    """What ``user`` may do now (what the page offers as buttons): not supplying materials once
    the time to supply them has passed."""
    if user is None:
        return []
    return sorted((a for a in workflow.allowed(app) if may_act(session, user, app, a)
                   and not (a is Action.supply and lapsing.ended(app, now) is not None)), key=list(Action).index)


def choices_of(actions: list[Action], status: Status) -> list[ActionChoice]:
    return [ActionChoice(action=a, term=workflow.action_term(a, status), needs_comment=a in workflow.NEEDS_COMMENT,
                         internal_comment=a in workflow.INTERNAL_COMMENTS) for a in actions]


def _term(action: str, before: Status | None) -> str:
    """An event's action named as where it was taken (the events also hold apply, assign ...)."""
    if before is None or action not in set(Action):
        return action
    return workflow.action_term(Action(action), before)


def _events(session: Session, viewer: User | None, app: Application) -> list[EventOut]:
    """The trail; for a viewer outside the office (the applicant) an internal comment is left out,
    and internal routing (an assignment) is not listed at all."""
    insider = sees_internal(session, viewer, app)
    rows = [e for e in session.scalars(select(Event).where(Event.application_id == app.id).order_by(Event.id))
            if insider or e.action not in workflow.HIDDEN_FROM_APPLICANT]
    return [EventOut(at=e.at, actor=_name(session, e.actor_id), by_platform=e.actor_id is None, action=e.action,
                     term=_term(e.action, e.from_status), from_status=e.from_status, to_status=e.to_status,
                     internal=(internal := e.action in workflow.INTERNAL_COMMENTS),
                     comment=e.comment if insider or not internal else "", due_at=e.due_at) for e in rows]


def application_out(session: Session, viewer: User | None, app: Application,
                    now: datetime | None = None) -> ApplicationOut:
    now = now or utcnow()
    item = session.get(ServiceItem, app.item_id)
    dept = session.get(Department, app.department_id)
    assert item is not None and dept is not None
    materials = session.scalars(select(Material).where(Material.application_id == app.id).order_by(Material.id))
    cards = session.scalars(select(Card).where(Card.application_id == app.id).order_by(Card.id))
    step_due = app.step_due_at if app.running_since else None
    total_due = app.total_due_at if app.status not in FINAL else None
    return ApplicationOut(
        number=app.number, version=app.version, item=item.code, item_name=Bilingual(zh=item.name_zh, en=item.name_en),
        department=dept.code, department_name=Bilingual(zh=dept.name_zh, en=dept.name_en),
        applicant=_name(session, app.applicant_id) or "", status=app.status,
        step=STEP_OF.get(app.paused_from or app.status), assignee=_name(session, app.assignee_id),
        fields=dict(app.form), field_names={f["name"]: Bilingual(zh=f["zh"], en=f["en"]) for f in item.fields},
        submitted_at=app.submitted_at,
        step_due_at=step_due, total_due_at=total_due, supply_due_at=app.supply_due_at,
        provisional_year=calendar.first_unknown_year(step_due, total_due, app.supply_due_at),
        completed_at=app.completed_at,
        on_time=app.on_time, used_days=round(clock.total_used(app, now) / DAY, 2), result=app.result,
        upheld=app.upheld, satisfaction=app.satisfaction, rating_comment=app.rating_comment,
        materials=[MaterialOut.model_validate(m) for m in materials],
        events=_events(session, viewer, app),
        cards=[CardOut(level=c.level, step=c.step, fired_at=c.fired_at, closed_at=c.closed_at) for c in cards],
        actions=(actions := actions_for(session, viewer, app, now)), choices=choices_of(actions, app.status),
        barred_by=barred_by(session, viewer, app), idle=idle_reason(session, viewer, app, actions),
        can_rate=viewer is not None and viewer.id == app.applicant_id and app.status in (
            Status.completed, Status.rejected) and app.satisfaction is None,
        supply_ended_on=lapsing.ended(app, now), supply_extension=_extension(session, viewer, app, now))


def _extension(session: Session, viewer: User | None, app: Application, now: datetime) -> DayRange | None:
    """The days ``viewer`` may choose as the applicant's new last day to supply materials, if they may."""
    days = lapsing.extension_days(app, now) if may_extend_supply(session, viewer, app) else None
    return DayRange(first=days[0], last=days[1]) if days else None


def get(session: Session, user: User, number: str, now: datetime | None = None) -> ApplicationOut:
    """The applicant, the department's staff and admins see an application; others are told it does not exist."""
    app = session.scalar(select(Application).where(Application.number == number))
    if app is None or not visible(session, user, app):
        raise NotFound.said("no application %(number)s", number=number)
    return application_out(session, user, app, now)


def mine(session: Session, user: User, now: datetime | None = None) -> list[ApplicationOut]:
    rows = session.scalars(select(Application).where(Application.applicant_id == user.id)
                           .order_by(Application.id.desc()).limit(200))
    return [application_out(session, user, app, now) for app in rows]


def material_of(session: Session, user: User, number: str, material_id: int) -> Material:
    """A material file, for the applicant and the department's staff."""
    get(session, user, number)
    row = session.get(Material, material_id)
    app = session.scalar(select(Application).where(Application.number == number))
    if row is None or app is None or row.application_id != app.id:
        raise NotFound.said("no such material on %(number)s", number=number)
    return row


# --- the worklist --------------------------------------------------------------------------------

def _open_card(session: Session, app: Application) -> CardLevel | None:
    levels = set(session.scalars(select(Card.level).where(Card.application_id == app.id, Card.closed_at.is_(None),
                                                          Card.step_no == app.step_no)))
    return CardLevel.red if CardLevel.red in levels else CardLevel.yellow if levels else None


def _work_item(session: Session, user: User, app: Application, now: datetime) -> WorkItemOut:
    item = session.get(ServiceItem, app.item_id)
    assert item is not None
    status = app.paused_from if app.status is Status.materials and app.paused_from else app.status
    share = clock.step_used(app, now) / app.step_budget_s if app.step_budget_s else 0.0
    return WorkItemOut(number=app.number, item_name=Bilingual(zh=item.name_zh, en=item.name_en), status=app.status,
                       step=STEP_OF[status], applicant=_name(session, app.applicant_id) or "",
                       assignee=_name(session, app.assignee_id), step_due_at=app.step_due_at,
                       supply_due_at=app.supply_due_at, paused=app.running_since is None,
                       card=_open_card(session, app), used_share=round(share, 3),
                       actions=(actions := actions_for(session, user, app, now)),
                       choices=choices_of(actions, app.status))


def _urgency(w: WorkItemOut) -> tuple[int, int, float]:
    """Red first, then yellow, then the most used share; applications waiting for the applicant last."""
    rank = {CardLevel.red: 0, CardLevel.yellow: 1, None: 2}[w.card]
    return (1 if w.paused else 0, rank, -w.used_share)


NO_ROLE = "the worklist is for department staff: an administrator gives the roles"
NO_ROLE_ADMIN = ("the worklist is for department staff, and you hold no department role yet: give yourself or others "
                 "a role on the hall's staff page")


def worklist(session: Session, user: User, now: datetime | None = None) -> list[WorkItemOut]:
    """Open applications of the caller's departments that their roles act on (heads see every one),
    the most urgent first; not those an earlier step of theirs bars them from (separate duties)."""
    now = now or utcnow()
    memberships = session.execute(select(Staff.department_id, Staff.role).where(Staff.user_id == user.id)).all()
    if not memberships:
        raise PermissionDenied(NO_ROLE_ADMIN if is_admin(user) else NO_ROLE)
    out = []
    for dept_id in sorted({d for d, _ in memberships}):
        roles = {r for d, r in memberships if d == dept_id}
        stmt = select(Application).where(Application.department_id == dept_id, Application.status.in_(OPEN))
        if StaffRole.head not in roles:
            statuses = [s for s, r in ROLE_FOR_STATUS.items() if r in roles]
            stmt = stmt.where(Application.status.in_(statuses),
                              (Application.assignee_id.is_(None)) | (Application.assignee_id == user.id))
        for app in session.scalars(stmt.order_by(Application.id).limit(WORKLIST_LIMIT)):
            if StaffRole.head in roles or barred_by(session, user, app) is None:
                out.append(_work_item(session, user, app, now))
    return sorted(out, key=_urgency)


def public_results(session: Session, limit: int = 100) -> list[PublicResultOut]:
    """Finished applications of the items whose results are public (number, item, outcome)."""
    rows = session.execute(select(Application, ServiceItem).join(ServiceItem, ServiceItem.id == Application.item_id)
                           .where(ServiceItem.public_results.is_(True), Application.status.in_(
                               [Status.completed, Status.rejected]))
                           .order_by(Application.completed_at.desc()).limit(limit)).all()
    return [PublicResultOut(number=a.number, item_name=Bilingual(zh=i.name_zh, en=i.name_en), status=a.status,
                            completed_at=a.completed_at, result=a.result) for a, i in rows]


def material_file(session: Session, settings: Settings, user: User, number: str, material_id: int) -> tuple[Path, str]:
    """The stored file of a material and its name, for the applicant and the department's staff."""
    row = material_of(session, user, number, material_id)
    return uploads.path_of(settings, row.sha256), row.filename


def assignable(session: Session, user: User, number: str) -> list[tuple[int, str]]:
    """For the department head: the people who hold the role of the application's current step."""
    app = session.scalar(select(Application).where(Application.number == number))
    if app is None or not visible(session, user, app):
        raise NotFound.said("no application %(number)s", number=number)
    if StaffRole.head not in roles_of(session, user, app.department_id):
        return []
    role = ROLE_FOR_STATUS.get(app.paused_from or app.status)
    if role is None:
        return []
    rows = session.execute(select(User.id, User.display_name).join(Staff, Staff.user_id == User.id)
                           .where(Staff.department_id == app.department_id, Staff.role == role)
                           .order_by(User.display_name))
    return [(uid, name) for uid, name in rows if earlier_step_of(session, uid, app) is None]
