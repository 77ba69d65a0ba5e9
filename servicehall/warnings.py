"""Red and yellow cards (红黄牌预警): a yellow card when the current step has used its share of the
promised time (``ServiceItem.warn_ratio``, 80% unless configured), a red card when it is overdue.
Each fires once per step (a unique key on application, step and level), is pushed to whoever
handles the step and to the department's heads (inbox; ``core.send_mail`` mails it), and is
closed when the step ends. ``sweep`` runs from Celery beat; ``check`` runs on every transition."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, union, update
from sqlalchemy.orm import Session

from core.audit import AuditAction, Writer
from core.notifications import notify
from servicehall.access import earlier_step_of
from servicehall.catalogue import holders
from servicehall.models import STEP_OF, Application, Card, CardLevel, ServiceItem, StaffRole
from servicehall.schemas import SweepOut
from servicehall.workflow import ROLE_FOR_STATUS

BATCH = 500
TITLES = {CardLevel.yellow: "Yellow card: application %(number)s has used %(share)s%% of its step's time",
          CardLevel.red: "Red card: application %(number)s is overdue"}


def fired(session: Session, app: Application) -> set[str]:
    """The levels already fired on the application's current step."""
    return {level.value for level in session.scalars(
        select(Card.level).where(Card.application_id == app.id, Card.step_no == app.step_no))}


def close_cards(session: Session, app: Application, now: datetime) -> None:
    session.execute(update(Card).where(Card.application_id == app.id, Card.closed_at.is_(None))
                    .values(closed_at=now))


Holders = dict[tuple[int, StaffRole], list[int]]


def recipients(session: Session, app: Application, known: Holders | None = None) -> list[int]:
    """The step's assignee (or, unassigned, everyone holding its role who may take it: not one an
    earlier step bars, where duties are separate) and the department heads; ``known`` keeps the
    role holders already read during one sweep."""
    known = {} if known is None else known

    def of(role: StaffRole) -> list[int]:
        if (app.department_id, role) not in known:
            known[app.department_id, role] = holders(session, app.department_id, role)
        return known[app.department_id, role]

    role = ROLE_FOR_STATUS.get(app.status)
    if app.assignee_id:
        people: list[int | None] = [app.assignee_id]
    else:
        people = [p for p in of(role) if earlier_step_of(session, p, app) is None] if role else []
    return sorted({p for p in people + of(StaffRole.head) if p is not None})


def _fire(w: Writer, app: Application, level: CardLevel, now: datetime, known: Holders | None) -> int:
    step = STEP_OF[app.status]
    w.session.add(Card(application_id=app.id, step_no=app.step_no, step=step, level=level, fired_at=now))
    item = w.session.get(ServiceItem, app.item_id)
    share = round(100 * (item.warn_ratio if item is not None else 0.8))
    title = TITLES[level] % {"number": app.number, "share": share}
    people = recipients(w.session, app, known)
    for user_id in people:
        notify(w.session, user_id, f"hall.{level.value}_card", title, number=app.number, step=step.value,
               due=app.step_due_at.isoformat() if app.step_due_at else "", share=share)
    w.audit(AuditAction.hall_card, "hall_application", app.number, level=level.value, step=step.value,
            step_no=app.step_no, notified=people)
    return len(people)


def check(w: Writer, app: Application, now: datetime, known: Holders | None = None) -> tuple[int, int, int]:
    """Fire the cards of ``app`` that are due at ``now`` (yellow before red); (yellow, red, notified)."""
    if app.status not in ROLE_FOR_STATUS or app.running_since is None:
        return 0, 0, 0
    yellow = red = notified = 0
    if app.yellow_at is not None and app.yellow_at <= now:
        notified += _fire(w, app, CardLevel.yellow, now, known)
        app.yellow_at, yellow = None, 1
    if app.red_at is not None and app.red_at <= now:
        notified += _fire(w, app, CardLevel.red, now, known)
        app.red_at, red = None, 1
    return yellow, red, notified


def due(session: Session, now: datetime, after_id: int, limit: int = BATCH) -> list[Application]:
    """Open applications with a card due, locked (others skip them), in id order from ``after_id``.
    The ids come from the two indexes (``yellow_at``, ``red_at``), so a sweep reads what is due,
    not every open application."""
    ids = union(select(Application.id).where(Application.yellow_at <= now),
                select(Application.id).where(Application.red_at <= now)).subquery()
    stmt = (select(Application).where(Application.id.in_(select(ids.c.id)), Application.id > after_id,
                                      Application.status.in_(list(ROLE_FOR_STATUS)))
            .order_by(Application.id).limit(limit).with_for_update(skip_locked=True))
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def sweep(w: Writer, now: datetime) -> SweepOut:
    """Fire every due card, a batch per transaction (Celery beat runs it every few minutes)."""
    yellow = red = notified = 0
    last = 0
    known: Holders = {}
    while batch := due(w.session, now, last):
        for app in batch:
            y, r, n = check(w, app, now, known)
            yellow, red, notified = yellow + y, red + r, notified + n
        last = batch[-1].id
        if yellow + red:
            w.commit()
        else:
            w.session.commit()
    return SweepOut(yellow=yellow, red=red, notified=notified)

