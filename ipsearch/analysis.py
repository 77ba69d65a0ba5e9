"""Text analysis, done once in Python for both backends and for queries.

The Elasticsearch we test against has no language analyzers, so tokens are produced here and
indexed with the built-in ``whitespace`` analyzer (Elasticsearch) and FTS5's ``unicode61``
tokenizer (embedded); both split our output identically because tokens hold only letters and
digits.

* CJK runs (Chinese, Japanese kanji/kana) are segmented as spaCy's blank ``zh`` pipeline with
  the jieba segmenter segments them: by the same jieba calls, without building a Doc.
* Other runs are split into words on Unicode letters/digits, lower-cased, lemmatised with spaCy's
  English lookup table (``spacy-lookups-data``) and filtered with spaCy's stop-word lists.
  spaCy's full rule-based tokenizer measured ~1.5 MB/s on USPTO descriptions against ~24 MB/s
  for this split; its rules (prefix/suffix/infix punctuation) change nothing once punctuation is
  dropped, so we keep spaCy's data and skip its slow path.

The same function analyses documents and query terms, regardless of the declared language, so
mixed-language text and queries always meet the same tokens.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any, cast

_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_CJK = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Katakana words (loanwords: ウェーハ) stay whole; other CJK runs go to jieba; the rest are words.
_RUNS = re.compile(rf"([{_KATAKANA}]+)|([{_CJK}]+)|([^\W_{_CJK}{_KATAKANA}]+)")
_WORD = re.compile(r"^[^\W_]+$")
# Text without any CJK or katakana character splits into words with one group-less regex (no
# tuple per match); on such text it finds exactly the runs the third group of _RUNS finds.
_HAS_CJK = re.compile(rf"[{_CJK}{_KATAKANA}]")
_WORDS = re.compile(r"[^\W_]+")
# A non-CJK word as _RUNS finds it (its third group), and one character of one: where a word's
# token may start in mixed text, and where a highlight fragment would cut a word in two.
NON_CJK_CHAR = re.compile(rf"[^\W_{_CJK}{_KATAKANA}]")
NON_CJK_WORD = re.compile(NON_CJK_CHAR.pattern + "+")
# ASCII text: every character that is not a letter or digit becomes a space, then str.split finds
# the same words as _WORDS, five times faster than the regex.
ASCII_NON_WORD = str.maketrans({i: " " for i in range(128) if not chr(i).isalnum()})
# Full-width letters and digits (ＣＰＵ, １２３), as Japanese documents and Chinese input methods write
# them, are read as the characters they stand for, one for one (Elasticsearch's cjk_width does the
# same). Not full-width punctuation: ＿ would join words that both backends must split alike.
FULL_WIDTH = str.maketrans({**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
                            **{0xFF41 + i: 0x61 + i for i in range(26)}})
_MAX_TOKEN_LEN = 60
# Which analysis made an index's tokens. Raise it with any change that gives some text other tokens:
# an Elasticsearch index records the version it was analysed with (its mapping's ``_meta``) and
# takes no new documents until ``ipcommons reanalyse`` has rewritten its tokens in place; the
# embedded index's SCHEMA_VERSION is raised with it (make run rebuilds the demo).
# 1: indexes that record no version; 2: upper-case words of 5+ letters lemmatised, full-width
# letters and digits read as ASCII; 3: upper-case plurals of four letters (PADS, USES) lemmatised,
# bases, leaves, halves, shelves read as the plurals of base, leaf, half, shelf, and an acronym's
# plural (GPUs) as its singular; 4: saw, feed, left, ground, bore, spoke and felt read as the nouns
# patents mean by them, the plural of an -ing noun (housings, bearings) as its singular, the words
# of PATENT_WORDS are searched (they were stop words), a word the lemma table does not know has
# its plural read as its singular (workpieces, silanes), words of two letters are not lemmatised
# (ai, d, m), ordinals stay words (the table reads first as 1), and number, bit, buffer, matter,
# span, phases, masses... meet their other forms.
ANALYSIS_VERSION = 4
# An upper-case word this short is taken for an acronym and not lemmatised ("GPS" is not the plural
# of "gp"); a longer one is a word in an upper-case title ("METHODS FOR DETECTING": EP titles are
# written so), lemmatised as in any other case, so that "detecting" finds it.
_ACRONYM_LEN = 4
# Except a four-letter plural of a three-letter word (PADS, USES, KEYS, ARMS), which an upper-case
# title writes as often as an acronym; these are the acronyms that look like one. (Three-letter
# plurals, ABS, UPS, IDS, would have two-letter singulars: they stay acronyms, and so do SAW and
# FED, which are not plurals.)
_PLURAL_LOOKING_ACRONYMS = frozenset({"bios", "pacs", "etcs", "mops"})  # MOPS: a buffer, not mops
# spaCy's English stop list is made for prose. In a patent some of its words are what a claim is
# about: where a part is (top, bottom, front, back, side, between, above), which of several it is
# (first, third, one, two, last), how much (full, empty, amount) and motion (move). A search for a
# "side wall", a "top cover", a "three phase" motor or a "first electrode" needs them (ES's own
# English stop list has none of them); the list keeps prose's function words and boilerplate verbs.
PATENT_WORDS = frozenset({
    "above", "across", "against", "along", "around", "back", "behind", "below", "beside", "between", "beyond",
    "bottom", "down", "front", "off", "over", "side", "through", "top", "toward", "towards", "under", "up",
    "within", "without",
    "first", "third", "last", "next", "one", "two", "three", "four", "five", "six", "eight", "nine", "ten",
    "eleven", "twelve", "fifteen", "twenty", "forty", "fifty", "sixty", "hundred",
    "amount", "empty", "full", "whole", "part", "move", "name",
})
# Lookup lemmas that are wrong in technical text ("LED" is not the past tense of "lead"; a door's
# "leaves" and a mould's "halves" are the plurals of leaf and half, not forms of leave and halve).
# In patents a miter saw, a feed roller, the left side, a ground plane, a bore, a wheel's spoke and
# a felt pad are nouns, not the past tenses of see, leave, grind, bear, speak and feel (the table
# also reads "feed" as the plural of "fee"); the real corpus uses them so almost always.
_LEMMA_OVERRIDES = {"led": "led", "leds": "led", "oled": "oled", "oleds": "oled", "ics": "ic", "cpus": "cpu",
                    "gps": "gps", "os": "os", "as": "as", "us": "us", "data": "data", "media": "media",
                    "bases": "base", "leaves": "leaf", "halves": "half", "shelves": "shelf",
                    "saw": "saw", "feed": "feed", "left": "left", "ground": "ground", "bore": "bore",
                    "spoke": "spoke", "felt": "felt",
                    # the table reads these singulars as other words (numb, bite, buff, matt, spin,
                    # clothe, rebind, overlie, zirconium) or their plurals as other singulars
                    # (phasis, masse, crosse, criterium), so a word missed its own plural
                    "number": "number", "bit": "bit", "buffer": "buffer", "matter": "matter", "span": "span",
                    "clad": "clad", "rebound": "rebound", "overlay": "overlay", "zirconia": "zirconia",
                    "phases": "phase", "masses": "mass", "crosses": "cross", "attaches": "attach",
                    "criteria": "criterion",
                    "towards": "toward", "upwards": "upward", "downwards": "downward", "inwards": "inward",
                    "outwards": "outward",
                    # devices and organs the table reads as adjectives and verbs (a liver as live,
                    # a dimmer as dim, a stove as stave): each missed its own plural
                    "liver": "liver", "cornea": "cornea", "damper": "damper", "dryer": "dryer", "cooler": "cooler",
                    "chiller": "chiller", "dimmer": "dimmer", "trimmer": "trimmer", "planer": "planer",
                    "stove": "stove",
                    # singulars ending in -s that the plural stemmer below would cut (series -> sery)
                    "series": "series", "species": "species", "caries": "caries", "rabies": "rabies",
                    "herpes": "herpes", "diabetes": "diabetes"}
# The plural of a word the lemma table does not know (technical nouns: workpieces, silanes, diols,
# guidewires) is read as its singular by Lucene's minimal English stemmer ("S-stemmer"): -ies to -y,
# -s dropped except after s, u, i, o and in -aes, -oes, -ees. Words of four letters or fewer are
# left to the acronym rules (a lower-case query for CMOS or MEMS must still find them), words with
# digits keep their s (100ms is not 100m), and so do names (name_tokens: Philips is not Philip).
_MIN_STEMMED_LEN = 5

def _plural_stem(word: str) -> str:
    """Lucene's EnglishMinimalStemmer: a plural's singular, else the word as it is."""
    if word[-1] != "s" or word[-2] in "su":
        return word
    if word.endswith(("xes", "sses", "shes")):  # not in Lucene's: parallaxes, subclasses, nanomeshes
        return word[:-2]
    if word[-2] == "e":
        if word[-3] == "i" and word[-4] not in "ae":
            return word[:-3] + "y"
        if word[-3] in "iaoe":
            return word
    if word[-2] in "io":  # not in Lucene's: analysis, chassis and chaos keep their s
        return word
    return word[:-1]


class Analyzer:
    """Turns text into index/query tokens. Thread-safe; build once (``get_analyzer``)."""

    def __init__(self) -> None:
        # spaCy and jieba are imported here, not at the top: they take a second, and every process
        # imports this module (the command line, whose --help needs neither)
        import jieba
        import spacy
        from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
        from spacy.lang.zh.stop_words import STOP_WORDS as ZH_STOP

        en = spacy.blank("en")
        en.add_pipe("lemmatizer", config={"mode": "lookup"})
        en.initialize()
        lemmatizer: Any = en.get_pipe("lemmatizer")
        self._lemmas = lemmatizer.lookups.get_table("lemma_lookup")  # keyed by string hash: use .get
        self._en_stop = frozenset(EN_STOP) - PATENT_WORDS
        self._zh_stop = frozenset(w for w in ZH_STOP if not w.isascii())
        jieba.setLogLevel(logging.WARNING)  # jieba resets its logger to DEBUG when imported
        # spaCy's Chinese tokenizer (segmenter "jieba") segments with the jieba module itself: it is
        # called directly, without building a Doc. It loads its dictionary (1.5 s) on the first
        # Chinese text, not here: a process that reads only English (a USPTO load) never waits for it.
        self._jieba: Any = jieba
        self._zh_lock = threading.Lock()  # jieba's lazy initialisation is not thread-safe
        self._cache: dict[str, str] = {}  # word -> its token, "" for a word that makes none

    def prepare_chinese(self) -> None:
        """Load jieba's dictionary now (1.5 s), so that a server's first Chinese query does not wait
        for it: called once, beside the server's start."""
        with self._zh_lock:
            self._jieba.initialize()

    def word_token(self, word: str) -> str | None:
        """The token of one non-CJK word (cached): what ``tokens`` makes of it, or None (stop word)."""
        return self._latin(word) or None

    def _latin(self, word: str) -> str:
        """The token of one non-CJK word, "" for a stop word or an over-long one."""
        token = self._cache.get(word)
        if token is not None:
            return token
        lower = word.translate(FULL_WIDTH).lower()
        if lower in self._en_stop or len(lower) > _MAX_TOKEN_LEN:
            result = ""
        elif lower in _LEMMA_OVERRIDES:
            result = _LEMMA_OVERRIDES[lower]
        elif len(word) > 2 and word[-1] in "sｓ" and word[:-1].translate(FULL_WIDTH).isupper():
            result = lower[:-1]  # an acronym's plural (GPUs, FPGAs, MOSFETs): its singular
        elif word.isupper() and 1 < len(word) <= _ACRONYM_LEN and not self._upper_case_plural(lower):
            result = lower  # acronyms are not lemmatised (GPS, ICS)
        else:
            result = self._lookup(lower)
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result

    def _lookup(self, lower: str) -> str:
        """The lemma table's reading of a lower-case word, mended where it fails patent text: words
        of two letters stay as they are, a word the table does not know has its plural stemmed,
        the plural of an -ing noun (housings, bearings) reads as its singular does (the table has
        "housing" -> house but "housings" -> housing), and ordinals stay words."""
        if len(lower) <= 2:  # the table reads d, m, ai, ok as contractions and interjections
            return lower
        result = self._lemmas.get(lower)
        if result is None:
            if not self._stemmable(lower):
                return lower
            result = _plural_stem(lower)
        if lower.endswith("ings") and result in (lower, lower[:-1]) and lower[:-1] not in self._en_stop:
            result = _LEMMA_OVERRIDES.get(lower[:-1]) or self._lemmas.get(lower[:-1], result)
        if result.isdigit():  # first -> 1: "first" would match every "FIG. 1" and reference numeral
            return lower
        return result if _WORD.match(result) else lower

    def inflection_token(self, word: str, names: bool = False) -> str | None:
        """The token of ``word`` when the word is a regular inflection of it (emitting: emit,
        modelling: model, housings: house, nanobodies: nanobody), None otherwise: the words a
        wildcard stands for whose tokens it cannot match as written. Irregular forms are left out
        (rang: ring, lit: light), which a truncation such as ``rang*`` does not mean."""
        if not word.isalpha():
            return None
        tokens = self.name_tokens(word) if names else self.tokens(word)
        lower = word.translate(FULL_WIDTH).lower()
        if len(tokens) != 1 or tokens[0] == lower or not lower.startswith(tokens[0][:-1]):
            return None
        return tokens[0]

    def name_tokens(self, text: str) -> list[str]:
        """Tokens of a party's name (applicant, inventor, agent): as ``tokens``, but a word the
        lemma table does not know keeps its final s (Philips, Siemens, Williams are not plurals)."""
        return [self._as_name(text[start:end], token) for start, end, token in self.token_spans(text)]

    def _as_name(self, word: str, token: str) -> str:
        lower = word.translate(FULL_WIDTH).lower()
        return lower if token != lower and self._stemmable(lower) and token == _plural_stem(lower) else token

    def _stemmable(self, lower: str) -> bool:
        """Whether the plural stemmer reads ``lower``: a word the lemma table does not know (nor our
        corrections), of letters only, too long to be left to the acronym rules."""
        return (len(lower) >= _MIN_STEMMED_LEN and lower.isalpha() and lower not in _LEMMA_OVERRIDES
                and self._lemmas.get(lower) is None)

    def _upper_case_plural(self, lower: str) -> bool:
        """``lower`` is an upper-case word's plural of a three-letter word (PADS), not an acronym."""
        return (len(lower) == 4 and lower[-1] == "s" and lower not in _PLURAL_LOOKING_ACRONYMS
                and self._lemmas.get(lower) == lower[:3])

    def _cjk(self, run: str) -> list[str]:
        # What spaCy's jieba tokenizer makes of a run, without building a Doc (a run holds no spaces).
        with self._zh_lock:
            words = [w for w in self._jieba.cut(run, cut_all=False) if w]
        return [w for w in words if w not in self._zh_stop and _WORD.match(w)]

    def word_tokens(self, words: list[str]) -> list[str]:
        """The token of each non-CJK word, in order ("" for a stop word): the cache is read in C
        (``map``), and ``_latin`` runs only for words not seen before (None)."""
        found: list[str | None] = list(map(self._cache.get, words))
        if None not in found:
            return cast(list[str], found)
        return [self._latin(w) if t is None else t for w, t in zip(words, found, strict=True)]

    def _word_tokens(self, words: list[str]) -> list[str]:
        """Tokens of non-CJK words, stop words dropped."""
        return list(filter(None, self.word_tokens(words)))

    def tokens(self, text: str) -> list[str]:
        if text.isascii():
            return self._word_tokens(text.translate(ASCII_NON_WORD).split())
        if not _HAS_CJK.search(text):
            return self._word_tokens(_WORDS.findall(text))
        out: list[str] = []
        for katakana, cjk, latin in _RUNS.findall(text):
            if katakana:
                out.append(katakana)
            elif cjk:
                out.extend(self._cjk(cjk))
            else:
                if token := self._latin(latin):
                    out.append(token)
        return out

    def token_spans(self, text: str) -> list[tuple[int, int, str]]:
        """The tokens of ``tokens(text)``, each with the span of ``text`` it comes from: where a
        highlight can mark a phrase as the index sees it (stop words have no token, so no span)."""
        spans: list[tuple[int, int, str]] = []
        for run in _RUNS.finditer(text):
            katakana, cjk, latin = run.groups()
            if katakana:
                spans.append((run.start(), run.end(), katakana))
            elif cjk:
                with self._zh_lock:
                    words = list(self._jieba.tokenize(cjk))
                spans.extend((run.start() + a, run.start() + b, w) for w, a, b in words
                             if w and w not in self._zh_stop and _WORD.match(w))
            elif token := self._latin(latin):
                spans.append((run.start(), run.end(), token))
        return spans

    def analyse(self, text: str) -> str:
        """Tokens joined by single spaces: the form both backends index."""
        return " ".join(self.tokens(text))

    def is_stop_word(self, word: str) -> bool:
        return word.lower() in self._en_stop or word in self._zh_stop


@lru_cache(maxsize=1)
def get_analyzer() -> Analyzer:
    return Analyzer()
