"""The languages the platform speaks, and the clock it shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from babel import Locale

SHOWN_ZONE = ZoneInfo("Asia/Shanghai")  # every time shown to a reader, on a page or in a report, is Beijing time


def shown_day(at: datetime) -> date:
    """The day a moment falls on as the pages show it (Beijing): 20:00 UTC is the next day there."""
    return at.astimezone(SHOWN_ZONE).date()


def shown_today(now: datetime | None = None) -> date:
    """Today as the pages show dates (Beijing): the server's UTC day is still yesterday before 08:00."""
    return shown_day(now or datetime.now(UTC))


class Language(StrEnum):
    en = "en"
    zh = "zh"


BABEL_LOCALES = {Language.zh: "zh_Hans_CN", Language.en: "en_GB"}  # CLDR's names, numbers and dates per language


@cache
def babel_locale(lang: Language) -> Locale:
    """CLDR's data for ``lang`` (Babel's, imported on first use: most processes never write a date)."""
    from babel import Locale

    return Locale.parse(BABEL_LOCALES[lang])


def written_day(day: date, lang: Language) -> str:
    """A day as the pages write it in ``lang``: CLDR's medium date (2026年12月7日, 7 Dec 2026)."""
    from babel.dates import format_date

    return str(format_date(day, format="medium", locale=babel_locale(lang)))


class Named(NamedTuple):
    """A name stored in both languages, such as a service's form label: a refusal naming it shows
    the reader's (``IPCommonsError.in_words``); as plain text it is the English one."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en

    def in_language(self, lang: Language) -> str:
        return self.zh if lang is Language.zh else self.en


class Quoted(str):
    """What a person typed, quoted in a refusal: 'Atlantis' in English (as ``repr`` quotes it, control
    characters escaped), “火星” in Chinese (``IPCommonsError.in_words``); as plain text, the English."""

    __slots__ = ()

    def __str__(self) -> str:
        return repr(str.__str__(self))

    def in_language(self, lang: Language) -> str:
        quoted = str(self)
        return f"“{quoted[1:-1]}”" if lang is Language.zh else quoted


class Day(str):
    """A date named in a refusal: ISO 8601 as plain text (what an API client reads and parses), the
    reader's own way on a page (2026年1月1日, 1 Jan 2026), as the page's dates are written."""

    __slots__ = ()

    def __new__(cls, day: date) -> Day:
        return super().__new__(cls, day.isoformat())

    def __getnewargs__(self) -> tuple[date]:  # type: ignore[override]  # copied and pickled as a date (str gives text)
        return (date.fromisoformat(self),)

    def in_language(self, lang: Language) -> str:
        return written_day(date.fromisoformat(self), lang)


# How each language separates the items of a list: "US1, US2", "US1、US2".
LIST_SEPARATORS = {Language.zh: "、", Language.en: ", "}


class Listed(str):
    """Values named together in a refusal (publication numbers, codes, names typed): joined with
    ", " as plain text (API problems, logs) and on English pages, with 、 on Chinese ones, where
    "US1, US2" read as English punctuation inside a Chinese sentence."""

    items: tuple[str, ...]

    def __new__(cls, items: Iterable[object]) -> Listed:
        values = tuple(str(item) for item in items)
        listed = super().__new__(cls, LIST_SEPARATORS[Language.en].join(values))
        listed.items = values
        return listed

    def __getnewargs__(self) -> tuple[tuple[str, ...]]:  # type: ignore[override]  # copied and pickled whole
        return (self.items,)

    def in_language(self, lang: Language) -> str:
        return LIST_SEPARATORS[lang].join(self.items)


class Term(str):
    """A code whose words are in the catalogs (a status, an action, a role): a refusal naming it
    shows the reader's word (``IPCommonsError.in_words``), not "completed" on a Chinese page."""

    __slots__ = ()

    @property
    def words(self) -> str:
        """The catalog entry that words the code: the code itself."""
        return str(self)


class WordedTerm(Term):
    """A code worded by another catalog entry where it is used: the API's action ``reject`` is
    不予受理 at acceptance and 不予批准 at approval."""

    _words: str

    def __new__(cls, code: str, words: str) -> WordedTerm:
        made = super().__new__(cls, code)
        made._words = words
        return made

    @property
    def words(self) -> str:
        return self._words

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # copied and pickled whole (str gives one)
        return str(self), self._words
