"""Who may see an application and take an action on it: the applicant their own actions, the
department's staff the action of the role the current step needs (and, when the step is assigned,
only its assignee; where the department separates duties, not a person who took an earlier step
of the same round), admins see everything."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import is_admin
from servicehall.catalogue import roles_of
from servicehall.models import Application, Department, Event, StaffRole, Status
from servicehall.schemas import IdleReason
from servicehall.workflow import APPLICANT_ACTIONS, ROLE_FOR_STATUS, Action

# 审批分离: the earlier steps whose actor may not decide a step of the same round (a send-back
# starts a new round: the latest handling and review are this round's).
DECIDED_BEFORE: dict[Status, tuple[Action, ...]] = {Status.reviewing: (Action.handle,),
                                                    Status.approving: (Action.handle, Action.review)}


def visible(session: Session, user: User | None, app: Application) -> bool:
    return user is not None and (user.id == app.applicant_id or is_admin(user)
                                 or bool(roles_of(session, user, app.department_id)))


def sees_internal(session: Session, user: User | None, app: Application) -> bool:
    """The department's staff and admins read the office's internal comments; the applicant does not."""
    return user is not None and (is_admin(user) or bool(roles_of(session, user, app.department_id)))


def may_act(session: Session, user: User, app: Application, action: Action) -> bool:
    """``user`` holds what ``action`` needs at the application's current status."""
    if action in APPLICANT_ACTIONS:
        return user.id == app.applicant_id
    role = ROLE_FOR_STATUS.get(app.status)
    if role is None or role not in roles_of(session, user, app.department_id):
        return False
    return app.assignee_id in (None, user.id) and earlier_step_of(session, user.id, app) is None


def may_extend_supply(session: Session, user: User | None, app: Application) -> bool:
    """``user`` may give the applicant more time to supply the materials asked for (延长补正期限): the
    department's head, or whoever holds the role of the step that asked for them (its assignee, when
    the step is assigned to someone)."""
    if user is None or app.status is not Status.materials or app.paused_from is None:
        return False
    roles = roles_of(session, user, app.department_id)
    role = ROLE_FOR_STATUS.get(app.paused_from)
    return StaffRole.head in roles or (role in roles and app.assignee_id in (None, user.id))


def barred_by(session: Session, user: User | None, app: Application) -> Action | None:
    """The earlier step of this round that keeps ``user``, who holds the current step's role, from
    taking it: what a refusal and the page say (someone without the role is simply not staff here)."""
    role = ROLE_FOR_STATUS.get(app.status)
    if user is None or role is None or role not in roles_of(session, user, app.department_id):
        return None
    return earlier_step_of(session, user.id, app)


def idle_reason(session: Session, user: User | None, app: Application, actions: list[Action]) -> IdleReason | None:
    """Why ``user``, who reads ``app`` as its department's staff or as an admin, has no step to take
    on it while it waits for staff (None when they have one, or ``barred_by`` says why)."""
    role = ROLE_FOR_STATUS.get(app.status)
    if user is None or actions or role is None:
        return None
    roles = roles_of(session, user, app.department_id)
    if role not in roles:
        return IdleReason.no_role if roles or is_admin(user) else None
    if earlier_step_of(session, user.id, app) is not None:
        return None
    return IdleReason.assigned_elsewhere if app.assignee_id not in (None, user.id) else None


def last_actor(session: Session, app: Application, action: Action) -> int | None:
    """Who last took ``action`` on ``app`` (the trail's latest event of it)."""
    return session.scalar(select(Event.actor_id).where(Event.application_id == app.id, Event.action == action.value)
                          .order_by(Event.id.desc()).limit(1))


def earlier_step_of(session: Session, user_id: int | None, app: Application) -> Action | None:
    """The earlier step of this round that ``user_id`` took and that bars them from deciding the
    current one (the handling at review; the handling or the review at approval), when the
    application's department separates duties; None when nothing bars them."""
    steps = DECIDED_BEFORE.get(app.status, ())
    if user_id is None or not steps:
        return None
    department = session.get(Department, app.department_id)
    if department is None or not department.separate_duties:
        return None
    # the round's actors of those steps, read at once: each step's latest event, in id order, wins
    actors = dict(session.execute(select(Event.action, Event.actor_id).where(
        Event.application_id == app.id, Event.action.in_(steps)).order_by(Event.id)).tuples().all())
    return next((step for step in steps if actors.get(step) == user_id), None)
