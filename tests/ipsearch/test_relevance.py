"""The judged relevance set stays valid and the ranking keeps finding what it found."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ipsearch.service import SearchService

JUDGEMENTS = Path(__file__).resolve().parents[2] / "bench" / "relevance_judgements.json"


def _ndcg(ranked: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, pn in enumerate(ranked[:10]) if pn in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal


def test_judged_set_is_valid(es_service: SearchService) -> None:
    queries = json.loads(JUDGEMENTS.read_text())["queries"]
    assert len(queries) >= 25
    for item in queries:
        assert item["relevant"], item["q"]
        for pn in item["relevant"]:
            assert es_service.backend.get(pn) is not None, f"{pn} (judged for {item['q']!r}) is not in the corpus"


def test_every_judged_query_finds_relevant_documents_on_both_backends(
        es_service: SearchService, embedded_service: SearchService) -> None:
    queries = json.loads(JUDGEMENTS.read_text())["queries"]
    for service in (es_service, embedded_service):
        scores = []
        for item in queries:
            ranked = [h.pn for h in service.search(item["q"], size=10).hits]
            assert set(ranked) & set(item["relevant"]), (service.backend.kind, item["q"], ranked)
            scores.append(_ndcg(ranked, set(item["relevant"])))
        assert sum(scores) / len(scores) >= 0.75, (service.backend.kind, sum(scores) / len(scores))
