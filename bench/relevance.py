"""Relevance on the real corpus: P@10 and nDCG@10 per backend for the judged queries in
bench/relevance_judgements.json (binary relevance).

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/relevance.py``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, get_settings  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402

JUDGEMENTS = Path(__file__).with_name("relevance_judgements.json")


def precision_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    return sum(1 for pn in ranked[:k] if pn in relevant) / k


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, pn in enumerate(ranked[:k]) if pn in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def main() -> None:
    queries = json.loads(JUDGEMENTS.read_text())["queries"]
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp) / "var", "database_url": None,
                                               "es_index_prefix": f"bench-rel-{uuid.uuid4().hex[:6]}"})
        upgrade(settings.effective_database_url)
        backends = ["embedded"] + (["es"] if settings.elasticsearch_url else [])
        for kind in backends:
            run_load(settings, [settings.patents_dir], backend=BackendKind(kind))
        print(f"{len(queries)} judged queries over {settings.patents_dir}")
        print(f"{'query':38} " + " ".join(f"{k + ' P@10':>14} {k + ' nDCG':>14}" for k in backends))
        totals = {k: [0.0, 0.0] for k in backends}
        for item in queries:
            relevant = set(item["relevant"])
            cells = []
            for kind in backends:
                ranked = [h.pn for h in SearchService(get_backend(settings, kind)).search(item["q"], size=10).hits]
                p, n = precision_at(ranked, relevant), ndcg_at(ranked, relevant)
                totals[kind][0] += p
                totals[kind][1] += n
                cells.append(f"{p:14.2f} {n:14.3f}")
            print(f"{item['q'][:38]:38} " + " ".join(cells))
        for kind in backends:
            p, n = (t / len(queries) for t in totals[kind])
            print(f"{kind}: mean P@10 {p:.3f}  mean nDCG@10 {n:.3f}")
        if "es" in backends:
            get_backend(settings, "es").drop()


if __name__ == "__main__":
    main()
