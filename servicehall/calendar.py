"""Chinese working days and the clocks counted in them.

Working days come from ``chinesecalendar`` (public holidays and the adjusted working weekends of
the State Council's yearly notice; version 1.11 knows 2004-2026). A year it does not know yet falls
back to Monday-Friday, and ``known(year)`` says so.

Time is counted in *working seconds*: every second of a working day in Beijing time counts, no
second of a holiday or weekend does. A step promised N working days ends at 24:00 of the N-th
working day after the day it started (the starting day is not counted, as in administrative
time limits); its budget is the working seconds from the start to that moment. A paused clock
keeps what it used and runs on from the moment it resumes.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = 86_400.0


@lru_cache(maxsize=8192)
def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no schedule for: weekdays
        return day.weekday() < 5


def known(year: int) -> bool:
    """The package carries the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), BEIJING).astimezone(dt.UTC)


def end_of_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """24:00 Beijing time of the ``days``-th working day after the day of ``start``."""
    day = start.astimezone(BEIJING).date()
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += is_working_day(day)
    return _local_midnight(day + dt.timedelta(days=1))


def working_seconds(a: dt.datetime, b: dt.datetime) -> float:
    """The working seconds between ``a`` and ``b`` (0 if ``b`` is not after ``a``)."""
    if b <= a:
        return 0.0
    total = 0.0
    day = a.astimezone(BEIJING).date()
    while True:
        lo, hi = _local_midnight(day), _local_midnight(day + dt.timedelta(days=1))
        if lo >= b:
            return total
        if is_working_day(day):
            total += (min(hi, b) - max(lo, a)).total_seconds()
        day += dt.timedelta(days=1)


def add_working_seconds(start: dt.datetime, seconds: float) -> dt.datetime:
    """The moment ``seconds`` working seconds after ``start``."""
    left = max(seconds, 0.0)
    day = start.astimezone(BEIJING).date()
    at = start
    while True:
        hi = _local_midnight(day + dt.timedelta(days=1))
        if is_working_day(day):
            room = (hi - at).total_seconds()
            if left <= room:
                return at + dt.timedelta(seconds=left)
            left -= room
        day += dt.timedelta(days=1)
        at = hi
