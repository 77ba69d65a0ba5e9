"""Wildcard expansion (ipsearch.query.plan): the index tokens a pattern matches, and the tokens of
the words it is known to spell, which it cannot match as written (the index holds lemmas)."""

from __future__ import annotations

import pytest

from ipsearch.analysis import get_analyzer
from ipsearch.query.ast import Term
from ipsearch.query.plan import Planner


class Vocabulary:
    """The index's tokens, as a backend's vocabulary lookup gives them."""

    def __init__(self, *tokens: str) -> None:
        self.tokens = sorted(tokens)

    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]:
        return [t for t in self.tokens if t.startswith(prefix)][:limit]


def expand(pattern: str, *vocabulary: str, field: str = "TXT") -> list[str]:
    return Planner(get_analyzer(), Vocabulary(*vocabulary)).expand(Term(pattern, field))


@pytest.mark.parametrize("pattern,token", [
    ("emitting*", "emit"), ("bearing*", "bear"), ("model?ing", "model"), ("travel?ed", "travel"),
    ("hous?ng", "house"), ("emitt?ng", "emit"), ("nanobodie?", "nanobody"), ("parallaxe?", "parallax"),
])
def test_a_pattern_searches_the_tokens_of_the_words_it_spells(pattern: str, token: str) -> None:
    assert token in expand(pattern)


@pytest.mark.parametrize("pattern", ["rang*", "ran*", "lit*", "bound*", "found*", "sat*", "bor?", "met*"])
def test_a_truncation_does_not_search_an_irregular_forms_lemma(pattern: str) -> None:
    """rang is a form of ring, but rang* means words starting with rang (rangefinder), not ring."""
    assert expand(pattern) == []


@pytest.mark.parametrize("pattern", ["cut-off?", "add-on?", "check-in?", "wi-fi*"])
def test_words_with_punctuation_add_no_spelled_tokens(pattern: str) -> None:
    """A hyphenated spelling has several tokens (or one with a hyphen that Elasticsearch and the
    embedded index would read differently): only what the vocabulary holds is searched."""
    assert expand(pattern) == []


def test_index_tokens_come_first_and_spelled_tokens_are_not_repeated() -> None:
    assert expand("emit*", "emit", "emitter", "emission") == ["emit", "emitter"]
    assert expand("emitting*", "emittingx") == ["emittingx", "emit"]


def test_names_are_spelled_as_names() -> None:
    """PA=siemens* must not add siemen: names keep their s (Analyzer.name_tokens)."""
    assert expand("siemens*", "siemens", field="PA") == ["siemens"]
    assert expand("electronics*", field="PA") == ["electronic"]
