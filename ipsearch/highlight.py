"""Highlights on the original text: words whose analysed form is a query token are marked, and a
phrase only where its words stand together, as the search matched it.

Both backends index analysed tokens, so highlighting is done here, on the title and abstract as
printed, with the same analyzer: the same marks whichever backend answered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Set
from dataclasses import dataclass

from ipsearch.analysis import ASCII_NON_WORD, NON_CJK_CHAR, NON_CJK_WORD, Analyzer

_LATIN = re.compile(r"[^\W_]+")
_CJK = re.compile("[\u3040-\u9fff]")
_RUN = re.compile(r"\S+")
FRAGMENT = 240
# How far after a phrase's first word its last may stand (stop words between them included): the
# text a non-ASCII phrase is checked on, with the analyzer itself. Between two CJK tokens of a
# phrase: a stop word or two (的, 以及) or punctuation, at most _CJK_GAP characters.
_PHRASE_REACH, _REACH_PER_TOKEN, _CJK_GAP = 30, 20, 4

Span = tuple[int, int]
# The index fields a hit shows marked: its title, its abstract, and on the pages the first claim
# that matches when neither of them does.
MARKED_FIELDS = ("ti", "ab", "cl")


@dataclass(frozen=True)
class Marks:
    """What to mark in one field: the tokens of single words, and phrases (the tokens of a quoted
    phrase, or of a word the analyzer splits, such as "wi-fi" or "发光二极管") that are marked only
    where their tokens follow each other, stop words between them aside, as the index matches them."""

    words: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()

    def __post_init__(self) -> None:
        if any(len(phrase) < 2 for phrase in self.phrases):
            raise ValueError("a phrase has two tokens or more; a single token is one of the words")


NO_MARKS = Marks()
FieldMarks = dict[str, Marks]  # MARKED_FIELDS -> what to mark there


def highlight(text: str, marks: Marks, analyzer: Analyzer, fragment: bool = False) -> str | None:
    """HTML with ``<mark>`` around matching words and phrases (escaped otherwise); None if nothing
    matched. A fragment shows FRAGMENT characters from a little before the first mark."""
    if not text or not (marks.words or marks.phrases):
        return None
    fragment = fragment and len(text) > FRAGMENT
    if text.isascii():
        spans = _ascii_marks(text, marks, analyzer)
    else:
        spans = _word_spans(text, marks.words, analyzer, fragment) if marks.words else []
        spans += _phrase_spans(text, marks.phrases, analyzer)
    if not spans:
        return None
    spans.sort(key=lambda s: (s[0], -s[1]))  # a phrase before a word it starts with: the longer mark wins
    start, end = 0, len(text)
    if fragment:
        start, end = _fragment(text, spans[0])
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def _fragment(text: str, first: Span) -> Span:
    """FRAGMENT characters from a little before the first mark, not cutting a Latin word in two
    at either end (CJK text is cut anywhere: it has no spaces to cut at)."""
    start = max(0, first[0] - FRAGMENT // 3)
    while 0 < start < first[0] and (_in_word(text, start) or text[start].isspace()):
        start += 1
    end = min(len(text), start + FRAGMENT)
    while first[1] < end < len(text) and (_in_word(text, end) or text[end - 1].isspace()):
        end -= 1
    return start, end


def _in_word(text: str, at: int) -> bool:
    """Whether ``at`` falls between two letters or digits of one non-CJK word."""
    return NON_CJK_CHAR.match(text, at - 1) is not None and NON_CJK_CHAR.match(text, at) is not None


# --- ASCII text: split in C, each distinct word analysed once --------------------------------

def _ascii_marks(text: str, marks: Marks, analyzer: Analyzer) -> list[Span]:
    """Words and phrases in ASCII text from one split: the places of the words and of each phrase's
    first word; from each of the latter, the words after it are read while they continue the phrase
    (most places end at once)."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in marks.phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    found = _ascii_words(text, marks.words.union(by_first), analyzer)
    spans = [(a, b) for a, b, token in found if token in marks.words]
    if by_first:
        spaced = text.translate(ASCII_NON_WORD)
        for a, b, token in found:
            for phrase in by_first.get(token, ()):
                if (end := _phrase_end(spaced, b, phrase[1:], analyzer)) is not None:
                    spans.append((a, end))
    return spans


def _ascii_words(text: str, tokens: Set[str], analyzer: Analyzer) -> list[tuple[int, int, str]]:
    """Each word of ASCII text whose token is one of ``tokens``, with its span and token. The words
    are split as ``Analyzer.tokens`` splits them (translate + split, in C) and analysed once per
    distinct word; only the words that match are then looked for, as whole words."""
    spaced = f" {text.translate(ASCII_NON_WORD)} "  # a word is a run between spaces, at its own offset + 1
    words = list(set(spaced.split()))
    found: list[tuple[int, int, str]] = []
    for word, token in zip(words, analyzer.word_tokens(words), strict=True):
        if not token or token not in tokens:  # "" is a stop word's token: never a mark
            continue
        needle = f" {word} "
        at = spaced.find(needle)
        while at >= 0:
            found.append((at, at + len(word), token))
            at = spaced.find(needle, at + len(word) + 1)  # the next one may start at this one's space
    return found


def _phrase_end(spaced: str, after: int, rest: tuple[str, ...], analyzer: Analyzer) -> int | None:
    """Where the words from ``after`` on spell ``rest`` (stop words skipped, as the index skips
    them): the end of its last word, or None at the first word that breaks it."""
    at = 0
    for word in _RUN.finditer(spaced, after):
        token = analyzer.word_token(word.group(0))
        if token is None:  # a stop word: no position in the index
            continue
        if token != rest[at]:
            return None
        at += 1
        if at == len(rest):
            return word.end()
    return None


# --- other text: word by word; CJK runs by substring or by the analyzer ----------------------

def _word_spans(text: str, tokens: Set[str], analyzer: Analyzer, fragment: bool) -> list[Span]:
    """The spans of matching words in non-ASCII text; for a fragment, only those inside the
    FRAGMENT characters it can show (the words after it are never analysed: most of a long abstract)."""
    spans: list[Span] = []
    limit: int | None = None  # for a fragment: where the words it can show end
    for match in _LATIN.finditer(text):
        if limit is not None and match.start() >= limit:
            break
        word = match.group(0)
        if _CJK.search(word):
            # CJK run: each CJK query token wherever it is written inside it; each Latin word inside
            # it (抗HEPCIDIN抗体) whose token is a query token, as a whole word (not LED in PLEDGE)
            for tok in tokens:
                start = word.find(tok) if _CJK.match(tok) else -1
                while start >= 0:
                    spans.append((match.start() + start, match.start() + start + len(tok)))
                    start = word.find(tok, start + len(tok))
            spans.extend((match.start() + sub.start(), match.start() + sub.end())
                         for sub in NON_CJK_WORD.finditer(word) if analyzer.word_token(sub.group(0)) in tokens)
        elif analyzer.word_token(word) in tokens:
            spans.append(match.span())
        if fragment and spans and limit is None:
            limit = min(spans)[0] + FRAGMENT  # the fragment starts at most FRAGMENT // 3 before it
    return spans


def _phrase_spans(text: str, phrases: Set[tuple[str, ...]], analyzer: Analyzer) -> list[Span]:
    """Phrases in non-ASCII text, from each place its first token may start. A CJK phrase: its
    tokens must follow each other within a few characters (a stop word such as 的, or punctuation,
    between them); written as its tokens, it stands, else those characters are analysed (jieba, as
    the index was). Another phrase: the text from there is analysed and must start with it."""
    spans: list[Span] = []
    for phrase in phrases:
        if all(_CJK.match(token) for token in phrase):
            joined = "".join(phrase)
            for start in _starts(text, phrase[0], analyzer):
                if text.startswith(joined, start):
                    spans.append((start, start + len(joined)))
                elif (end := _cjk_phrase_end(text, start, phrase)) is not None and \
                        tuple(analyzer.tokens(text[start:end])) == phrase:
                    spans.append((start, end))
            continue
        reach = _PHRASE_REACH + _REACH_PER_TOKEN * len(phrase)
        for start in _starts(text, phrase[0], analyzer):
            found = analyzer.token_spans(text[start:start + reach])
            if found and found[0][0] == 0 and tuple(t for _, _, t in found[:len(phrase)]) == phrase:
                spans.append((start, start + found[len(phrase) - 1][1]))
    return spans


def _cjk_phrase_end(text: str, start: int, phrase: tuple[str, ...]) -> int | None:
    """Where the CJK phrase starting at ``start`` ends if each next token is written within
    _CJK_GAP characters of the one before; None if one is not (most places: nothing to analyse)."""
    end = start + len(phrase[0])
    for token in phrase[1:]:
        at = text.find(token, end, end + _CJK_GAP + len(token))
        if at < 0:
            return None
        end = at + len(token)
    return end


def _starts(text: str, token: str, analyzer: Analyzer) -> Iterator[int]:
    """Where a word with this token may start: a CJK token wherever it is written, another at each
    non-CJK word that analyses to it."""
    if _CJK.match(token):
        at = text.find(token)
        while at >= 0:
            yield at
            at = text.find(token, at + 1)
    else:
        for word in NON_CJK_WORD.finditer(text):
            if analyzer.word_token(word.group(0)) == token:
                yield word.start()
