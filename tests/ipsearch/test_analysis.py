"""What the analyzer makes of words people and offices write: the same token for a word in an
upper-case title as in running text, and acronyms left as they are."""

from __future__ import annotations

import subprocess
import sys

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


@pytest.mark.parametrize("text,tokens", [
    ("a miter saw", ["miter", "saw"]), ("saws", ["saw"]), ("a paper feed roller", ["paper", "feed", "roller"]),
    ("fed", ["feed"]), ("the upper left corner", ["upper", "left", "corner"]), ("a ground plane", ["ground", "plane"]),
    ("grounded", ["ground"]), ("a vertical bore", ["vertical", "bore"]), ("bores", ["bore"]),
    ("a wheel spoke", ["wheel", "spoke"]), ("spokes", ["spoke"]), ("a felt pad", ["felt", "pad"]),
])
def test_nouns_that_look_like_past_tenses_keep_their_meaning(text: str, tokens: list[str]) -> None:
    """spaCy's table reads saw, left, ground, bore, spoke and felt as past tenses (of see, leave,
    grind, bear, speak, feel), and feed as the plural of fee; the real corpus means the nouns."""
    assert get_analyzer().tokens(text) == tokens


@pytest.mark.parametrize("plural,singular", [("housings", "housing"), ("bearings", "bearing"),
                                             ("coatings", "coating"), ("Openings", "opening"),
                                             ("FITTINGS", "fitting"), ("forgings", "forging")])
def test_an_ing_nouns_plural_meets_its_singular(plural: str, singular: str) -> None:
    """The table reads "housing" as a form of house but "housings" as the plural of housing: a
    search for one missed documents that only wrote the other."""
    analyzer = get_analyzer()
    assert analyzer.tokens(plural) == analyzer.tokens(singular) != [singular]


@pytest.mark.parametrize("word", ["things", "strings", "springs", "rings", "beings"])
def test_plurals_of_other_ing_words_are_left_as_they_were(word: str) -> None:
    assert get_analyzer().tokens(word) == [word[:-1]]


@pytest.mark.parametrize("text,tokens", [
    ("a side wall", ["side", "wall"]), ("the top cover", ["top", "cover"]), ("the bottom", ["bottom"]),
    ("a three phase motor", ["three", "phase", "motor"]), ("between the plates", ["between", "plate"]),
    ("a full bridge", ["full", "bridge"]), ("the front panel", ["front", "panel"]),
    ("which is used in the device", ["device"]),  # function words and boilerplate verbs still go
])
def test_words_that_place_or_count_parts_are_searched(text: str, tokens: list[str]) -> None:
    """spaCy's prose stop list dropped top, bottom, side, front, between, three and full: a search
    for a "side wall" was a search for any wall, and TI=bottom had nothing to search."""
    assert get_analyzer().tokens(text) == tokens


@pytest.mark.parametrize("plural,singular", [
    ("workpieces", "workpiece"), ("silanes", "silane"), ("guidewires", "guidewire"), ("nonwovens", "nonwoven"),
    ("parallaxes", "parallax"), ("subclasses", "subclass"), ("cannulas", "cannula"), ("steerings", "steering"),
    ("numbers", "number"), ("bits", "bit"), ("buffers", "buffer"), ("matters", "matter"), ("spans", "span"),
    ("phases", "phase"), ("masses", "mass"), ("criteria", "criterion"), ("overlays", "overlay"),
])
def test_a_plural_meets_its_singular(plural: str, singular: str) -> None:
    """The lemma table knows dictionary words: a technical noun's plural stayed plural, and some
    singulars were read as other words (number as numb, bit as bite, buffer as buff, phases as
    phasis), so a search for the singular missed documents that wrote the plural."""
    analyzer = get_analyzer()
    assert analyzer.tokens(plural) == analyzer.tokens(singular)


@pytest.mark.parametrize("word", ["hydrolysis", "chassis", "thrombus", "wireless", "stainless", "cmos", "mems",
                                  "lens", "chaos"])
def test_words_ending_in_s_that_are_not_plurals_keep_it(word: str) -> None:
    assert get_analyzer().tokens(word) == [word]


@pytest.mark.parametrize("word,acronym", [("ai", "AI"), ("d", "D"), ("m", "M"), ("ok", "OK")])
def test_two_letter_words_are_not_lemmatised(word: str, acronym: str) -> None:
    """The table read ai and d as have, m as be: a lower-case search for ai missed every AI."""
    analyzer = get_analyzer()
    assert analyzer.tokens(word) == analyzer.tokens(acronym) == [word]


@pytest.mark.parametrize("word", ["first", "second", "third", "fifth", "twentieth"])
def test_ordinals_are_words_not_numbers(word: str) -> None:
    """The table reads first as 1: searched, "first" matched every FIG. 1 and reference numeral 1."""
    analyzer = get_analyzer()
    assert analyzer.tokens(word) == [word] and analyzer.tokens(f"FIG. 1 {word}") == ["fig", "1", word]


def test_inflection_token_is_for_regular_inflections() -> None:
    analyzer = get_analyzer()
    assert analyzer.inflection_token("modelling") == analyzer.inflection_token("modeling") == "model"
    assert analyzer.inflection_token("modelxing") is None  # its own token: the vocabulary has it or not
    assert analyzer.inflection_token("rang") is None and analyzer.inflection_token("feed") is None


@pytest.mark.parametrize("name,tokens", [
    ("Koninklijke Philips Electronics N.V.", ["koninklijke", "philips", "electronic", "n", "v"]),
    ("Siemens AG", ["siemens", "ag"]), ("WILLIAMS, Robert", ["williams", "robert"]),
    ("Edwards Lifesciences", ["edwards", "lifesciences"]), ("三星电子株式会社", ["三星电子", "株式会社"]),
])
def test_names_keep_their_final_s(name: str, tokens: list[str]) -> None:
    """The plural stemmer is for words; PA=philips must not find Philip Morris."""
    analyzer = get_analyzer()
    assert analyzer.name_tokens(name) == tokens
    assert analyzer.name_tokens("Philips") != analyzer.name_tokens("Philip")


@pytest.mark.parametrize("word", ["100ms", "100μs", "60fps", "4Gbps", "series", "species", "diabetes"])
def test_words_with_digits_and_singulars_in_s_are_not_cut(word: str) -> None:
    """100ms is not 100 metres; series and species are not plurals of sery and specy."""
    assert get_analyzer().tokens(word) == [word.lower()]


@pytest.mark.parametrize("word,plural", [("liver", "livers"), ("dimmer", "dimmers"), ("cooler", "coolers"),
                                         ("stove", "stoves"), ("cornea", "corneas")])
def test_devices_and_organs_meet_their_plurals(word: str, plural: str) -> None:
    analyzer = get_analyzer()
    assert analyzer.tokens(word) == analyzer.tokens(plural) == [word]


def test_jieba_loads_its_dictionary_on_the_first_chinese_text_not_before() -> None:
    """A process that reads only English never pays for jieba's dictionary (1.5 s); Chinese is
    segmented once it is loaded, by the first Chinese text or ahead (``prepare_chinese``)."""
    script = ("import jieba; from ipsearch.analysis import Analyzer; a = Analyzer(); "
              "a.tokens('light emitting diodes'); print(jieba.dt.initialized); "
              "print(a.tokens('一种发光二极管'))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split("\n")[:2] == ["False", "['一种', '发光', '二极管']"]
    fresh = subprocess.run([sys.executable, "-c", "import jieba; from ipsearch.analysis import Analyzer; "
                            "Analyzer().prepare_chinese(); print(jieba.dt.initialized)"],
                           capture_output=True, text=True, timeout=120, check=True)
    assert fresh.stdout.strip() == "True"
