"""Who may see an application and take an action on it: the applicant their own actions, the
department's staff the action of the role the current step needs (and, when the step is assigned,
only its assignee), admins see everything."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import is_admin
from servicehall.catalogue import roles_of
from servicehall.models import Application
from servicehall.workflow import APPLICANT_ACTIONS, ROLE_FOR_STATUS, Action


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
    return app.assignee_id in (None, user.id)
