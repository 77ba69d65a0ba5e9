"""``written_one_ahead``: a load makes the next batch while the previous one is being written,
with one batch in flight, outcomes in order, and every confirmed outcome given before an error."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ipsearch.backends.base import WriteOutcome, written_one_ahead


class Writer:
    """Records what it was given; the first batch waits until the caller made the second."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.second_batch_started = threading.Event()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def write_batch(self, batch: list[int]) -> list[WriteOutcome]:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if not self.batches:
            # Written one batch ahead, the caller makes item 3 (the second batch) meanwhile.
            assert self.second_batch_started.wait(timeout=30), "the next batch was not made during the write"
        self.batches.append(batch)
        with self.lock:
            self.in_flight -= 1
        return [WriteOutcome(tag=i, ok=True) for i in batch]

    def items(self, n: int, fail_at: int | None = None) -> Iterator[int]:
        for i in range(n):
            if i == 3:
                self.second_batch_started.set()
            if i == fail_at:
                raise OSError("the file could not be read on")
            yield i


def test_the_next_batch_is_made_while_one_is_written_and_outcomes_keep_their_order() -> None:
    writer = Writer()
    outcomes = list(written_one_ahead(writer.items(8), 3, writer.write_batch))
    assert [o.tag for o in outcomes] == list(range(8))
    assert writer.batches == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert writer.most_in_flight == 1  # each batch is written after the previous one is confirmed


def test_a_failure_making_a_batch_still_gives_the_outcomes_of_the_batch_in_flight() -> None:
    writer = Writer()
    given: list[int] = []
    with pytest.raises(OSError, match="could not be read on"):
        for outcome in written_one_ahead(writer.items(8, fail_at=4), 3, writer.write_batch):
            given.append(outcome.tag)
    assert given == [0, 1, 2]  # confirmed before the error: the journal keeps them
    assert writer.batches == [[0, 1, 2]]


def test_a_failed_write_reaches_the_caller() -> None:
    def refuse(batch: list[int]) -> list[WriteOutcome]:
        raise ConnectionError("the node went away")

    with pytest.raises(ConnectionError, match="went away"):
        list(written_one_ahead(range(5), 2, refuse))


def test_leaving_early_waits_for_the_batch_in_flight() -> None:
    writer = Writer()
    writer.second_batch_started.set()
    release, finished = threading.Event(), threading.Event()

    def slow(batch: list[int]) -> list[WriteOutcome]:
        if batch[0] == 3:  # the second batch is still being written when the caller leaves
            release.wait(timeout=30)
            finished.set()
        return writer.write_batch(batch)

    outcomes = written_one_ahead(writer.items(9), 3, slow)
    next(outcomes)  # the first batch is confirmed, the second is in flight
    threading.Timer(0.2, release.set).start()
    outcomes.close()
    assert finished.is_set()  # no request outlives the load
