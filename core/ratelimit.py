"""Sliding-window rate limits: Redis in production (shared by every API process), memory embedded.

A sliding window counts the attempts of the last ``window_seconds`` exactly, so a burst cannot
slip through by straddling the boundary of two fixed windows. One attempt is counted against
several keys at once (a user and an address): refused when any key is over its limit. An attempt
that turns out not to count (a login that succeeded) is forgiven: counted first, so that parallel
attempts cannot all pass a check made before any of them is recorded, and taken back after.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import redis


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the longest-waiting refusing key frees a slot; 0 when allowed
    attempt: str = ""  # what this attempt is counted as, under every key: what ``forgive`` takes back


class RateLimiter(Protocol):
    def hit(self, limits: Mapping[str, int], window_seconds: int) -> Decision:
        """Count one attempt against each key of ``limits`` (key -> attempts allowed per window)."""
        ...

    def forgive(self, keys: Iterable[str], attempt: str) -> None:
        """Take back an attempt ``hit`` counted under ``keys`` (``Decision.attempt``)."""
        ...


# One round trip and one write for all keys, atomically: per key, forget attempts older than the
# window, add this one, and if the key is now over its limit, how long until its oldest expires.
# KEYS: the counters; ARGV: now and the window in whole milliseconds (Lua would round a float
# timestamp to 14 digits), the attempt's unique id, then per key its limit. The keys of one
# call must live on one Redis node (no cluster hash slots are given).
# The counts are not written to the append-only file (nor sent to replicas): our Redis fsyncs every
# write for the task queue's sake, which cost each limited request more than the count itself,
# and a count lost in a restart only forgives one window's attempts.
_SLIDING_WINDOW = """
redis.set_repl(redis.REPL_NONE)
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local refused, wait_ms = 0, 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, 0, now - window)
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window + 1000)
  if redis.call('ZCARD', key) > tonumber(ARGV[3 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    refused = 1
    wait_ms = math.max(wait_ms, window - (now - tonumber(oldest[2])))
  end
end
return {refused, wait_ms}
"""


class RedisRateLimiter:
    """One sorted set per key: members are attempts, scores their times (ms)."""

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._script = self._redis.register_script(_SLIDING_WINDOW)

    def hit(self, limits: Mapping[str, int], window_seconds: int) -> Decision:
        attempt = uuid.uuid4().hex
        args: list[str | int] = [time.time_ns() // 1_000_000, window_seconds * 1000, attempt, *limits.values()]
        refused, wait_ms = self._script(keys=[_counter(key) for key in limits], args=args)
        if not refused:
            return Decision(allowed=True, retry_after=0, attempt=attempt)
        return Decision(allowed=False, retry_after=max(int(wait_ms) // 1000 + 1, 1), attempt=attempt)

    def forgive(self, keys: Iterable[str], attempt: str) -> None:
        with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zrem(_counter(key), attempt)
            pipe.execute()


def _counter(key: str) -> str:
    return f"ipc:rl:{key}"


class MemoryRateLimiter:
    """For the single-process embedded default."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[tuple[float, str]]] = {}  # per key: (time, attempt), oldest first
        self._lock = threading.Lock()

    def hit(self, limits: Mapping[str, int], window_seconds: int) -> Decision:
        now = time.monotonic()
        attempt = uuid.uuid4().hex
        waits: list[int] = []
        with self._lock:
            if len(self._hits) > 100_000:
                self._hits.clear()
            for key, limit in limits.items():
                hits = self._hits.setdefault(key, deque())
                while hits and hits[0][0] <= now - window_seconds:
                    hits.popleft()
                hits.append((now, attempt))
                if len(hits) > limit:
                    waits.append(int(window_seconds - (now - hits[0][0])) + 1)
        if not waits:
            return Decision(allowed=True, retry_after=0, attempt=attempt)
        return Decision(allowed=False, retry_after=max(max(waits), 1), attempt=attempt)

    def forgive(self, keys: Iterable[str], attempt: str) -> None:
        with self._lock:
            for key in keys:
                if (hits := self._hits.get(key)) is not None:
                    self._hits[key] = deque(hit for hit in hits if hit[1] != attempt)


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
