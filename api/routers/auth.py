"""Registration, login (OAuth2 password flow), the caller's profile and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import AnonymousWriterDep, CurrentUser, PasswordWriterDep, PlatformDep, SessionDep, WriterDep, client_ip
from core.accounts import service
from core.accounts.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, RegisterIn, TokenOut, UserOut
from core.errors import InvalidInput
from core.ids import DbId
from core.text import clean_line

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", summary="Create an account", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register(body: RegisterIn, w: AnonymousWriterDep) -> UserOut:
    """An account with the role member; then sign in at `/api/v1/auth/token` for a token. 409 when
    the e-mail address has an account already."""
    return service.register(w, body)


def _not_json(request: Request) -> None:
    """OAuth2's password flow sends form fields: a JSON body, read as a form, would be refused as
    two missing fields, which tells the caller nothing about what to change."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower().endswith("json"):
        raise InvalidInput("send username and password as form fields (application/x-www-form-urlencoded), "
                           "as OAuth2's password flow does, not as JSON")


@router.post("/token",
             summary="Sign in: a bearer token for the API",
             response_model=TokenOut, dependencies=[Depends(_not_json)])  # before the form is read
def login(request: Request, platform: PlatformDep, session: SessionDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """OAuth2's password flow: `username` (the e-mail address) and `password` as form fields. The
    token goes in `Authorization: Bearer …` and lasts `expires_in` seconds (an hour by default); ask
    again when it expires. Failed attempts are limited per client address (429, `Retry-After`)."""
    return service.login(session, platform.settings, platform.rate_limiter, client_ip(request),
                         clean_line(form.username), form.password)


@router.get("/me", summary="Who the credential belongs to", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    """The account the token or API key belongs to: a way to check a credential works."""
    return UserOut.model_validate(user)


@router.get("/api-keys", summary="My API keys", response_model=list[ApiKeyOut])
def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKeyOut]:
    """Your keys, revoked ones included, by name and prefix: the secret itself is never shown again."""
    return service.api_keys_of(session, user)


@router.post("/api-keys", summary="Make an API key", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyIn, w: PasswordWriterDep) -> ApiKeyCreated:
    """A key for programs, sent as `X-API-Key: …` or `Authorization: Bearer …`; it acts as you until
    revoked. Its `secret` is in this answer only: keep it. Only a caller signed in with a password
    (a bearer token) may make one: a key cannot make keys that would outlive its revocation."""
    return service.issue_api_key(w, body)


@router.delete("/api-keys/{key_id}", summary="Revoke an API key", response_model=ApiKeyOut)
def revoke_api_key(key_id: DbId, w: WriterDep) -> ApiKeyOut:
    """The key stops working at once; it stays listed, marked revoked."""
    return service.revoke_key(w, key_id)
