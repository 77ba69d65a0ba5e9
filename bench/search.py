"""Search latency on >= 10,000 documents (real samples + synthetic).

Prints p50/p95 of the search API (the production server command: uvicorn with a worker process per
core, on loopback) at 1, 8 and 32 concurrent clients next to the same compiled queries sent
straight to Elasticsearch (goal: API p95 within 1.3x of direct, 1.5x at 32), the embedded backend
next to Elasticsearch through the search service (goal: p50 <= 3x, p95 <= 5x), and the embedded
p95 on 100,000 documents next to 10,000 (goal: <= 2x growth; ``--growth-backends embedded,es``
measures Elasticsearch's growth on the same documents beside it).
Every loop is bounded in requests and time; all traffic stays on 127.0.0.1.

Both sides are called through the same HTTP library, urllib3 (the Elasticsearch client's own), so
the ratio compares servers, not clients: httpx spends about 0.2 ms more CPU per request than urllib3
in this process, and at 8 and 32 client threads the clients share one interpreter. At one client the
run also prints the CPU each search costs the API's workers and Elasticsearch, and what a request the
API refuses at once costs its workers (``/api/v1/auth/me`` without credentials: 401), the floor of
any answer through the stack.

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/search.py``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import urllib3
from elasticsearch import Elasticsearch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.pages.search import FACETS as PAGE_FACETS  # noqa: E402
from bench.corpus import corpus_paths, scratch_settings  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, Settings  # noqa: E402
from ipsearch.analysis import get_analyzer  # noqa: E402
from ipsearch.backends import get_backend  # noqa: E402
from ipsearch.query.parser import parse_query  # noqa: E402
from ipsearch.query.plan import Planner  # noqa: E402
from ipsearch.query.to_es import compile_es  # noqa: E402
from ipsearch.results import HIT_FIELDS, Grouping  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.synthetic import SyntheticOptions, write_weekly_files  # noqa: E402
from tests.processes import serve_api, stop  # noqa: E402

QUERIES = [
    "light emitting diode", '"base station"', "TI=(lamp OR led) AND PD>=2015", "sensor NEAR3 patient",
    "IPC=H04N21/*", "PA=aurora AND IPC=H01L", "quantum dot AND phosphor", "CL=(antenna SAME beamforming)",
    "batter* AND electrode", "AD=2015..2019 AND TXT=database", "NOT IPC=G06F AND neural", "显示 OR 通信",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


Caller = Callable[[int], None]  # sends request number i


def run_concurrently(clients: int, requests: int, new_caller: Callable[[], Caller],
                     max_seconds: float = 120) -> list[float]:
    """Latencies (ms) of ``requests`` calls from ``clients`` threads, each with its own connection.

    A thread builds its caller (its own HTTP client) from ``new_caller`` and sends one untimed request
    first: building a client and opening its connection is not a request's latency, on either side
    (an HTTP client may load a CA bundle, about 20 ms of CPU, and the Elasticsearch client checks the
    server's product on its first request; 32 of them at once put up to half a second into the first
    request of each thread, a tenth of the 240 requests: the whole p95)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        call = new_caller()
        call(0)
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            call(i)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed * 1000)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def http_callers(port: int, path: str, opened: list[urllib3.HTTPConnectionPool], status: int = 200,
                 **params: str) -> Callable[[], Caller]:
    """A factory of callers that GET ``path`` with the i-th query (and ``params``), each over its own
    connection (kept in ``opened`` to be closed when the benchmark ends); any other status than
    ``status`` stops the benchmark."""
    def new_caller() -> Caller:
        pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, timeout=30, retries=False)
        opened.append(pool)

        def call(i: int) -> None:
            resp = pool.request("GET", path, fields={"q": QUERIES[i % len(QUERIES)], **params})
            if resp.status != status:
                raise RuntimeError(f"GET {path}: {resp.status} {resp.data[:300]!r}")
        return call
    return new_caller


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children so far: the API's workers (Linux /proc)."""
    def own(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    return own(pid) + sum(process_tree_cpu(c) for c in children)


def es_cpu(es: Elasticsearch) -> float:
    """CPU seconds Elasticsearch's nodes have used so far (their own statistics). A node refreshes
    its process statistics once a second: read after a second's rest, so the figure is this moment's."""
    time.sleep(1.1)
    nodes = es.nodes.stats(metric="process")["nodes"].values()
    return sum(node["process"]["cpu"]["total_in_millis"] for node in nodes) / 1000


def cpu_per_call(calls: int, new_caller: Callable[[], Caller], api: int, es: Elasticsearch) -> tuple[float, float]:
    """Milliseconds of CPU per call, one client: the API's processes', Elasticsearch's."""
    call = new_caller()
    call(0)
    api0, es0 = process_tree_cpu(api), es_cpu(es)
    for i in range(calls):
        call(i)
    return (process_tree_cpu(api) - api0) * 1000 / calls, (es_cpu(es) - es0) * 1000 / calls


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_api(settings: Settings, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """The production server command (README): one uvicorn worker process per core."""
    env = {**os.environ, "IPC_DATA_DIR": str(settings.resolved_data_dir),
           "IPC_ES_INDEX_PREFIX": settings.es_index_prefix, "IPC_ELASTICSEARCH_URL": str(settings.elasticsearch_url),
           # every benchmark client comes from 127.0.0.1: the per-address limit (still counted) must not refuse them
           "IPC_LIMIT_SEARCH": '{"per_user": 1000000, "per_ip": 1000000}'}
    env.pop("IPC_DATABASE_URL", None)
    return serve_api(env, log, port, "--workers", str(workers), "--log-level", "warning", "--no-access-log")


def print_cpu(api: int, via_api: Callable[[], Caller], direct: Callable[[], Caller],
              refused: Callable[[], Caller], es: Elasticsearch, calls: int = 300) -> None:
    """Where a search's CPU goes, one client at a time (the 8- and 32-client rows share two cores).
    The two paths take turns, twice, each turn printed and the mean of the two: timed once each, the
    Elasticsearch figures differed by half from one run to the next (10.2 against 5.3 ms one run,
    4.1 against 4.0 another), so a single pair says little."""
    turns = [(cpu_per_call(calls, via_api, api, es), cpu_per_call(calls, direct, api, es)) for _ in range(2)]
    api_cpu = statistics.mean(through[0] for through, _ in turns)
    through_api = [through[1] for through, _ in turns]
    direct_es = [straight[1] for _, straight in turns]
    floor, _ = cpu_per_call(calls, refused, api, es)

    def said(values: list[float]) -> str:
        return f"{statistics.mean(values):.2f} ms ({' then '.join(f'{v:.2f}' for v in values)})"

    print(f"CPU per search, 1 client: API workers {api_cpu:.2f} ms (a 401 at once through the same stack: "
          f"{floor:.2f} ms), Elasticsearch {said(through_api)} through the API, {said(direct_es)} direct")


def settle(settings: Settings) -> None:
    """Merge the fresh index down to one segment before timing: the merges a load leaves running
    would otherwise land on whichever side is timed first (Elasticsearch's CPU per search through
    the API, timed first, read 7.2 ms against 5.2 ms direct for the same queries)."""
    with Elasticsearch(str(settings.elasticsearch_url), request_timeout=600) as es:
        es.indices.forcemerge(index=settings.es_index_prefix, max_num_segments=1)


def service_latency(service: SearchService, rounds: int = 5, group: Grouping = Grouping.document,
                    facets: list[str] | None = None) -> list[float]:
    def call(i: int) -> None:
        service.search(QUERIES[i % len(QUERIES)], group=group, facets=facets)

    return run_concurrently(1, len(QUERIES) * rounds, lambda: call)


def growth(settings: Settings, docs: int, at_10k: dict[str, list[float]], kinds: list[str]) -> None:
    """The p95 of each backend in ``kinds`` on ``docs`` synthetic documents next to its p95 on the
    10,000 corpus. Elasticsearch is measured the same way when asked: it counts every match too
    (``track_total_hits``), so its growth says what exact counts and ranking cost any engine."""
    big = settings.model_copy(update={"data_dir": settings.resolved_data_dir.parent / "growth",
                                      "es_index_prefix": f"{settings.es_index_prefix}-growth"})
    upgrade(big.effective_database_url)
    files = write_weekly_files(big.resolved_data_dir.parent / "growth-syn", SyntheticOptions(docs=docs, seed=3),
                               docs_per_file=5000)
    p95: dict[str, float] = {}
    for kind in kinds:
        started = time.perf_counter()
        run_load(big, files, backend=BackendKind(kind), workers=os.cpu_count() or 2)
        backend = get_backend(big, kind)
        if kind == "es":
            backend.refresh()
            settle(big)
        service = SearchService(backend)
        print(f"\n{kind} growth: {backend.count()} documents loaded in {time.perf_counter() - started:.0f} s")
        service_latency(service, rounds=1)  # warm the page cache
        lat = service_latency(service)
        p95[kind] = percentile(lat, 95)
        print(f"  p95 {percentile(at_10k[kind], 95):7.1f} ms at 10,000 -> {p95[kind]:7.1f} ms at {docs:,} "
              f"(growth {p95[kind] / percentile(at_10k[kind], 95):.2f}x; p50 {statistics.median(lat):.1f} ms)")
        faceted = service_latency(service, rounds=2, facets=PAGE_FACETS)
        print(f"  with the search page's facets: p50 {statistics.median(faceted):.1f} ms, "
              f"p95 {percentile(faceted, 95):.1f} ms at {docs:,}")
        if kind == "es":
            backend.drop()
    if len(p95) == 2:
        print(f"  embedded / es p95 at {docs:,}: {p95['embedded'] / p95['es']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=240,
                        help="requests per client count, at least 30 per client (a p95 of a few each is warm-up)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    parser.add_argument("--growth", type=int, default=100_000,
                        help="also load this many synthetic documents into an embedded index (0: skip)")
    parser.add_argument("--growth-backends", default="embedded",
                        help="backends measured at --growth documents, comma-separated: embedded, es")
    args = parser.parse_args()
    growth_kinds = args.growth_backends.split(",")
    if not set(growth_kinds) <= {"embedded", "es"}:
        parser.error(f"--growth-backends: choose among embedded and es, not {args.growth_backends!r}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = scratch_settings(Path(tmp), "search")
        paths = corpus_paths(settings, Path(tmp), args.synthetic)
        for kind in ("es", "embedded"):
            run_load(settings, paths, backend=BackendKind(kind), workers=2)
        es_backend = get_backend(settings, "es")
        es_backend.refresh()
        settle(settings)
        print(f"corpus: {es_backend.count()} documents (real samples + {args.synthetic} synthetic)")

        planner = Planner(get_analyzer(), es_backend)
        compiled = [compile_es(parse_query(q), planner) for q in QUERIES]
        port = free_port()
        api = start_api(settings, port, args.workers, Path(tmp) / "uvicorn.log")
        try:
            opened: list[urllib3.HTTPConnectionPool] = []
            clients_es: list[Elasticsearch] = []
            via_api = http_callers(port, "/api/v1/patents/search", opened)

            def direct() -> Caller:
                es = Elasticsearch(str(settings.elasticsearch_url), request_timeout=30)
                clients_es.append(es)

                def call(i: int) -> None:
                    es.search(index=settings.es_index_prefix, query=compiled[i % len(compiled)], size=20,
                              sort=[{"_score": "desc"}, {"pn": "asc"}], track_total_hits=True,
                              source_includes=HIT_FIELDS)
                return call

            for fn in (via_api, direct):  # warm both paths
                run_concurrently(4, 48, fn)
            print(f"{'clients':>8} {'API p50':>9} {'API p95':>9} {'ES p50':>9} {'ES p95':>9} {'p95 ratio':>10}")
            for clients in (1, 8, 32):
                requests = max(args.requests, 30 * clients)
                a = run_concurrently(clients, requests, via_api)
                d = run_concurrently(clients, requests, direct)
                ratio = percentile(a, 95) / percentile(d, 95)
                print(f"{clients:8d} {statistics.median(a):8.1f}ms {percentile(a, 95):8.1f}ms "
                      f"{statistics.median(d):8.1f}ms {percentile(d, 95):8.1f}ms {ratio:10.2f}")
            stats = Elasticsearch(str(settings.elasticsearch_url), request_timeout=30)
            clients_es.append(stats)
            print_cpu(api.pid, via_api, direct, http_callers(port, "/api/v1/auth/me", opened, status=401), stats)
        finally:
            for client in opened:
                client.close()
            for es in clients_es:
                es.close()
            stop(api)

        services = {kind: SearchService(get_backend(settings, kind)) for kind in ("es", "embedded")}
        print(f"\nsearch service, 1 client, {len(QUERIES)} queries x 5 rounds:")
        p = {}
        for kind, service in services.items():
            lat = p[kind] = service_latency(service)
            fam = service_latency(service, group=Grouping.family)
            print(f"  {kind:9} p50 {statistics.median(lat):7.1f} ms  p95 {percentile(lat, 95):7.1f} ms   "
                  f"one row per family: p50 {statistics.median(fam):7.1f} ms  p95 {percentile(fam, 95):7.1f} ms  "
                  f"(p95 ratio {percentile(fam, 95) / percentile(lat, 95):.2f})")
        print(f"  embedded / es: p50 {statistics.median(p['embedded']) / statistics.median(p['es']):.2f}x "
              f"(goal <= 3), p95 {percentile(p['embedded'], 95) / percentile(p['es'], 95):.2f}x (goal <= 5)")
        faceted = {kind: service_latency(service, rounds=2, facets=PAGE_FACETS) for kind, service in services.items()}
        print(f"  with the search page's facets ({', '.join(PAGE_FACETS)}): "
              + ", ".join(f"{kind} p50 {statistics.median(lat):.1f} ms p95 {percentile(lat, 95):.1f} ms"
                          for kind, lat in faceted.items())
              + f"; embedded / es p95 {percentile(faceted['embedded'], 95) / percentile(faceted['es'], 95):.2f}x")
        if args.growth:
            growth(settings, args.growth, p, growth_kinds)
        es_backend.drop()


if __name__ == "__main__":
    main()
