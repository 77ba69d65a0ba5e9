"""Emerging terms: technical words of titles and abstracts whose share of the scope's documents
grows beyond the same word's growth in the rest of the corpus, by more than chance.

Three things keep a patent's drafting out of the list, because an analyst reads it for the
technology (quantum dot, beamforming), not for how claims are worded:

* the words a patent is written *with* are no candidates (``is_candidate``): claim wording
  ("comprising", "respective", "configured to", "in response to", "first"), the generic verbs of
  method steps ("receiving", "determining"), function words of the other languages an EP
  document is printed in, and the same words as Chinese patents write them;
* the reference is the corpus *outside* the scope: a word that rises with drafting fashion in
  every field is expected to rise in the scope as much. (The whole corpus contains the scope, so
  a word only the scope uses would always seem to grow there exactly as fast as in the scope.)
* the excess must stand ``min_z`` standard errors above sampling noise: in a scope of a hundred
  documents a window, a word in three quarters of them moves by five points by chance alone.

With shares of documents s (scope) and x (outside), earlier and recent window:

    expected = min(100, max(s_earlier * x_recent / x_earlier,      the outside's relative growth
                            s_earlier + x_recent - x_earlier))     the outside's change in points
    excess   = s_recent - expected                                  (percentage points)
    noise    = sqrt(s_recent (100 - s_recent) / n_recent + s_earlier (100 - s_earlier) / n_earlier)

(no outside documents with the term in either window: no growth elsewhere, and the row says the
word is not used outside the scope rather than "0.0 → 0.0"). A term is reported when both its
share change in the scope and its excess are at least ``min_excess`` points, its excess is at
least ``min_z`` times the noise, and it occurs in at least ``min_documents`` recent documents of
the scope, largest excess first; none is reported when nothing outside the scope is published in
both windows. Shares are of documents in both counting units (one document, one vote on wording).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from analytics.periods import Basis, Span, year_range
from ipsearch.backends.base import SearchBackend
from ipsearch.query.ast import And, Node
from ipsearch.query.plan import Planner
from ipsearch.similar import BOILERPLATE, FOREIGN_STOP, is_term

TERMS_FIELD = "terms"
# Claim wording and the generic verbs of method steps, as the analyser writes them (lemmas; jieba's
# words), beyond the boilerplate similar patents leave out: on the demo corpus "respective",
# "configure", "comprise" and "measure" led an LED scope's emerging terms, moving by chance.
DRAFTING_WORDS = BOILERPLATE | frozenset(
    "response plural multiple connect correspond associate base predetermine preset operable capable manner way "
    "particular specific "
    # the verbs of method steps: "receiving a signal; determining a value; ..."
    "receive determine control emit transmit measure store convert detect adjust obtain acquire generate send "
    "perform process execute select identify output input calculate compute compare update operate enable allow "
    "cause apply form extend define locate position mount attach make set get indicate represent".split()
    + "响应 接收 发送 确定 控制 检测 获取 生成 处理 执行 调节 调整 连接 相连 固定 安装 利用 基于 通过 "
      "结构 本体 主体 预设 预定 对应".split())
# Values a scope's top terms may hold that are no candidates: the candidates read that many more,
# so that ``candidates`` of them are always examined, however many of the top are drafting.
_EXCLUDED = len(DRAFTING_WORDS | FOREIGN_STOP)


def is_candidate(term: str) -> bool:
    """A word that may be an emerging technical term: not claim wording, a method step's verb or a
    function word (the page and the report say these are left out)."""
    return is_term(term) and term not in DRAFTING_WORDS


class EmergingTerm(BaseModel):
    term: str
    recent: int = Field(description="recent-window documents of the scope with the term")
    earlier: int
    recent_share: float = Field(description="% of the scope's recent-window documents")
    earlier_share: float
    change: float = Field(description="share change in the scope, percentage points")
    outside_recent: int = Field(description="recent-window documents outside the scope with the term")
    outside_earlier: int
    outside_recent_share: float = Field(description="% of the recent-window documents outside the scope")
    outside_earlier_share: float
    expected_share: float = Field(description="the recent share had the term grown as it did outside the scope")
    excess: float = Field(description="recent share above the expected share, percentage points")
    noise: float = Field(description="standard error of the share change by chance, points")

    @property
    def used_outside(self) -> bool:
        """Whether any document outside the scope has the word in either window: when none does,
        the outside's "0.0 → 0.0" says nothing and the page says so in words."""
        return bool(self.outside_recent or self.outside_earlier)


class TermSettings(BaseModel):
    basis: Basis
    candidates: int = Field(description="the scope's most frequent recent terms examined (drafting words aside)")
    min_documents: int
    min_excess: float
    min_z: float = Field(default=0.0, ge=0, description="standard errors of chance the excess must reach")
    top: int


@dataclass(frozen=True)
class _Window:
    """Documents of one window and how many of them have each candidate term."""

    documents: int
    with_term: dict[str, int]

    def share(self, term: str) -> float:
        return self.with_term.get(term, 0) / self.documents * 100 if self.documents else 0.0


class _Windows:
    def __init__(self, backend: SearchBackend, planner: Planner, basis: Basis) -> None:
        self.backend, self.planner, self.basis = backend, planner, basis

    def read(self, node: Node, span: Span, terms: list[str] | None, size: int = 0) -> _Window:
        """The window ``span`` of ``node``: the ``size`` most frequent candidate terms, or exactly ``terms``."""
        windowed = And((node, year_range(self.basis, span)))
        documents = self.backend.count_matching(windowed, self.planner)
        if not documents or terms == []:
            return _Window(documents, {})
        if terms is not None:
            return _Window(documents, self.backend.top_values(windowed, self.planner, TERMS_FIELD, 0, include=terms))
        counts = self.backend.top_values(windowed, self.planner, TERMS_FIELD, size + _EXCLUDED)
        ranked = sorted(((t, n) for t, n in counts.items() if is_candidate(t)), key=lambda tn: (-tn[1], tn[0]))
        return _Window(documents, dict(ranked[:size]))


def expected_share(earlier: float, outside_earlier: float, outside_recent: float) -> float:
    """The scope's recent share had the term grown as it did outside the scope, relatively and
    in points, whichever is more (at most 100%)."""
    if outside_earlier:
        relative = earlier * outside_recent / outside_earlier
    else:
        relative = earlier if not outside_recent or not earlier else math.inf
    return min(100.0, max(relative, earlier + outside_recent - outside_earlier))


def chance(recent: _Window, earlier: _Window, term: str) -> float:
    """The standard error, in points, of the term's share change between two windows of this many
    documents: how far it moves when nothing changed but which documents happened to be filed."""
    variance = sum(w.share(term) * (100 - w.share(term)) / w.documents for w in (recent, earlier) if w.documents)
    return math.sqrt(variance)


def _row(term: str, scope: tuple[_Window, _Window], outside: tuple[_Window, _Window]) -> EmergingTerm:
    (recent, earlier), (o_recent, o_earlier) = scope, outside
    rs, es, ors, oes = recent.share(term), earlier.share(term), o_recent.share(term), o_earlier.share(term)
    expected = expected_share(es, oes, ors)
    # differences of the shares as shown, so that a reader's subtraction of two columns gives the third
    shown = {"recent_share": round(rs, 2), "earlier_share": round(es, 2), "expected_share": round(expected, 2)}
    return EmergingTerm(term=term, recent=recent.with_term.get(term, 0), earlier=earlier.with_term.get(term, 0),
                        change=round(shown["recent_share"] - shown["earlier_share"], 2),
                        outside_recent=o_recent.with_term.get(term, 0),
                        outside_earlier=o_earlier.with_term.get(term, 0),
                        outside_recent_share=round(ors, 2), outside_earlier_share=round(oes, 2),
                        excess=round(shown["recent_share"] - shown["expected_share"], 2),
                        noise=round(chance(recent, earlier, term), 2), **shown)


def emerging(row: EmergingTerm, settings: TermSettings) -> bool:
    """Enough recent documents, a change and an excess of ``min_excess`` points, and an excess
    beyond chance."""
    return row.recent >= settings.min_documents and min(row.change, row.excess) >= settings.min_excess \
        and row.excess >= settings.min_z * row.noise


def emerging_terms(backend: SearchBackend, planner: Planner, scope: Node, outside: Node, spans: tuple[Span, Span],
                   settings: TermSettings) -> list[EmergingTerm]:
    """The scope's emerging terms between the earlier and the recent window (``spans``: recent,
    earlier), measured against ``outside`` (what is published by the cut-off outside the scope)."""
    w = _Windows(backend, planner, settings.basis)
    recent = w.read(scope, spans[0], None, settings.candidates)
    terms = sorted(recent.with_term)
    reference = (w.read(outside, spans[0], terms), w.read(outside, spans[1], terms))
    if not recent.documents or not (reference[0].documents and reference[1].documents):
        return []
    windows = (recent, w.read(scope, spans[1], terms))
    kept = [r for r in (_row(t, windows, reference) for t in terms) if emerging(r, settings)]
    kept.sort(key=lambda r: (-r.excess, -r.recent, r.term))
    return kept[:settings.top]
