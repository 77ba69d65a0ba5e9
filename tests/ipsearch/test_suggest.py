"""ipsearch.suggest: what to try when a query found nothing, on the real corpus."""

from __future__ import annotations

import pytest

from ipsearch.query import ast as q
from ipsearch.query.parser import parse_query
from ipsearch.service import SearchService
from ipsearch.suggest import EQUIVALENTS, suggestions_for, widening, zero_result_help


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


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_a_name_typed_alone_is_offered_as_an_applicant_or_inventor(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """A company's name is seldom in a patent's text: typed without a field it finds nothing, and the
    help offers it as an applicant (Bridgelux is US8089085B2's assignee; 三菱电机 is the Chinese
    name CN101096965A's applicant is also given) or as one name of several words (Seoul Opto)."""
    service: SearchService = request.getfixturevalue(service_name)
    for word, offered in (("Bridgelux", "PA=Bridgelux"), ("三菱电机", "PA=三菱电机"), ("toshikatsu", "IN=toshikatsu")):
        assert service.search(word).total == 0, word
        [part] = zero_result_help(service, word).empty_parts
        assert offered in [s.text for s in part.suggestions], word
        assert service.search(offered).total >= 1
    both = zero_result_help(service, "Seoul Opto")
    assert both.as_name is not None and both.as_name.text == 'PA="Seoul Opto"' and both.as_name.matches >= 1
    near = zero_result_help(service, "Bridgelux NEAR3 heat")  # a name cannot stand inside NEAR
    assert all(not s.text.startswith(("PA=", "IN=")) for p in near.parts for s in p.suggestions)
    assert near.as_name is None and zero_result_help(service, "Bridgelux OR zzqx").as_name is None


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_chinese_words_are_offered_in_the_english_the_corpus_is_written_in(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """Most of the corpus is US and EP text: 发光二极管 散热 finds nothing, its parts are offered in
    English where that finds something (US8089085B2, a heat sink base for LEDs). Each suggestion's
    query replaces the other empty part too, so none is a dead end: "heat sink" for 散热 alone kept
    发光二极管 and found nothing, and 散热 offered 散熱, whose own help offered 散热 back."""
    service: SearchService = request.getfixturevalue(service_name)
    assert service.search("发光二极管 散热").total == 0
    help_ = zero_result_help(service, "发光二极管 散热")
    offered = {p.text: {s.text: s.query for s in p.suggestions} for p in help_.empty_parts}
    assert offered == {
        "发光二极管": {"light emitting diode": '("light emitting diode" AND "heat sink")',
                   "LED": '(LED AND "heat sink")'},
        "散热": {"heat sink": '("light emitting diode" AND "heat sink")',
               "heat dissipation": '("light emitting diode" AND "heat dissipation")'}}
    assert "US8089085B2" in [h.pn for h in service.search('("light emitting diode" AND "heat sink")').hits]
    for suggestion in (s for p in help_.empty_parts for s in p.suggestions):  # each link finds something
        assert suggestion.query and service.search(suggestion.query).total > 0, suggestion
    traditional = zero_result_help(service, "散熱")  # the traditional script reaches the same English
    assert [s.text for s in traditional.empty_parts[0].suggestions] == ["heat sink", "heat dissipation"]
    assert {"发光二极管", "有机发光二极管", "散热"} <= EQUIVALENTS.keys()  # no entry lost in a comment
    negated = zero_result_help(service, "散热 AND NOT 发光二极管")  # what NOT excludes is left as typed
    assert {p.text: bool(p.suggestions) for p in negated.empty_parts} == {"散热": True, "发光二极管": False}
    # another empty part with no way out: the English is still named, as a hint without a dead-end link
    stuck = zero_result_help(service, "发光二极管 AND zzqx")
    assert [(s.text, s.query) for s in stuck.empty_parts[0].suggestions] == [("light emitting diode", None),
                                                                            ("LED", None)]


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_an_abbreviation_is_offered_with_its_other_names_when_they_find_more(
        service_name: str, request: pytest.FixtureRequest) -> None:
    """"LED lamp" found the one document that writes "LED" where others write "light emitting
    diode"; a Chinese term finds the English documents. Offered, never searched silently."""
    service: SearchService = request.getfixturevalue(service_name)
    found = service.search("LED AND lamp").documents
    wide = widening(service, "LED lamp", [], found)
    assert wide is not None and wide.words == ["LED"]
    assert wide.query == '(LED OR "light emitting diode") AND lamp'
    assert wide.matches == service.search(wide.query).documents > found
    narrow = widening(service, "LED lamp", ["CC=US"], 0)  # counted with the filters
    assert narrow is not None and narrow.matches == service.search(f"({wide.query}) AND CC=US").documents
    chinese = widening(service, "TI=发光二极管", [], 0)
    assert chinese is not None and chinese.query == 'TI=发光二极管 OR TI="light emitting diode" OR TI=LED'
    for typed in ("NOT LED AND lamp", "led* lamp", "LED NEAR3 lamp", "PA=LED", "lamp"):  # left as typed
        assert widening(service, typed, [], 0) is None, typed


def test_a_widening_past_the_query_limits_is_not_offered(embedded_service: SearchService) -> None:
    """Each widened word adds an OR group: a query near the limits typed fine and the page answered
    400, "longer than 2000 characters", for the offer it could not make."""
    long = "LED " + "lamp " * 150 + "x" * 1240  # 1,994 characters: within the limit, the widened one past it
    found = embedded_service.search(long).documents  # searched, not refused
    assert len(long) <= 2000 and widening(embedded_service, long, [], found) is None
    many = "LED OR " + " OR ".join(["lamp"] * 199)  # 200 words: the widened query has 201
    assert widening(embedded_service, many, [], 0) is None
    twice = widening(embedded_service, "LED LED lamp", [], 0)
    assert twice is not None and twice.words == ["LED"]  # named once
