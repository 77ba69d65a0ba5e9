"""A search page's hit whose title and abstract show no match shows the first claim that matches
(what a ``CL=`` search found), on both backends over the real corpus."""

from __future__ import annotations

import html
import re

import pytest

from ipsearch.analysis import get_analyzer
from ipsearch.service import SearchService

PHRASE = ["light", "emit"]


def _has_phrase(tokens: list[str]) -> bool:
    return any(tokens[i:i + 2] == PHRASE for i in range(len(tokens) - 1))


@pytest.fixture(params=["es", "embedded"])
def service(request: pytest.FixtureRequest) -> SearchService:
    found: SearchService = request.getfixturevalue(f"{request.param}_service")
    return found


def test_a_claims_search_shows_the_first_claim_that_matched(service: SearchService) -> None:
    analyzer = get_analyzer()
    result = service.search('CL="light emitting"', claims=True)
    assert len(result.hits) >= 5
    for hit in result.hits:
        assert not hit.highlights and hit.claim is not None, hit.pn  # CL= marks no title or abstract
        marked = re.findall(r"<mark>(.*?)</mark>", hit.claim.fragment)
        assert marked and all(analyzer.tokens(html.unescape(m)) == PHRASE for m in marked), hit.pn
        doc = service.document(hit.pn).document
        claims = {c["number"]: c["text"] for c in doc["claims"][hit.claim.lang]}
        assert _has_phrase(analyzer.tokens(claims[hit.claim.number]))
        # the document's own language is read first, claim by claim
        own = {c["number"]: c["text"] for c in doc["claims"].get(doc["lang"], [])}
        before = [text for number, text in own.items() if hit.claim.lang != doc["lang"] or number < hit.claim.number]
        assert not any(_has_phrase(analyzer.tokens(text)) for text in before), hit.pn


def test_both_backends_show_the_same_claims(es_service: SearchService, embedded_service: SearchService) -> None:
    for query in ('CL="light emitting"', "CL=antenna", "CL=(电池 OR 电极)"):
        shown = [{h.pn: h.claim.number if h.claim else None for h in s.search(query, claims=True, size=50).hits}
                 for s in (es_service, embedded_service)]
        assert shown[0] == shown[1] and any(shown[0].values()), query


def test_a_hit_marked_in_its_title_or_abstract_shows_no_claim(service: SearchService) -> None:
    hits = service.search('TI="light emitting" OR CL="light emitting"', claims=True, size=50).hits
    assert any(h.highlights for h in hits) and any(h.claim for h in hits)
    assert all(h.claim is None for h in hits if h.highlights)


def test_claims_are_looked_up_for_a_claims_search_only(service: SearchService) -> None:
    """Words searched everywhere: a hit without marks in its title and abstract shows no claim."""
    hits = service.search('"light emitting" OR 电极', claims=True, size=50).hits
    assert any(not h.highlights for h in hits) and all(h.claim is None for h in hits)


def test_claims_are_shown_only_when_asked(service: SearchService) -> None:
    assert all(h.claim is None for h in service.search('CL="light emitting"').hits)
    assert all(h.claim is None for h in service.search('CL="light emitting"', claims=True, marked=False).hits)


def test_words_searched_elsewhere_or_excluded_are_not_marked(service: SearchService) -> None:
    by_applicant = service.search("PA=samsung", claims=True).hits
    assert by_applicant and all(h.claim is None for h in by_applicant)
    fragments = [h.claim.fragment for h in service.search('CL="light emitting" NOT AB=organic', claims=True).hits
                 if h.claim]
    assert any("organic" in f.lower() for f in fragments)  # an OLED claim: organic is there, and not marked
    assert not any("organic" in m.lower() for f in fragments for m in re.findall(r"<mark>(.*?)</mark>", f))
