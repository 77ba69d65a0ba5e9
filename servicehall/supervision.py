"""Efficiency supervision: per department and per item, the on-time completion rate, average and
90th-percentile handling days (working days, paused time excluded), open applications and their
open red and yellow cards, satisfaction, and the monthly trend."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import is_admin
from core.errors import PermissionDenied
from servicehall.calendar import BEIJING, DAY
from servicehall.catalogue import is_staff_anywhere
from servicehall.models import DECIDED, OPEN, SCORE, Application, Card, CardLevel, Department, Satisfaction, ServiceItem
from servicehall.schemas import Bilingual, CountOut, DashboardOut, MonthOut


@dataclass
class Tally:
    days: list[float] = field(default_factory=list)
    on_time: int = 0
    scores: list[int] = field(default_factory=list)
    open: int = 0
    cards: Counter[CardLevel] = field(default_factory=Counter)

    def out(self, key: str, name: Bilingual) -> CountOut:
        done = len(self.days)
        ordered = sorted(self.days)
        return CountOut(key=key, name=name, completed=done,
                        on_time_rate=round(self.on_time / done, 3) if done else None,
                        avg_days=round(sum(ordered) / done, 2) if done else None,
                        p90_days=round(ordered[math.ceil(0.9 * done) - 1], 2) if done else None,
                        open=self.open, yellow=self.cards[CardLevel.yellow], red=self.cards[CardLevel.red],
                        satisfaction=round(sum(self.scores) / len(self.scores), 2) if self.scores else None,
                        ratings=len(self.scores))


def _finished(session: Session) -> Iterable[tuple[int, int, bool | None, float, datetime | None, Satisfaction | None]]:
    return session.execute(select(Application.department_id, Application.item_id, Application.on_time,
                                  Application.total_used_s, Application.completed_at, Application.satisfaction)
                           .where(Application.status.in_(DECIDED)))


def _tallies(session: Session) -> tuple[dict[str, Tally], list[tuple[datetime | None, bool | None,
                                                                          Satisfaction | None]]]:
    """Tallies keyed ``total``, ``d<id>`` and ``i<id>``; and the finished rows for the months."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    months = []
    for dept, item, on_time, used, completed_at, satisfaction in _finished(session):
        for key in ("total", f"d{dept}", f"i{item}"):
            t = tallies[key]
            t.days.append(used / DAY)
            t.on_time += bool(on_time)
            if satisfaction is not None:
                t.scores.append(SCORE[satisfaction])
        months.append((completed_at, on_time, satisfaction))
    for dept, item, count in session.execute(select(Application.department_id, Application.item_id, func.count())
                                             .where(Application.status.in_(OPEN))
                                             .group_by(Application.department_id, Application.item_id)):
        for key in ("total", f"d{dept}", f"i{item}"):
            tallies[key].open += count
    for dept, item, level, count in session.execute(
            select(Application.department_id, Application.item_id, Card.level, func.count())
            .join(Application, Application.id == Card.application_id)
            .where(Card.closed_at.is_(None), Application.status.in_(OPEN))
            .group_by(Application.department_id, Application.item_id, Card.level)):
        for key in ("total", f"d{dept}", f"i{item}"):
            tallies[key].cards[level] += count
    return tallies, months


def _months(rows: list[tuple[datetime | None, bool | None, Satisfaction | None]]) -> list[MonthOut]:
    by: dict[str, Tally] = defaultdict(Tally)
    for completed_at, on_time, satisfaction in rows:
        if completed_at is None:
            continue
        t = by[completed_at.astimezone(BEIJING).strftime("%Y-%m")]
        t.days.append(0.0)
        t.on_time += bool(on_time)
        if satisfaction is not None:
            t.scores.append(SCORE[satisfaction])
    out = []
    for month in sorted(by)[-12:]:
        c = by[month].out(month, Bilingual(zh=month, en=month))
        out.append(MonthOut(month=month, completed=c.completed, on_time_rate=c.on_time_rate,
                            satisfaction=c.satisfaction))
    return out


def may_supervise(session: Session, user: User | None) -> bool:
    """Department staff and admins read the supervision dashboard."""
    return user is not None and (is_admin(user) or is_staff_anywhere(session, user))


def dashboard(session: Session, user: User) -> DashboardOut:
    """For department staff and admins."""
    if not may_supervise(session, user):
        raise PermissionDenied("the supervision dashboard is for department staff and admins")
    tallies, rows = _tallies(session)
    departments = [tallies[f"d{d.id}"].out(d.code, Bilingual(zh=d.name_zh, en=d.name_en))
                   for d in session.scalars(select(Department).order_by(Department.id))]
    items = [tallies[f"i{i.id}"].out(i.code, Bilingual(zh=i.name_zh, en=i.name_en))
             for i in session.scalars(select(ServiceItem).order_by(ServiceItem.id))]
    ratings = Counter(s for _, _, s in rows if s is not None)
    return DashboardOut(total=tallies["total"].out("total", Bilingual(zh="全部", en="All")), departments=departments,
                        items=items, months=_months(rows), satisfaction={s: ratings[s] for s in Satisfaction})
