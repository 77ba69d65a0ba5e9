"""Fixed-window rate limits: Redis in production (shared by every API process), memory embedded."""

from __future__ import annotations

import threading
import time
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
    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        window = int(time.time()) // window_seconds
        rkey = f"ipc:rl:{key}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(rkey)
        pipe.expire(rkey, window_seconds + 1)
        count = int(pipe.execute()[0])
        retry = window_seconds - int(time.time()) % window_seconds
        return Decision(allowed=count <= limit, retry_after=retry)


class MemoryRateLimiter:
    """For the single-process embedded default."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_seconds: int) -> Decision:
        now = int(time.time())
        rkey = f"{key}:{now // window_seconds}"
        with self._lock:
            if len(self._counts) > 100_000:
                self._counts.clear()
            self._counts[rkey] = self._counts.get(rkey, 0) + 1
            count = self._counts[rkey]
        return Decision(allowed=count <= limit, retry_after=window_seconds - now % window_seconds)


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
