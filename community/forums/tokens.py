"""What a forum search matches: a post's tokens by the platform analyzer, stored with the post."""

from __future__ import annotations

from ipsearch.analysis import get_analyzer


def search_tokens(markdown: str) -> str:
    """The analyzer's tokens of a post, space-padded so that a search matches whole tokens
    (``LIKE '% tok %'``). An analysis that reads words otherwise ships a migration that makes
    every post's tokens anew (0015 for analysis version 4)."""
    return " " + get_analyzer().analyse(markdown) + " "
