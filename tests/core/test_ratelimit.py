"""Sliding-window limits, in memory and on the real Redis: exactly ``limit`` per window, per key,
one attempt counted against several keys is refused when any of them is over, and an attempt
forgiven (a login that succeeded) no longer counts."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return MemoryRateLimiter()
    return RedisRateLimiter(request.getfixturevalue("redis_url"))


def test_exactly_limit_per_window(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4().hex}"
    decisions = [limiter.hit({key: 3}, 1) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[0].retry_after == 0 and decisions[-1].retry_after >= 1
    time.sleep(1.1)  # the window slides past every earlier attempt
    assert limiter.hit({key: 3}, 1).allowed
    assert limiter.hit({f"{key}:other": 3}, 1).allowed  # keys are independent


def test_refused_when_any_key_is_over(limiter: RateLimiter) -> None:
    run = uuid.uuid4().hex
    user, address = f"{run}:user:1", f"{run}:ip:a"
    assert [limiter.hit({user: 2, address: 3}, 60).allowed for _ in range(3)] == [True, True, False]  # the user's
    assert limiter.hit({f"{run}:user:2": 2, address: 3}, 60).allowed is False  # now the address's: 4 > 3
    other = limiter.hit({f"{run}:user:3": 2, f"{run}:ip:b": 3}, 60)
    assert other.allowed and other.retry_after == 0  # another user at another address


def test_retry_after_is_the_longest_wait(limiter: RateLimiter) -> None:
    run = uuid.uuid4().hex
    older, fresh = f"{run}:older", f"{run}:fresh"
    limiter.hit({older: 1}, 60)
    time.sleep(1.1)
    # both refused: the older key frees a slot in about 59 s, the fresh one (limit 0) in 60 s; the
    # answer is the longer wait, in whichever order the keys are named
    for limits in ({f"{fresh}:1": 0, older: 1}, {older: 1, f"{fresh}:2": 0}):
        refused = limiter.hit(limits, 60)
        assert not refused.allowed and refused.retry_after == 61
    assert limiter.hit({older: 1}, 60).retry_after in (59, 60)  # alone, the older key's own wait


def test_a_forgiven_attempt_no_longer_counts(limiter: RateLimiter) -> None:
    run = uuid.uuid4().hex
    user, address = f"{run}:user:1", f"{run}:ip:a"
    first = limiter.hit({user: 2, address: 2}, 60)
    limiter.forgive([user, address], first.attempt)  # a login that succeeded
    assert [limiter.hit({user: 2, address: 2}, 60).allowed for _ in range(3)] == [True, True, False]
    limiter.forgive([address], "an attempt never made")  # nothing to take back: nothing changes
    refused = limiter.hit({address: 2}, 60)
    assert not refused.allowed
    limiter.forgive([address], refused.attempt)  # only that one attempt: the earlier ones still count
    assert not limiter.hit({address: 2}, 60).allowed


def test_redis_counters_expire(redis_url: str) -> None:
    """Counters do not outlive their window: Redis holds no key of an address that stopped asking."""
    key = f"test:{uuid.uuid4().hex}"
    RedisRateLimiter(redis_url).hit({key: 5}, 2)
    ttl = redis.Redis.from_url(redis_url).ttl(f"ipc:rl:{key}")
    assert 0 < ttl <= 3


def test_redis_counts_are_not_written_to_the_append_only_file(redis_url: str) -> None:
    """Our Redis fsyncs each write it logs (the task queue must survive a crash); a count must not
    pay for that, nor grow the log by one entry per request. (The log is the server's: a key that
    expires meanwhile, or the task queue, may add a few bytes; counts logged would add kilobytes.)"""
    client = redis.Redis.from_url(redis_url)
    assert client.info("persistence")["aof_enabled"] == 1  # scripts/services runs Redis with AOF on
    limiter = RedisRateLimiter(redis_url)
    key = f"test:{uuid.uuid4().hex}"
    before = client.info("persistence")["aof_current_size"]
    decisions = [limiter.hit({key: 50}, 60).allowed for _ in range(100)]
    counted = client.info("persistence")["aof_current_size"] - before
    assert decisions == [True] * 50 + [False] * 50  # counted all the same
    before = client.info("persistence")["aof_current_size"]
    for i in range(100):  # the same members written as ordinary, logged writes: the check can fail
        client.zadd(f"ipc:test:{key}", {uuid.uuid4().hex: i})
    client.expire(f"ipc:test:{key}", 5)
    logged = client.info("persistence")["aof_current_size"] - before
    assert logged > 4000 and counted < logged / 10, (counted, logged)
