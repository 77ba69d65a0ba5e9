"""A realistic mix of 200 simulated users for 60 seconds against the production configuration.

On loopback: uvicorn with one worker process per core (the production server command, below) on
PostgreSQL, Elasticsearch and Redis, a Celery worker for reports, the real sample corpus plus
SYNTHETIC documents. Each simulated user is a signed-in member who loops, with think time, over
searches, document views, exports, copyright registrations (hash-only), forum reads and posts and
report requests, in the proportions of WEIGHTS. Prints throughput, p50/p95 per kind and the error
rate (any answer that is not the success the operation promises, or no answer), then stops by
itself. The route limits are raised for the run: one address plays 200 people.

Production server command (README, Production):
``uvicorn api.app:create_app --factory --host 0.0.0.0 --port 8000 --workers $(nproc) --no-proxy-headers``

Run with the services up: ``make bench`` or
``set -a; eval "$(scripts/services env)"; set +a; .venv/bin/python bench/load_mix.py [--users 200 --seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.copyright import fresh_database  # noqa: E402
from core.accounts.models import Role  # noqa: E402
from core.accounts.service import create_user  # noqa: E402
from core.accounts.tokens import issue_access_token  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import Settings, get_settings  # noqa: E402
from loaders.pipeline import run_load  # noqa: E402
from loaders.synthetic import SyntheticOptions, write_weekly_files  # noqa: E402
from tests.processes import serve_api, start, stop  # noqa: E402
from tests.smtp import free_port  # noqa: E402

WEIGHTS = {"search": 35, "document": 20, "forum_read": 15, "forum_post": 6, "export": 5, "registration": 5,
           "similar": 8, "report": 2, "dashboard": 4}
QUERIES = ["light emitting diode", "IPC=H04W", "battery AND lithium", "display panel", "PA=samsung",
           "base station NEAR3 antenna", "IPC=H01L33/* AND PD>=2015", "申请人=三星", "sensor SAME wireless"]
LIMITS = '{"per_user": 100000, "per_ip": 1000000}'
POST_INTERVAL = 15.0  # seconds between one user's forum posts, above the forums' flood limit


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)


@dataclass
class World:
    url: str
    tokens: list[str]
    pns: list[str]
    category: int
    topics: list[int]


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(settings.resolved_data_dir), IPC_DATABASE_URL=settings.effective_database_url,
               IPC_ELASTICSEARCH_URL=settings.elasticsearch_url or "", IPC_ES_INDEX_PREFIX=settings.es_index_prefix,
               IPC_BROKER_URL=settings.effective_broker_url, IPC_REDIS_URL=settings.redis_url or "",
               IPC_LIMIT_SEARCH=LIMITS, IPC_LIMIT_EXPORT=LIMITS, IPC_LIMIT_REPORT=LIMITS, IPC_LIMIT_UPLOAD=LIMITS,
               IPC_SIGNING_KEY_PASSPHRASE="bench passphrase, not a secret")
    return env


def _people(settings: Settings, n: int) -> tuple[list[str], str]:
    """``n`` members (accounts a year old, so no new-account limits) and an admin: their tokens."""
    import datetime as dt

    with session_scope(settings.effective_database_url) as session:
        users = [create_user(session, f"user{i}-{uuid.uuid4().hex[:6]}@example.org", "a long password 123")
                 for i in range(n)]
        admin = create_user(session, f"admin-{uuid.uuid4().hex[:6]}@example.org", "a long password 123",
                            role=Role.admin)
        for u in [*users, admin]:
            u.created_at = u.created_at - dt.timedelta(days=365)
        session.flush()
        return [issue_access_token(settings, u.id) for u in users], issue_access_token(settings, admin.id)


async def _prepare(url: str, admin: str) -> tuple[list[str], int, list[int]]:
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {admin}"}, timeout=60) as c:
        found = (await c.get("/api/v1/patents/search", params={"q": "device OR system OR method", "size": 100})).json()
        pns = [h["pn"] for h in found["hits"]]
        category = (await c.post("/api/v1/forums/categories", json={"name": "Load test"})).json()["id"]
        topics = [(await c.post("/api/v1/forums/topics", json={"category_id": category, "title": f"Question {i}",
                                                                 "body": "How do I read a claim tree?"})).json()["id"]
                  for i in range(10)]
    return pns, category, topics


def _actions(world: World, rng: random.Random) -> dict[str, Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]:
    def registration(c: httpx.AsyncClient) -> Awaitable[httpx.Response]:
        digest = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        return c.post("/api/v1/copyright/registrations", json={
            "work": {"title": f"Photo {digest[:8]}", "work_type": "photographic", "authors": ["Li Hua"]},
            "content": {"sha256": digest, "size": 1024}})

    return {
        "search": lambda c: c.get("/api/v1/patents/search", params={"q": rng.choice(QUERIES), "size": 20}),
        "document": lambda c: c.get(f"/api/v1/patents/{rng.choice(world.pns)}"),
        "similar": lambda c: c.get(f"/api/v1/patents/{rng.choice(world.pns)}/similar"),
        "export": lambda c: c.get("/api/v1/patents/export", params={"q": rng.choice(QUERIES), "format": "csv",
                                                                    "limit": 200}),
        "forum_read": lambda c: c.get(f"/api/v1/forums/topics/{rng.choice(world.topics)}"),
        "forum_post": lambda c: c.post(f"/api/v1/forums/topics/{rng.choice(world.topics)}/posts",
                                       json={"body": "Read the independent claims first."}),
        "registration": registration,
        "report": lambda c: c.post("/api/v1/reports", json={"scope": "led", "lang": rng.choice(["zh", "en"])}),
        "dashboard": lambda c: c.get("/api/v1/analytics/indicators", params={"scope": rng.choice(["led", "telecom"])}),
    }


async def _user(world: World, token: str, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    actions = _actions(world, rng)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    async with httpx.AsyncClient(base_url=world.url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=60) as client:
        await asyncio.sleep(rng.random() * 2)  # users arrive over two seconds
        last_post = -POST_INTERVAL
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "forum_post":  # people do not post every second (the forums' flood limit)
                if time.monotonic() - last_post < POST_INTERVAL:
                    kind = "forum_read"
                else:
                    last_post = time.monotonic()
            t0 = time.perf_counter()
            try:
                response = await actions[kind](client)
                ok = response.status_code < 400
                detail = f"{kind} {response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                ok, detail = False, f"{kind} {type(exc).__name__}"
            tally.times[kind].append((time.perf_counter() - t0) * 1000)
            if not ok:
                tally.errors[kind] += 1
                if len(tally.samples) < 5:
                    tally.samples.append(detail)
            await asyncio.sleep(rng.uniform(0.2, 1.0))  # think time


def _report(tally: Tally, seconds: float, users: int) -> None:
    total = sum(len(v) for v in tally.times.values())
    errors = sum(tally.errors.values())
    print(f"{users} users, {seconds:.0f} s: {total:,} requests, {total / seconds:.1f} requests/s, "
          f"error rate {errors / max(total, 1):.2%} ({errors})")
    print(f"{'kind':<14}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for kind in WEIGHTS:
        times = sorted(tally.times.get(kind, []))
        if times:
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{kind:<14}{len(times):>9}{statistics.median(times):>9.1f}{p95:>9.1f}{tally.errors[kind]:>8}")
    for sample in tally.samples:
        print("  error:", sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--synthetic", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="uvicorn worker processes")
    args = parser.parse_args()
    base = get_settings()
    if not (base.elasticsearch_url and base.database_url and base.redis_url):
        sys.exit("the production services are not configured: start them (make services) and export their env")
    with tempfile.TemporaryDirectory() as tmp, fresh_database(base.database_url) as db:
        settings = base.model_copy(update={"data_dir": Path(tmp) / "var", "database_url": db,
                                           "es_index_prefix": f"bench-mix-{uuid.uuid4().hex[:6]}"})
        upgrade(db)
        files = write_weekly_files(Path(tmp) / "xml", SyntheticOptions(docs=args.synthetic, seed=9))
        run_load(settings, [*files, settings.patents_dir])
        tokens, admin = _people(settings, args.users)
        port = free_port()
        env = _env(settings)
        server = serve_api(env, Path(tmp) / "uvicorn.log", port, "--workers", str(args.workers), "--log-level",
                           "warning", "--no-access-log")
        worker = start([sys.executable, "-m", "api.worker", "worker", "--pool=solo", "--loglevel=WARNING"], env,
                       Path(tmp) / "worker.log")
        try:
            url = f"http://127.0.0.1:{port}"
            pns, category, topics = asyncio.run(_prepare(url, admin))
            world = World(url=url, tokens=tokens, pns=pns, category=category, topics=topics)
            tally = Tally()
            started = time.monotonic()

            async def run_all() -> None:
                deadline = time.monotonic() + args.seconds
                await asyncio.gather(*(_user(world, t, deadline, tally, i) for i, t in enumerate(tokens)))

            asyncio.run(run_all())
            _report(tally, time.monotonic() - started, args.users)
        finally:
            stop(worker)
            stop(server)
            from ipsearch.backends import get_backend

            get_backend(settings, "es").drop()


if __name__ == "__main__":
    main()
