"""Sliding-window rate limits: Redis in production (shared by every API process), memory embedded.

A sliding window counts the attempts of the last ``window_seconds`` exactly, so a burst cannot
slip through by straddling the boundary of two fixed windows.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import redis


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> Decision: ...


class RedisRateLimiter:
    """One sorted set per key: members are attempts, scores their times."""

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        now = time.time()
        rkey = f"ipc:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(rkey, 0, now - window_seconds)
        pipe.zadd(rkey, {uuid.uuid4().hex: now})
        pipe.zcard(rkey)
        pipe.zrange(rkey, 0, 0, withscores=True)
        pipe.expire(rkey, window_seconds + 1)
        _, _, count, oldest, _ = pipe.execute()
        retry = int(window_seconds - (now - oldest[0][1])) + 1 if oldest else window_seconds
        return Decision(allowed=int(count) <= limit, retry_after=max(retry, 1))


class MemoryRateLimiter:
    """For the single-process embedded default."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 100_000:
                self._hits.clear()
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window_seconds:
                hits.popleft()
            hits.append(now)
            count, oldest = len(hits), hits[0]
        return Decision(allowed=count <= limit, retry_after=max(int(window_seconds - (now - oldest)) + 1, 1))


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


def hit_each(limiter: RateLimiter, limits: dict[str, int], window_seconds: int) -> Decision:
    """Count one request against every key (a user, an address); refused when any key is over its
    limit, to be retried after the longest wait among those refusing."""
    refused = [d for key, limit in limits.items() if not (d := limiter.hit(key, limit, window_seconds)).allowed]
    if not refused:
        return Decision(allowed=True, retry_after=0)
    return Decision(allowed=False, retry_after=max(d.retry_after for d in refused))
