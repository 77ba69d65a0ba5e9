"""Emerging terms: words of titles and abstracts whose share of the scope's documents grows beyond
the same word's growth in the rest of the corpus.

Patent drafting words ("adjacent", "respective", "in response to") rise and fall with drafting
fashion in every field; a term emerges in a scope only by the part of its growth the corpus does
not show. The reference is the corpus *outside* the scope: the whole corpus contains the scope,
so a word only the scope uses would always seem to grow there exactly as fast as in the scope.

With shares of documents s (scope) and x (outside), earlier and recent window:

    expected = min(100, max(s_earlier * x_recent / x_earlier,      the outside's relative growth
                            s_earlier + x_recent - x_earlier))     the outside's change in points
    excess   = s_recent - expected                                  (percentage points)

(no outside documents with the term in either window: no growth elsewhere). A term is reported
when both its share change in the scope and its excess are at least ``min_excess`` points and it
occurs in at least ``min_documents`` recent documents of the scope, largest excess first; none
is reported when nothing outside the scope is published in both windows. Shares are of
documents in both counting units (one document, one vote on wording).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import BaseModel, Field

from analytics.periods import Basis, Span, year_range
from ipsearch.backends.base import SearchBackend
from ipsearch.query.ast import And, Node
from ipsearch.query.plan import Planner

TERMS_FIELD = "terms"


class EmergingTerm(BaseModel):
    term: str
    recent: int = Field(description="recent-window documents of the scope with the term")
    earlier: int
    recent_share: float = Field(description="% of the scope's recent-window documents")
    earlier_share: float
    change: float = Field(description="share change in the scope, percentage points")
    outside_recent_share: float = Field(description="% of the recent-window documents outside the scope")
    outside_earlier_share: float
    expected_share: float = Field(description="the recent share had the term grown as it did outside the scope")
    excess: float = Field(description="recent share above the expected share, percentage points")


class TermSettings(BaseModel):
    basis: Basis
    candidates: int = Field(description="the scope's most frequent recent terms examined")
    min_documents: int
    min_excess: float
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
        """The window ``span`` of ``node``: the ``size`` most frequent terms, or exactly ``terms``."""
        windowed = And((node, year_range(self.basis, span)))
        documents = self.backend.count_matching(windowed, self.planner)
        if not documents or terms == []:
            return _Window(documents, {})
        counts = self.backend.top_values(windowed, self.planner, TERMS_FIELD, size, include=terms)
        return _Window(documents, counts)


def expected_share(earlier: float, outside_earlier: float, outside_recent: float) -> float:
    """The scope's recent share had the term grown as it did outside the scope, relatively and
    in points, whichever is more (at most 100%)."""
    if outside_earlier:
        relative = earlier * outside_recent / outside_earlier
    else:
        relative = earlier if not outside_recent or not earlier else math.inf
    return min(100.0, max(relative, earlier + outside_recent - outside_earlier))


def _row(term: str, scope: tuple[_Window, _Window], outside: tuple[_Window, _Window]) -> EmergingTerm:
    (recent, earlier), (o_recent, o_earlier) = scope, outside
    rs, es, ors, oes = recent.share(term), earlier.share(term), o_recent.share(term), o_earlier.share(term)
    expected = expected_share(es, oes, ors)
    # differences of the shares as shown, so that a reader's subtraction of two columns gives the third
    shown = {"recent_share": round(rs, 2), "earlier_share": round(es, 2), "expected_share": round(expected, 2)}
    return EmergingTerm(term=term, recent=recent.with_term.get(term, 0), earlier=earlier.with_term.get(term, 0),
                        change=round(shown["recent_share"] - shown["earlier_share"], 2),
                        outside_recent_share=round(ors, 2), outside_earlier_share=round(oes, 2),
                        excess=round(shown["recent_share"] - shown["expected_share"], 2), **shown)


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
    rows = [_row(t, windows, reference) for t in terms]
    kept = [r for r in rows if r.recent >= settings.min_documents and min(r.change, r.excess) >= settings.min_excess]
    kept.sort(key=lambda r: (-r.excess, -r.recent, r.term))
    return kept[:settings.top]
