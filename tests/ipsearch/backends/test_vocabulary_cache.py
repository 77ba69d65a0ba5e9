"""Wildcard expansions kept for a few seconds (``ipsearch.backends.vocabulary_cache``): a repeated
wildcard reads the vocabulary once, and nothing kept hides a word loaded since."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from ipsearch.backends import get_backend, vocabulary_cache
from ipsearch.backends.elastic import ElasticsearchBackend
from ipsearch.backends.vocabulary_cache import TTL_SECONDS, VocabularyCache
from ipsearch.service import SearchService
from loaders.pipeline import run_load

LAMP = "USD630349S1"  # the design patent "Lamp" in ipg110104.small.xml


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fetcher(*answers: list[str]) -> tuple[list[int], Any]:
    calls = [0]

    def fetch() -> list[str]:
        calls[0] += 1
        return answers[min(calls[0], len(answers)) - 1]
    return calls, fetch


def test_a_kept_expansion_is_read_again_until_it_expires() -> None:
    clock = Clock()
    cache = VocabularyCache(timer=clock)
    calls, fetch = _fetcher(["lamp"], ["lamp", "lamps"])
    key = ("vocab", "lamp", 100)
    assert cache.get(key, fetch) == ["lamp"]
    clock.now += TTL_SECONDS - 1
    assert cache.get(key, fetch) == ["lamp"] and calls == [1]
    clock.now += 2
    assert cache.get(key, fetch) == ["lamp", "lamps"] and calls == [2]


def test_a_change_in_this_process_forgets_every_kept_expansion() -> None:
    cache = VocabularyCache()
    calls, fetch = _fetcher(["lamp"], ["lamp", "lamps"])
    cache.get(("vocab", "lamp", 100), fetch)
    vocabulary_cache.changed()
    assert cache.get(("vocab", "lamp", 100), fetch) == ["lamp", "lamps"] and calls == [2]


def test_an_expansion_fetched_while_something_changed_is_not_kept() -> None:
    cache = VocabularyCache()
    calls = [0]

    def fetch_during_a_load() -> list[str]:
        calls[0] += 1
        vocabulary_cache.changed()  # a write lands while the vocabulary is read: it may be missing
        return ["lamp"]

    cache.get(("vocab", "lamp", 100), fetch_during_a_load)
    cache.get(("vocab", "lamp", 100), fetch_during_a_load)
    assert calls == [2]


def test_what_a_caller_changes_in_an_answer_is_not_kept() -> None:
    cache = VocabularyCache()
    _, fetch = _fetcher(["lamp"])
    cache.get(("vocab", "lamp", 100), fetch).append("mutated")
    assert cache.get(("vocab", "lamp", 100), fetch) == ["lamp"]


def test_a_repeated_wildcard_search_reads_the_vocabulary_once(es_service: SearchService,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    shared = es_service.backend
    assert isinstance(shared, ElasticsearchBackend)
    backend = ElasticsearchBackend(shared.url, alias=shared.alias)  # nothing kept from other tests
    reads: list[str] = []
    search = backend.client.search

    def counted(**kwargs: Any) -> Any:
        if kwargs.get("index") == backend.vocab_index:
            reads.append(kwargs["query"]["prefix"]["term"])
        return search(**kwargs)

    monkeypatch.setattr(backend.client, "search", counted)
    service = SearchService(backend)
    first = service.search("TI=lam* OR light")
    assert first.total > 0 and reads == ["lam"]  # compiling and marking share one expansion
    again = service.search("TI=lam* OR light")
    assert [h.pn for h in again.hits] == [h.pn for h in first.hits] and reads == ["lam"]
    assert again.hits[0].highlights == first.hits[0].highlights


def test_words_loaded_by_another_writer_of_this_process_are_found_at_once(prod_settings: Settings,
                                                                           shared_data_dir: Path) -> None:
    """A long-lived service (the API's) keeps an expansion; a load through another backend of the
    same process adds a word it matches: the next search finds the new document, not the kept list."""
    writer = get_backend(prod_settings, "es")
    writer.ensure_index()
    service = SearchService(get_backend(prod_settings, "es"))
    try:
        assert service.search("TI=lam*").total == 0
        loaded = run_load(prod_settings, [shared_data_dir / "patents" / "uspto" / "ipg110104.small.xml"], backend="es")
        assert loaded.loaded == 25
        assert LAMP in [h.pn for h in service.search("TI=lam*").hits]
    finally:
        writer.drop()
