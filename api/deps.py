"""FastAPI dependencies: database session, the caller, and the audited ``Writer`` for writes.

Every write endpoint takes a ``Writer`` from ``writer()``, ``admin_writer()`` or
``role_writer(...)``. Permission is checked before the handler runs, so a refused write touches
nothing and records nothing; ``Writer.commit`` refuses to commit a write without an audit record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from core.accounts.models import Role, User
from core.accounts.service import user_for_api_key
from core.accounts.tokens import TokenError, read_access_token
from core.audit import AuditContext, append
from core.db import session_factory
from core.errors import NotAuthenticated, PermissionDenied
from core.settings import Settings

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    session = session_factory(request.app.state.settings.effective_database_url)()
    try:
        yield session
    finally:
        session.rollback()  # anything not committed explicitly is discarded
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def optional_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller from ``Authorization: Bearer <jwt|api key>`` or ``X-API-Key``; None if anonymous."""
    secret = token or request.headers.get("x-api-key")
    if not secret:
        return None
    if secret.startswith("ipc_"):
        user = user_for_api_key(session, secret)
        if user is None:
            raise NotAuthenticated("invalid or revoked API key")
        session.commit()  # last_used_at
        return user
    try:
        user_id = read_access_token(request.app.state.settings, secret)
    except TokenError as exc:
        raise NotAuthenticated(f"invalid access token: {exc}") from exc
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("account not found or disabled")
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("log in or send an API key")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def audit_context(request: Request, user: User | None) -> AuditContext:
    return AuditContext(
        actor_id=user.id if user else None,
        request_id=getattr(request.state, "request_id", None),
        client_ip=request.client.host if request.client else None,
    )


class Writer:
    """A write's session plus its audit trail; commit only after something was audited."""

    def __init__(self, session: Session, user: User | None, ctx: AuditContext) -> None:
        self.session = session
        self.user = user
        self.ctx = ctx
        self._audited = 0

    @property
    def actor(self) -> User:
        if self.user is None:
            raise NotAuthenticated("log in or send an API key")
        return self.user

    def audit(self, action: str, object_type: str, object_id: object, **details: Any) -> None:
        append(self.session, self.ctx, action, object_type, object_id, **details)
        self._audited += 1

    def commit(self) -> None:
        if not self._audited:
            raise RuntimeError("a write must record an audit entry before it commits")
        self.session.commit()


def writer(request: Request, session: SessionDep, user: CurrentUser) -> Writer:
    return Writer(session, user, audit_context(request, user))


def anonymous_writer(request: Request, session: SessionDep, user: OptionalUser) -> Writer:
    """For the few writes anyone may make (registration)."""
    return Writer(session, user, audit_context(request, user))


def role_writer(*roles: Role) -> Callable[..., Writer]:
    """A Writer for callers holding one of ``roles`` (admins always qualify)."""
    allowed = set(roles) | {Role.admin}

    def dependency(request: Request, session: SessionDep, user: CurrentUser) -> Writer:
        if user.role not in allowed:
            raise PermissionDenied(f"requires role {' or '.join(sorted(r.value for r in allowed))}")
        return Writer(session, user, audit_context(request, user))

    return dependency


def require_admin(user: CurrentUser) -> User:
    if user.role != Role.admin:
        raise PermissionDenied("requires role admin")
    return user


def require_moderator(user: CurrentUser) -> User:
    if user.role not in (Role.moderator, Role.admin):
        raise PermissionDenied("requires role moderator or admin")
    return user


WriterDep = Annotated[Writer, Depends(writer)]
AnonymousWriterDep = Annotated[Writer, Depends(anonymous_writer)]
AdminWriterDep = Annotated[Writer, Depends(role_writer(Role.admin))]
AdminUser = Annotated[User, Depends(require_admin)]
ModeratorUser = Annotated[User, Depends(require_moderator)]
