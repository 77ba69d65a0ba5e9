"""Pydantic models of the forums at the boundary (API, pages, CLI).

The Out models keep the JSON keys the API has always returned.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from core.db import RowOut
from core.ids import DbId
from core.text import MultiLine, SingleLine


class ModerationAction(StrEnum):
    """What a moderator may do: to a post (hide, restore, delete) or a topic (all eight)."""

    hide = "hide"
    restore = "restore"
    delete = "delete"
    lock = "lock"
    unlock = "unlock"
    move = "move"
    pin = "pin"
    unpin = "unpin"


class QuoteWithheld(StrEnum):
    """Why a reader sees a placeholder instead of a quote: the quoted post is hidden from them, or deleted."""

    hidden = "hidden"
    deleted = "deleted"


# --- input ---------------------------------------------------------------------------------


class CategoryIn(BaseModel):
    name: SingleLine = Field(min_length=2, max_length=100)
    description: MultiLine = Field(default="", max_length=2000)


class TopicIn(BaseModel):
    category_id: DbId
    title: SingleLine = Field(min_length=3, max_length=300)
    body: MultiLine = Field(min_length=1, max_length=50_000)


class PostIn(BaseModel):
    body: MultiLine = Field(min_length=1, max_length=50_000)
    quote_of: DbId | None = None


class BodyIn(BaseModel):
    body: MultiLine = Field(min_length=1, max_length=50_000)


class ModerationIn(BaseModel):
    action: ModerationAction
    category_id: DbId | None = Field(default=None, description="the target category of a move")


# --- output --------------------------------------------------------------------------------


class CategoryRef(RowOut):
    id: int
    name: str


class CategoryOut(CategoryRef):
    description: str


class PostOut(BaseModel):
    """A post as readers see it: sanitised HTML, never the Markdown source."""

    id: int
    number: int
    author_id: int
    html: str
    quote_of: int | None
    likes: int
    hidden: bool
    created_at: datetime
    edited_at: datetime | None


class PostEditOut(BaseModel):
    """A post's own Markdown, for the form that edits it (its author's, or a moderator's)."""

    id: int
    topic_id: int
    topic_title: str
    number: int
    markdown: str


class SearchHitOut(PostOut):
    topic_id: int


class TopicHead(BaseModel):
    id: int
    category_id: int
    title: str
    author_id: int
    locked: bool
    last_post_at: datetime


class TopicOut(TopicHead):
    posts: int = Field(description="how many of its posts the reader can read (deleted ones never; hidden ones "
                                   "only by moderators and their authors)")


class TopicPageOut(TopicHead):
    """One page of a topic's posts."""

    page: int
    posts: list[PostOut]


class ModeratedTopicOut(TopicOut):
    hidden: bool
    deleted: bool


class ModeratedPostOut(BaseModel):
    id: int
    hidden: bool
    deleted: bool


class RevisionOut(BaseModel):
    """The text of a post before one of its edits; empty when a moderator hid it from readers
    (``hidden``: moderators still read it)."""

    markdown: str
    edited_by: int
    at: datetime
    hidden: bool = False
    hidden_reason: str | None = None


class VersionHideIn(BaseModel):
    """A moderator hides an earlier version of a post from readers, saying why (readers read why)."""

    reason: MultiLine = Field(min_length=3, max_length=500)


class VersionHiddenOut(BaseModel):
    post_id: int
    version: int
    hidden: bool
    hidden_reason: str | None


class LikeOut(BaseModel):
    id: int
    likes: int


class PostFlagOut(BaseModel):
    id: int
    flags: int
    hidden: bool


class QueueItemOut(BaseModel):
    post_id: int
    topic_id: int
    hidden: bool
    reason: str | None
    flags: int


# --- the portal's reads: names, not ids -----------------------------------------------------


class FlagIn(BaseModel):
    """A member's flag of a post, with the reason the moderators read."""

    reason: MultiLine = Field(min_length=3, max_length=500)


class PreviewOut(BaseModel):
    """Markdown rendered as it would be posted (sanitised), with what the posting limits count."""

    html: str
    links: int
    images: int


class CategorySummaryOut(CategoryOut):
    topics: int = Field(description="visible topics")
    last_post_at: datetime | None
    last_topic_id: int | None
    last_topic_title: str | None


class TopicRowOut(TopicOut):
    author: str = Field(description="the author's display name")
    pinned: bool


class TopicListOut(BaseModel):
    """One page of a category's topics, most recently active first."""

    category: CategoryOut
    topics: list[TopicRowOut]
    page: int
    pages: int
    total: int


class PostViewOut(PostOut):
    """A post as the viewer sees it: the author's name, and what the viewer did to it."""

    author: str
    hidden_reason: str | None
    mine: bool
    liked: bool
    flagged: bool
    quote_withheld: QuoteWithheld | None = Field(default=None, description="the post it quotes, the viewer may "
                                                 "not read: why (its quotes are placeholders)")


class TopicViewOut(TopicHead):
    """One page of a topic with names, for the portal."""

    category: CategoryRef
    author: str
    hidden: bool
    pinned: bool
    page: int
    pages: int
    total: int = Field(description="posts the viewer may see")
    posts: list[PostViewOut]


class PostPlaceOut(BaseModel):
    """Where a post is shown: its topic and the page of it."""

    topic_id: int
    page: int


class QuoteOut(BaseModel):
    post_id: int
    topic_id: int
    markdown: str = Field(description="the post as a Markdown quote, ready for a reply")


class FlagReasonOut(BaseModel):
    by: str
    reason: str
    at: datetime


class QueueEntryOut(QueueItemOut):
    """A queued post with what a moderator needs to decide: a post edited after it was flagged
    shows its text as flagged too (its author could otherwise edit the flagged words away)."""

    number: int
    author: str
    html: str
    topic_title: str
    topic_locked: bool
    topic_hidden: bool
    category: CategoryRef
    created_at: datetime
    edited_at: datetime | None
    reasons: list[FlagReasonOut]
    flagged_at: datetime | None = Field(default=None, description="the first of its current flags")
    flagged_html: str | None = Field(default=None, description="the text as it was when first flagged, if it "
                                     "was edited since")


class VersionOut(BaseModel):
    """One text a post had: as first posted (number 1), or as one edit left it."""

    number: int
    html: str
    markdown: str
    written_by: str = Field(description="the display name of who wrote this text: the author, or the editor")
    since: datetime
    until: datetime | None = Field(description="when an edit replaced it; None for the text shown now")
    hidden: bool = Field(False, description="hidden from readers by a moderator: html and markdown are empty "
                                            "for all but moderators")
    hidden_reason: str | None = None


class PostHistoryOut(BaseModel):
    """A post's texts, oldest first, the last being the one shown now."""

    post_id: int
    number: int
    author: str
    topic_id: int
    topic_title: str
    category: CategoryRef
    hidden: bool
    versions: list[VersionOut]
