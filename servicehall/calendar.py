"""Chinese working days and the clocks counted in them.

Working days come from ``chinesecalendar`` (public holidays and the adjusted working weekends of
the State Council's yearly notice; version 1.11 knows 2004-2026). The notice for a year comes out
late in the year before, so a deadline may fall in a year the package does not know yet: there the
statutory holidays of the national holiday rules (全国年节及纪念日放假办法, as amended for 2025)
are kept off, their lunar dates from ``lunardate`` and Qingming from the solar terms, on
Monday-Friday; the weekends worked in their place are unknown until the notice, and
``known(year)`` says so, for the page to call such a deadline provisional, and for the sweep to
reschedule it once a newer package brings the notice (``servicehall.rescheduling``).

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
from lunardate import LunarDate

BEIJING = ZoneInfo("Asia/Shanghai")
DAY = 86_400.0


@lru_cache(maxsize=8192)
def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no schedule for yet
        return day.weekday() < 5 and day not in statutory_holidays(day.year)


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The days off the national holiday rules fix for ``year`` (from 2025 on): New Year's Day, the
    Spring Festival's eve and first three days, Qingming, 1-2 May, the Dragon Boat and Mid-Autumn
    festivals, 1-3 October, and for each that falls on a weekend the next free weekday (article 6:
    补假). The yearly notice adds bridging days and the weekends worked for them."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = next(day for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
                    if name == "清明")
    days = {dt.date(year, 1, 1), qingming, dt.date(year, 5, 1), dt.date(year, 5, 2),
            LunarDate(year, 5, 5).to_solar_date(), LunarDate(year, 8, 15).to_solar_date(),
            dt.date(year, 10, 1), dt.date(year, 10, 2), dt.date(year, 10, 3)}
    days.update(new_year + dt.timedelta(days=n) for n in range(-1, 3))
    for holiday in sorted(day for day in days if day.weekday() >= 5):
        make_up = holiday
        while make_up.weekday() >= 5 or make_up in days:
            make_up += dt.timedelta(days=1)
        days.add(make_up)
    return frozenset(days)


@lru_cache(maxsize=64)
def known(year: int) -> bool:
    """The package carries the official schedule for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def first_unknown_year(*moments: dt.datetime | None) -> int | None:
    """The first year ``moments`` (deadlines) reach without its official schedule, if any. A deadline
    at 24:00 on 31 December is stored as 00:00 of 1 January and reaches the next year only so."""
    years = sorted({(m - dt.timedelta(seconds=1)).astimezone(BEIJING).year for m in moments if m is not None})
    return next((year for year in years if not known(year)), None)


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


def end_of_date(day: dt.date) -> dt.datetime:
    """24:00 Beijing time of ``day``: a time limit that ends with it (stored as the next day's 00:00)."""
    return _local_midnight(day + dt.timedelta(days=1))


def end_of_day(moment: dt.datetime) -> dt.datetime:
    """24:00 Beijing time of the day ``moment`` falls in (``moment`` itself at 24:00, give or take
    the second a sum of float seconds may stray): a deadline is a day's end, never a time of day."""
    day = (moment - dt.timedelta(seconds=1)).astimezone(BEIJING).date()
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


def iso(moment: dt.datetime | None) -> str:
    """A moment as a notice's payload and an audit detail carry it (ISO 8601), "" for none."""
    return moment.isoformat() if moment else ""
