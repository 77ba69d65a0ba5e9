"""Wildcard expansions kept for a few seconds, so a repeated wildcard costs no second request.

Elasticsearch expands a wildcard by searching the vocabulary index: a request of its own (3–4 ms
on a 2-core machine, a third of the search it serves), made again for each page, each facet click
and each user repeating a popular query. A backend keeps what those requests found for TTL seconds.

Freshness:

- Every write, refresh or drop by any backend of this process (``changed``) forgets everything
  kept, so a process that loads and then searches sees its new words at once.
- A load in another process shows in wildcards within TTL seconds, as a new document shows in
  searches within the index's refresh interval.
- A result fetched while a change happened is not kept: it may predate the change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cachetools import TTLCache

TTL_SECONDS = 10.0
MAX_TOKENS = 200_000  # all lists together; a prefix may bring up to VOCAB_SCAN tokens

Key = tuple[str, str, int]  # the vocabulary index, the prefix, the limit
Fetch = Callable[[], list[str]]

_changes = 0  # changes made in this process: writes, refreshes and drops of any index
_changes_lock = threading.Lock()


def changed() -> None:
    """A backend of this process wrote, refreshed or dropped an index: every kept expansion may miss
    a new token."""
    global _changes
    with _changes_lock:
        _changes += 1


class VocabularyCache:
    """Tokens by vocabulary index and prefix, for TTL_SECONDS at most (see the module)."""

    def __init__(self, timer: Callable[[], float] = time.monotonic) -> None:
        self._kept: TTLCache[Key, list[str]] = TTLCache(MAX_TOKENS, TTL_SECONDS, timer=timer,
                                                        getsizeof=lambda tokens: len(tokens) + 1)
        self._as_of = _changes  # the change count the kept lists were fetched after
        self._lock = threading.Lock()

    def get(self, key: Key, fetch: Fetch) -> list[str]:
        """The kept tokens for ``key``, else ``fetch()``'s, kept if nothing changed meanwhile."""
        with self._lock:
            as_of = self._current()
            kept = self._kept.get(key)
        if kept is not None:
            return list(kept)
        tokens = fetch()
        with self._lock:
            if self._current() == as_of:
                self._kept[key] = list(tokens)
        return tokens

    def _current(self) -> int:
        """The change count, after forgetting what an earlier count fetched (called under the lock)."""
        now = _changes
        if now != self._as_of:
            self._kept.clear()
            self._as_of = now
        return now
