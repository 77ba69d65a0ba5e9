"""Service hall benchmark: the deadline sweep (Celery beat, every five minutes) over 10,000 and
100,000 open applications, on a fresh database (PostgreSQL under ``make bench``).

Per size it prints the time of a quiet sweep (nothing due: what most runs are), of a sweep that
fires the cards of 1% of the open applications (each card is a row, two notifications and an audit
record), and, as the baseline, one pass that reads every open application (what a sweep without
the ``yellow_at``/``red_at`` indexes would at least cost). Then the growth from 10,000 to 100,000:
a sweep that reads only what is due should grow far less than the 10x of the baseline.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.copyright import fresh_database  # noqa: E402
from core.accounts.service import create_user  # noqa: E402
from core.audit import AuditContext, Writer  # noqa: E402
from core.db import session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import get_settings  # noqa: E402
from servicehall import catalogue, service  # noqa: E402
from servicehall.calendar import BEIJING  # noqa: E402
from servicehall.models import OPEN, Application, ServiceItem, StaffRole, Status  # noqa: E402
from servicehall.schemas import StaffIn  # noqa: E402

SIZES = (10_000, 100_000)
DUE_SHARE = 0.01
CHUNK = 5_000


def _people(url: str) -> tuple[int, int]:
    with session_scope(url) as s:
        applicant = create_user(s, f"bench-{os.urandom(4).hex()}@example.org", "a long bench password")
        staff = [create_user(s, f"staff-{os.urandom(4).hex()}@example.org", "a long bench password") for _ in "ab"]
        s.flush()
        w = Writer(s, None, AuditContext(client_ip="bench"), operator=True)
        catalogue.seed(w)
        catalogue.add_staff(w, StaffIn(email=staff[0].email, department="protection", role=StaffRole.acceptor))
        catalogue.add_staff(w, StaffIn(email=staff[1].email, department="protection", role=StaffRole.head))
        item = s.scalars(select(ServiceItem).where(ServiceItem.code == "rights-protection")).one()
        return applicant.id, item.id


def _fill(url: str, n: int, applicant: int, item_id: int, dept: int, now: datetime) -> None:
    """``n`` open applications waiting for acceptance; 1% have both cards due at ``now``."""
    due_every = round(1 / DUE_SHARE)
    with session_scope(url) as s:
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, n)):
                due = i % due_every == 0
                yellow = now - timedelta(hours=1) if due else now + timedelta(days=1 + i % 9)
                started = now - timedelta(days=3)
                red = now - timedelta(minutes=1) if due else yellow + timedelta(days=1)
                rows.append(dict(number=f"SHB{i:09d}", item_id=item_id, department_id=dept, applicant_id=applicant,
                                 status=Status.submitted, form={}, version=1, submitted_at=started, step_no=1,
                                 step_started_at=started, running_since=started, step_budget_s=5 * 86_400.0,
                                 step_used_s=0.0, step_due_at=red, yellow_at=yellow, red_at=red,
                                 total_budget_s=20 * 86_400.0, total_used_s=0.0, total_due_at=now + timedelta(days=20)))
            s.execute(insert(Application), rows)
        s.commit()
        if url.startswith("postgresql"):
            s.execute(text("ANALYZE hall_applications"))  # as autovacuum would after a load
            s.commit()


def _timed_sweep(url: str, now: datetime) -> tuple[float, int]:
    with session_scope(url) as s:
        start = time.perf_counter()
        done = service.sweep(Writer(s, None, AuditContext(client_ip="bench"), operator=True), now)
        return time.perf_counter() - start, done.yellow + done.red


def _read_all_open(url: str) -> float:
    with session_scope(url) as s:
        start = time.perf_counter()
        rows = s.execute(select(Application.id, Application.yellow_at, Application.red_at)
                         .where(Application.status.in_(OPEN))).all()
        assert len(rows) == s.scalar(select(func.count()).select_from(Application))
        return time.perf_counter() - start


def bench(n: int) -> dict[str, float]:
    settings = get_settings()
    now = datetime(2026, 6, 10, 10, tzinfo=BEIJING)
    with fresh_database(settings.effective_database_url) as url:
        upgrade(url)
        applicant, item_id = _people(url)
        with session_scope(url) as s:
            dept = s.scalars(select(ServiceItem.department_id).where(ServiceItem.id == item_id)).one()
        t0 = time.perf_counter()
        _fill(url, n, applicant, item_id, dept, now)
        filled = time.perf_counter() - t0
        busy, fired = _timed_sweep(url, now)
        assert fired == 2 * round(n * DUE_SHARE), fired  # a yellow and a red card each
        quiets = []
        for k in range(1, 6):
            quiet, none = _timed_sweep(url, now + timedelta(minutes=5 * k))
            assert none == 0
            quiets.append(quiet)
        quiet = sorted(quiets)[2]  # the median of five
        baseline = _read_all_open(url)
    return {"filled": filled, "busy": busy, "fired": fired, "quiet": quiet, "baseline": baseline}


def main() -> None:
    results = {}
    for n in SIZES:
        r = results[n] = bench(n)
        print(f"{n:>7,} open applications (inserted in {r['filled']:.1f} s): quiet sweep {1000 * r['quiet']:.1f} ms "
              f"(median of 5); "
              f"sweep firing {int(r['fired']):,} cards {1000 * r['busy']:.0f} ms "
              f"({1000 * r['busy'] / r['fired']:.2f} ms a card); baseline read of every open application "
              f"{1000 * r['baseline']:.0f} ms")
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(f"growth 10,000 -> 100,000: quiet sweep x{large['quiet'] / small['quiet']:.1f}, "
          f"firing sweep x{large['busy'] / small['busy']:.1f} (10x the cards), "
          f"baseline x{large['baseline'] / small['baseline']:.1f}")


if __name__ == "__main__":
    main()
