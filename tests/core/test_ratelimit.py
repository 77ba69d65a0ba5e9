"""Sliding-window limits, in memory and on the real Redis: exactly ``limit`` per window."""

from __future__ import annotations

import time
import uuid

from core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, hit_each


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


def test_hit_each_refuses_when_any_key_is_over() -> None:
    limiter = MemoryRateLimiter()
    both = {"user:1": 2, "ip:a": 3}
    assert [hit_each(limiter, both, 60).allowed for _ in range(3)] == [True, True, False]  # the user's limit
    assert hit_each(limiter, {"user:2": 2, "ip:a": 3}, 60).allowed is False  # now the address's: 4 > 3
    other = hit_each(limiter, {"user:3": 2, "ip:b": 3}, 60)
    assert other.allowed and other.retry_after == 0  # another user at another address
