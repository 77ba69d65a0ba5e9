"""The portal's languages: gettext catalogs (Babel) for Chinese and English, the choice of a
request's language, and dates and numbers formatted the way each language writes them."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from babel.core import negotiate_locale
from babel.dates import format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit

from core.countries import country_name
from core.i18n import SHOWN_ZONE, Language, babel_locale, written_day

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = Language.zh  # most of the platform's users read Chinese


@cache
def translations(lang: Language) -> NullTranslations:
    """The compiled catalog of ``lang`` (``make setup`` compiles the .po files)."""
    if lang is Language.en and not (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.mo").is_file():
        return NullTranslations()  # message ids are English
    loaded = Translations.load(str(LOCALE_DIR), [lang.value], domain="messages")
    if not isinstance(loaded, Translations):
        raise RuntimeError(f"no compiled catalog for {lang.value} under {LOCALE_DIR}: run `make setup`")
    return loaded


def from_accept_language(header: str | None) -> Language:
    """The best of our languages for an ``Accept-Language`` header (``zh-TW`` and ``zh-Hans`` are zh)."""
    chosen = negotiate_locale(preferred_languages(header), [lang.value for lang in Language])
    return Language(chosen) if chosen else DEFAULT


def preferred_languages(header: str | None) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``zh-CN;q=0.8`` is zh;
    ``*`` and refused ones, ``q=0``, left out)."""
    preferred: list[tuple[float, str]] = []
    for part in (header or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and tag != "*" and q > 0:
            preferred.append((q, tag.split("-")[0].lower()))
    return [t for _, t in sorted(preferred, key=lambda p: -p[0])]


def parse_language(value: str | None) -> Language | None:
    try:
        return Language(value) if value else None
    except ValueError:
        return None


@cache
def formatter(lang: Language) -> Formatter:
    return Formatter(lang)


class Formatter:
    """Dates and numbers in one language, for templates."""

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.locale = babel_locale(lang)
        # A Chinese reader takes a time for Beijing time; anyone else is told which zone it is in.
        self.zone = "" if lang is Language.zh else " (UTC+8)"

    def date(self, value: dt.date | str | None) -> str:
        """A day; a moment (a datetime, naive ones are UTC) is shown as its day in Beijing time, as
        ``datetime`` shows it: a list said 4 December for what its detail page said 5 December 04:50."""
        if not value:
            return ""
        if isinstance(value, dt.datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return written_day(moment.astimezone(SHOWN_ZONE).date(), self.lang)
        if isinstance(value, str):
            try:
                return written_day(dt.date.fromisoformat(value[:10]), self.lang)
            except ValueError:
                return value
        return written_day(value, self.lang)

    def datetime(self, value: dt.datetime | str | None) -> str:
        """In Beijing time, whatever zone the value carries (a naive one is UTC): the inbox kept UTC
        while an application's page, whose deadlines are Beijing's, showed the same event 8 h later.
        A string is an ISO 8601 time (a signed log entry's); one that is not is shown as it is."""
        if not value:
            return ""
        if isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
        else:
            moment = value
        return format_datetime(moment, format="medium", tzinfo=SHOWN_ZONE, locale=self.locale) + self.zone

    def deadline(self, value: dt.datetime | str | None) -> str:
        """A time limit that ends at 24:00 Beijing time is stored as the next day's 00:00; it is
        shown as the last day and 24:00, as time limits are written, not as a day later. A string
        is an ISO 8601 time (a notice's payload); one that is not is shown as it is."""
        if not value:
            return ""
        try:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        except ValueError:
            return str(value)
        local = moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(SHOWN_ZONE)
        if local.time() != dt.time():
            return self.datetime(moment)
        last_day = written_day(local.date() - dt.timedelta(days=1), self.lang)
        return f"{last_day}24时" if self.locale.language == "zh" else f"{last_day}, 24:00{self.zone}"  # as datetime()

    def number(self, value: float | int | None) -> str:
        return format_decimal(value, locale=self.locale) if value is not None else ""

    def country(self, code: str) -> str:
        return country_name(code, self.lang)

    def size(self, value: int) -> str:
        """A file's size in the locale's units ("17字节", "3.4 kB", "1.2 MB"): the hall said "17 B" where
        the registry said "98 字节"."""
        if value < 1000:  # CLDR's kB and MB are decimal: 1,000 and 1,000,000 bytes
            return format_unit(value, "digital-byte", length="long", locale=self.locale)
        unit, scaled = ("digital-kilobyte", value / 1e3) if value < 1e6 else ("digital-megabyte", value / 1e6)
        return format_unit(round(scaled, 1), unit, length="short", locale=self.locale)


def NP_(context: str, message: str) -> str:  # noqa: N802 - N_ with a message context (msgctxt)
    """Marks a message whose translation depends on where it is used ("Description" of a form is
    not a patent's 说明书); it is translated with ``pgettext(context, message)`` where shown."""
    return message


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a message for the catalogs where it is defined; it is translated where it is shown."""
    return message
