"""Highlights mark whole words whose analysed form is a query token, and phrases only where their
words follow each other, on the text as printed and escaped. ASCII text takes a faster path (split
in C, each distinct word analysed once, marks placed by whole-word search): these cases pin what
both paths must do."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsearch.analysis import Analyzer, get_analyzer
from ipsearch.highlight import FRAGMENT, Marks, _ascii_marks, _phrase_spans, highlight
from loaders.reader import Parsed, read_source
from loaders.sources import expand


def marks(text: str, *tokens: str, fragment: bool = False) -> str | None:
    return highlight(text, Marks(words=frozenset(tokens)), get_analyzer(), fragment)


def phrase_marks(text: str, *phrases: tuple[str, ...], words: tuple[str, ...] = (),
                 fragment: bool = False) -> str | None:
    return highlight(text, Marks(frozenset(words), frozenset(phrases)), get_analyzer(), fragment)


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
    # a Latin token inside a CJK run, in any case or width
    ("抗HEPCIDIN抗体，人hepcidin", ("hepcidin",), "抗<mark>HEPCIDIN</mark>抗体，人<mark>hepcidin</mark>"),
    ("前記ＣＰＵは", ("cpu",), "前記<mark>ＣＰＵ</mark>は"),
    ("一种PLEDGE装置采用ICELAND", ("led", "ic"), None),  # whole words only, inside a CJK run too
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


def test_a_fragment_starts_and_ends_with_whole_words() -> None:
    text = "preamble " * 30 + "an interior region holds the lamp " + "surrounding " * 40
    shown = marks(text, "lamp", fragment=True)
    assert shown is not None and shown.startswith("…preamble ") and shown.endswith(" surrounding…")


@pytest.mark.parametrize("text,phrases,words,expected", [
    # the phrase where its words stand together, not each word wherever it is
    ("A base station near the base plate", (("base", "station"),), (),
     "A <mark>base station</mark> near the base plate"),
    # the index gives stop words no position: "base of station" is the phrase's match too
    ("base of station", (("base", "station"),), (), "<mark>base of station</mark>"),
    # punctuation between the words (the analyzer splits there too); analysed forms ("emitting" -> "emit")
    ("Light-emitting diodes; light, emitting", (("light", "emit", "diode"),), (),
     "<mark>Light-emitting diodes</mark>; light, emitting"),
    ("no phrase: station base", (("base", "station"),), (), None),
    # a word searched alone is still marked; inside the phrase the longer mark wins
    ("base station, base", (("base", "station"),), ("base",), "<mark>base station</mark>, <mark>base</mark>"),
    # not ASCII: the word-by-word path; a CJK run breaks a Latin phrase
    ("Café lamp of LED, LED lamp", (("lamp", "led"),), (), "Café <mark>lamp of LED</mark>, LED lamp"),
    ("base 基站 station", (("base", "station"),), (), None),
    # CJK phrases: the tokens' concatenation, as written without spaces
    # (the analyzer drops 的 as the index did, so "发光的二极管" is the phrase too)
    ("一种发光二极管，发光的二极管", (("发光", "二极管"),), (),
     "一种<mark>发光二极管</mark>，<mark>发光的二极管</mark>"),
    ("发光元件和二极管", (("发光", "二极管"),), (), None),
    # Latin and CJK in one phrase: the text after the Latin word is analysed as the index did
    ("LED灯和 LED 灯, LEDs灯", (("led", "灯"),), (), "<mark>LED灯</mark>和 <mark>LED 灯</mark>, <mark>LEDs灯</mark>"),
    ("white LED灯", (("white", "led"),), (), "<mark>white LED</mark>灯"),
    ("<i>base station</i>", (("base", "station"),), (), "&lt;i&gt;<mark>base station</mark>&lt;/i&gt;"),
])
def test_phrases_are_marked_where_their_words_follow_each_other(
        text: str, phrases: tuple[tuple[str, ...], ...], words: tuple[str, ...], expected: str | None) -> None:
    assert phrase_marks(text, *phrases, words=words) == expected


def test_a_fragment_starts_at_the_first_phrase() -> None:
    text = "x " * 300 + "a base station " + "y " * 300 + "base"
    shown = phrase_marks(text, ("base", "station"), words=("base",), fragment=True)
    assert shown is not None and "<mark>base station</mark>" in shown and shown.count("<mark>") == 1


def _spans_of(analyzer: Analyzer, text: str, phrases: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    """The reference: the phrase's tokens in a row in the analysis of the whole text."""
    runs = analyzer.token_spans(text)
    tokens = [t for _, _, t in runs]
    return sorted((runs[i][0], runs[i + len(p) - 1][1]) for p in phrases for i in range(len(runs))
                  if tuple(tokens[i:i + len(p)]) == p)


def _own_phrases(analyzer: Analyzer, text: str) -> set[tuple[str, ...]]:
    """Phrases made of the text's own tokens in a row (most are found) and two apart (most are not)."""
    tokens = analyzer.tokens(text)
    phrases = {tuple(tokens[i:i + n]) for n in (2, 3) for i in range(0, len(tokens) - n, 7)}
    return phrases | {(tokens[i], tokens[i + 2]) for i in range(0, len(tokens) - 3, 11)}


@pytest.fixture(scope="module")
def titles_and_abstracts(shared_data_dir: Path) -> list[str]:
    return [t.text for src in expand([shared_data_dir / "patents"]) for item in read_source(src)
            if isinstance(item, Parsed) for t in (*item.doc.titles, *item.doc.abstracts)]


def test_phrases_are_found_where_the_analysis_of_the_whole_text_has_them(titles_and_abstracts: list[str]) -> None:
    """Every title and abstract of the real corpus. ASCII text, by its own path and by the general
    one: exactly the reference. Other text: the reference but for a few CJK spans, as jieba cuts
    a few characters read alone otherwise than within their whole run (8 of 1,233 spans here:
    2 more, 6 fewer, all with stop words or punctuation inside the phrase)."""
    analyzer = get_analyzer()
    found, differ = {"ascii": 0, "other": 0}, 0
    for text in titles_and_abstracts:
        phrases = _own_phrases(analyzer, text)
        if not phrases:
            continue
        expected = _spans_of(analyzer, text, phrases)
        general = _phrase_spans(text, phrases, analyzer)
        if text.isascii():
            assert sorted(_ascii_marks(text, Marks(phrases=frozenset(phrases)), analyzer)) == expected, text
            assert sorted(general) == expected, text
        else:
            differ += len(set(general) ^ set(expected))
        found["ascii" if text.isascii() else "other"] += len(expected)
    assert found["ascii"] > 1000 and found["other"] > 1000, found
    assert differ <= found["other"] // 100, differ


def test_a_phrase_of_one_token_is_refused() -> None:
    with pytest.raises(ValueError, match="two tokens"):
        Marks(phrases=frozenset({("base",)}))


def test_a_cjk_fragment_is_not_cut_to_the_spaces_around_a_latin_word() -> None:
    text = "本发明" * 60 + "包括 LED 光源" + "本发明" * 60
    shown = marks(text, "led", fragment=True)
    assert shown is not None and "<mark>LED</mark>" in shown
    assert len(shown.replace("<mark>", "").replace("</mark>", "")) == FRAGMENT + 2  # its full width, "…" twice
