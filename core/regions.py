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

from core.errors import InvalidInput
from core.i18n import Quoted

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
    source_zh: str


def _simplified(text: str) -> str:
    """``text`` in simplified characters. zhconv is imported on first use: it loads its tables through
    pkg_resources, half a second that every process importing this module paid at start."""
    import zhconv

    return str(zhconv.convert(text, "zh-cn"))


def key(text: str) -> str:
    """The form names are compared in: simplified Chinese, no case, spaces, apostrophes or English
    "Province"/"City"-style endings, ``ü`` as ``v``."""
    t = _simplified(unicodedata.normalize("NFKC", text)).casefold().replace("ü", "v")
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
    return _Table(by_code, {k: tuple(v) for k, v in index.items()}, doc["source"], doc["source_zh"])


def source(lang: str = "en") -> str:
    """Where the table's data comes from, as recorded in the data file (in English or Chinese)."""
    return _table().source_zh if lang.startswith("zh") else _table().source


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
                                "Guangdong or 440000", name=Quoted(text.strip()))
    # regions go down to prefecture-level cities: 昆山 (a county-level city) is found as 苏州
    raise InvalidInput.said("unknown region %(name)s: give a province or a prefecture-level city, by name or code, "
                            "such as 广东, 深圳, Shenzhen or 440300 (for a county or district, its city)",
                            name=Quoted(text.strip()))


def _province_name(region: Region) -> str:
    """Both names (the refusal is read in Chinese and in English; its options are not translated)."""
    top = _table().by_code.get(region.province_code)
    return f"{top.name_zh} {top.name_en}" if top is not None else region.province_code


# Countries whose owners are placed in a division: China, and its regions where data codes them apart.
_COUNTRY_DIVISION = {"CN": None, "TW": "710000", "HK": "810000", "MO": "820000"}
_LONGEST_NAME = 12  # characters: 新疆维吾尔自治区 (8), 黔东南苗族侗族自治州 (10), with room
_PLACEHOLDERS = {"", "0", "-", "无", "none", "n/a"}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_HAN_LEAD = re.compile(r"^[^\u4e00-\u9fff]+|\s+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _prefix_match(text: str, level: Level, province: str | None = None) -> tuple[Region, int] | None:
    """The division whose Chinese name starts ``text`` (the longest such name) and the length it took."""
    for n in range(min(len(text), _LONGEST_NAME), 1, -1):
        found = lookup(text[:n], level, province)
        if found is not None:
            return found, n
    return None


def _in_chinese(text: str) -> Region | None:
    t = _simplified(_NOT_HAN_LEAD.sub("", text)).removeprefix("中华人民共和国").removeprefix("中国")
    head = _prefix_match(t, Level.province)
    if head is None:
        city = _prefix_match(t, Level.prefecture)
        return city[0] if city else None
    province, used = head
    city = _prefix_match(t[used:], Level.prefecture, province.code)
    return city[0] if city else province


def _in_latin(text: str) -> Region | None:
    """Names of three letters or more, one or two words (``Inner Mongolia``): two-letter province
    codes and street words are not read as places (``Hi-tech Zone`` is not Hainan, ``HI``)."""
    words = [w for w in _WORD.findall(text) if len(w) >= 3]
    grams = [" ".join(words[i:i + 2]) for i in range(len(words) - 1)] + words
    top = next((r for g in reversed(grams) if (r := lookup(g, Level.province)) is not None), None)
    inner = next((r for g in grams if (r := lookup(g, Level.prefecture, top.code if top else None))), None)
    return inner or top


def in_address(text: str) -> Region | None:
    """The most precise division an address names: ``650231 云南省昆明市五华区...`` is 昆明市,
    ``北京市海淀区`` is 北京市, ``深圳市福田区`` is 深圳市 (its province implied by the code), and
    ``Hi-tech Zone, Chengdu Sichuan 611731`` is 成都市. Postal codes and other digits are never read as
    division codes. ``None`` when no division is named."""
    t = _DIGITS.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()
    if not t:
        return None
    return _in_chinese(t) if _HAN.search(t) else _in_latin(t)


def place(country: str | None, province: str | None = None, city: str | None = None,
          address: str | None = None) -> Region | None:
    """The GB/T 2260 division of a party from its address parts: the most precise one they name
    consistently (a city inside the named province), or the province alone.

    Parties of other countries have none (a US "state" is not a province: ``HI`` is Hawaii there,
    not Hainan); without a country only names in Chinese script count. Placeholder values such as
    CNIPA's ``0`` are no place."""
    code = (country or "").strip().upper() or None
    if code is not None and code not in _COUNTRY_DIVISION:
        return None
    fixed = _COUNTRY_DIVISION.get(code or "")
    if fixed is not None:
        return by_code(fixed)
    parts = [None if (v or "").strip().casefold() in _PLACEHOLDERS else v for v in (province, city, address)]
    if code is None:
        parts = [v if v and _HAN.search(v) else None for v in parts]
    province, city, address = parts
    top = lookup(province, Level.province) if province else None
    if city:
        inner = lookup(city, Level.prefecture, top.code if top else None) or in_address(city)
        if inner is not None and (top is None or inner.province_code == top.code):
            return inner
    if top is not None:
        return top
    return in_address(address) if address else None


def with_province(region: Region) -> list[Region]:
    """The division and, for a prefecture, its province: what a document is counted under."""
    top = by_code(region.province_code)
    return [region] if top is None or top == region else [top, region]
