"""The search page's cost over the JSON API, and its load time in a real browser.

Prints p50/p95 of server time for the search page (HTML, with the same facets) next to the
search API for the same queries on one uvicorn server (goal: page p95 <= 1.2x API p95), then the
time Chromium takes to load the search page (navigation start to the load event) on >= 10,000
documents. Bounded loops, loopback only.

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/pages.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import urllib3
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.pages.search import FACETS  # noqa: E402
from bench.corpus import corpus_paths, scratch_settings  # noqa: E402
from bench.search import QUERIES, free_port, http_callers, percentile, run_concurrently, start_api  # noqa: E402
from core.settings import BackendKind  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402


def browser_load_ms(url: str, rounds: int) -> list[float]:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed: scripts/services install")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        for i in range(rounds):
            page.goto(f"{url}/?{urlencode({'q': QUERIES[i % len(QUERIES)]})}", wait_until="load")
            times.append(page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                                       " return n.loadEventEnd - n.startTime; })()"))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=240)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = scratch_settings(Path(tmp), "pages")
        run_load(settings, corpus_paths(settings, Path(tmp), args.synthetic), backend=BackendKind.elasticsearch,
                 workers=2)
        backend = get_backend(settings, BackendKind.elasticsearch)
        backend.refresh()
        print(f"corpus: {backend.count()} documents (real samples + {args.synthetic} synthetic)")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        api = start_api(settings, port, os.cpu_count() or 2, Path(tmp) / "uvicorn.log")
        try:
            opened: list[urllib3.HTTPConnectionPool] = []
            page = http_callers(port, "/", opened)
            api_search = http_callers(port, "/api/v1/patents/search", opened, facets=",".join(FACETS))

            for fn in (page, api_search):  # warm both paths
                run_concurrently(2, 48, fn)
            p = run_concurrently(1, args.requests, page)
            a = run_concurrently(1, args.requests, api_search)
            print(f"{'':12} {'p50':>9} {'p95':>9}")
            print(f"{'search page':12} {statistics.median(p):8.1f}ms {percentile(p, 95):8.1f}ms")
            print(f"{'search API':12} {statistics.median(a):8.1f}ms {percentile(a, 95):8.1f}ms")
            print(f"page/API p95 ratio: {percentile(p, 95) / percentile(a, 95):.2f} (goal <= 1.2)")
            loads = browser_load_ms(url, 24)
            print(f"Chromium load of the search page: p50 {statistics.median(loads):.0f} ms, "
                  f"p95 {percentile(loads, 95):.0f} ms over {len(loads)} loads")
        finally:
            for client in opened:
                client.close()
            api.terminate()
            api.wait(timeout=30)
            backend.drop()


if __name__ == "__main__":
    main()
