"""Who may do what: the one place role comparisons are written.

Predicates answer yes or no; ``require_*`` raise ``PermissionDenied`` with a sentence a person
can act on. Services call these instead of comparing roles inline.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import Membership, OrgRole, Role, User
from core.errors import PermissionDenied
from core.i18n import Term


def is_admin(user: User | None) -> bool:
    return user is not None and user.role is Role.admin


def is_staff(user: User | None) -> bool:
    """Moderators and admins: they see and act on what ordinary members cannot."""
    return user is not None and user.role in (Role.moderator, Role.admin)


def has_role(user: User | None, *roles: Role) -> bool:
    """``user`` holds one of ``roles``; admins hold every role."""
    return user is not None and (user.role is Role.admin or user.role in roles)


def org_role(session: Session, user: User, org_id: int) -> OrgRole | None:
    return session.scalar(select(Membership.role).where(Membership.user_id == user.id, Membership.org_id == org_id))


def is_org_member(session: Session, user: User, org_id: int) -> bool:
    return org_role(session, user, org_id) is not None


def is_org_admin(session: Session, user: User, org_id: int) -> bool:
    """Platform admins and the organisation's own admins."""
    return is_admin(user) or org_role(session, user, org_id) is OrgRole.org_admin


def is_owner_or_admin(user: User | None, owner_id: int | None) -> bool:
    return user is not None and (user.id == owner_id or is_admin(user))


def require_role(user: User, *roles: Role) -> None:
    if not has_role(user, *roles):
        names = sorted({r.value for r in roles} | {Role.admin.value})
        raise PermissionDenied.said("requires role %(roles)s", roles=Term(" or ".join(names)))


def require_admin(user: User) -> None:
    require_role(user, Role.admin)


def require_staff(user: User) -> None:
    require_role(user, Role.moderator)


def require_owner_or_admin(user: User, owner_id: int | None, what: str) -> None:
    if not is_owner_or_admin(user, owner_id):
        raise PermissionDenied.said("only the owner of %(what)s or an admin may do this", what=Term(what))
