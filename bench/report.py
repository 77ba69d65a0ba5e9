"""Report generation time at 10^4 and 10^5 synthetic documents (loaders.synthetic, clearly
labelled synthetic), on Elasticsearch and PostgreSQL, and the ratio between them (goal: ten times
the documents costs at most twice the time). Every indicator is an aggregation, so only the
aggregation work grows with the corpus; charts, HTML and PDF cost the same at any size.

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/report.py [--small 10000 --large 100000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.indicators import IndicatorParams  # noqa: E402
from analytics.reports import render  # noqa: E402
from analytics.reports.service import build_document  # noqa: E402
from bench.copyright import fresh_database  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.i18n import Language  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, Settings, get_settings  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.synthetic import SyntheticOptions, write_weekly_files  # noqa: E402

SCOPE = "led"
PARAMS = IndicatorParams(cutoff=dt.date(2024, 6, 30), home_country="CN")


def time_report(settings: Settings, runs: int) -> tuple[float, float, int]:
    """Median seconds for the report content + HTML, and for the PDF; documents in scope."""
    service = SearchService(get_backend(settings, "es"))
    content_times, pdf_times = [], []
    total = 0
    for _ in range(runs):
        with session_scope(settings.effective_database_url) as session:
            t0 = time.perf_counter()
            data, html = build_document(service, session, SCOPE, PARAMS, Language.en)
            t1 = time.perf_counter()
            render.pdf(html)
            t2 = time.perf_counter()
        content_times.append(t1 - t0)
        pdf_times.append(t2 - t1)
        total = data.indicators.total
    return statistics.median(content_times), statistics.median(pdf_times), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = get_settings()
    if not base.elasticsearch_url or not base.database_url:
        sys.exit("bench/report.py needs the production stack: run `make bench` (services up)")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(base.database_url) as db_url:
        upgrade(db_url)
        files = write_weekly_files(Path(tmp) / "xml", SyntheticOptions(docs=args.large, seed=5), docs_per_file=1000)
        small_files = files[: max(1, args.small // 1000)]
        results = {}
        for label, chosen in (("small", small_files), ("large", files)):
            settings = base.model_copy(update={"data_dir": Path(tmp) / label, "database_url": db_url,
                                               "es_index_prefix": f"bench-report-{label}-{uuid.uuid4().hex[:6]}"})
            t0 = time.perf_counter()
            summary = run_load(settings, chosen, backend=BackendKind.elasticsearch, workers=2)
            load_s = time.perf_counter() - t0
            try:
                content_s, pdf_s, in_scope = time_report(settings, args.runs)
            finally:
                get_backend(settings, "es").drop()
            results[label] = (summary.loaded, in_scope, content_s, pdf_s)
            print(f"{label}: {summary.loaded:,} synthetic documents loaded in {load_s:.0f} s; "
                  f"scope {SCOPE!r} {in_scope:,} documents; report content+HTML {content_s:.2f} s, "
                  f"PDF {pdf_s:.2f} s, total {content_s + pdf_s:.2f} s (median of {args.runs})", flush=True)
    (n_small, _, c_small, p_small), (n_large, _, c_large, p_large) = results["small"], results["large"]
    ratio = (c_large + p_large) / (c_small + p_small)
    print(f"report time ratio {n_large:,} / {n_small:,} documents = {ratio:.2f} (goal <= 2.0 for 10x the documents); "
          f"content+HTML alone {c_large / c_small:.2f}")


if __name__ == "__main__":
    main()
