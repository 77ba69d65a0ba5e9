"""Highlights on the original text: words whose analysed form is a query token are marked.

Both backends index analysed tokens, so highlighting is done here, on the title and abstract as
printed, with the same analyzer: the same marks whichever backend answered.
"""

from __future__ import annotations

import html
import re

from ipsearch.analysis import ASCII_NON_WORD, Analyzer

_LATIN = re.compile(r"[^\W_]+")
_CJK = re.compile("[\u3040-\u9fff]")
FRAGMENT = 240


def _ascii_spans(text: str, tokens: set[str], analyzer: Analyzer) -> list[tuple[int, int]]:
    """The spans of matching words in ASCII text, in order. The words are split as ``Analyzer.tokens``
    splits them (translate + split, in C) and analysed once per distinct word; only the words that
    match are then looked for, as whole words, to place their marks (most words match nothing)."""
    spaced = f" {text.translate(ASCII_NON_WORD)} "  # a word is a run between spaces, at its own offset + 1
    words = list(set(spaced.split()))
    spans: list[tuple[int, int]] = []
    for word, token in zip(words, analyzer.word_tokens(words), strict=True):
        if not token or token not in tokens:  # "" is a stop word's token: never a mark
            continue
        needle = f" {word} "
        at = spaced.find(needle)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = spaced.find(needle, at + len(word) + 1)  # the next one may start at this one's space
    return sorted(spans)


def _marked_spans(text: str, tokens: set[str], analyzer: Analyzer, fragment: bool) -> list[tuple[int, int]]:
    """The spans of matching words, in order; for a fragment, only those inside the FRAGMENT
    characters it can show (the words after it are never analysed: most of a long abstract)."""
    if text.isascii():
        found = _ascii_spans(text, tokens, analyzer)
        return [s for s in found if s[0] < found[0][0] + FRAGMENT] if fragment and found else found
    spans: list[tuple[int, int]] = []
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


def highlight(text: str, tokens: set[str], analyzer: Analyzer, fragment: bool = False) -> str | None:
    """HTML with ``<mark>`` around matching words (escaped otherwise); None if nothing matched."""
    if not text or not tokens:
        return None
    fragment = fragment and len(text) > FRAGMENT
    spans = _marked_spans(text, tokens, analyzer, fragment)
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
