"""What the admin console reads and changes about accounts: finding people, deactivating and
reactivating them, every organisation with its members. Admins only; callers own the session,
writes are audited and committed here (role changes and new members go through ``service``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.accounts.models import Membership, Organisation, OrgKind, OrgRole, Role, User
from core.accounts.permissions import require_admin
from core.accounts.schemas import OrgIn, OrgOut
from core.accounts.service import found_organisation, get_user, normalise_email
from core.audit import AuditAction, Writer
from core.db import RowOut
from core.errors import InvalidInput, NotFound
from core.i18n import Named

USERS_PER_PAGE = 50


class AccountOut(RowOut):
    """A person as the console lists them: who, which role, whether they may sign in."""

    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool
    created_at: datetime


class AccountPage(BaseModel):
    accounts: list[AccountOut]
    total: int
    page: int
    pages: int


class AccountCounts(BaseModel):
    users: int
    active: int
    admins: int
    moderators: int
    organisations: int


class OrgSummary(BaseModel):
    id: int
    name: str
    kind: OrgKind
    created_at: datetime
    members: int


class OrgMember(BaseModel):
    user_id: int
    email: str
    display_name: str
    role: OrgRole


class OrgDetail(BaseModel):
    org: OrgSummary
    members: list[OrgMember]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "").replace("%", "").replace("_", "") + "%"


def accounts(session: Session, actor: User, q: str = "", page: int = 1, size: int = USERS_PER_PAGE) -> AccountPage:
    """People whose e-mail or name contains ``q``, oldest first, one page of ``size``."""
    require_admin(actor)
    stmt = select(User)
    if q.strip():
        pattern = _like(q.strip().lower())
        stmt = stmt.where(or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // size))
    if page > pages:
        raise NotFound.said("page %(page)s of the accounts not found", page=page)
    rows = session.scalars(stmt.order_by(User.id).offset((page - 1) * size).limit(size))
    return AccountPage(accounts=[AccountOut.model_validate(u) for u in rows], total=total, page=page, pages=pages)


def counts(session: Session, actor: User) -> AccountCounts:
    require_admin(actor)
    by_role = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return AccountCounts(users=sum(by_role.values()),
                         active=session.scalar(select(func.count()).where(User.is_active.is_(True))) or 0,
                         admins=by_role.get(Role.admin, 0), moderators=by_role.get(Role.moderator, 0),
                         organisations=session.scalar(select(func.count()).select_from(Organisation)) or 0)


def set_active(w: Writer, user_id: int, active: bool) -> AccountOut:
    """Deactivate (no sign-in, sessions, tokens or API keys work any more) or reactivate an account.
    An admin cannot deactivate their own account."""
    require_admin(w.actor)
    user = get_user(w.session, user_id)
    if not active and user.id == w.actor.id:
        raise InvalidInput("you cannot deactivate your own account")
    user.is_active = active
    w.audit(AuditAction.user_reactivate if active else AuditAction.user_deactivate, "user", user.id)
    w.commit()
    return AccountOut.model_validate(user)


def create_organisation(w: Writer, body: OrgIn) -> OrgOut:
    """An organisation made from the console (admins only); the admin becomes its first org admin,
    as with ``service.found_organisation``."""
    require_admin(w.actor)
    return found_organisation(w, body)


def account_by_email(session: Session, actor: User, email: str) -> AccountOut:
    """The account with this e-mail (``NotFound`` if none), to name a person in a form; none typed
    is said to be required, about the field (it read "no account has the e-mail " of nothing)."""
    require_admin(actor)
    if not email.strip():
        raise InvalidInput.said("%(field)s is required", field=Named(zh="电子邮箱", en="E-mail")).about("email")
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound.said("no account has the e-mail %(email)s", email=email.strip())
    return AccountOut.model_validate(user)


def _member_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Membership.org_id, func.count()).group_by(Membership.org_id))
    return dict(rows.all())


def organisations(session: Session, actor: User) -> list[OrgSummary]:
    """Every organisation with its number of members, by name."""
    require_admin(actor)
    members = _member_counts(session)
    return [OrgSummary(id=o.id, name=o.name, kind=o.kind, created_at=o.created_at, members=members.get(o.id, 0))
            for o in session.scalars(select(Organisation).order_by(Organisation.name))]


def organisation(session: Session, actor: User, org_id: int) -> OrgDetail:
    """One organisation and its members (org admins first, then by e-mail)."""
    require_admin(actor)
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound.said("organisation %(id)s not found", id=org_id)
    rows = session.execute(select(Membership.role, User).join(User, User.id == Membership.user_id)
                           .where(Membership.org_id == org_id).order_by(User.email)).all()
    members = [OrgMember(user_id=u.id, email=u.email, display_name=u.display_name, role=role) for role, u in rows]
    members.sort(key=lambda m: m.role is not OrgRole.org_admin)
    return OrgDetail(org=OrgSummary(id=org.id, name=org.name, kind=org.kind, created_at=org.created_at,
                                    members=len(members)), members=members)

