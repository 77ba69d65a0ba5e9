"""Registration, login (OAuth2 password flow), the caller's profile and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import AnonymousWriterDep, CurrentUser, PasswordWriterDep, PlatformDep, SessionDep, WriterDep, client_ip
from core.accounts import service
from core.accounts.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, RegisterIn, TokenOut, UserOut
from core.ids import DbId
from core.text import clean_line

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register(body: RegisterIn, w: AnonymousWriterDep) -> UserOut:
    return service.register(w, body)


@router.post("/token", response_model=TokenOut)
def login(request: Request, platform: PlatformDep, session: SessionDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    return service.login(session, platform.settings, platform.rate_limiter, client_ip(request),
                         clean_line(form.username), form.password)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKeyOut]:
    return service.api_keys_of(session, user)


@router.post("/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyIn, w: PasswordWriterDep) -> ApiKeyCreated:
    return service.issue_api_key(w, body)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
def revoke_api_key(key_id: DbId, w: WriterDep) -> ApiKeyOut:
    return service.revoke_key(w, key_id)
