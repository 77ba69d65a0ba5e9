"""Notifications to users (saved-query matches, alerts, replies): a row per user and event."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel, Field
from sqlalchemy import JSON, ColumnElement, CursorResult, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign key
from core.db import Row, RowOut, UTCDateTime, utcnow
from core.errors import NotFound

# A notice about the account's own security: mailed whatever the user chose for other notifications,
# since it is how someone whose password was changed by another learns of it.
PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 - a notification kind, not a secret
SECURITY_KINDS = (PASSWORD_CHANGED,)
ROLE_CHANGED = "account.role_changed"  # what the account may now do, or may no longer do
PASSWORD_HELP = "account.password_help"  # noqa: S105 - to administrators, on a site without mail: a link is asked for


class Notification(Row):
    """Something a user should see in their inbox (and, where they asked, by e-mail)."""

    __tablename__ = "notifications"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class NotificationOut(RowOut):
    id: int
    kind: str
    title: str
    payload: dict[str, object]
    created_at: datetime
    read_at: datetime | None


class ReadAllIn(BaseModel):
    up_to: int | None = Field(default=None, ge=1, le=2**63 - 1, description=(
        "the newest notice the reader was shown: later ones stay unread (none: every unread notice)"))


class ReadAllOut(BaseModel):
    marked: int = Field(description="how many unread notices were marked read (0: there were none)")


def notify(session: Session, user_id: int, kind: str, title: str, **payload: Any) -> Notification:
    note = Notification(user_id=user_id, kind=kind, title=title[:300], payload=payload)
    session.add(note)
    return note


def for_user(session: Session, user_id: int, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    """What the header's inbox link counts."""
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def settle(session: Session, user_id: int, kind: str, outcome: str, **match: int | str) -> None:
    """The notifications of ``kind`` whose payload has ``match``, once what they asked for is done
    (answer an offer): marked read, and the ``outcome`` kept in the payload as ``settled``, so the
    inbox says how it ended instead of asking still (an accepted offer's notice said "answer it")."""
    found = select(Notification).where(Notification.user_id == user_id, Notification.kind == kind,
                                       *(_payload_is(key, value) for key, value in match.items()))
    for note in session.scalars(found):  # matched in SQL: not every notice of the kind the user ever had
        note.read_at = note.read_at or utcnow()
        note.payload = {**note.payload, "settled": outcome}  # a new dict: the JSON column sees the change


def waiting(session: Session, user_id: int, kind: str, **match: int | str) -> bool:
    """Whether the user has an unread notice of ``kind`` whose payload has ``match``: asked again, a
    request they have not read yet needs no second notice."""
    found = select(Notification.id).where(Notification.user_id == user_id, Notification.kind == kind,
                                          Notification.read_at.is_(None),
                                          *(_payload_is(key, value) for key, value in match.items()))
    return session.scalar(found.limit(1)) is not None


def _payload_is(key: str, value: int | str) -> ColumnElement[bool]:
    """``payload[key] == value``, in SQL (SQLite's and PostgreSQL's JSON both read it)."""
    field = Notification.payload[key]
    return field.as_integer() == value if isinstance(value, int) else field.as_string() == value


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        raise NotFound.said("notification %(id)s not found", id=notification_id)
    note.read_at = note.read_at or utcnow()
    return note


def mark_all_read(session: Session, user_id: int, up_to: int | None = None) -> int:
    """The user's unread notices marked read in one UPDATE, those numbered ``up_to`` or below when
    given (the newest the reader was shown: one arriving since stays unread); how many."""
    bound = [Notification.id <= up_to] if up_to is not None else []
    return cast(CursorResult[Any], session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None), *bound)
        .values(read_at=utcnow()))).rowcount  # an UPDATE's result: it has a rowcount


def read_about(session: Session, user_id: int, kind: str, **match: int | str) -> list[int]:
    """The user's unread notices of ``kind`` whose payload has ``match``, marked read now that they
    have seen what the notices told (a collection's new matches, on its page); their ids."""
    found = list(session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.kind == kind, Notification.read_at.is_(None),
        *(_payload_is(key, value) for key, value in match.items()))))
    for note in found:
        note.read_at = utcnow()
    return [note.id for note in found]
