"""Help for a query that found nothing: which part matched nothing, and what to try instead.

Each word or phrase of the query is counted on its own; for those with no match we suggest known
equivalents (``LED`` and ``light emitting diode``), the other Chinese script (traditional and
simplified, by zhconv) and close spellings from the index vocabulary.
"""

from __future__ import annotations

import dataclasses
import difflib

from pydantic import BaseModel

from ipsearch.query import ast as q
from ipsearch.query.render import render
from ipsearch.service import SearchService

MAX_PARTS = 12
VOCABULARY_SAMPLE = 3000
# Abbreviations and their written-out forms, both ways; lower case.
EQUIVALENTS: dict[str, list[str]] = {
    "led": ['"light emitting diode"'], "light emitting diode": ["LED"],
    "oled": ['"organic light emitting diode"'], "organic light emitting diode": ["OLED"],
    "lcd": ['"liquid crystal display"'], "liquid crystal display": ["LCD"],
    "tv": ["television"], "television": ["TV"], "ue": ['"user equipment"'], "user equipment": ["UE"],
    "ofdm": ['"orthogonal frequency division multiplexing"'],
    "orthogonal frequency division multiplexing": ["OFDM"],
    "mri": ['"magnetic resonance imaging"'], "magnetic resonance imaging": ["MRI"],
    "发光二极管": ["LED"], "电视": ["television"], "液晶显示": ["LCD"],
}


class Suggestion(BaseModel):
    text: str  # the word or phrase to try instead
    query: str  # the whole query with that part replaced


class QueryPart(BaseModel):
    text: str  # the part as it can be written in a query
    matches: int
    suggestions: list[Suggestion] = []


class ZeroResultHelp(BaseModel):
    parts: list[QueryPart]

    @property
    def empty_parts(self) -> list[QueryPart]:
        return [p for p in self.parts if p.matches == 0]


def zero_result_help(service: SearchService, query: str) -> ZeroResultHelp:
    node, planner = service.plan(query)
    parts: list[QueryPart] = []
    seen: set[str] = set()
    for leaf in q.leaves(node):
        text = render(leaf)
        if text in seen or len(parts) >= MAX_PARTS:
            continue
        seen.add(text)
        matches = service.backend.count_matching(leaf, planner)
        tries = [] if matches else suggestions_for(service, leaf)
        parts.append(QueryPart(text=text, matches=matches, suggestions=[
            Suggestion(text=t, query=render(_replaced(node, leaf, t))) for t in tries]))
    return ZeroResultHelp(parts=parts)


def _replaced(node: q.Node, leaf: q.Node, text: str) -> q.Node:
    """``node`` with this very ``leaf`` (a word or phrase) replaced by ``text`` in the same field, so
    a suggestion keeps the rest of the query."""
    if node is leaf and isinstance(leaf, q.Term | q.Phrase):
        return (q.Phrase if " " in text else q.Term)(text, leaf.field)
    if isinstance(node, q.And | q.Or):
        return type(node)(tuple(_replaced(i, leaf, text) for i in node.items))
    if isinstance(node, q.Not):
        return q.Not(_replaced(node.item, leaf, text))
    if isinstance(node, q.Prox):
        return dataclasses.replace(node, left=_replaced(node.left, leaf, text), right=_replaced(node.right, leaf, text))
    if isinstance(node, q.Same):
        return q.Same(_replaced(node.left, leaf, text), _replaced(node.right, leaf, text))
    return node


def suggestions_for(service: SearchService, leaf: q.Node) -> list[str]:
    if not isinstance(leaf, q.Term | q.Phrase) or leaf.text.strip() == "":
        return []
    import zhconv  # here, not at the top: it loads through pkg_resources, half a second per process

    words = leaf.text.strip()
    out = list(EQUIVALENTS.get(words.lower(), []))
    for script in ("zh-hans", "zh-hant"):
        converted = zhconv.convert(words, script)
        if converted != words:
            out.append(converted)
    if isinstance(leaf, q.Term) and not leaf.is_wildcard and len(words) >= 3 and words.isascii():
        fields = q.TEXT_FIELDS.get(leaf.field, q.TEXT_FIELDS["TXT"])
        vocabulary = service.backend.vocabulary(fields, words[:2].lower(), VOCABULARY_SAMPLE)
        out += difflib.get_close_matches(words.lower(), vocabulary, n=3, cutoff=0.75)
    # Only what searches something else: not the same tokens written otherwise (「智能」 for “智能”,
    # half for halves), and not a word the analysis drops (a close spelling that is a stop word).
    searched = service.analyzer.tokens(words)
    return list(dict.fromkeys(s for s in out if (tokens := service.analyzer.tokens(s)) and tokens != searched))[:5]
