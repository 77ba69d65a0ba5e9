"""Registration, login (OAuth2 password flow), the caller's profile and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from api.deps import AnonymousWriterDep, CurrentUser, SessionDep, WriterDep
from api.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, RegisterIn, TokenOut, UserOut
from core.accounts import service
from core.accounts.models import ApiKey
from core.accounts.tokens import issue_access_token
from core.errors import NotAuthenticated, TooManyRequests

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register(body: RegisterIn, w: AnonymousWriterDep) -> UserOut:
    user = service.create_user(w.session, body.email, body.password, body.display_name)
    w.ctx.actor_id = user.id
    w.audit("user.register", "user", user.id)
    w.commit()
    return UserOut.model_validate(user)


@router.post("/token", response_model=TokenOut)
def login(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    settings = request.app.state.settings
    ip = request.client.host if request.client else "unknown"
    decision = request.app.state.rate_limiter.hit(f"login:{ip}", settings.login_attempts_per_minute, 60)
    if not decision.allowed:
        raise TooManyRequests("too many login attempts from this address; wait and retry",
                              retry_after=decision.retry_after)
    user = service.authenticate(session, form.username, form.password)
    if user is None:
        raise NotAuthenticated("wrong e-mail or password")
    session.commit()  # a password rehash, if argon2 parameters changed
    return TokenOut(access_token=issue_access_token(settings, user.id),
                    expires_in=settings.access_token_minutes * 60)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKeyOut]:
    keys = session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id))
    return [ApiKeyOut.model_validate(k) for k in keys]


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyIn, w: WriterDep) -> ApiKeyCreated:
    issued = service.create_api_key(w.session, w.actor, body.name)
    w.audit("api_key.create", "api_key", issued.key.id, name=issued.key.name, prefix=issued.key.prefix)
    w.commit()
    return ApiKeyCreated.model_validate({**ApiKeyOut.model_validate(issued.key).model_dump(), "secret": issued.secret})


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
def revoke_api_key(key_id: int, w: WriterDep) -> ApiKeyOut:
    key = service.revoke_api_key(w.session, w.actor, key_id)
    w.audit("api_key.revoke", "api_key", key.id)
    w.commit()
    return ApiKeyOut.model_validate(key)
