"""How pages format what they show: every time in Beijing time, whatever zone it was stored in,
and said to be for a reader of English."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from api.i18n import formatter
from core.i18n import Language


def test_every_time_is_shown_in_beijing_time() -> None:
    """An inbox message (stored in UTC) and the application it is about (Beijing deadlines) show
    the same moment the same way."""
    utc = dt.datetime(2026, 12, 4, 9, 35, 21, tzinfo=dt.UTC)
    same_moment = [utc, utc.astimezone(ZoneInfo("Asia/Shanghai")), utc.replace(tzinfo=None)]  # naive is UTC
    assert {formatter(Language.zh).datetime(t) for t in same_moment} == {"2026年12月4日 17:35:21"}
    assert {formatter(Language.en).datetime(t) for t in same_moment} == {"4 Dec 2026, 17:35:21 (UTC+8)"}
    assert formatter(Language.zh).datetime(None) == ""
    logged = "2026-12-04T09:35:21Z"  # a log entry's time
    assert formatter(Language.en).datetime(logged) == "4 Dec 2026, 17:35:21 (UTC+8)"
    assert formatter(Language.en).datetime("not a time") == "not a time"


def test_a_time_limit_ends_at_24_00_of_its_last_day() -> None:
    """A deadline stored as 00:00 Beijing time of the next day reads as the last day at 24:00."""
    end_of_9_october = dt.datetime(2026, 10, 9, 16, 0, tzinfo=dt.UTC)  # 2026-10-10 00:00 in Beijing
    assert formatter(Language.zh).deadline(end_of_9_october) == "2026年10月9日24时"  # as Chinese notices write it
    assert formatter(Language.en).deadline(end_of_9_october) == "9 Oct 2026, 24:00 (UTC+8)"
    assert formatter(Language.zh).deadline(end_of_9_october + dt.timedelta(hours=3)) == "2026年10月10日 03:00:00"
    assert formatter(Language.zh).deadline(None) == ""


def test_the_day_of_a_moment_is_its_day_in_beijing() -> None:
    """A list shows a registration's day, its page the time: both in Beijing time."""
    late_utc = dt.datetime(2026, 12, 4, 20, 50, tzinfo=dt.UTC)  # 5 December, 04:50 in Beijing
    zh, en = formatter(Language.zh), formatter(Language.en)
    assert zh.date(late_utc) == "2026年12月5日" and zh.datetime(late_utc).startswith("2026年12月5日")
    assert zh.date(late_utc.replace(tzinfo=None)) == "2026年12月5日"  # a naive moment is UTC
    assert en.date(dt.date(2026, 12, 4)) == "4 Dec 2026"  # a day stays the day it is


def test_file_sizes_in_each_languages_units() -> None:
    zh, en = formatter(Language.zh), formatter(Language.en)
    assert [zh.size(n) for n in (17, 3_500, 5 * 1024 ** 2)] == ["17字节", "3.5 kB", "5.2 MB"]
    assert [en.size(n) for n in (1, 17, 999, 1000)] == ["1 byte", "17 bytes", "999 bytes", "1 kB"]
