"""Positions in a list shown a page at a time."""

from __future__ import annotations


def last_page_start(total: int, per_page: int) -> int:
    """Where the last page of ``total`` items starts (0 for none): the page a position typed past the
    end opens, rather than an empty one."""
    return max(total - 1, 0) // per_page * per_page
