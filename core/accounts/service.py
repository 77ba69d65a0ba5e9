"""Account operations. Callers own the session and the transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notifications
from core.accounts.models import ApiKey, Membership, Organisation, OrgKind, OrgRole, Role, User
from core.accounts.passwords import (
    check_new_password,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from core.accounts.permissions import is_org_admin, is_org_member, is_owner_or_admin, require_admin
from core.accounts.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    MemberIn,
    MemberOut,
    OrgIn,
    OrgOut,
    RegisterIn,
    RoleIn,
    TokenOut,
    UserOut,
)
from core.accounts.sessions import close_sessions_of
from core.accounts.tokens import api_key_matches, api_key_prefix, issue_access_token, new_api_key
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied, TooManyRequests
from core.i18n import Language
from core.notifications import NotificationOut, ReadAllIn, ReadAllOut
from core.ratelimit import RateLimiter
from core.settings import Settings

# One mailbox: RFC 5322's dot-atom on the left (letters of any script, as RFC 6531 allows; no quoted
# forms), dot-separated labels of letters, digits and hyphens on the right. No comma, angle bracket
# or second "@": an address goes into the To header of our mail, where "a@evil.org,victim@example.com"
# is two recipients.
_MAILBOX = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
                      r"@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][^\W_]*(?:-*[^\W_]+)*")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not email:
        raise InvalidInput("type an e-mail address").about("email")
    if len(email) > 254 or not _MAILBOX.fullmatch(email) or "_" in email.partition("@")[2]:
        raise InvalidInput.said("not an e-mail address: “%(email)s”", email=email).about("email")
    return email


def create_user(
    session: Session, email: str, password: str, display_name: str = "", role: Role = Role.member
) -> User:
    email = normalise_email(email)
    check_new_password(password, known=(email, display_name))
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict("an account with this e-mail already exists").about("email")
    user = User(email=email, display_name=display_name or email.split("@")[0],
                password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


DEACTIVATED = "this account is deactivated: ask the site's administrator to reactivate it"


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None (same cost either way). A
    deactivated account given its right password is told so (PermissionDenied): "wrong password"
    sent its owner to reset a password that was right; whoever does not know it learns nothing."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        verify_nothing(password)
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        verify_nothing(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if not user.is_active:
        raise PermissionDenied(DEACTIVATED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def active_user_by_email(session: Session, email: str) -> User:
    """The active account with ``email``: the other party of a licence or a transfer."""
    user = session.scalar(select(User).where(User.email == normalise_email(email), User.is_active.is_(True)))
    if user is None:
        raise InvalidInput.said("no account uses the e-mail %(email)s: ask them to sign up first", email=email)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound.said("user %(id)s not found", id=user_id)
    return user


def set_role(session: Session, user_id: int, role: Role) -> User:
    user = get_user(session, user_id)
    user.role = role
    return user


def create_organisation(session: Session, creator: User, name: str, kind: OrgKind) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput("organisation name is empty")
    if session.scalar(select(Organisation).where(Organisation.name == name)) is not None:
        raise Conflict.said("an organisation named %(name)r exists", name=name)
    org = Organisation(name=name, kind=kind)
    org.memberships.append(Membership(user=creator, role=OrgRole.org_admin))
    session.add(org)
    session.flush()
    return org


def require_org_admin(session: Session, user: User, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound.said("organisation %(id)s not found", id=org_id)
    if not is_org_admin(session, user, org_id):
        raise PermissionDenied("only the organisation's admins may change it")
    return org


def add_member(session: Session, org: Organisation, user_id: int, role: OrgRole) -> Membership:
    user = get_user(session, user_id)
    if is_org_member(session, user, org.id):
        raise Conflict("already a member")
    membership = Membership(user=user, org=org, role=role)
    session.add(membership)
    session.flush()
    return membership


@dataclass(frozen=True)
class IssuedApiKey:
    key: ApiKey
    secret: str


def create_api_key(session: Session, user: User, name: str) -> IssuedApiKey:
    issued = new_api_key()
    key = ApiKey(user_id=user.id, name=name.strip() or "unnamed", prefix=issued.prefix, key_hash=issued.key_hash)
    session.add(key)
    session.flush()
    return IssuedApiKey(key=key, secret=issued.secret)


def revoke_api_key(session: Session, user: User, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or not is_owner_or_admin(user, key.user_id):
        raise NotFound.said("API key %(id)s not found", id=key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    return key


def user_for_api_key(session: Session, secret: str) -> User | None:
    prefix = api_key_prefix(secret)
    if prefix is None:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or not api_key_matches(secret, key.key_hash):
        return None
    key.last_used_at = utcnow()
    return key.user if key.user.is_active else None


def account_by_email(session: Session, email: str) -> User | None:
    """The account of an e-mail address, active or not; None when there is none."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def ensure_admin(w: Writer, email: str, password: str | None) -> User:
    """Create an administrator account with ``password``, or promote the existing account with that
    e-mail, whose password stays its own (the console's operator, or an administrator)."""
    w.require_admin()
    user = account_by_email(w.session, email)
    if user is None:
        if password is None:
            raise InvalidInput.said("%(email)s has no account yet: a new account needs a password", email=email)
        user = create_user(w.session, email, password, role=Role.admin)
    else:
        user.role = Role.admin
    w.audit(AuditAction.user_create_admin, "user", user.id)
    w.commit()
    return user


# --- audited operations: what the API, the pages and the CLI call ----------------------------

def register(w: Writer, body: RegisterIn) -> UserOut:
    user = create_user(w.session, body.email, body.password, body.display_name)
    w.ctx.actor_id = user.id
    w.audit(AuditAction.user_register, "user", user.id)
    w.commit()
    return UserOut.model_validate(user)


def check_credentials(session: Session, settings: Settings, limiter: RateLimiter, client_ip: str | None,
                      email: str, password: str) -> User:
    """The user with this e-mail and password. Failed attempts are limited per client address, the
    API's token endpoint and the portal's login form alike; a login that succeeds is not counted (an
    office's staff share one address, and their morning logins must not lock each other out). A
    form sent with either field empty is refused before it counts."""
    if not email.strip() or not password:
        raise InvalidInput("enter your e-mail address and password")
    key = f"login:{client_ip or 'unknown'}"
    decision = limiter.hit({key: settings.login_attempts_per_minute}, 60)
    if not decision.allowed:
        raise TooManyRequests("too many failed logins from this address; wait a minute and retry",
                              retry_after=decision.retry_after)
    user = authenticate(session, email, password)
    if user is None:
        raise NotAuthenticated("wrong e-mail or password")
    limiter.forgive([key], decision.attempt)
    session.commit()  # a password rehash, if argon2 parameters changed
    return user


def login(session: Session, settings: Settings, limiter: RateLimiter, client_ip: str | None, email: str,
          password: str) -> TokenOut:
    """A bearer token for the right e-mail and password."""
    user = check_credentials(session, settings, limiter, client_ip, email, password)
    return TokenOut(access_token=issue_access_token(settings, user.id), expires_in=settings.access_token_minutes * 60)


def api_keys_of(session: Session, user: User) -> list[ApiKeyOut]:
    keys = session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id))
    return [ApiKeyOut.model_validate(k) for k in keys]


def issue_api_key(w: Writer, body: ApiKeyIn) -> ApiKeyCreated:
    issued = create_api_key(w.session, w.actor, body.name)
    w.audit(AuditAction.api_key_create, "api_key", issued.key.id, name=issued.key.name, prefix=issued.key.prefix)
    w.commit()
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(issued.key).model_dump(), "secret": issued.secret})


def revoke_key(w: Writer, key_id: int) -> ApiKeyOut:
    key = revoke_api_key(w.session, w.actor, key_id)
    w.audit(AuditAction.api_key_revoke, "api_key", key.id)
    w.commit()
    return ApiKeyOut.model_validate(key)


def found_organisation(w: Writer, body: OrgIn) -> OrgOut:
    org = create_organisation(w.session, w.actor, body.name, body.kind)
    w.audit(AuditAction.org_create, "organisation", org.id, name=org.name, kind=org.kind.value)
    w.commit()
    return OrgOut.model_validate(org)


def organisations_of(session: Session, user: User) -> list[OrgOut]:
    orgs = session.scalars(select(Organisation).join(Membership).where(Membership.user_id == user.id)
                           .order_by(Organisation.id))
    return [OrgOut.model_validate(o) for o in orgs]


def add_org_member(w: Writer, org_id: int, body: MemberIn) -> MemberOut:
    org = require_org_admin(w.session, w.actor, org_id)
    membership = add_member(w.session, org, body.user_id, body.role)
    w.audit(AuditAction.org_member_add, "organisation", org.id, user_id=body.user_id, role=body.role.value)
    w.commit()
    return MemberOut(org_id=org.id, user_id=membership.user_id, role=membership.role)


def change_role(w: Writer, user_id: int, body: RoleIn) -> UserOut:
    """An admin sets another account's platform role; their own is changed by another admin (one
    click demoted the only admin, who was then refused the console that could undo it)."""
    require_admin(w.actor)
    if user_id == w.actor.id and body.role is not w.actor.role:
        raise InvalidInput("you cannot change your own role: another administrator can")
    before = w.session.get(User, user_id)
    was = before.role if before is not None else None
    user = set_role(w.session, user_id, body.role)
    if was is not None and was is not user.role:
        notifications.notify(w.session, user.id, notifications.ROLE_CHANGED, f"Your role is now {user.role.value}",
                             role=user.role.value, was=was.value)
    w.audit(AuditAction.user_role_set, "user", user.id, role=body.role.value, was=was.value if was else None)
    w.commit()
    return UserOut.model_validate(user)


def update_profile(w: Writer, display_name: str, language: Language | None,
                   email_notifications: bool | None = None) -> UserOut:
    """The name others see, the portal's language (None: follow the browser) and whether notices
    are e-mailed too (None: as they were; security notices are mailed either way)."""
    name = display_name.strip()
    if not name or len(name) > 120 or any(not c.isprintable() for c in name):
        raise InvalidInput("a display name has 1 to 120 printable characters")
    user = w.actor
    user.display_name = name
    user.language = language.value if language else None
    if email_notifications is not None:
        user.email_notifications = email_notifications
    w.audit(AuditAction.user_profile_update, "user", user.id, language=user.language,
            email_notifications=user.email_notifications)
    w.commit()
    return UserOut.model_validate(user)


def change_password(w: Writer, current: str, new: str, keep_session: int | None = None) -> None:
    """A new password; every other browser of the account is signed out (``keep_session``, the one
    asking, stays), as after a reset: whoever knew the old password is signed out too."""
    user = w.actor
    if not verify_password(user.password_hash, current):
        raise PermissionDenied("the current password is wrong")
    replace_password(w, user, new, AuditAction.user_password_change, keep_session=keep_session)


def replace_password(w: Writer, user: User, new: str, action: AuditAction, keep_session: int | None = None,
                     **details: object) -> None:
    """The one way a password changes (account page, reset link, operator): checked, stored hashed,
    every other browser signed out (whoever knew the old password too), audited, and the owner
    told in the inbox and by mail, so a change made by someone else does not go unnoticed."""
    check_new_password(new, known=(user.email, user.display_name))
    user.password_hash = hash_password(new)
    closed = close_sessions_of(w.session, user.id, keep=keep_session)
    notifications.notify(w.session, user.id, notifications.PASSWORD_CHANGED, "Your password was changed")
    w.audit(action, "user", user.id, sessions_closed=closed, **details)
    w.commit()


def inbox(session: Session, user: User, unread_only: bool = False) -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in notifications.for_user(session, user.id, unread_only)]


def read_notification(w: Writer, notification_id: int) -> NotificationOut:
    note = notifications.mark_read(w.session, w.actor.id, notification_id)
    w.audit(AuditAction.notification_read, "notification", note.id)
    w.commit()
    return NotificationOut.model_validate(note)


def read_all_notifications(w: Writer, body: ReadAllIn) -> ReadAllOut:
    """The inbox's "mark all as read" (up to the newest notice shown). Audited once, with how many,
    as one notice marked read is audited; when none was unread nothing is written or recorded."""
    marked = notifications.mark_all_read(w.session, w.actor.id, body.up_to)
    if marked:
        w.audit(AuditAction.notification_read_all, "user", w.actor.id, marked=marked)
        w.commit()
    return ReadAllOut(marked=marked)
