"""IPC expertise at subclass level: an agency works in ``H04W`` (wireless networks), not in ``H``.

An agency's expertise is a list of subclasses (section letter, two-digit class, subclass letter). A
question may be broader (``H``, ``H04``) or narrower (``H04W 4/00``: read as its subclass ``H04W``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.errors import InvalidInput
from core.i18n import Quoted

_SYMBOL = re.compile(r"^([A-H])(?:(\d{2})(?:([A-Z])(?:\d{1,4}(?:/\d{1,6})?)?)?)?$")


class IPCLevel(StrEnum):
    section = "section"
    class_ = "class"
    subclass = "subclass"


@dataclass(frozen=True)
class IPCPrefix:
    """What a person asked about: a section (``H``), a class (``H04``) or a subclass (``H04W``)."""

    code: str

    @property
    def level(self) -> IPCLevel:
        return {1: IPCLevel.section, 3: IPCLevel.class_}.get(len(self.code), IPCLevel.subclass)

    def covers(self, subclass: str) -> bool:
        return subclass.startswith(self.code)


def parse(text: str) -> IPCPrefix:
    """The section, class or subclass ``text`` names (a group or subgroup is read as its subclass)."""
    match = _SYMBOL.match(re.sub(r"\s+", "", text).upper())
    if match is None:
        raise InvalidInput.said("not an IPC symbol: %(text)s (a subclass looks like H04W)", text=Quoted(text))
    return IPCPrefix("".join(part for part in match.groups() if part))


def subclass(text: str) -> str:
    """The subclass ``text`` names; a section or class alone is too broad to describe expertise."""
    prefix = parse(text)
    if prefix.level is IPCLevel.section:
        raise InvalidInput.said("IPC expertise is given by subclass, such as H04W: %(code)s is a whole section",
                                code=prefix.code)
    if prefix.level is IPCLevel.class_:
        raise InvalidInput.said("IPC expertise is given by subclass, such as H04W: %(code)s is a whole class",
                                code=prefix.code)
    return prefix.code


def subclasses(items: Iterable[str]) -> list[str]:
    """The subclasses of ``items``, sorted and without repeats; blank items are skipped."""
    return sorted({subclass(item) for item in items if item.strip()})


def sections(codes: Iterable[str]) -> list[str]:
    return sorted({code[:1] for code in codes if code})
