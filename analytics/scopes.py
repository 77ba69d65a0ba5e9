"""Scope lookup: a built-in industry (analytics.industries) or one a user defined."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.industries import INDUSTRIES, Branch, Industry
from analytics.models import CustomScope
from core.errors import Conflict, NotFound
from ipsearch.query.parser import QuerySyntaxError, parse_query

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")


class ScopeIn(BaseModel):
    key: str = Field(pattern=KEY_RE.pattern)
    name: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(default="", max_length=200)
    query: str = Field(min_length=1, max_length=2000)
    branches: list[Branch] = Field(default_factory=list, max_length=20)

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        check_query(value)
        return value

    @field_validator("branches")
    @classmethod
    def _branches_parse(cls, branches: list[Branch]) -> list[Branch]:
        for branch in branches:
            check_query(branch.query)
        return branches


def check_query(query: str) -> None:
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        raise ValueError(f"not a valid query: {exc}") from exc


def resolve(session: Session | None, key: str) -> Industry:
    if key in INDUSTRIES:
        return INDUSTRIES[key]
    if session is not None:
        row = session.scalar(select(CustomScope).where(CustomScope.key == key))
        if row is not None:
            return Industry(key=row.key, name=row.name, name_zh=row.name_zh or row.name, query=row.query,
                            branches=[Branch.model_validate(b) for b in row.branches])
    raise NotFound(f"unknown scope {key!r}: use one of {', '.join(INDUSTRIES)} or a scope you defined")


def create(session: Session, data: ScopeIn, owner_id: int, org_id: int | None = None) -> CustomScope:
    if data.key in INDUSTRIES or session.scalar(select(CustomScope).where(CustomScope.key == data.key)):
        raise Conflict(f"scope {data.key!r} exists")
    row = CustomScope(key=data.key, name=data.name, name_zh=data.name_zh, query=data.query,
                      branches=[b.model_dump() for b in data.branches], owner_id=owner_id, org_id=org_id)
    session.add(row)
    session.flush()
    return row


def all_scopes(session: Session) -> list[Industry]:
    custom = [resolve(session, k) for k in session.scalars(select(CustomScope.key).order_by(CustomScope.key))]
    return [*INDUSTRIES.values(), *custom]
