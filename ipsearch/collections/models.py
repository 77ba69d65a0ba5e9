"""The tables of topic collections: the collection, its items (query matches and manual picks),
tags (标引), notes (批注), and when each reader last opened it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users"/"organisations" for the foreign keys
from core.db import Row, UTCDateTime, utcnow

MAX_QUERY_MATCHES = 50_000


class Visibility(enum.StrEnum):
    private = "private"  # the owner (and admins)
    org = "org"  # members of the organisation
    public = "public"  # anyone may read


class ItemSource(enum.StrEnum):
    query = "query"  # a saved-query match found when the query was saved
    refresh = "refresh"  # a saved-query match found later, among newly loaded documents
    manual = "manual"  # added by hand


class Collection(Row):
    __tablename__ = "collections"

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=10),
                                                   default=Visibility.private)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollectionItem(Row):
    __tablename__ = "collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "pn"),)

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # an ItemSource value
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # removed by hand: never re-added
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollectionTag(Row):
    __tablename__ = "collection_tags"
    __table_args__ = (UniqueConstraint("collection_id", "pn", "tag"),)

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    tag: Mapped[str] = mapped_column(String(100))


class CollectionNote(Row):
    __tablename__ = "collection_notes"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollectionVisit(Row):
    """A reader's visits of a collection's page: when they last viewed it, and when the visit before
    their current one ended (None during their first). A document a refresh found after
    ``seen_before`` is new to them: they had not looked at the collection since it joined."""

    __tablename__ = "collection_visits"
    __table_args__ = (UniqueConstraint("collection_id", "user_id"),)

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
