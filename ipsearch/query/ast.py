"""The query AST. Fields are pushed down to the leaves, so ``TI=(a OR b)`` and
``TI=a OR TI=b`` are the same tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# Text fields searched by terms and phrases; TXT means all four.
TEXT_FIELDS = {"TI": ("ti",), "AB": ("ab",), "CL": ("cl",), "DESC": ("desc",), "TXT": ("ti", "ab", "cl", "desc"),
               "PA": ("pa",), "IN": ("inv",), "AG": ("ag",)}
# Fields of parties' names: analysed as names (Analyzer.name_tokens), at index time and in queries.
NAME_FIELDS = frozenset({"PA", "IN", "AG"})
# field code -> index field. EXP: from a legal event, else an estimate; LSD: any legal event's date.
DATE_FIELDS = {"PD": "publication_date", "AD": "filing_date", "PRD": "priority_date", "EXP": "expiry_date",
               "LSD": "legal_event_dates"}
LIST_DATE_FIELDS = {"LSD"}  # several dates per document
CLASS_FIELDS = {"IPC": "ipc", "CPC": "cpc"}
# PAC: an owner's country; OWNER: an owner's harmonised name; RUN: the load run that wrote a document;
# FAM: a family id; LS: the legal status (pending, inforce, lapsed, expired, unknown);
# CITES: documents whose citations name this publication, any kind (forward citations within the corpus);
# RG: an owner's Chinese administrative division (GB/T 2260: 广东, 广东省, Guangdong and 440000 are one place;
# a province includes its cities)
KEYWORD_FIELDS = {"PN", "AN", "CC", "KIND", "LANG", "PAC", "OWNER", "RUN", "FAM", "LS", "CITES", "RG"}

ALIASES = {
    "名称": "TI", "标题": "TI", "摘要": "AB", "权利要求": "CL", "说明书": "DESC", "全文": "TXT",
    "申请人": "PA", "专利权人": "PA", "发明人": "IN", "代理人": "AG", "代理机构": "AG",
    "申请号": "AN", "公开号": "PN", "公告号": "PN", "申请日": "AD", "公开日": "PD", "公告日": "PD",
    "优先权日": "PRD", "分类号": "IPC", "国家": "CC", "申请人国别": "PAC", "权利人": "OWNER", "届满日": "EXP",
    "同族": "FAM", "法律状态": "LS", "法律状态日": "LSD", "引用": "CITES", "地区": "RG", "省市": "RG",
    "TA": "TXT", "AP": "AN", "PR": "PRD", "AU": "IN", "AS": "PA",
}


def field_names() -> list[str]:
    """Every field code and alias the parser accepts, longest first (so PAC wins over PA)."""
    codes = {*TEXT_FIELDS, *DATE_FIELDS, *CLASS_FIELDS, *KEYWORD_FIELDS, *ALIASES}
    return sorted(codes, key=lambda c: (-len(c), c))


@dataclass(frozen=True)
class Term:
    """A word as typed (may contain ``*``/``?`` wildcards); analysed when compiled."""

    text: str
    field: str = "TXT"

    @property
    def is_wildcard(self) -> bool:
        return "*" in self.text or "?" in self.text


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str = "TXT"


@dataclass(frozen=True)
class Prox:
    """``left NEARn right`` (any order) or ``left ADJn right`` (in order), within n positions,
    inside one claim, paragraph, title or abstract."""

    left: Node
    right: Node
    n: int
    ordered: bool


@dataclass(frozen=True)
class Same:
    """Both sides in the same claim, paragraph, title or abstract."""

    left: Node
    right: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class DateRange:
    """Inclusive range on a date field (None = open)."""

    field: str  # PD, AD, PRD, EXP, LSD
    gte: dt.date | None
    lte: dt.date | None


@dataclass(frozen=True)
class ClassCode:
    """An IPC/CPC symbol or prefix: ``H`` section, ``H04`` class, ``H04N`` subclass,
    ``H04N 21/`` (main group, any subgroup), ``H04N 21/431`` exact."""

    field: str  # IPC, CPC
    code: str
    prefix: bool


@dataclass(frozen=True)
class Keyword:
    """Exact match on an identifier field: PN, AN, CC, KIND, LANG, PAC, OWNER, RUN, FAM, LS (values normalised)."""

    field: str
    value: str


Node = Term | Phrase | Prox | Same | And | Or | Not | DateRange | ClassCode | Keyword


def any_keyword(field: str, values: Sequence[str]) -> Node:
    """Documents with any of ``values`` in keyword ``field`` (one value: the Keyword itself)."""
    if not values:
        raise ValueError(f"any_keyword({field!r}) needs at least one value")
    return Or(tuple(Keyword(field, v) for v in values)) if len(values) > 1 else Keyword(field, values[0])


def leaves(node: Node) -> list[Node]:
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.item)
    if isinstance(node, Prox | Same):
        return leaves(node.left) + leaves(node.right)
    return [node]


def text_field_of(node: Node) -> str | None:
    """The single text field a proximity operand lives in (None if mixed or not text)."""
    fields = {leaf.field for leaf in leaves(node) if isinstance(leaf, Term | Phrase)}
    others = [leaf for leaf in leaves(node) if not isinstance(leaf, Term | Phrase)]
    return fields.pop() if len(fields) == 1 and not others else None
