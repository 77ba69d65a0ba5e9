"""Highlights on the original text: words whose analysed form is a query token are marked, and a
phrase only where its words stand together, as the search matched it.

Both backends index analysed tokens, so highlighting is done here, on the title and abstract as
printed, with the same analyzer: the same marks whichever backend answered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Set
from dataclasses import dataclass

from ipsearch.analysis import ASCII_NON_WORD, Analyzer

_LATIN = re.compile(r"[^\W_]+")
_CJK = re.compile("[\u3040-\u9fff]")
_RUN = re.compile(r"\S+")
FRAGMENT = 240

Span = tuple[int, int]
MARKED_FIELDS = ("ti", "ab")  # the index fields a hit shows: its title and its abstract


@dataclass(frozen=True)
class Marks:
    """What to mark in one field: the tokens of single words, and phrases (the tokens of a quoted
    phrase, or of a word the analyzer splits, such as "wi-fi" or "发光二极管") that are marked only
    where their tokens follow each other, stop words between them aside, as the index matches them."""

    words: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, ...]] = frozenset()


FieldMarks = dict[str, Marks]  # MARKED_FIELDS -> what to mark there


def _ascii_spans(text: str, tokens: Set[str], analyzer: Analyzer) -> list[Span]:
    """The spans of matching words in ASCII text, in order. The words are split as ``Analyzer.tokens``
    splits them (translate + split, in C) and analysed once per distinct word; only the words that
    match are then looked for, as whole words, to place their marks (most words match nothing)."""
    spaced = f" {text.translate(ASCII_NON_WORD)} "  # a word is a run between spaces, at its own offset + 1
    words = list(set(spaced.split()))
    spans: list[Span] = []
    for word, token in zip(words, analyzer.word_tokens(words), strict=True):
        if not token or token not in tokens:  # "" is a stop word's token: never a mark
            continue
        needle = f" {word} "
        at = spaced.find(needle)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = spaced.find(needle, at + len(word) + 1)  # the next one may start at this one's space
    return sorted(spans)


def _marked_spans(text: str, tokens: Set[str], analyzer: Analyzer, fragment: bool) -> list[Span]:
    """The spans of matching words, in order; for a fragment, only those inside the FRAGMENT
    characters it can show (the words after it are never analysed: most of a long abstract)."""
    if text.isascii():
        found = _ascii_spans(text, tokens, analyzer)
        return [s for s in found if s[0] < found[0][0] + FRAGMENT] if fragment and found else found
    spans: list[Span] = []
    limit: int | None = None  # for a fragment: where the words it can show end
    for match in _LATIN.finditer(text):
        if limit is not None and match.start() >= limit:
            break
        word = match.group(0)
        if _CJK.search(word):
            # CJK run: mark each query token found inside it
            for tok in tokens:
                start = word.find(tok)
                while tok and start >= 0:
                    spans.append((match.start() + start, match.start() + start + len(tok)))
                    start = word.find(tok, start + len(tok))
        elif analyzer.word_token(word) in tokens:
            spans.append(match.span())
        if fragment and spans and limit is None:
            limit = min(spans)[0] + FRAGMENT  # the fragment starts at most FRAGMENT // 3 before it
    return sorted(spans)


def _token_runs(text: str, analyzer: Analyzer) -> list[tuple[int, int, str]]:
    """Each word of non-ASCII ``text`` with its span and token, in order, stop words left out (the
    index gives them no position); a CJK run is one entry with no token, so no Latin phrase spans it."""
    runs: list[tuple[int, int, str]] = []
    for match in _LATIN.finditer(text):
        word = match.group(0)
        if _CJK.search(word):
            runs.append((match.start(), match.end(), ""))
        elif token := analyzer.word_token(word):
            runs.append((match.start(), match.end(), token))
    return runs


def _ascii_phrase_spans(text: str, phrases: list[tuple[str, ...]], analyzer: Analyzer) -> list[Span]:
    """Phrases in ASCII text: each place of a phrase's first word (found as words are), then the
    words after it, read one by one while they continue the phrase (most places end at once)."""
    spaced = text.translate(ASCII_NON_WORD)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    spans: list[Span] = []
    for start, end in _ascii_spans(text, by_first.keys(), analyzer):
        for phrase in by_first[analyzer.word_token(text[start:end]) or ""]:
            at = 1
            for word in _RUN.finditer(spaced, end):
                token = analyzer.word_token(word.group(0))
                if token is None:  # a stop word: no position in the index
                    continue
                if token != phrase[at]:
                    break
                at += 1
                if at == len(phrase):
                    spans.append((start, word.end()))
                    break
    return spans


def _phrase_spans(text: str, phrases: frozenset[tuple[str, ...]], analyzer: Analyzer) -> list[Span]:
    """Where each phrase's tokens follow each other: from its first word's start to its last's end.
    A phrase of CJK tokens is found as their concatenation (CJK is written without spaces)."""
    spans: list[Span] = []
    latin: list[tuple[str, ...]] = []
    lowered = text.lower()
    lowered = lowered if len(lowered) == len(text) else text  # offsets must stay those of the text
    for phrase in phrases:
        joined = "".join(phrase)
        if not _CJK.search(joined):
            latin.append(phrase)
            continue
        at = lowered.find(joined)
        while at >= 0:
            spans.append((at, at + len(joined)))
            at = lowered.find(joined, at + len(joined))
    if latin and text.isascii():
        spans.extend(_ascii_phrase_spans(text, latin, analyzer))
    elif latin:
        runs = _token_runs(text, analyzer)
        tokens = [t for _, _, t in runs]
        for phrase in latin:
            n = len(phrase)
            spans.extend((runs[i][0], runs[i + n - 1][1]) for i, token in enumerate(tokens)
                         if token == phrase[0] and tuple(tokens[i:i + n]) == phrase)
    return spans


def highlight(text: str, marks: Marks, analyzer: Analyzer, fragment: bool = False) -> str | None:
    """HTML with ``<mark>`` around matching words and phrases (escaped otherwise); None if nothing
    matched."""
    if not text or not (marks.words or marks.phrases):
        return None
    fragment = fragment and len(text) > FRAGMENT
    spans = _marked_spans(text, marks.words, analyzer, fragment) if marks.words else []
    if marks.phrases:  # a phrase before a word it holds: the longer mark wins
        spans = sorted([*spans, *_phrase_spans(text, marks.phrases, analyzer)], key=lambda s: (s[0], -s[1]))
        spans = [s for s in spans if s[0] < spans[0][0] + FRAGMENT] if fragment and spans else spans
    if not spans:
        return None
    start, end = 0, len(text)
    if fragment:
        start = max(0, spans[0][0] - FRAGMENT // 3)
        end = min(len(text), start + FRAGMENT)
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
