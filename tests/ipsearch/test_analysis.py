"""What the analyzer makes of words people and offices write: the same token for a word in an
upper-case title as in running text, and acronyms left as they are."""

from __future__ import annotations

import pytest

from ipsearch.analysis import FULL_WIDTH, get_analyzer


@pytest.mark.parametrize("upper,lower", [
    # EP (and many other) titles are upper case: their words must meet the same query words
    ("METHOD FOR DETECTING BASOPHIL ACTIVATION", "method for detecting basophil activation"),
    ("WEB COVERS FOR CONVEYOR SCREENS", "web covers for conveyor screens"),
    ("TUMORS", "tumors"),
    ("FLOORING", "flooring"),
    ("DRAMS AND SENSORS", "drams and sensors"),
    ("BRAKE PADS AND THEIR USES", "brake pads and their uses"),
    ("KEYS, ARMS AND RODS", "keys, arms and rods"),
])
def test_an_upper_case_title_has_the_tokens_of_its_words(upper: str, lower: str) -> None:
    analyzer = get_analyzer()
    assert analyzer.tokens(upper) == analyzer.tokens(lower) == analyzer.tokens(upper.title())


@pytest.mark.parametrize("acronym,token", [
    ("LED", "led"), ("LEDS", "led"), ("GPS", "gps"), ("ICS", "ic"), ("CPUS", "cpu"), ("MEMS", "mems"),
    ("SMS", "sms"), ("IOS", "ios"), ("ABS", "abs"), ("UPS", "ups"), ("IDS", "ids"), ("BPS", "bps"),
    ("BIOS", "bios"), ("PACS", "pacs"), ("ETCS", "etcs"), ("MOPS", "mops"), ("SAW", "saw"), ("FED", "fed"),
])
def test_acronyms_are_not_read_as_english_words(acronym: str, token: str) -> None:
    assert get_analyzer().tokens(acronym) == [token]


def test_full_width_forms_are_read_as_the_characters_they_stand_for() -> None:
    """Japanese documents and Chinese input methods write ＣＰＵ and １２３: the same tokens as CPU and 123."""
    analyzer = get_analyzer()
    assert analyzer.tokens("前記ＣＰＵは１２３個のＬＥＤｓ") == analyzer.tokens("前記CPUは123個のLEDs")
    assert [t for _, _, t in analyzer.token_spans("ＬＥＤ灯")] == ["led", "灯"]


@pytest.mark.parametrize("plural,word", [("bases", "base"), ("leaves", "leaf"), ("halves", "half"),
                                         ("shelves", "shelf"), ("BASES", "base"), ("Leaves", "leaf")])
def test_plurals_of_technical_nouns_meet_their_singular(plural: str, word: str) -> None:
    """Mould halves, door leaves, substrate bases: spaCy's table reads them as halve, leave, basis."""
    analyzer = get_analyzer()
    assert analyzer.tokens(plural) == analyzer.tokens(word) == [word]


@pytest.mark.parametrize("plural,singular", [("GPUs", "GPU"), ("FPGAs", "FPGA"), ("MOSFETs", "MOSFET"),
                                             ("ASICs", "asic"), ("IDs", "ID"), ("ＧＰＵｓ", "gpu")])
def test_an_acronyms_plural_meets_its_singular(plural: str, singular: str) -> None:
    analyzer = get_analyzer()
    assert analyzer.tokens(plural) == analyzer.tokens(singular) == [singular.translate(FULL_WIDTH).lower()]
