"""Scope lookup: a built-in industry (analytics.industries) or one a user defined.

A user-defined scope is private until its owner publishes it: only its owner, the members of its
organisation (when it has one) and administrators open it (``resolve_for``); to anyone else it does
not exist. The lists (``all_scopes``) are what each reads as a reader, an administrator included: a
member's private scope is not offered to the administrator's subscriptions. A published scope is
seen by everyone.
``resolve`` without a viewer is for work already authorised (a queued report, a subscription's rules)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.industries import INDUSTRIES, REGION_PREFIX, Branch, Industry, built_in
from analytics.models import CustomScope
from core.accounts.models import Membership, User
from core.accounts.permissions import is_admin
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import Listed, Quoted
from core.ids import DbId
from ipsearch.query.parser import QuerySyntaxError, parse_query

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")


class ScopeIn(BaseModel):
    key: str = Field(pattern=KEY_RE.pattern)
    name: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(default="", max_length=200)
    query: str = Field(min_length=1, max_length=2000)
    branches: list[Branch] = Field(default_factory=list, max_length=20)
    org_id: DbId | None = Field(default=None, description="shared with this organisation's members (yours only)")
    published: bool = Field(default=False, description="seen by everyone; otherwise private to you (and org_id)")

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str) -> str:
        check_query(value)
        return value

    @field_validator("branches")
    @classmethod
    def _branches_parse(cls, branches: list[Branch]) -> list[Branch]:
        for branch in branches:
            check_query(branch.query, branch.name)
        return branches


def parse_branches(text: str) -> list[Branch]:
    """Technology branches as the scope builder takes them, one per line as "name: query" (a Chinese
    colon too), blank lines skipped; a line that is not is InvalidInput about ``branches``. Their
    queries are checked by ``ScopeIn``, each refusal naming its branch."""
    out = []
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        name, sep, query = line.replace("：", ":").partition(":")
        if not sep or not name.strip() or not query.strip():
            raise InvalidInput.said("write each branch as “name: query”, one per line").about("branches")
        out.append(Branch(key=f"b{n}", name=name.strip(), name_zh=name.strip(), query=query.strip()))
    return out


def check_query(query: str, branch: str = "") -> None:
    """Refuse a query that does not parse with the parser's own error (a ``ValueError``, so pydantic
    keeps it in its error's context: a page explains it as the search page does, with a caret), naming
    the technology branch it belongs to (``extra["branch"]``)."""
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        if branch:
            exc.extra["branch"] = branch
        raise


def _industry(row: CustomScope) -> Industry:
    return Industry(key=row.key, name=row.name, name_zh=row.name_zh or row.name, query=row.query,
                    branches=[Branch.model_validate(b) for b in row.branches])


def _unknown(key: str) -> NotFound:
    return NotFound.said("unknown scope %(key)s: use one of %(industries)s, a region (region-440000) or a scope you "
                         "defined", key=Quoted(key), industries=Listed(INDUSTRIES))


def resolve(session: Session | None, key: str) -> Industry:
    """Any scope, whoever defined it: for work already authorised (see ``resolve_for``)."""
    if (found := built_in(key)) is not None:
        return found
    if session is not None:
        row = session.scalar(select(CustomScope).where(CustomScope.key == key))
        if row is not None:
            return _industry(row)
    raise _unknown(key)


def visible(session: Session, row: CustomScope, user: User | None) -> bool:
    """Everyone sees a published scope; the owner, the members of the scope's organisation and
    administrators an unpublished one."""
    if row.published:
        return True
    if user is None:
        return False
    if row.owner_id == user.id or is_admin(user):
        return True
    return row.org_id is not None and session.scalar(
        select(Membership.id).where(Membership.user_id == user.id, Membership.org_id == row.org_id)) is not None


def resolve_for(session: Session, key: str, user: User | None) -> Industry:
    """A built-in industry, or a custom scope ``user`` may see; any other key does not exist."""
    if (found := built_in(key)) is not None:
        return found
    row = session.scalar(select(CustomScope).where(CustomScope.key == key))
    if row is None or not visible(session, row, user):
        raise _unknown(key)
    return _industry(row)


def create(session: Session, data: ScopeIn, owner_id: int, org_id: int | None = None) -> CustomScope:
    """A private scope, or one shared with an organisation the owner belongs to (``data.org_id``)."""
    org_id = org_id if org_id is not None else data.org_id
    if org_id is not None and session.scalar(select(Membership.id).where(
            Membership.user_id == owner_id, Membership.org_id == org_id)) is None:
        raise PermissionDenied.said("you can share a scope with an organisation you belong to only").about("org_id")
    if data.key.startswith(REGION_PREFIX):
        raise Conflict.said("scope keys starting with %(prefix)s are the regions' own",
                            prefix=REGION_PREFIX).about("key")
    if data.key in INDUSTRIES or session.scalar(select(CustomScope).where(CustomScope.key == data.key)):
        # keys name scopes in addresses, so they are one namespace; the refusal does not say whose
        raise Conflict.said("the key %(key)s is taken: choose another", key=data.key).about("key")
    row = CustomScope(key=data.key, name=data.name, name_zh=data.name_zh, query=data.query,
                      branches=[b.model_dump() for b in data.branches], owner_id=owner_id, org_id=org_id,
                      published=data.published)
    session.add(row)
    session.flush()
    return row


def custom_scopes(session: Session, user: User | None) -> list[Industry]:
    """The custom scopes ``user`` reads (published ones for everyone), by key. An administrator
    may open a member's private scope by its address, but is not offered it among their own
    (the form promises it is seen only by its owner and those it is shared with)."""
    stmt = select(CustomScope).order_by(CustomScope.key)
    if user is None:
        stmt = stmt.where(CustomScope.published.is_(True))
    else:
        orgs = select(Membership.org_id).where(Membership.user_id == user.id)
        stmt = stmt.where(CustomScope.published.is_(True) | (CustomScope.owner_id == user.id)
                          | CustomScope.org_id.in_(orgs))
    return [_industry(row) for row in session.scalars(stmt)]


def is_custom(key: str) -> bool:
    """A scope a user defined, not a built-in industry or region."""
    return built_in(key) is None


def all_scopes(session: Session, user: User | None = None) -> list[Industry]:
    """The built-in industries and the custom scopes ``user`` may see (published ones for anyone)."""
    return [*INDUSTRIES.values(), *custom_scopes(session, user)]
