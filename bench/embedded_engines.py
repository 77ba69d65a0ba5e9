"""Embedded engines compared before deciding (issue 16): SQLite FTS5, which the embedded backend
uses today, against tantivy (PyPI), on the same analysed tokens at 10,000 and 100,000 documents.

For each size the synthetic corpus is loaded into the embedded backend by ``ipcommons load``'s
pipeline; tantivy then indexes the very token strings FTS5 holds (the ``texts`` table), so both
engines see the same documents, fields and terms. Each query asks for what a result page needs:
the 20 best documents by BM25 and the number of matches. Printed per size: p50 and p95 of FTS5
alone, of tantivy alone, and of the embedded backend's whole search through the search service
(bench/search.py's queries), then each one's p95 growth from the smallest size to the largest
(goal for the service: <= 2x from 10,000 to 100,000).

No server is needed: ``.venv/bin/python bench/embedded_engines.py [--sizes 10000 100000]``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search import percentile, service_latency  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, Settings  # noqa: E402
from ipsearch.analysis import get_analyzer  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from ipsearch.indexdoc import TEXT_FIELDS  # noqa: E402
from ipsearch.query.to_sql import fts_quote  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.synthetic import SyntheticOptions, write_weekly_files  # noqa: E402

PAGE = 20
ROUNDS = 10


class Shape(StrEnum):
    all_words = "all words"
    phrase = "phrase"
    any_word = "any word"


@dataclass(frozen=True)
class EngineQuery:
    """Words and how they combine, in any text field; both engines get the same analysed terms."""

    words: str
    shape: Shape

    def terms(self) -> list[str]:
        return get_analyzer().tokens(self.words)

    def fts5(self) -> str:
        terms = self.terms()
        if self.shape is Shape.phrase:
            return fts_quote(" ".join(terms))
        return (" AND " if self.shape is Shape.all_words else " OR ").join(fts_quote(t) for t in terms)

    def tantivy(self) -> str:
        terms = self.terms()
        if self.shape is Shape.phrase:
            return '"' + " ".join(terms) + '"'
        return " ".join(("+" if self.shape is Shape.all_words else "") + t for t in terms)


# From a few hundred matches to every document (a synthetic topic's words match a fifth of it).
ENGINE_QUERIES = [
    EngineQuery("light emitting diode", Shape.all_words), EngineQuery("base station", Shape.phrase),
    EngineQuery("quantum dot phosphor", Shape.all_words), EngineQuery("sensor patient", Shape.all_words),
    EngineQuery("heat sink", Shape.phrase), EngineQuery("database neural", Shape.all_words),
    EngineQuery("catheter implant", Shape.any_word), EngineQuery("tuner subtitle", Shape.any_word),
    EngineQuery("beamforming uplink", Shape.any_word), EngineQuery("receiving", Shape.all_words),
]


def timed_ms(run: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    run()  # warm
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        out.append((time.perf_counter() - start) * 1000)
    return out


def fts5_latency(db: Path, count: bool) -> tuple[list[float], dict[str, int]]:
    """FTS5's best ``PAGE`` by BM25, and the number of matches when ``count``."""
    conn = sqlite3.connect(db)
    counts: dict[str, int] = {}
    lat: list[float] = []
    for query in ENGINE_QUERIES:
        match = query.fts5()

        def run(match: str = match) -> int:
            conn.execute("SELECT rowid, bm25(texts) FROM texts WHERE texts MATCH ? ORDER BY rank LIMIT ?",
                         (match, PAGE)).fetchall()
            if not count:
                return 0
            return int(conn.execute("SELECT count(*) FROM texts WHERE texts MATCH ?", (match,)).fetchone()[0])

        counts[query.words] = run()
        lat.extend(timed_ms(run))
    conn.close()
    return lat, counts


def tantivy_index(db: Path, where: Path) -> tuple[tantivy.Index, float]:
    """The token strings of FTS5's ``texts`` indexed by tantivy, split at whitespace as indexed."""
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, fast=True)
    for field in TEXT_FIELDS:
        builder.add_text_field(field, tokenizer_name="tokens", index_option="position")
    where.mkdir()
    index = tantivy.Index(builder.build(), path=str(where))
    index.register_tokenizer("tokens", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    started = time.perf_counter()
    writer = index.writer(heap_size=512_000_000, num_threads=os.cpu_count() or 2)
    conn = sqlite3.connect(db)
    for row in conn.execute(f"SELECT rowid, {', '.join(TEXT_FIELDS)} FROM texts"):
        doc = tantivy.Document()
        doc.add_unsigned("id", row[0])
        for field, value in zip(TEXT_FIELDS, row[1:], strict=True):
            if value:
                doc.add_text(field, value)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    conn.close()
    index.reload()
    return index, time.perf_counter() - started


def tantivy_latency(index: tantivy.Index, count: bool) -> tuple[list[float], dict[str, int]]:
    """tantivy's best ``PAGE`` by BM25, and the number of matches when ``count`` (without it,
    block-max WAND skips the blocks that cannot reach the page)."""
    searcher = index.searcher()
    counts: dict[str, int] = {}
    lat: list[float] = []
    for query in ENGINE_QUERIES:
        parsed = index.parse_query(query.tantivy(), list(TEXT_FIELDS))

        def run(parsed: tantivy.Query = parsed) -> int:
            result = searcher.search(parsed, PAGE, count=count)
            return int(result.count or 0)  # type: ignore[attr-defined]  # in tantivy, not in its stub

        counts[query.words] = run()
        lat.extend(timed_ms(run))
    return lat, counts


@dataclass
class Measured:
    docs: int
    load_s: float
    fts5: list[float]
    fts5_page: list[float]
    tantivy: list[float]
    tantivy_page: list[float]
    service: list[float]
    tantivy_index_s: float
    tantivy_mb: float


def measure(size: int, tmp: Path) -> Measured:
    settings = Settings(data_dir=tmp / f"var-{size}", elasticsearch_url=None, database_url=None)
    upgrade(settings.effective_database_url)
    files = write_weekly_files(tmp / f"syn-{size}", SyntheticOptions(docs=size, seed=3), docs_per_file=5000)
    started = time.perf_counter()
    run_load(settings, files, backend=BackendKind.embedded, workers=os.cpu_count() or 2)
    load_s = time.perf_counter() - started
    service = SearchService(get_backend(settings, BackendKind.embedded))
    db = settings.embedded_index_path
    service_latency(service, rounds=1)  # warm the page cache
    through_service = service_latency(service)
    fts5, fts5_counts = fts5_latency(db, count=True)
    fts5_page, _ = fts5_latency(db, count=False)
    index, index_s = tantivy_index(db, tmp / f"tantivy-{size}")
    tv, tv_counts = tantivy_latency(index, count=True)
    tv_page, _ = tantivy_latency(index, count=False)
    if fts5_counts != tv_counts:  # the same terms in the same documents: the same matches, or no comparison
        raise SystemExit(f"the engines disagree on the matches: FTS5 {fts5_counts} tantivy {tv_counts}")
    print(f"\n{size:,} documents (loaded in {load_s:.0f} s); matches per query: {fts5_counts}")
    return Measured(size, load_s, fts5, fts5_page, tv, tv_page, through_service, index_s,
                    sum(f.stat().st_size for f in (tmp / f"tantivy-{size}").iterdir()) / 1e6)


def report(rows: list[Measured]) -> None:
    print("\np50 / p95 of a page of 20 by BM25 with the number of matches, then of the page alone")
    print("\n| documents | FTS5 | FTS5, page alone | tantivy | tantivy, page alone | embedded service | "
          "tantivy indexing |")
    print("|---|---|---|---|---|---|---|")
    for m in rows:
        cells = [f"{statistics.median(v):.2f} / {percentile(v, 95):.2f} ms"
                 for v in (m.fts5, m.fts5_page, m.tantivy, m.tantivy_page, m.service)]
        print(f"| {m.docs:,} | {' | '.join(cells)} | {m.tantivy_index_s:.1f} s, {m.tantivy_mb:.0f} MB |")
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        for name, attr in (("FTS5", "fts5"), ("FTS5, page alone", "fts5_page"), ("tantivy", "tantivy"),
                           ("tantivy, page alone", "tantivy_page"), ("embedded service", "service")):
            growth = percentile(getattr(large, attr), 95) / percentile(getattr(small, attr), 95)
            print(f"p95 growth {small.docs:,} -> {large.docs:,}, {name}: {growth:.2f}x")
        print("(goal for the embedded service: <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ipc-engines-") as tmp:
        report([measure(size, Path(tmp)) for size in sorted(args.sizes)])


if __name__ == "__main__":
    main()
