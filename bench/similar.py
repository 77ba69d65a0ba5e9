"""Similar patents on the real corpus: P@5 and nDCG@10 per backend for the judged documents in
bench/similar_judgements.json, before (each backend's own more-like-this, kept here as it was) and
after (``ipsearch.similar``: candidates from the backend, one shared ranking), and the goal of
issue 16: no LED document (IPC H01L 33, F21, H05B 45) has a similar document from another IPC
section in its top five.

Run with the services up:
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/similar.py``.
Exits 1 when the LED check fails.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.relevance import ndcg_at, precision_at  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import BackendKind, get_settings  # noqa: E402
from ipsearch.backends import SearchBackend, get_backend  # noqa: E402
from ipsearch.backends.elastic import ElasticsearchBackend  # noqa: E402
from ipsearch.backends.embedded import EmbeddedBackend  # noqa: E402
from ipsearch.query.to_sql import fts_quote  # noqa: E402
from ipsearch.service import SearchService  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402

JUDGEMENTS = Path(__file__).with_name("similar_judgements.json")
LED_IPC = ("H01L 33", "F21", "H05B 45")
Method = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Judged:
    pn: str
    similar: frozenset[str]


def judged() -> list[Judged]:
    items = json.loads(JUDGEMENTS.read_text())["queries"]
    return [Judged(item["pn"], frozenset(item["similar"])) for item in items]


def before_es(backend: ElasticsearchBackend, pn: str, size: int) -> list[str]:
    """The method before issue 16: more_like_this on ti/ab/cl with Elasticsearch's defaults."""
    resp = backend.client.search(index=backend.alias, size=size, source=False, query={"more_like_this": {
        "fields": ["ti", "ab", "cl"], "like": [{"_index": backend.index, "_id": pn}], "include": False}})
    return [h["_id"] for h in resp["hits"]["hits"]]


def before_embedded(backend: EmbeddedBackend, pn: str, size: int) -> list[str]:
    """The method before issue 16: the 25 best tf-idf tokens of ti/ab/cl OR-ed, bm25 summed over passages."""
    doc = backend.get(pn)
    tf = Counter(t for f in ("ti", "ab", "cl") for text in (doc or {}).get(f) or [] for t in text.split())
    if not tf:
        return []
    n_docs = max(backend.count(), 1)
    marks = ", ".join("?" * len(tf))
    df = dict(backend.conn.execute(
        f"SELECT term, sum(doc) FROM passages_vocab WHERE col IN ('ti', 'ab', 'cl') AND term IN ({marks}) "
        "GROUP BY term", list(tf)).fetchall())
    weights = {t: c * math.log(n_docs / df[t]) for t, c in tf.items() if df.get(t, 0) >= 2}
    terms = sorted(weights, key=lambda t: (-weights[t], t))[:25]
    if not terms:
        return []
    expr = "{ti ab cl} : (" + " OR ".join(fts_quote(t) for t in terms) + ")"
    rows = backend.conn.execute(
        "WITH x AS MATERIALIZED (SELECT pn, bm25(passages) AS b FROM passages WHERE passages MATCH ?) "
        "SELECT pn, -sum(b) AS s FROM x WHERE pn != ? GROUP BY pn ORDER BY s DESC, pn LIMIT ?",
        (expr, pn, size)).fetchall()
    return [row[0] for row in rows]


def methods(backend: SearchBackend) -> dict[str, Method]:
    service = SearchService(backend)
    old: Method
    if isinstance(backend, ElasticsearchBackend):
        def old(pn: str, size: int) -> list[str]:
            return before_es(backend, pn, size)
    else:
        assert isinstance(backend, EmbeddedBackend)

        def old(pn: str, size: int) -> list[str]:
            return before_embedded(backend, pn, size)
    return {"before": old, "after": lambda pn, size: [h.pn for h in service.similar(pn, size)]}


def scores(method: Method, queries: list[Judged]) -> tuple[float, float]:
    p = n = 0.0
    for item in queries:
        ranked = method(item.pn, 10)
        p += precision_at(ranked, set(item.similar), 5)
        n += ndcg_at(ranked, set(item.similar), 10)
    return p / len(queries), n / len(queries)


def led_check(backend: SearchBackend, method: Method) -> list[str]:
    """One line per LED document: its top five with their IPC sections; '!' marks a stranger."""
    lines = []
    for pn in sorted(backend.ids()):
        record = backend.get(pn) or {}
        if not any(code.startswith(LED_IPC) for code in record.get("ipc") or []):
            continue
        own = set(record.get("ipc_section") or [])
        cells = []
        for hit in method(pn, 5):
            sections = set((backend.get(hit) or {}).get("ipc_section") or [])
            cells.append(f"{hit}[{''.join(sorted(sections)) or '-'}]" + ("" if sections & own else "!"))
        lines.append(f"  {pn}[{''.join(sorted(own))}]: " + " ".join(cells))
    return lines


def agreement(services: dict[str, Method], queries: list[Judged]) -> float:
    """Mean share of the top five the two backends have in common (after)."""
    first, second = services.values()
    shared = [len(set(first(q.pn, 5)) & set(second(q.pn, 5))) / 5 for q in queries]
    return sum(shared) / len(shared)


def main() -> None:
    queries = judged()
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp) / "var", "database_url": None,
                                               "es_index_prefix": f"bench-sim-{uuid.uuid4().hex[:6]}"})
        upgrade(settings.effective_database_url)
        kinds = [BackendKind.embedded] + ([BackendKind.elasticsearch] if settings.elasticsearch_url else [])
        for kind in kinds:
            run_load(settings, [settings.patents_dir], backend=kind)
        try:
            failed = report(queries, {kind: get_backend(settings, kind) for kind in kinds})
        finally:
            if BackendKind.elasticsearch in kinds:
                get_backend(settings, BackendKind.elasticsearch).drop()
    sys.exit(1 if failed else 0)


def report(queries: list[Judged], backends: dict[str, SearchBackend]) -> bool:
    """Print the table, the LED check and the agreement; True when the LED check failed (after)."""
    print(f"{len(queries)} judged documents ({sum(len(q.similar) for q in queries)} similar pairs)")
    print(f"{'method':8} {'backend':13} {'P@5':>6} {'nDCG@10':>8}")
    runs = {kind: methods(backend) for kind, backend in backends.items()}
    for name in ("before", "after"):
        for kind, run in runs.items():
            p, n = scores(run[name], queries)
            print(f"{name:8} {kind:13} {p:6.3f} {n:8.3f}")
    failed = False
    for name in ("before", "after"):
        for kind, backend in backends.items():
            lines = led_check(backend, runs[kind][name])
            strangers = sum(line.count("!") for line in lines)
            verdict = f"FAIL ({strangers} from another section)" if strangers else "PASS"
            print(f"LED check, {name}, {kind}: {verdict}")
            print("\n".join(lines))
            failed = failed or (name == "after" and strangers > 0)
    if len(runs) == 2:
        overlap = agreement({kind: run["after"] for kind, run in runs.items()}, queries)
        print(f"top-five overlap between backends (after): {overlap:.2f}")
    return failed


if __name__ == "__main__":
    main()
