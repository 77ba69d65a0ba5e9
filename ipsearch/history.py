"""Search history with numbered sets, as examiners use it: every search a signed-in user runs
becomes set #n, and sets combine by number (``#1 AND #3 NOT #2``) into a new query.

Combination is textual: ``#n`` is replaced by ``(query of set n)`` and the result is parsed like
any query, so a combination means exactly what its written-out form means on both backends.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign key
from core.accounts.models import User
from core.audit import AuditAction, Writer
from core.db import Row, RowOut, UTCDateTime, utcnow
from core.errors import InvalidInput
from core.i18n import Listed
from ipsearch.query.parser import MAX_QUERY_CHARS, parse_query

SET_REFERENCE = re.compile(r"[#＃](\d{1,6})")  # ＃１ as a Chinese input method types it (int() reads １)
HISTORY_SHOWN = 50


class SearchSet(Row):
    """One numbered search of one user; numbers start at 1 per user and never repeat."""

    __tablename__ = "search_sets"
    __table_args__ = (UniqueConstraint("user_id", "number"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    query: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    label: Mapped[str] = mapped_column(String(200), default="")


class SearchSetOut(RowOut):
    number: int
    query: str
    total: int
    created_at: datetime


def history(session: Session, user: User, limit: int = HISTORY_SHOWN) -> list[SearchSetOut]:
    """The user's most recent sets, newest first."""
    rows = session.scalars(select(SearchSet).where(SearchSet.user_id == user.id)
                           .order_by(SearchSet.number.desc()).limit(limit))
    return [SearchSetOut.model_validate(r) for r in rows]


def record(w: Writer, query: str, total: int) -> SearchSetOut:
    """Keep ``query`` as the next set, unless a set in the history shown already holds it (a reload,
    or the same search run again): that set is the one, its count brought up to date."""
    user = w.actor
    shown = select(SearchSet.id).where(SearchSet.user_id == user.id).order_by(SearchSet.number.desc()) \
        .limit(HISTORY_SHOWN)
    same = w.session.scalar(select(SearchSet).where(SearchSet.id.in_(shown.scalar_subquery()), SearchSet.query == query)
                            .order_by(SearchSet.number.desc()).limit(1))
    if same is not None:
        if same.total != total:
            w.audit(AuditAction.search_set_update, "search_set", same.id, number=same.number,
                    total=[same.total, total])
            same.total = total
            w.commit()
        return SearchSetOut.model_validate(same)
    number = int(w.session.scalar(select(func.max(SearchSet.number)).where(SearchSet.user_id == user.id)) or 0) + 1
    row = SearchSet(user_id=user.id, number=number, query=query, total=total)
    w.session.add(row)
    w.session.flush()
    w.audit(AuditAction.search_set_add, "search_set", row.id, number=number)
    w.commit()
    return SearchSetOut.model_validate(row)


def is_combination(text: str) -> bool:
    return SET_REFERENCE.search(text) is not None


def expand(session: Session, user: User, expression: str) -> str:
    """``#1 AND #3 NOT #2`` written out with each set's query in parentheses, checked by the parser."""
    numbers = {int(n) for n in SET_REFERENCE.findall(expression)}
    rows = {r.number: r.query for r in session.scalars(
        select(SearchSet).where(SearchSet.user_id == user.id, SearchSet.number.in_(numbers)))}
    if missing := sorted(numbers - set(rows)):
        raise InvalidInput.said("no search set %(sets)s in your history", sets=Listed(f"#{n}" for n in missing))
    query = SET_REFERENCE.sub(lambda m: f"({rows[int(m.group(1))]})", expression)
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput.said("the combined query is longer than %(limit)s characters", limit=MAX_QUERY_CHARS)
    parse_query(query)
    return query


def clear(w: Writer) -> int:
    rows = list(w.session.scalars(select(SearchSet).where(SearchSet.user_id == w.actor.id)))
    for row in rows:
        w.session.delete(row)
    w.audit(AuditAction.search_history_clear, "user", w.actor.id, sets=len(rows))
    w.commit()
    return len(rows)
