"""Forum tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys
from core.db import Row, UTCDateTime, utcnow


class Category(Row):
    __tablename__ = "forum_categories"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Topic(Row):
    __tablename__ = "forum_topics"

    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # listed first
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Post(Row):
    __tablename__ = "forum_posts"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 = the topic's first post
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)  # sanitised at write time
    search_tokens: Mapped[str] = mapped_column(Text, default="")  # the platform analyzer's tokens
    quote_of: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id"))
    likes: Mapped[list[int]] = mapped_column(JSON, default=list)
    flags: Mapped[list[int]] = mapped_column(JSON, default=list)
    flag_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def hold(self, reason: str) -> bool:
        """Hide the post from readers (its author still sees it) until a moderator decides."""
        if self.hidden:
            return False
        self.hidden, self.hidden_reason = True, reason
        return True


class PostRevision(Row):
    """Edit history: the text before each edit. A moderator may hide one from readers (the text an
    edit took out may be what must not be read: someone's telephone number); it is kept, for staff."""

    __tablename__ = "forum_post_revisions"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True)
    markdown: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
