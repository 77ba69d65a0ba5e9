"""The Elasticsearch backend's own mechanics.

How the writer reads a bulk load's results (``in_input_order``): ``streaming_bulk`` yields a
request's accepted items first and the ones it retried (429) after their backoff; these results are
shaped the way it yields them, so the ordering rule is checked without having to make a live node
refuse writes on cue. And how composite aggregations are paged, on the real corpus."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import helpers

from core.errors import Unavailable
from ipsearch.backends import elastic
from ipsearch.backends.elastic import in_input_order
from ipsearch.service import SearchService

DOCS, VOCAB = "patents-v4", "patents-vocab-v4"


def _records(*pns: str) -> list[tuple[Any, Any]]:
    return [(seq, {"pn": pn}) for seq, pn in enumerate(pns)]


def _result(index: str, pn: str, status: int = 201) -> tuple[bool, dict[str, Any]]:
    item: dict[str, Any] = {"_index": index, "_id": pn, "status": status}
    if status >= 300:
        item["error"] = {"type": "mapper_parsing_exception", "reason": f"bad {pn}"}
    return status < 300, {"index": item}


def test_a_retried_document_keeps_its_place() -> None:
    records = _records("US1A", "US2A", "US3A")
    results = [_result(VOCAB, "lamp"), _result(DOCS, "US1A"), _result(DOCS, "US3A"), _result(VOCAB, "led"),
               _result(DOCS, "US2A")]  # US2A was retried: it comes back last
    outcomes = in_input_order(records, results, VOCAB)
    assert [(o.tag, o.ok) for o in outcomes] == [(0, True), (1, True), (2, True)]


def test_a_refused_document_is_reported_at_its_own_place() -> None:
    outcomes = in_input_order(_records("US1A", "US2A"), [_result(DOCS, "US2A", 400), _result(DOCS, "US1A")], VOCAB)
    assert [(o.tag, o.ok) for o in outcomes] == [(0, True), (1, False)]
    assert outcomes[1].error is not None and "bad US2A" in outcomes[1].error


def test_the_same_publication_twice_in_a_batch_gets_two_outcomes() -> None:
    outcomes = in_input_order(_records("US1A", "US1A"), [_result(DOCS, "US1A"), _result(DOCS, "US1A", 429)], VOCAB)
    assert [(o.tag, o.ok) for o in outcomes] == [(0, True), (1, False)]


def test_a_refused_vocabulary_term_stops_the_load() -> None:
    with pytest.raises(helpers.BulkIndexError):
        in_input_order(_records("US1A"), [_result(VOCAB, "lamp", 400), _result(DOCS, "US1A")], VOCAB)


def test_a_document_without_a_result_stops_the_load() -> None:
    with pytest.raises(Unavailable):
        in_input_order(_records("US1A", "US2A"), [_result(DOCS, "US1A")], VOCAB)


@pytest.mark.parametrize("page_offset", [-1, 0, 1])
def test_composite_pages_count_every_value_in_as_few_requests_as_they_need(
        page_offset: int, es_service: SearchService, embedded_service: SearchService,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A page one short of the values, exactly as many, and one more: the same count as the
    embedded backend's, and a second request only when the first page came back full."""
    node, planner = embedded_service.plan("CC=US")
    families = embedded_service.backend.count_distinct(node, planner, "family_id")
    assert families > 2
    monkeypatch.setattr(elastic, "COMPOSITE_PAGE", families + page_offset)
    backend = es_service.backend
    assert isinstance(backend, elastic.ElasticsearchBackend)
    requests: list[dict[str, Any]] = []
    search = backend.client.search

    def counted(**kwargs: Any) -> Any:
        requests.append(kwargs)
        return search(**kwargs)

    monkeypatch.setattr(backend.client, "search", counted)
    node, planner = es_service.plan("CC=US")
    assert backend.count_distinct(node, planner, "family_id") == families
    assert len(requests) == (1 if page_offset > 0 else 2)
