"""ipsearch.suggest: what to try when a query found nothing, on the real corpus."""

from __future__ import annotations

import pytest

from ipsearch.query import ast as q
from ipsearch.query.parser import parse_query
from ipsearch.service import SearchService
from ipsearch.suggest import suggestions_for, zero_result_help


@pytest.mark.parametrize("query", ["TI=halves", "TI=hafves", "一种「智能」灯", "一种“智能”灯", "TI=leavs", "basess"])
def test_a_suggestion_searches_something_else(embedded_service: SearchService, query: str) -> None:
    """Not the same tokens written otherwise (「智能」 and “智能”, halves and half), and not a stop word
    the search would drop (the help once offered "have" for halves)."""
    analyzer = embedded_service.analyzer
    for leaf in q.leaves(parse_query(query)):
        assert isinstance(leaf, q.Term | q.Phrase)
        for suggestion in suggestions_for(embedded_service, leaf):
            assert analyzer.tokens(suggestion) not in ([], analyzer.tokens(leaf.text)), (query, suggestion)


def test_a_misspelling_gets_the_word(embedded_service: SearchService) -> None:
    help_ = zero_result_help(embedded_service, "TI=diodde")
    assert [p.text for p in help_.empty_parts] == ["TI=diodde"]
    assert "diode" in [s.text for s in help_.empty_parts[0].suggestions]
