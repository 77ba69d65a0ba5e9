"""Flag and hold, one rule for agency reviews and forum posts: members flag what they see as abuse,
one flag per member; enough distinct flags hold the item (kept, not shown) until a moderator decides."""

from __future__ import annotations

from typing import Literal, Protocol

from core.accounts.models import User
from core.errors import InvalidInput


class Flaggable(Protocol):
    """A review or a post: it has an author, the ids of the members who flagged it, and a hold."""

    @property
    def author_id(self) -> int: ...

    @property
    def flags(self) -> list[int]: ...

    @flags.setter
    def flags(self, value: list[int]) -> None: ...

    def hold(self, reason: str) -> bool:
        """Hold the item for moderation; False if it was held already."""
        ...


# What an author who flags their own item is told: whole sentences, each translated as one.
OWN_ITEM_REFUSALS = {"post": "you cannot flag your own post", "review": "you cannot flag your own review"}


def flag_and_hold(item: Flaggable, flagger: User, threshold: int, noun: Literal["post", "review"]) -> bool:
    """Record ``flagger``'s flag once; at ``threshold`` distinct flags hold the item.

    True when this flag put the item on hold (the caller may then recompute what the item counted for).
    """
    if flagger.id == item.author_id:
        raise InvalidInput(OWN_ITEM_REFUSALS[noun])
    if flagger.id not in item.flags:
        item.flags = [*item.flags, flagger.id]
    return len(item.flags) >= threshold and item.hold(f"flagged by {len(item.flags)} users")
