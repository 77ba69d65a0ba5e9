"""Text people type that the platform keeps, shows to others and signs: names, titles, e-mail
addresses, descriptions.

A NUL or another control character, or a bidirectional override, stored in a name reaches pages,
e-mails and signed certificates: a NUL truncates it in C libraries (PostgreSQL refuses it outright,
a 500), and U+202E (right-to-left override) makes "Alice" U+202E "fdp.exe" read "Aliceexe.pdf". The two
types here refuse them at the boundary with a sentence (a 422 from the API, the form again on a
page):

- ``SingleLine``: a name, title or address: no C0 or C1 control at all (tab and newline included),
  no DEL, no bidi embedding, override or isolate (U+202A-U+202E, U+2066-U+2069).
- ``MultiLine``: a description, a note, a post: the same, but newline, carriage return and tab are
  kept (a browser sends a textarea's lines as CR LF).

The bidi *marks* (U+200E, U+200F, U+061C) stay allowed: right-to-left names need them and they
reorder nothing around them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from core.errors import InvalidInput

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_SINGLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_MULTI = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def refused_character(text: str, multi_line: bool = False) -> str | None:
    """The first character ``text`` may not hold, or None when it is clean."""
    found = (_MULTI if multi_line else _SINGLE).search(text)
    return None if found is None else found.group()


def _check(text: str, multi_line: bool) -> str:
    if (bad := refused_character(text, multi_line)) is not None:
        kind = "a control character" if ord(bad) < 0xA0 else "a bidirectional control character"
        raise ValueError(f"the text holds {kind} (U+{ord(bad):04X}); remove it and try again")
    return text


def clean_line(text: str) -> str:
    """``text`` unchanged, or InvalidInput: for a line that is not a model's field (the user name of
    a login form), which PostgreSQL would otherwise refuse with a 500 when it holds a NUL."""
    try:
        return _check(text, multi_line=False)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _single(text: str) -> str:
    return _check(text, multi_line=False)


def _multi(text: str) -> str:
    return _check(text, multi_line=True)


SingleLine = Annotated[str, AfterValidator(_single)]
MultiLine = Annotated[str, AfterValidator(_multi)]
