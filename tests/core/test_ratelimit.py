"""Sliding-window limits, in memory and on the real Redis: exactly ``limit`` per window."""

from __future__ import annotations

import time
import uuid

from core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter


def _exercise(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    decisions = [limiter.hit(key, 3, 1) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[-1].retry_after >= 1
    time.sleep(1.1)  # the window slides past every earlier attempt
    assert limiter.hit(key, 3, 1).allowed
    assert limiter.hit(f"{key}:other", 3, 1).allowed  # keys are independent


def test_memory_limiter() -> None:
    _exercise(MemoryRateLimiter())


def test_redis_limiter(redis_url: str) -> None:
    _exercise(RedisRateLimiter(redis_url))
