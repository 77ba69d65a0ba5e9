"""China's administrative divisions by their GB/T 2260 codes: one place, however it is written.

``广东``, ``广东省``, ``廣東``, ``Guangdong``, ``guangdong province``, ``粤``, ``GD`` and ``440000`` are all
the province 440000; ``深圳``, ``Shenzhen City`` and ``4403`` the prefecture-level city 440300. The table
(``gbt2260.json`` beside this module, its source recorded in the file) holds the 34 provincial-level
divisions and the 333 prefecture-level ones; county-level divisions are not in it.

``lookup`` answers ``None`` for a name it does not know (for statistics that count an "unknown" bucket);
``resolve`` raises ``InvalidInput`` saying what was not understood (for input a person typed).
A name that is both a province and a prefecture (``吉林``, ``海南``) means the province unless a level
or a province is given; a name shared by prefectures of two provinces (``Suzhou``, ``Taizhou``)
resolves only with its province.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import zhconv

from core.errors import InvalidInput

DATA_FILE = Path(__file__).with_name("gbt2260.json")
_ENGLISH_SUFFIXES = re.compile(
    r"(specialadministrativeregion|autonomousprefecture|autonomousregion|municipality|prefecture|province|"
    r"league|city|sar)$")
_DROP = re.compile(r"[\s'’`·.,_\-]+")


class Level(StrEnum):
    province = "province"
    prefecture = "prefecture"


@dataclass(frozen=True)
class Region:
    """One division: its 6-digit code, full and short Chinese names and its name in English."""

    code: str
    name_zh: str
    short_zh: str
    name_en: str

    @property
    def level(self) -> Level:
        return Level.province if self.code.endswith("0000") else Level.prefecture

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    def name(self, lang: str = "en") -> str:
        """The display name: the full Chinese name for ``zh``, else the English one."""
        return self.name_zh if lang.lower().startswith("zh") else self.name_en


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, Region]
    index: dict[str, tuple[Region, ...]]
    source: str


def key(text: str) -> str:
    """The form names are compared in: simplified Chinese, no case, spaces, apostrophes or English
    "Province"/"City"-style endings, ``ü`` as ``v``."""
    t = zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn").casefold().replace("ü", "v")
    t = _DROP.sub("", t)
    stripped = _ENGLISH_SUFFIXES.sub("", t)
    return stripped or t


@cache
def _table() -> _Table:
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    by_code: dict[str, Region] = {}
    index: dict[str, list[Region]] = {}
    for code, name_zh, short_zh, name_en, aliases in doc["divisions"]:
        region = Region(code=code, name_zh=name_zh, short_zh=short_zh, name_en=name_en)
        by_code[code] = region
        for name in {name_zh, short_zh, name_en, *aliases}:
            bucket = index.setdefault(key(name), [])
            if region not in bucket:
                bucket.append(region)
    return _Table(by_code, {k: tuple(v) for k, v in index.items()}, doc["source"])


def source() -> str:
    """Where the table's data comes from, as recorded in the data file."""
    return _table().source


def by_code(code: str) -> Region | None:
    """The division with this code; 2- and 4-digit prefixes (``44``, ``4403``) are padded with zeros."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6):
        return None
    return _table().by_code.get(code.ljust(6, "0"))


def provinces() -> list[Region]:
    return [r for r in _table().by_code.values() if r.level is Level.province]


def prefectures(province_code: str) -> list[Region]:
    """The prefecture-level divisions of a province, by code (none for Beijing, Shanghai, ...)."""
    return [r for r in _table().by_code.values()
            if r.level is Level.prefecture and r.province_code == province_code]


def candidates(text: str, level: Level | None = None, province: str | None = None) -> list[Region]:
    """Every division ``text`` may name, at ``level`` and inside the province coded ``province``."""
    found = by_code(text)
    matches = [found] if found is not None else list(_table().index.get(key(text), ()))
    if level is not None:
        matches = [r for r in matches if r.level is level]
    if province is not None:
        matches = [r for r in matches if r.province_code == province]
    return matches


def _pick(matches: list[Region]) -> Region | None:
    """One match; of a province and prefectures sharing a name, the province; else none."""
    if len(matches) == 1:
        return matches[0]
    top = [r for r in matches if r.level is Level.province]
    return top[0] if len(top) == 1 else None


def lookup(text: str, level: Level | None = None, province: str | None = None) -> Region | None:
    """The division ``text`` names, or ``None`` when it names none (or several equally)."""
    if not text or not text.strip():
        return None
    return _pick(candidates(text, level, province))


def resolve(text: str, level: Level | None = None, province: str | None = None) -> Region:
    """The division ``text`` names; ``InvalidInput`` saying why when it names none or several."""
    matches = candidates(text, level, province) if text and text.strip() else []
    found = _pick(matches)
    if found is not None:
        return found
    if matches:
        options = ", ".join(f"{r.name_zh} {r.code} ({_province_name(r)})" for r in matches)
        raise InvalidInput.said("%(name)s may be any of %(options)s: give its province or its code",
                                name=text.strip(), options=options)
    if level is Level.province:
        raise InvalidInput.said("unknown province %(name)s: give a GB/T 2260 name or code, such as 广东, 广东省, "
                                "Guangdong or 440000", name=repr(text.strip()))
    raise InvalidInput.said("unknown region %(name)s: give a GB/T 2260 name or code, such as 广东, 广东省, "
                            "Guangdong or 440000", name=repr(text.strip()))


def _province_name(region: Region) -> str:
    top = _table().by_code.get(region.province_code)
    return top.name_en if top is not None else region.province_code
