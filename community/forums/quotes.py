"""Quotes of posts a reader may not read.

A reply carries what it quotes in its own Markdown: ``service.quote`` starts it with
``> **name** (#n):`` and the quoted post's lines. Hiding or deleting the quoted post therefore hides
nothing of its text by itself; wherever a post is shown, each of its quotes of a post the reader may
not read is replaced by a placeholder instead. A quote is a block quote that names the post
``(#n)`` in its first line, at any depth (a quote of a quote), or, in a post that quotes another
(``quote_of``), any block quote at the top that names none (its author may have cut the first line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from community.forums.markdown import parse
from community.forums.schemas import QuoteWithheld

# the placeholders' words in English (the API's); pages pass them in the reader's language
WITHHELD_WORDS: dict[QuoteWithheld, str] = {QuoteWithheld.hidden: "(this post was hidden by a moderator)",
                                             QuoteWithheld.deleted: "(this post was deleted)"}
Words = Mapping[QuoteWithheld, str]
_ATTRIBUTION = re.compile(r"\*\*(?:[^*\\]|\\.)*\*\* \(#(\d{1,9})\):")  # as service.quote writes it
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


@dataclass(frozen=True)
class Quote:
    """A block quote: its lines (``start`` to before ``end``), its depth (1 at the top) and the
    number of the post its first line names (None when it names none)."""

    start: int
    end: int
    depth: int
    number: int | None


def _lines(markdown: str) -> list[str]:
    """The lines as markdown-it numbers them (it reads CR LF and CR as LF)."""
    return re.sub(r"\r\n?", "\n", markdown).split("\n")


def find(markdown: str) -> list[Quote]:
    """Every block quote of ``markdown``, outer ones before those inside them."""
    if ">" not in markdown:  # no block quote can start anywhere (in a list item too): nothing to parse
        return []
    tokens = parse(markdown)
    found, depth = [], 0
    for i, tok in enumerate(tokens):
        if tok.type == "blockquote_close":
            depth -= 1
        elif tok.type == "blockquote_open" and tok.map is not None:
            depth += 1
            first = tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" else None
            named = _ATTRIBUTION.match(first.content) if first is not None else None
            found.append(Quote(tok.map[0], tok.map[1], depth, int(named.group(1)) if named else None))
    return found


def withheld(found: list[Quote], unreadable: Mapping[int, QuoteWithheld],
             quoted: QuoteWithheld | None) -> list[tuple[Quote, QuoteWithheld]]:
    """The quotes to show as placeholders: those naming a post the reader may not read
    (``unreadable`` by its number, with why), and when the post's own quoted post is one (``quoted``),
    its top-level quotes that name no post. A quote inside one withheld goes with it."""
    out: list[tuple[Quote, QuoteWithheld]] = []
    for quote in found:
        if any(o.start <= quote.start < o.end for o, _ in out):
            continue
        why = unreadable.get(quote.number) if quote.number is not None else quoted if quote.depth == 1 else None
        if why is not None:
            out.append((quote, why))
    return out


def escape(text: str) -> str:
    """``text`` shown as it is when read as Markdown (a name, a placeholder)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _prefix(line: str, depth: int) -> str:
    """The start of ``line`` up to its ``depth``-th quote marker: where the placeholder goes."""
    seen = 0
    for k, char in enumerate(line):
        if char == ">":
            seen += 1
            if seen == depth:
                return line[:k + 1] + " "
        elif char not in " \t":
            break
    return "> " * depth


def replace(markdown: str, chosen: list[tuple[Quote, QuoteWithheld]], words: Words | None) -> str:
    """``markdown`` with each chosen quote replaced by a quote of its placeholder's ``words``, or
    left out (``words`` None: what a search may match)."""
    lines = _lines(markdown)
    for quote, why in sorted(chosen, key=lambda c: -c[0].start):
        said = [] if words is None else [_prefix(lines[quote.start], quote.depth)
                                         + "*" + escape(words[why]) + "*"]
        lines[quote.start:quote.end] = said
    return "\n".join(lines)
