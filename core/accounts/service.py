"""Account operations. Callers own the session and the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import ApiKey, Membership, Organisation, OrgKind, OrgRole, Role, User
from core.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from core.accounts.tokens import api_key_matches, api_key_prefix, new_api_key
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

# A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = hash_password("not-a-real-password-0000")


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise InvalidInput(f"not an e-mail address: {email!r}")
    return email


def create_user(
    session: Session, email: str, password: str, display_name: str = "", role: Role = Role.member
) -> User:
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict("an account with this e-mail already exists")
    user = User(email=email, display_name=display_name or email.split("@")[0],
                password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None (same cost either way)."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        verify_password(_DUMMY_HASH, password)
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
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
        raise Conflict(f"an organisation named {name!r} exists")
    org = Organisation(name=name, kind=kind)
    org.memberships.append(Membership(user=creator, role=OrgRole.org_admin))
    session.add(org)
    session.flush()
    return org


def org_role(session: Session, user: User, org_id: int) -> OrgRole | None:
    return session.scalar(
        select(Membership.role).where(Membership.user_id == user.id, Membership.org_id == org_id)
    )


def require_org_admin(session: Session, user: User, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id} not found")
    if user.role != Role.admin and org_role(session, user, org_id) != OrgRole.org_admin:
        raise PermissionDenied("only the organisation's admins may change it")
    return org


def add_member(session: Session, org: Organisation, user_id: int, role: OrgRole) -> Membership:
    user = get_user(session, user_id)
    if org_role(session, user, org.id) is not None:
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
    if key is None or (key.user_id != user.id and user.role != Role.admin):
        raise NotFound(f"API key {key_id} not found")
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
