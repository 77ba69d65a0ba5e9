"""Pydantic models of accounts at the boundary (API, pages, CLI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from core.accounts.models import OrgKind, OrgRole, Role
from core.accounts.passwords import MIN_PASSWORD_LENGTH
from core.db import RowOut
from core.ids import DbId
from core.text import SingleLine


class UserOut(RowOut):
    id: int
    email: str
    display_name: str
    role: Role
    created_at: datetime


class RegisterIn(BaseModel):
    email: SingleLine = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256, description=(
        f"at least {MIN_PASSWORD_LENGTH} characters, and not one of the passwords most often guessed"))
    display_name: SingleLine = Field(default="", max_length=120)


class ProfileIn(BaseModel):
    """The name others see (the portal's profile form)."""

    display_name: SingleLine = Field(min_length=1, max_length=120)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class ApiKeyIn(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=100)


class ApiKeyOut(RowOut):
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="Shown once; only its hash is stored.")


class OrgIn(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=200)
    kind: OrgKind


class OrgOut(RowOut):
    id: int
    name: str
    kind: OrgKind
    created_at: datetime


class MemberIn(BaseModel):
    user_id: DbId
    role: OrgRole = OrgRole.member


class RoleIn(BaseModel):
    role: Role


class MemberOut(BaseModel):
    org_id: int
    user_id: int
    role: OrgRole
