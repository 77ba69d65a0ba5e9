"""Community benchmark: 100,000 forum posts and 10,000 agencies (with 50,000 reviews).

Prints thread-page latency (the service, as the API calls it) next to the same page as one raw SQL
query (the baseline), agency search latency next to its raw SQL, and the time to recompute every
agency's rating and tier. Uses a fresh database (PostgreSQL under ``make bench``), dropped after.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.copyright import fresh_database  # noqa: E402
from community.agencies.models import Agency, Review  # noqa: E402
from community.agencies.service import list_agencies, recompute_all  # noqa: E402
from community.forums.markdown import render  # noqa: E402
from community.forums.models import Category, Post, Topic  # noqa: E402
from community.forums.service import page  # noqa: E402
from core import regions  # noqa: E402
from core.accounts.models import User  # noqa: E402
from core.accounts.passwords import hash_password  # noqa: E402
from core.db import session_scope, utcnow  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import get_settings  # noqa: E402

TOPICS, POSTS_PER_TOPIC, AGENCIES, REVIEWS = 1000, 100, 10_000, 50_000
PROVINCES = ["Guangdong", "Beijing", "Shanghai", "Zhejiang", "Jiangsu", "Sichuan", "Hubei", "Shandong"]


def seed(url: str) -> None:
    rnd = random.Random(5)
    now = utcnow()
    html = render("A long answer about **prior art** searches, with a [link](https://example.org).").html
    with session_scope(url) as s:
        pw = hash_password("bench password 123")
        s.execute(insert(User), [{"email": f"u{i}@bench.example", "display_name": f"u{i}", "password_hash": pw,
                                  "role": "member", "is_active": True, "created_at": now} for i in range(500)])
        s.add(Category(name="bench"))
    with session_scope(url) as s:
        cat = s.scalar(select(Category.id))
        users = list(s.scalars(select(User.id)))
        s.execute(insert(Topic), [{"category_id": cat, "author_id": rnd.choice(users), "title": f"Topic {t}",
                                   "post_count": POSTS_PER_TOPIC, "created_at": now, "last_post_at": now,
                                   "locked": False, "hidden": False, "deleted": False} for t in range(TOPICS)])
    with session_scope(url) as s:
        topics = list(s.scalars(select(Topic.id)))
        for chunk in range(0, len(topics), 100):
            s.execute(insert(Post), [
                {"topic_id": t, "number": n, "author_id": rnd.choice(users), "markdown": "answer", "html": html,
                 "search_tokens": " answer prior art ", "likes": [], "flags": [], "flag_count": 0, "hidden": False,
                 "deleted": False, "created_at": now}
                for t in topics[chunk:chunk + 100] for n in range(1, POSTS_PER_TOPIC + 1)])
        places = [regions.resolve(name) for name in PROVINCES]
        subclasses = ["A61B", "B65D", "C07D", "E04B", "F21V", "G06F", "H04N", "H04W"]
        rows = []
        for i in range(AGENCIES):
            place, expertise = rnd.choice(places), sorted(rnd.sample(subclasses, 3))
            rows.append({"name": f"Agency {i} IP Law Office", "licence_number": f"B{i:06d}", "province": place.name_en,
                         "province_code": place.code, "city": "",
                         "service_types": rnd.sample(["patent", "trademark", "copyright", "law"], 2),
                         "ipc_subclasses": expertise, "ipc_sections": sorted({c[0] for c in expertise}),
                         "practitioners": rnd.randint(1, 200), "contact": "", "rating_count": 0, "bayes": 3.0,
                         "score": 100.0, "tier": "not_rated", "breakdown": {}, "created_at": now})
        s.execute(insert(Agency), rows)
    with session_scope(url) as s:
        agencies = list(s.scalars(select(Agency.id)))
        s.execute(insert(Review), [
            {"agency_id": rnd.choice(agencies), "author_id": rnd.choice(users), "engagement_ref": f"r{i}",
             "professionalism": rnd.randint(1, 5), "responsiveness": rnd.randint(1, 5),
             "cost_transparency": rnd.randint(1, 5), "outcome": rnd.randint(1, 5), "text": "", "verified": False,
             "held": False, "flags": [], "created_at": now} for i in range(REVIEWS)])


def timed(fn: Callable[[int], object], rounds: int = 200) -> tuple[float, float]:
    lat = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(i)
        lat.append((time.perf_counter() - start) * 1000)
    lat.sort()
    return statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]


def main() -> None:
    with fresh_database(get_settings().effective_database_url) as url:
        upgrade(url)
        start = time.perf_counter()
        seed(url)
        print(f"seeded {TOPICS * POSTS_PER_TOPIC} posts, {AGENCIES} agencies, {REVIEWS} reviews "
              f"in {time.perf_counter() - start:.1f} s ({url.split(':')[0]})")
        rnd = random.Random(9)
        with session_scope(url) as s:
            topics = list(s.scalars(select(Topic)))
            ours = timed(lambda i: page(s, topics[rnd.randrange(len(topics))], None, rnd.randint(1, 5), 20))
            raw_sql = text("SELECT id, number, author_id, html FROM forum_posts WHERE topic_id = :t "
                           "AND deleted = false AND hidden = false ORDER BY number LIMIT 20 OFFSET :o")
            raw = timed(lambda i: s.execute(raw_sql, {"t": topics[rnd.randrange(len(topics))].id,
                                                      "o": 20 * rnd.randint(0, 4)}).all())
            print(f"thread page (20 posts): p50 {ours[0]:.2f} ms, p95 {ours[1]:.2f} ms; raw SQL p50 {raw[0]:.2f} ms, "
                  f"p95 {raw[1]:.2f} ms; p95 ratio {ours[1] / raw[1]:.2f}")
            search = timed(lambda i: list_agencies(s, q="", province=rnd.choice(PROVINCES), service=None, limit=20),
                           rounds=50)
            raw_a = text("SELECT id, name, bayes FROM agencies WHERE province_code = :p ORDER BY "
                         "tier = 'not_rated', bayes DESC, score DESC, id LIMIT 20")
            codes = [regions.resolve(name).code for name in PROVINCES]
            raw_search = timed(lambda i: s.execute(raw_a, {"p": rnd.choice(codes)}).all(), rounds=50)
            print(f"agency search (province, top 20 by Bayesian rating): p50 {search[0]:.1f} ms, p95 {search[1]:.1f} "
                  f"ms; raw SQL p50 {raw_search[0]:.1f} ms; p50 ratio {search[0] / raw_search[0]:.1f}")
        start = time.perf_counter()
        with session_scope(url) as s:
            n = recompute_all(s)
        print(f"ranking recomputation: {n} agencies in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
