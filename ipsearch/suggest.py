"""Help for a query that found nothing: which part matched nothing, and what to try instead.

Each word or phrase of the query is counted on its own; for those with no match we suggest known
equivalents (``LED`` and ``light emitting diode``), the other Chinese script (traditional and
simplified, by zhconv), close spellings from the index vocabulary, and the same words as an
applicant's or inventor's name (``PA=Bridgelux``): a name typed alone searches the text, where a
company's name is seldom written.
"""

from __future__ import annotations

import dataclasses
import difflib

from pydantic import BaseModel

from ipsearch.query import ast as q
from ipsearch.query.parser import walk
from ipsearch.query.plan import Planner
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
    as_name: QueryPart | None = None  # the whole query read as one applicant's name, when that matches

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
        suggestions = [] if matches else [
            *(Suggestion(text=t, query=render(_replaced(node, leaf, _in_field(leaf, t))))
              for t in suggestions_for(service, leaf)),
            *(Suggestion(text=render(named), query=render(_replaced(node, leaf, named)))
              for named in _as_names(service, planner, node, leaf))]
        parts.append(QueryPart(text=text, matches=matches, suggestions=suggestions))
    return ZeroResultHelp(parts=parts, as_name=_whole_as_name(service, planner, node))


NAME_FIELDS = ("PA", "IN")  # where a name typed alone may be found


def _as_names(service: SearchService, planner: Planner, node: q.Node, leaf: q.Node) -> list[q.Node]:
    """A word or phrase of the text (no field given) as an applicant's or inventor's name, where
    that matches something; not inside NEAR or SAME, which need text on both sides."""
    if not isinstance(leaf, q.Term | q.Phrase) or leaf.field != "TXT" \
            or any(isinstance(n, q.Prox | q.Same) for n in walk(node)):
        return []
    moved: list[q.Node] = [type(leaf)(leaf.text, name) for name in NAME_FIELDS]
    return [m for m in moved if service.backend.count_matching(m, planner)]


def _whole_as_name(service: SearchService, planner: Planner, node: q.Node) -> QueryPart | None:
    """Several words typed without fields (``Seoul Opto``) as one applicant's name, when it matches."""
    items = node.items if isinstance(node, q.And) else ()
    if len(items) < 2 or not all(isinstance(i, q.Term) and i.field == "TXT" and not i.is_wildcard for i in items):
        return None
    name = q.Phrase(" ".join(i.text for i in items if isinstance(i, q.Term)), "PA")
    matches = service.backend.count_matching(name, planner)
    return QueryPart(text=render(name), matches=matches) if matches else None


def _in_field(leaf: q.Node, text: str) -> q.Node:
    """``text`` as a word or phrase in the field of ``leaf``."""
    return (q.Phrase if " " in text else q.Term)(text, getattr(leaf, "field", "TXT"))


def _replaced(node: q.Node, leaf: q.Node, replacement: q.Node) -> q.Node:
    """``node`` with this very ``leaf`` replaced, so a suggestion keeps the rest of the query."""
    if node is leaf:
        return replacement
    if isinstance(node, q.And | q.Or):
        return type(node)(tuple(_replaced(i, leaf, replacement) for i in node.items))
    if isinstance(node, q.Not):
        return q.Not(_replaced(node.item, leaf, replacement))
    if isinstance(node, q.Prox):
        return dataclasses.replace(node, left=_replaced(node.left, leaf, replacement),
                                   right=_replaced(node.right, leaf, replacement))
    if isinstance(node, q.Same):
        return q.Same(_replaced(node.left, leaf, replacement), _replaced(node.right, leaf, replacement))
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
