"""FastAPI dependencies, wired explicitly: what ``create_app`` built once, the database session,
the caller, and the audited ``Writer`` for writes.

``Platform`` holds what is built once per application (settings, the search service, the task
queue, the rate limiter, the session factory); every dependency below reads it from
``app.state.platform``. Every write endpoint takes a ``Writer`` from ``writer()`` or
``role_writer(...)``. Permission is checked before the handler runs, so a refused write touches
nothing and records nothing; ``Writer.commit`` refuses to commit a write without an audit record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.i18n import N_, preferred_languages
from core.accounts import permissions
from core.accounts.models import Role, User
from core.accounts.service import user_for_api_key
from core.accounts.sessions import find_session
from core.accounts.tokens import TokenError, read_access_token
from core.audit import AuditContext, Writer
from core.celery_app import TaskQueue
from core.db import session_factory
from core.errors import NotAuthenticated, PermissionDenied, TooManyRequests
from core.ratelimit import RateLimiter, make_rate_limiter
from core.settings import RouteLimit, Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False,
                                     description="Your e-mail and password: an access token for an hour.")
# The same header programs send an API key in; declared so the API's documentation offers it (its
# "Authorize" took only a password, and the account page's keys could not be tried there).
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An API key from your account page (ipc_…); also accepted as "
                                          "Authorization: Bearer ipc_….")


@dataclass(frozen=True)
class Platform:
    """Everything a request may use that is built once, when the application starts."""

    settings: Settings
    search: SearchService
    tasks: TaskQueue
    rate_limiter: RateLimiter
    sessions: sessionmaker[Session]
    secret: str  # the platform's signing key (JWT, CSRF tokens of signed-out visitors), read once

    @classmethod
    def build(cls, settings: Settings) -> Platform:
        secret = settings.jwt_secret()
        return cls(settings=settings, search=SearchService(get_backend(settings), secret=secret),
                   tasks=TaskQueue(settings), rate_limiter=make_rate_limiter(settings.redis_url),
                   sessions=session_factory(settings.effective_database_url), secret=secret)


def platform_of(request: Request) -> Platform:
    """The platform the app was built with: for a route, through ``PlatformDep``; for what runs
    outside a route's dependencies (an error page), directly."""
    platform: Platform = request.app.state.platform
    return platform


async def get_platform(request: Request) -> Platform:
    """The lookups of the app's services are ``async``: FastAPI runs a plain ``def`` dependency in
    the thread pool, a hop per dependency per request for an attribute read."""
    return platform_of(request)


PlatformDep = Annotated[Platform, Depends(get_platform)]


async def get_settings(platform: PlatformDep) -> Settings:
    return platform.settings


async def get_search(platform: PlatformDep) -> SearchService:
    return platform.search


async def get_tasks(platform: PlatformDep) -> TaskQueue:
    return platform.tasks


def get_session(platform: PlatformDep) -> Iterator[Session]:
    session = platform.sessions()
    try:
        yield session
    finally:
        session.rollback()  # anything not committed explicitly is discarded
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SearchServiceDep = Annotated[SearchService, Depends(get_search)]
TaskQueueDep = Annotated[TaskQueue, Depends(get_tasks)]
SessionDep = Annotated[Session, Depends(get_session)]


BearerDep = Annotated[str | None, Depends(oauth2_scheme)]
ApiKeyDep = Annotated[str | None, Depends(api_key_scheme)]


def presented_secret(token: str | None, key: str | None) -> str | None:
    """The credential the caller sent: ``Authorization: Bearer <jwt|api key>``, else ``X-API-Key``."""
    return token or key


def is_api_key(secret: str | None) -> bool:
    return bool(secret) and str(secret).startswith("ipc_")


def optional_user(session: SessionDep, settings: SettingsDep, token: BearerDep, key: ApiKeyDep) -> User | None:
    """The caller from ``Authorization: Bearer <jwt|api key>`` or ``X-API-Key``; None if anonymous."""
    secret = presented_secret(token, key)
    if not secret:
        return None
    if is_api_key(secret):
        user = user_for_api_key(session, secret)
        if user is None:
            raise NotAuthenticated("invalid or revoked API key")
        session.commit()  # last_used_at
        return user
    try:
        user_id = read_access_token(settings, secret)
    except TokenError as exc:
        raise NotAuthenticated(f"access token refused: {exc}") from exc
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("account not found or disabled")
    return user


def reader_if_any(session: SessionDep, settings: SettingsDep, token: BearerDep, key: ApiKeyDep) -> User | None:
    """The caller when their credential checks out, else anonymous: for an answer that only says more
    to someone (the health report), which a stale token or a database down must not refuse."""
    try:
        return optional_user(session, settings, token, key)
    except (NotAuthenticated, SQLAlchemyError):
        return None


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("log in or send an API key")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
ReaderIfAny = Annotated[User | None, Depends(reader_if_any)]
CurrentUser = Annotated[User, Depends(current_user)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


class Expense(StrEnum):
    """The kinds of costly request, each limited per user and per address (settings ``limit_*``)."""

    search = "searches"
    export = "exports"
    report = "report requests"
    upload = "registrations and uploads"
    rights = "licence offers and transfers"


# Each kind's refusal, one whole sentence apiece so that each translates whole.
TOO_MANY: dict[Expense, str] = {
    Expense.search: N_("too many searches in a short time: wait %(seconds)s s and retry"),
    Expense.export: N_("too many exports in a short time: wait %(seconds)s s and retry"),
    Expense.report: N_("too many report requests in a short time: wait %(seconds)s s and retry"),
    Expense.upload: N_("too many registrations and uploads in a short time: wait %(seconds)s s and retry"),
    Expense.rights: N_("too many licence offers and transfers in a short time: wait %(seconds)s s and retry"),
}


def route_limit(settings: Settings, expense: Expense) -> RouteLimit:
    return {Expense.search: settings.limit_search, Expense.export: settings.limit_export,
            Expense.report: settings.limit_report, Expense.upload: settings.limit_upload,
            Expense.rights: settings.limit_rights}[expense]


def caller_id(platform: Platform, secret: str | None, session_token: str | None) -> int | None:
    """Who is asking, for per-user limits: the bearer token's, API key's or session cookie's user;
    None when anonymous or the credential does not check out (the route itself refuses those)."""
    if secret and not is_api_key(secret):
        try:
            return read_access_token(platform.settings, secret)
        except TokenError:
            return None
    if not secret and not session_token:
        return None
    with platform.sessions() as session:
        user = user_for_api_key(session, secret) if secret else None
        if not secret and (found := find_session(session, session_token)):
            user = found[1]
        session.rollback()  # nothing is recorded for a limit check (not even last_used_at)
        return user.id if user is not None else None


def limit_expense(platform: Platform, expense: Expense, address: str | None, user_id: int | None) -> None:
    """Count a costly request against its address's and its user's limits; TooManyRequests beyond."""
    limit = route_limit(platform.settings, expense)
    limits = {f"{expense.name}:ip:{address or 'unknown'}": limit.per_ip}
    if user_id is not None:
        limits[f"{expense.name}:user:{user_id}"] = limit.per_user
    decision = platform.rate_limiter.hit(limits, limit.window_seconds)
    if not decision.allowed:
        template = TOO_MANY[expense]
        params: dict[str, object] = {"seconds": decision.retry_after}
        raise TooManyRequests(template % params, decision.retry_after, template=template, params=params)


def audit_context(request: Request, user: User | None) -> AuditContext:
    return AuditContext(actor_id=user.id if user else None, request_id=getattr(request.state, "request_id", None),
                        client_ip=client_ip(request))


def writer(request: Request, session: SessionDep, user: CurrentUser) -> Writer:
    return Writer(session, user, audit_context(request, user))


def password_writer(request: Request, session: SessionDep, user: CurrentUser, token: BearerDep,
                    key: ApiKeyDep) -> Writer:
    """A Writer for callers who signed in with their password (a bearer token): an API key may not
    make more keys, which would outlive its own revocation."""
    if is_api_key(presented_secret(token, key)):
        raise PermissionDenied("an API key cannot create API keys: sign in with your password (POST "
                               "/api/v1/auth/token) and send that bearer token, or use the account page")
    return Writer(session, user, audit_context(request, user))


def anonymous_writer(request: Request, session: SessionDep, user: OptionalUser) -> Writer:
    """For the few writes anyone may make (registration)."""
    return Writer(session, user, audit_context(request, user))


def role_writer(*roles: Role) -> Callable[..., Writer]:
    """A Writer for callers holding one of ``roles`` (admins always qualify)."""

    def dependency(request: Request, session: SessionDep, user: CurrentUser) -> Writer:
        permissions.require_role(user, *roles)
        return Writer(session, user, audit_context(request, user))

    return dependency


def require_admin(user: CurrentUser) -> User:
    permissions.require_admin(user)
    return user


def require_staff(user: CurrentUser) -> User:
    permissions.require_staff(user)
    return user


WriterDep = Annotated[Writer, Depends(writer)]
PasswordWriterDep = Annotated[Writer, Depends(password_writer)]
AnonymousWriterDep = Annotated[Writer, Depends(anonymous_writer)]
AdminWriterDep = Annotated[Writer, Depends(role_writer(Role.admin))]
ModeratorWriterDep = Annotated[Writer, Depends(role_writer(Role.moderator))]
AdminUser = Annotated[User, Depends(require_admin)]
ModeratorUser = Annotated[User, Depends(require_staff)]


# --- the reader's language, for the API's titles ----------------------------------------------

READER_LANGUAGE = ("the reader's language as a language tag (zh, zh-CN, en, ja ...): titles in it where the "
                   "document has one; without it, the first language of the Accept-Language header")
LANGUAGE_TAG = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$"
# Content negotiated by Accept-Language: a cache keeps one answer per language.
VARY = {"Vary": "Accept-Language"}


async def reader_language(request: Request, lang: Annotated[str | None, Query(
        pattern=LANGUAGE_TAG, max_length=35, description=READER_LANGUAGE)] = None) -> str | None:
    """``lang``, else the language the request's Accept-Language header prefers (a browser's).
    Async as the other dependencies of the hot routes: a plain def would cost each search a trip
    through the thread pool."""
    return lang or next(iter(preferred_languages(request.headers.get("accept-language"))), None)


ReaderLanguage = Annotated[str | None, Depends(reader_language)]
