"""Help for a query that found nothing: which part matched nothing, and what to try instead.

Each word or phrase of the query is counted on its own; for those with no match we suggest known
equivalents (``LED`` and ``light emitting diode``; the English of common Chinese terms), the other
Chinese script (traditional and simplified, by zhconv), close spellings from the index vocabulary,
and the same words as an applicant's or inventor's name (``PA=Bridgelux``): a name typed alone
searches the text, where a company's name is seldom written. Only suggestions that find something
are offered; each one's query replaces the other empty parts too.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from itertools import chain, islice

from pydantic import BaseModel

from ipsearch.query import ast as q
from ipsearch.query.parser import QuerySyntaxError, walk
from ipsearch.query.plan import Planner
from ipsearch.query.render import narrowed, render, shown
from ipsearch.service import SearchService

MAX_PARTS = 12
# Each suggestion costs the backend a count or two (on its own, then in the whole query): an empty
# page asks at most about 12 + 4 x (5 + 2 + 3) of them.
MAX_HELPED_PARTS = 4
MAX_SUGGESTIONS = 3
VOCABULARY_SAMPLE = 3000
# Abbreviations and their written-out forms, both ways; lower case, a phrase without its quotes.
EQUIVALENTS: dict[str, list[str]] = {
    "led": ["light emitting diode"], "light emitting diode": ["LED"],
    "oled": ["organic light emitting diode"], "organic light emitting diode": ["OLED"],
    "lcd": ["liquid crystal display"], "liquid crystal display": ["LCD"],
    "tv": ["television"], "television": ["TV"], "ue": ["user equipment"], "user equipment": ["UE"],
    "ofdm": ["orthogonal frequency division multiplexing"],
    "orthogonal frequency division multiplexing": ["OFDM"],
    "mri": ["magnetic resonance imaging"], "magnetic resonance imaging": ["MRI"],
}
# Chinese terms of the industries the portal watches, in the English most of the corpus is written
# in: a Chinese search finds only Chinese documents, and most documents are US and EP ones. Offered
# only where the English finds something (zero_result_help), never translated silently.
EQUIVALENTS |= {
    "发光二极管": ["light emitting diode", "LED"],  # LED second: it also finds "led", the verb
    "有机发光二极管": ["organic light emitting diode", "OLED"],
    "散热": ["heat sink", "heat dissipation"], "散热器": ["heat sink"], "荧光粉": ["phosphor"],
    "量子点": ["quantum dot"], "透镜": ["lens"], "灯具": ["luminaire", "lamp"],
    "照明": ["lighting"], "驱动电路": ["driver circuit"], "封装": ["package", "encapsulant"], "芯片": ["chip"],
    "半导体": ["semiconductor"], "衬底": ["substrate"], "基板": ["substrate"], "电路板": ["circuit board"],
    "显示": ["display"], "显示器": ["display"], "液晶显示": ["LCD", "liquid crystal display"], "电视": ["television"],
    "视频": ["video"], "图像": ["image"], "编码": ["encoding"], "解码": ["decoding"], "机顶盒": ["set top box"],
    "通信": ["communication"], "无线": ["wireless"], "基站": ["base station"], "天线": ["antenna"],
    "用户设备": ["user equipment"], "波束成形": ["beamforming"], "信道": ["channel"], "传感器": ["sensor"],
    "患者": ["patient"], "导管": ["catheter"], "支架": ["stent", "bracket"], "电极": ["electrode"], "电池": ["battery"],
    "锂离子": ["lithium ion"], "数据库": ["database"], "加密": ["encryption"], "密钥": ["encryption key"],
    "神经网络": ["neural network"], "机器学习": ["machine learning"], "区块链": ["blockchain"],
    "虚拟机": ["virtual machine"], "缓存": ["cache"],
}


class Suggestion(BaseModel):
    text: str  # the word or phrase to try instead
    query: str | None  # the whole query with it, when that finds something (None: the text alone, as a hint)


class QueryPart(BaseModel):
    text: str  # the part as it can be written in a query
    matches: int
    suggestions: list[Suggestion] = []


class ZeroResultHelp(BaseModel):
    parts: list[QueryPart]
    as_name: QueryPart | None = None  # the whole query read as one applicant's name, when that matches
    # the empty parts naming an applicant in Chinese characters (PA=华为): names are searched as the
    # documents write them, and US and EP documents write them in Latin letters (PA=huawei finds it)
    names_as_written: list[str] = []

    @property
    def empty_parts(self) -> list[QueryPart]:
        return [p for p in self.parts if p.matches == 0]


def zero_result_help(service: SearchService, query: str) -> ZeroResultHelp:
    """Each part counted on its own; an empty part's suggestions, each finding something alone. A
    suggestion's query also replaces the query's other empty parts by their first suggestions:
    with 发光二极管 散热, "heat sink" swapped for 散热 alone kept 发光二极管 and found nothing."""
    node, planner = service.plan(query)
    found: list[tuple[str, q.Node, int, list[q.Node]]] = []  # each part: text, leaf, matches, alternatives
    seen: set[str] = set()
    # an empty word under NOT excludes nothing; another word there would change what is excluded
    negated = {id(leaf) for n in walk(node) if isinstance(n, q.Not) for leaf in q.leaves(n.item)}
    helped = 0
    for leaf in q.leaves(node):
        text = render(leaf)
        if text in seen or len(found) >= MAX_PARTS:
            continue
        seen.add(text)
        matches = service.backend.count_matching(leaf, planner)
        alternatives: list[q.Node] = []
        if not matches and id(leaf) not in negated and helped < MAX_HELPED_PARTS:
            helped += 1
            # only what finds something: 散热 offered 散熱, whose page offered 散热 back, both empty
            working = (alt for t in suggestions_for(service, leaf)
                       if service.backend.count_matching(alt := _in_field(leaf, t), planner))
            alternatives = list(islice(chain(working, _as_names(service, planner, node, leaf)), MAX_SUGGESTIONS))
        found.append((text, leaf, matches, alternatives))
    firsts = [(leaf, alts[0]) for _, leaf, matches, alts in found if not matches and alts]
    parts = []
    for text, leaf, matches, alternatives in found:
        others = [(other, first) for other, first in firsts if other is not leaf]
        parts.append(QueryPart(text=text, matches=matches, suggestions=[
            _suggestion(service, planner, node, [(leaf, alt), *others]) for alt in alternatives]))
    return ZeroResultHelp(parts=parts, as_name=_whole_as_name(service, planner, node),
                          names_as_written=[text for text, leaf, matches, _ in found
                                            if not matches and id(leaf) not in negated and _names_in_han(leaf)])


# Chinese characters: the unified ideographs, their extensions and compatibility forms
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# an applicant's name: PA (typed also 申请人, 专利权人 or AS) and an owner's harmonised name, OWNER (权利人)
APPLICANT_FIELDS = frozenset({"PA", "OWNER"})


def _names_in_han(leaf: q.Node) -> bool:
    """Whether ``leaf`` names an applicant in Chinese characters (one under NOT excludes: no reason
    to say anything about it, and the caller leaves those out)."""
    if isinstance(leaf, q.Term | q.Phrase):
        name = leaf.text
    elif isinstance(leaf, q.Keyword):
        name = leaf.value
    else:
        return False
    return leaf.field in APPLICANT_FIELDS and HAN.search(name) is not None


class Widening(BaseModel):
    """The query with its abbreviations and Chinese terms also searched by their equivalents
    (LED OR "light emitting diode"), offered beside results when it finds more: "LED heat sink"
    found 2 documents where the corpus writes "light emitting diode" in 60 more."""

    words: list[str]  # the parts widened, as typed
    query: str  # the widened query, to search instead
    matches: int  # documents it finds, with the same filters


MAX_WIDENED = 3  # parts widened in one query


def widening(service: SearchService, typed: str, filters: list[str], found: int) -> Widening | None:
    """The widened query when some part has equivalents (EQUIVALENTS) and, with ``filters``, it
    finds more documents than the ``found`` of the query as typed; else None. Parts under NOT, in
    a name field, wildcards and NEAR/ADJ/SAME queries are left as typed."""
    node, planner = service.plan(typed)
    if any(isinstance(n, q.Prox | q.Same) for n in walk(node)):
        return None
    negated = {id(leaf) for n in walk(node) if isinstance(n, q.Not) for leaf in q.leaves(n.item)}
    swaps: list[tuple[q.Node, q.Node]] = []
    widened: set[q.Node] = set()
    for leaf in q.leaves(node):
        if id(leaf) in negated or not isinstance(leaf, q.Term | q.Phrase) or leaf.field in q.NAME_FIELDS \
                or (isinstance(leaf, q.Term) and leaf.is_wildcard):
            continue
        own = service.analyzer.tokens(leaf.text)
        others = [_in_field(leaf, e) for e in EQUIVALENTS.get(leaf.text.strip().lower(), [])
                  if service.analyzer.tokens(e) != own]
        if others and len(widened) < MAX_WIDENED:
            swaps.append((leaf, q.Or((leaf, *others))))
            widened.add(leaf)  # "LED LED": both widened, named once
    if not swaps:
        return None
    wide = node
    for leaf, alternative in swaps:
        wide = _replaced(wide, leaf, alternative)
    text = shown(wide)
    try:  # the wider query may pass the limits the typed one kept to (its length, words, depth)
        matches = service.backend.count_matching(*service.plan(narrowed(text, filters)))
    except QuerySyntaxError:
        return None
    if matches <= found:
        return None
    return Widening(words=list(dict.fromkeys(render(leaf) for leaf, _ in swaps)), query=text, matches=matches)


def _suggestion(service: SearchService, planner: Planner, node: q.Node,
                swaps: list[tuple[q.Node, q.Node]]) -> Suggestion:
    """The first swap's alternative, with the query all ``swaps`` make, if that finds something."""
    whole = node
    for leaf, alternative in swaps:
        whole = _replaced(whole, leaf, alternative)
    finds = service.backend.count_matching(whole, planner) > 0
    return Suggestion(text=_shown(swaps[0][1]), query=render(whole) if finds else None)


def _shown(alternative: q.Node) -> str:
    """A suggestion as the reader sees it: a name with its field (PA=Bridgelux), text without."""
    if isinstance(alternative, q.Term | q.Phrase) and alternative.field in NAME_FIELDS:
        return render(alternative)
    return alternative.text if isinstance(alternative, q.Term | q.Phrase) else render(alternative)


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
    scripts = {script: zhconv.convert(words, script) for script in ("zh-hans", "zh-hant")}
    # 散熱 has the English of 散热
    out = [e for key in dict.fromkeys((words.lower(), scripts["zh-hans"])) for e in EQUIVALENTS.get(key, [])]
    out += [converted for converted in scripts.values() if converted != words]
    if isinstance(leaf, q.Term) and not leaf.is_wildcard and len(words) >= 3 and words.isascii():
        fields = q.TEXT_FIELDS.get(leaf.field, q.TEXT_FIELDS["TXT"])
        vocabulary = service.backend.vocabulary(fields, words[:2].lower(), VOCABULARY_SAMPLE)
        out += difflib.get_close_matches(words.lower(), vocabulary, n=3, cutoff=0.75)
    # Only what searches something else: not the same tokens written otherwise (「智能」 for “智能”,
    # half for halves), and not a word the analysis drops (a close spelling that is a stop word).
    searched = service.analyzer.tokens(words)
    return list(dict.fromkeys(s for s in out if (tokens := service.analyzer.tokens(s)) and tokens != searched))[:5]
