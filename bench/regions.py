"""Regional statistics: what the service adds over the backend's own aggregation, per backend.

On N synthetic documents (loaders.synthetic, labelled synthetic; its Chinese owners sit in
Shenzhen, Guangzhou and Beijing) loaded into Elasticsearch and into the embedded backend, prints
the median time of ``analytics.regional.overview`` (every province: documents and applicants)
next to one direct ``count_by(owner_divisions)`` on the same backend (the baseline), and of a
province's board (``region_board``: the full dashboard indicators plus its cities and key
companies) next to the LED industry dashboard on the same backend, and two regions compared
(``regional.compare``: their yearly counts and totals) next to their two boards computed in full,
what the comparison would cost if it read each region's page. Bounded loops, no server.

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/regions.py [--docs 10000]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import regional  # noqa: E402
from analytics.portal import DashboardFilters, dashboard  # noqa: E402
from core import regions  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.i18n import Language  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, get_settings  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from ipsearch.query.ast import Keyword, Or  # noqa: E402
from ipsearch.query.plan import Planner  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.synthetic import SyntheticOptions, write_weekly_files  # noqa: E402


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm caches, as a served page would be
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(search: SearchService, session: Session, rounds: int) -> tuple[float, ...]:
    """Median ms: the overview, its baseline aggregation, Guangdong's board, the LED dashboard,
    Guangdong and Beijing compared, their two boards."""
    planner = Planner(search.analyzer, search.backend, "")
    placed = Or(tuple(Keyword("RG", p.code) for p in regions.provinces()))
    filters = DashboardFilters()

    def board(code: str) -> object:
        return regional.region_board(session, search, None, code, filters, Language.zh)

    return (median_ms(lambda: regional.overview(search), rounds),
            median_ms(lambda: search.backend.count_by(placed, planner, "owner_divisions"), rounds),
            median_ms(lambda: board("440000"), rounds),
            median_ms(lambda: dashboard(session, search, None, "led", filters, Language.zh), rounds),
            median_ms(lambda: regional.compare(search, ["440000", "110000"], filters), rounds),
            median_ms(lambda: (board("440000"), board("110000")), rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = get_settings().model_copy(update={
            "data_dir": folder / "var", "database_url": None,
            "es_index_prefix": f"bench-regions-{uuid.uuid4().hex[:8]}"})
        upgrade(settings.effective_database_url)
        files = write_weekly_files(folder / "xml", SyntheticOptions(docs=args.docs, seed=3))
        print(f"{args.docs:,} SYNTHETIC documents; median of {args.rounds} runs")
        print(f"{'backend':<14}{'overview ms':>12}{'count_by ms':>12}{'ratio':>7}"
              f"{'province ms':>13}{'LED board ms':>13}{'ratio':>7}{'compare 2 ms':>14}{'2 boards ms':>13}{'ratio':>7}")
        for kind in (BackendKind.elasticsearch, BackendKind.embedded):
            run_load(settings, files, backend=kind)
            search = SearchService(get_backend(settings, kind))
            with session_scope(settings.effective_database_url) as session:
                overview, direct, province, led, compared, boards = measure(search, session, args.rounds)
            print(f"{kind.value:<14}{overview:>12.1f}{direct:>12.1f}{overview / direct:>7.2f}"
                  f"{province:>13.1f}{led:>13.1f}{province / led:>7.2f}"
                  f"{compared:>14.1f}{boards:>13.1f}{compared / boards:>7.2f}")
            if kind is BackendKind.elasticsearch:
                search.backend.drop()

if __name__ == "__main__":
    main()
