"""The moderators' queue in one read: forum posts and agency reviews that members flagged or that
are held, for the one page where moderators decide both."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from community.agencies import service as agencies
from community.agencies.schemas import ReviewQueueEntryOut
from community.forums import service as forums
from community.forums.quotes import WITHHELD_WORDS, Words
from community.forums.schemas import QueueEntryOut
from core.accounts.models import User
from core.accounts.permissions import require_staff


class ModerationQueueOut(BaseModel):
    posts: list[QueueEntryOut]
    reviews: list[ReviewQueueEntryOut]


def queue(session: Session, viewer: User, words: Words = WITHHELD_WORDS) -> ModerationQueueOut:
    """Flagged or hidden posts and flagged or held reviews, newest first; for moderators only (a
    member is refused before anything is read)."""
    require_staff(viewer)
    return ModerationQueueOut(posts=forums.moderation_entries(session, viewer, words),
                              reviews=agencies.review_queue(session, viewer))


class QueueCounts(BaseModel):
    posts: int
    reviews: int


def counts(session: Session, viewer: User) -> QueueCounts:
    """How much waits in the queue, for the console's home (it counted the forum posts only)."""
    waiting = queue(session, viewer)
    return QueueCounts(posts=len(waiting.posts), reviews=len(waiting.reviews))
