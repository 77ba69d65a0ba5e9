"""Highlights mark whole words whose analysed form is a query token, on the text as printed and
escaped. ASCII text takes a faster path (split in C, each distinct word analysed once, marks placed
by whole-word search): these cases pin what both paths must do."""

from __future__ import annotations

import pytest

from ipsearch.analysis import get_analyzer
from ipsearch.highlight import FRAGMENT, highlight


def marks(text: str, *tokens: str, fragment: bool = False) -> str | None:
    return highlight(text, set(tokens), get_analyzer(), fragment)


@pytest.mark.parametrize("text,tokens,expected", [
    ("Light emitting diodes", ("emit", "diode"), "Light <mark>emitting</mark> <mark>diodes</mark>"),
    # a token inside a longer word is not a match: "led" in "called", "cancelled"
    ("A so-called LED, cancelled", ("led",), "A so-called <mark>LED</mark>, cancelled"),
    # the same word twice in a row, and separated by punctuation and underscores
    ("LED LED;LED_led", ("led",), "<mark>LED</mark> <mark>LED</mark>;<mark>LED</mark>_<mark>led</mark>"),
    ("led", ("led",), "<mark>led</mark>"),
    ("stop words: the and of", ("the",), None),
    ("the and of", ("",), None),  # a stop word's token is "": never a mark
    ("nothing here", ("lamp",), None),
    ("<b>lamp</b> & lamps", ("lamp",), "&lt;b&gt;<mark>lamp</mark>&lt;/b&gt; &amp; <mark>lamps</mark>"),
    ("Lampe à LED", ("led",), "Lampe à <mark>LED</mark>"),  # not ASCII: the word-by-word path
    ("发光二极管 LED 灯", ("发光", "led"), "<mark>发光</mark>二极管 <mark>LED</mark> 灯"),
])
def test_whole_words_are_marked_and_the_rest_escaped(text: str, tokens: tuple[str, ...], expected: str | None) -> None:
    assert marks(text, *tokens) == expected


@pytest.mark.parametrize("filler", ["x ", "é "])  # the ASCII path and the other one
def test_a_fragment_shows_the_first_match_and_what_follows(filler: str) -> None:
    text = filler * 200 + "a lamp here " + "y " * 50 + "lamp " + "z " * 200 + "lamp end"
    shown = marks(text, "lamp", fragment=True)
    assert shown is not None and shown.startswith("…") and shown.endswith("…")
    assert shown.count("<mark>lamp</mark>") == 2  # the third is past the fragment
    assert len(shown.replace("<mark>", "").replace("</mark>", "")) <= FRAGMENT + 2
