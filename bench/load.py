"""Loader benchmark on >= 10,000 documents (the real samples plus synthetic ones).

Prints two ratios measured in one run on the same bytes:

1. parser throughput: our split + safe parse + normalisation vs raw ``lxml.etree.fromstring`` of
   the same documents (goal >= 0.3);
2. ingest: ``ipcommons load`` end to end (read, parse, analyse, bulk-index, then the citation
   counts) into Elasticsearch vs ``helpers.bulk`` of the same pre-built index documents straight
   through the client into an identical index (goal >= 0.6), once per ``--workers`` value, with
   the speed-up of each over one worker.

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/load.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from elasticsearch import helpers
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import corpus_paths, scratch_settings  # noqa: E402
from core.settings import BackendKind, Settings  # noqa: E402
from ipsearch.analysis import get_analyzer  # noqa: E402
from ipsearch.backends.elastic import ElasticsearchBackend  # noqa: E402
from ipsearch.indexdoc import build_index_doc  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.reader import Parsed, RawItem, iter_raw, process_raw  # noqa: E402
from loaders.sources import expand  # noqa: E402


def raw_documents(paths: list[Path]) -> list[tuple[str, RawItem]]:
    return [(src.name, raw) for src in expand(paths) for raw in iter_raw(src) if isinstance(raw, RawItem)]


def bench_parser(docs: list[tuple[str, RawItem]], rounds: int) -> tuple[float, float, int]:
    total_bytes = sum(len(r.data) for _, r in docs)
    plain = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    best_raw = best_ours = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _, raw in docs:
            try:
                etree.fromstring(raw.data, plain)
            except etree.XMLSyntaxError:
                pass
        best_raw = min(best_raw, time.perf_counter() - start)
        start = time.perf_counter()
        for name, raw in docs:
            process_raw(name, raw)
        best_ours = min(best_ours, time.perf_counter() - start)
    return total_bytes / best_raw, total_bytes / best_ours, total_bytes


def bench_ingest(settings: Settings, paths: list[Path], docs: list[tuple[str, RawItem]],
                 workers: list[int]) -> tuple[float, dict[int, float], int]:
    """Documents per second: the direct bulk, and ``ipcommons load`` with each worker count."""
    analyzer = get_analyzer()
    prebuilt = []
    for name, raw in docs:
        item = process_raw(name, raw)
        if isinstance(item, Parsed):
            prebuilt.append(build_index_doc(item.doc, analyzer))
    assert settings.elasticsearch_url
    baseline = ElasticsearchBackend(settings.elasticsearch_url, alias=f"bench-direct-{uuid.uuid4().hex[:6]}")
    baseline.ensure_index()
    start = time.perf_counter()
    helpers.bulk(baseline.client.options(request_timeout=120),
                 ({"_index": baseline.index, "_id": d["pn"], "_source": d} for d in prebuilt),
                 chunk_size=250, max_chunk_bytes=20 * 1024 * 1024)
    baseline.refresh()
    direct = time.perf_counter() - start
    # Some real samples (OPS responses) carry the same publication more than once: one document each.
    assert baseline.count() == len({d["pn"] for d in prebuilt})
    baseline.drop()

    rates: dict[int, float] = {}
    for n in workers:
        alias = f"bench-load-{uuid.uuid4().hex[:6]}"
        ours_settings = settings.model_copy(update={"es_index_prefix": alias})
        start = time.perf_counter()
        summary = run_load(ours_settings, paths, backend=BackendKind.elasticsearch, workers=n, force=True)
        rates[n] = len(prebuilt) / (time.perf_counter() - start)
        assert summary.loaded == len(prebuilt), (summary.loaded, len(prebuilt))
        ElasticsearchBackend(settings.elasticsearch_url, alias=alias).drop()
    return len(prebuilt) / direct, rates, len(prebuilt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="worker counts to load with, comma-separated")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = scratch_settings(Path(tmp), "load")
        paths = corpus_paths(settings, Path(tmp), args.synthetic)
        docs = raw_documents(paths)
        raw_rate, our_rate, nbytes = bench_parser(docs, args.rounds)
        print(f"corpus: {len(docs)} documents, {nbytes / 1e6:.1f} MB (real samples + {args.synthetic} synthetic)")
        print(f"parser: raw lxml {raw_rate / 1e6:.1f} MB/s, ours {our_rate / 1e6:.1f} MB/s, "
              f"ratio {our_rate / raw_rate:.3f} (goal >= 0.3)")
        workers = [int(w) for w in args.workers.split(",")]
        direct, rates, n = bench_ingest(settings, paths, docs, workers)
        print(f"ingest into Elasticsearch ({n} docs): direct bulk of pre-built docs {direct:.0f} docs/s")
        for w, rate in rates.items():
            speedup = f", {rate / rates[1]:.2f}x one worker" if 1 in rates and w != 1 else ""
            print(f"  ipcommons load --workers {w}: {rate:.0f} docs/s, ratio {rate / direct:.2f} (goal >= 0.6)"
                  f"{speedup}")


if __name__ == "__main__":
    main()
