"""Trust levels and posting limits (Discourse's defaults, from shared/REFERENCE.md).

TL0 (new user: account younger than a day): at most 3 topics and 10 replies a day, 120 s between
topics and 30 s between posts, at most 2 links and 1 image per post.
TL1 (everyone else): 15 s between topics and 5 s between posts. Moderators and admins: no limits.
Three flags from distinct users hide a post until a moderator decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.accounts.models import User
from core.accounts.permissions import is_staff


@dataclass(frozen=True)
class Limits:
    topics_per_day: int | None
    replies_per_day: int | None
    seconds_between_topics: int
    seconds_between_posts: int
    links_per_post: int | None
    images_per_post: int | None


TL0 = Limits(3, 10, 120, 30, 2, 1)
TL1 = Limits(None, None, 15, 5, None, None)
STAFF = Limits(None, None, 0, 0, None, None)
NEW_USER_PERIOD = timedelta(days=1)
FLAGS_TO_HIDE = 3


def trust_level(user: User, now: datetime) -> int:
    if is_staff(user):
        return 4
    return 0 if now - user.created_at < NEW_USER_PERIOD else 1


def limits_for(user: User, now: datetime) -> Limits:
    level = trust_level(user, now)
    return STAFF if level == 4 else TL0 if level == 0 else TL1
