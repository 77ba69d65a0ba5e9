"""core.text (names and descriptions without control or bidi characters) and core.ids (ids the
database can hold), at the boundary types themselves."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from core.ids import HUGE, INTEGER_MAX, DbId, parse_id, whole_number
from core.text import MultiLine, SingleLine

SINGLE = TypeAdapter(SingleLine)
MULTI = TypeAdapter(MultiLine)


@pytest.mark.parametrize("text", [
    "Alice", "李白", "O'Brien-Smith", "שלום\u200f", "مرحبا\u061c", "émile@example.org", "",
])
def test_names_people_write_pass(text: str) -> None:
    assert SINGLE.validate_python(text) == text == MULTI.validate_python(text)


@pytest.mark.parametrize("text,code", [
    ("a\x00b", "U+0000"), ("Eve\x1b[31m", "U+001B"), ("tab\there", "U+0009"), ("two\nlines", "U+000A"),
    ("del\x7f", "U+007F"), ("c1\x85", "U+0085"), ("c1\x9b", "U+009B"),
    ("Alice\u202efdp.exe", "U+202E"), ("x\u202ay", "U+202A"), ("x\u202dy", "U+202D"), ("x\u2066y", "U+2066"),
    ("x\u2069y", "U+2069"),
])
def test_a_single_line_refuses_controls_and_bidi_overrides_naming_them(text: str, code: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(code)):
        SINGLE.validate_python(text)


def test_multi_line_text_keeps_newlines_and_tabs_only() -> None:
    text = "first line\r\nsecond\tline\n"
    assert MULTI.validate_python(text) == text
    for bad in ("a\x00b", "a\x0bb", "a\x0cb", "a\x85b", "a\u202eb", "a\u2067b"):
        with pytest.raises(ValidationError, match="control character"):
            MULTI.validate_python(bad)


@pytest.mark.parametrize("value,ok", [(1, True), (INTEGER_MAX, True), (0, False), (-1, False),
                                      (INTEGER_MAX + 1, False), (22261074103, False), (2**64, False)])
def test_an_id_fits_postgresqls_integer(value: int, ok: bool) -> None:
    adapter = TypeAdapter(DbId)
    if ok:
        assert adapter.validate_python(value) == value
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)


@pytest.mark.parametrize("text,number,id_", [
    ("42", 42, 42), (" 7 ", 7, 7), ("", None, None), ("abc", None, None), ("²", None, None), ("٣", None, None),
    ("0", 0, None), ("22261074103", 22261074103, None), ("9" * 23, int("9" * 23), None), ("9" * 31, HUGE, None),
    ("9" * 5000, HUGE, None), ("0" * 40 + "12", 12, 12), ("-3", None, None), ("4.5", None, None),
])
def test_numbers_and_ids_typed_into_form_fields(text: str, number: int | None, id_: int | None) -> None:
    assert whole_number(text) == number
    assert parse_id(text) == id_
