"""Emerging terms on a constructed case (issue 19, item 1), counted by a stand-in backend so each
window holds exactly the documents written here: the demo's LED dashboard listed "respective",
"configure" and "measure" (claim wording moving by chance in a hundred documents) and rows that
read "0.0 → 0.0" outside the scope. The real backends are in test_indicator_acceptance.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from analytics.periods import Basis, Span
from analytics.terms import TermSettings, emerging_terms, is_candidate
from ipsearch.backends.base import SearchBackend
from ipsearch.query.ast import And, DateRange, Keyword, Node
from ipsearch.query.plan import Planner

SCOPE, OUTSIDE = Keyword("CC", "scope"), Keyword("CC", "outside")
RECENT, EARLIER = (2019, 2021), (2016, 2018)
SETTINGS = TermSettings(basis=Basis.filing, candidates=300, min_documents=3, min_excess=1.0, min_z=2.33, top=10)


@dataclass(frozen=True)
class Doc:
    side: Node
    year: int
    terms: frozenset[str]


def docs(side: Node, span: Span, n: int, with_term: dict[str, int]) -> list[Doc]:
    """``n`` documents of ``side`` in ``span``; the first ``with_term[t]`` of them have the word t."""
    return [Doc(side, span[0], frozenset(t for t, k in with_term.items() if i < k) | {"lamp"}) for i in range(n)]


class Stand:
    """What emerging_terms asks a backend: documents and term counts of one side in one window."""

    def __init__(self, corpus: list[Doc]) -> None:
        self.corpus = corpus

    def _matching(self, node: Node) -> list[Doc]:
        assert isinstance(node, And)
        side, window = node.items
        assert isinstance(window, DateRange) and window.gte and window.lte
        return [d for d in self.corpus if d.side == side and window.gte.year <= d.year <= window.lte.year]

    def count_matching(self, node: Node, planner: Any) -> int:
        return len(self._matching(node))

    def top_values(self, node: Node, planner: Any, field: str, size: int,
                   include: list[str] | None = None) -> dict[str, int]:
        counts = Counter(t for d in self._matching(node) for t in d.terms)
        if include is not None:
            return {t: n for t, n in counts.items() if t in include}
        return dict(sorted(counts.items(), key=lambda tn: (-tn[1], tn[0]))[:size])


def rows(corpus: list[Doc], settings: TermSettings = SETTINGS) -> dict[str, Any]:
    backend = cast(SearchBackend, Stand(corpus))
    got = emerging_terms(backend, cast(Planner, None), SCOPE, OUTSIDE, (RECENT, EARLIER), settings)
    return {t.term: t for t in got}


def test_claim_wording_and_chance_are_not_emerging_and_a_new_technique_is() -> None:
    """A hundred documents a window in the scope, a thousand outside. "respective" jumps in the
    scope alone (claim wording: never a candidate); "phosphor" moves from 75 to 81 of a hundred,
    outside flat (one standard error of chance: it was listed at 6 points above expected);
    "perovskite" goes from 2 to 40 documents and is used nowhere else."""
    corpus = (docs(SCOPE, EARLIER, 100, {"respective": 20, "phosphor": 75, "perovskite": 2, "configure": 50})
              + docs(SCOPE, RECENT, 100, {"respective": 70, "phosphor": 81, "perovskite": 40, "configure": 80})
              + docs(OUTSIDE, EARLIER, 1000, {"respective": 200, "phosphor": 10, "configure": 500})
              + docs(OUTSIDE, RECENT, 1000, {"respective": 200, "phosphor": 10, "configure": 500}))
    got = rows(corpus)
    assert list(got) == ["perovskite"]
    new = got["perovskite"]
    assert (new.earlier, new.recent, new.excess) == (2, 40, 38.0) and new.excess > 2.33 * new.noise
    # nowhere outside the scope: the page says so rather than "0.0 → 0.0"
    assert not new.used_outside and (new.outside_earlier, new.outside_recent) == (0, 0)
    assert not is_candidate("respective") and not is_candidate("configure") and not is_candidate("包括")
    assert is_candidate("perovskite") and is_candidate("钙钛矿")
    # without the test of chance, the phosphor row was there: 6 points above an expected 75
    loose = rows(corpus, SETTINGS.model_copy(update={"min_z": 0.0}))
    assert list(loose) == ["perovskite", "phosphor"] and loose["phosphor"].excess == 6.0
    assert loose["phosphor"].used_outside and 4 < loose["phosphor"].noise < 7


def test_drafting_words_do_not_take_the_candidates_places() -> None:
    """The scope's most frequent words are drafting words; the technical one below them is still
    examined (candidates are counted after drafting words are set aside)."""
    drafting = {w: 100 for w in ("comprise", "respective", "configure", "receive", "determine")}
    corpus = (docs(SCOPE, EARLIER, 100, drafting | {"perovskite": 0})
              + docs(SCOPE, RECENT, 100, drafting | {"perovskite": 30})
              + docs(OUTSIDE, EARLIER, 100, {"perovskite": 0}) + docs(OUTSIDE, RECENT, 100, {"perovskite": 1}))
    got = rows(corpus, SETTINGS.model_copy(update={"candidates": 2}))
    assert list(got) == ["perovskite"] and got["perovskite"].used_outside
