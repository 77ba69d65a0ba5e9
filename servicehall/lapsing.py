"""补正期限: how long an applicant has to supply the materials the office asked for.

Asking for materials gives the applicant the item's ``supply_days`` working days, to the end of the
last one (``Application.supply_due_at``); supplying them in time clears the limit. The sweep (Celery
beat, beside the cards) withdraws on the platform's behalf each application still waiting after its
limit (逾期未补正，视为撤回): the trail says why, the applicant is told, and the clocks stop as for
any withdrawal. An application that was waiting before limits existed is given one from the sweep
that first finds it, and the applicant is told: none lapses without having been told its limit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from core.audit import AuditAction, Writer
from core.errors import Conflict, InvalidInput
from core.i18n import Day
from core.notifications import notify
from servicehall import clock, warnings, workflow
from servicehall.calendar import BEIJING, end_of_date, end_of_working_days, is_working_day, iso
from servicehall.models import Application, Event, ServiceItem, Status
from servicehall.workflow import Action, Entry

LAPSED = "hall.lapsed"
ASKED = "hall.materials"  # the notice a request for materials sends, with its limit
EXTENDED = "hall.supply_extended"  # the notice an office's extension sends, with the new limit and why
LONGEST_EXTENSION = timedelta(days=365)  # from today: a later day is a typing slip (2062 for 2026)


def supply_due(item: ServiceItem, now: datetime) -> datetime:
    """The end of the last working day the applicant has to supply materials asked for at ``now``."""
    return end_of_working_days(now, item.supply_days)


def ended(app: Application, now: datetime) -> date | None:
    """The last day of the application's time to supply materials if that time has ended (it lapses
    at the next sweep), else None."""
    due = app.supply_due_at
    return last_day(due) if due is not None and due <= now else None


def last_day(due: datetime) -> date:
    """The Beijing day a limit ends with (a limit is that day's 24:00, the next day's first moment)."""
    return (due - timedelta(seconds=1)).astimezone(BEIJING).date()


def too_late(app: Application, day: date) -> Conflict:
    """The refusal of what comes after the time to supply materials ended (on ``day``)."""
    return Conflict.said("the time to supply the materials of application %(number)s ended on %(due)s: the "
                         "application is deemed withdrawn", number=app.number, due=Day(day))


def extension_days(app: Application, now: datetime) -> tuple[date, date] | None:
    """The days an office may choose as a new last day to supply materials, while that time runs:
    from the day after the present one to the last working day within a year (None once the time has
    ended: the application is deemed withdrawn)."""
    due = app.supply_due_at
    if due is None or due <= now:
        return None
    latest = now.astimezone(BEIJING).date() + LONGEST_EXTENSION
    while not is_working_day(latest):
        latest -= timedelta(days=1)
    return last_day(due) + timedelta(days=1), latest


def extend(w: Writer, app: Application, until: date, comment: str, now: datetime) -> None:
    """延长补正期限: the office gives the applicant until the end of ``until``, saying why; on the
    trail (with the new day), in the audit, and in the applicant's inbox. A limit only moves later."""
    due = _checked_extension(app, until, comment, now)
    before, app.supply_due_at = app.supply_due_at, due
    w.session.add(Event(application_id=app.id, at=now, actor_id=w.actor.id, action=Entry.extend_supply,
                        from_status=app.status, to_status=app.status, comment=comment.strip(), due_at=due))
    w.audit(AuditAction.hall_supply_extend, "hall_application", app.number, supply_due_at=iso(due),
            previous_due_at=iso(before))
    notify(w.session, app.applicant_id, EXTENDED, f"Application {app.number}: supply the materials by {until}",
           number=app.number, status=app.status.value, due=iso(due), comment=comment.strip()[:500])


def _checked_extension(app: Application, until: date, comment: str, now: datetime) -> datetime:
    """The new limit, 24:00 of ``until``: refused after the time has ended, without a reason, and for a
    day that is not later than the present one, beyond a year, or not a working day."""
    days = extension_days(app, now)
    if days is None:
        raise too_late(app, last_day(app.supply_due_at)) if app.supply_due_at else Conflict.said(
            "application %(number)s has no time limit to supply materials", number=app.number)
    first, latest = days
    if not comment.strip():
        raise InvalidInput("say why the applicant has more time: they read it").about("comment")
    if until < first:
        raise InvalidInput.said("the new last day must come after %(due)s, the present one",
                                due=Day(first - timedelta(days=1))).about("last_day")
    if until > latest:
        raise InvalidInput.said("choose a day within a year, by %(latest)s", latest=Day(latest)).about("last_day")
    if not is_working_day(until):
        raise InvalidInput.said("%(day)s is not a working day: a time limit ends on one, such as %(next)s",
                                day=Day(until), next=Day(_working_day_near(until, first, latest))).about("last_day")
    return end_of_date(until)


def _working_day_near(day: date, first: date, latest: date) -> date:
    """The first working day after ``day`` up to ``latest``, else the last one before it from ``first``."""
    after = (day + timedelta(days=n) for n in range(1, (latest - day).days + 1))
    before = (day - timedelta(days=n) for n in range(1, (day - first).days + 1))
    return next((d for d in after if is_working_day(d)), None) or next(d for d in before if is_working_day(d))


def _next_working_end(due: datetime) -> datetime | None:
    """A limit whose last day the calendar now knows as a day off (the year's holiday notice came after
    the limit was set, on its statutory holidays alone) ends with the next working day instead, as a
    time limit whose last day is a holiday does (期间届满的最后一日是节假日的，以其后的第一个工作日为届满日)."""
    return None if is_working_day(last_day(due)) else end_of_working_days(due - timedelta(seconds=1), 1)


def _waiting(w: Writer, condition: ColumnElement[bool], after_id: int) -> list[Application]:
    """A batch of applications waiting for materials that meet ``condition``, in id order from
    ``after_id``, locked (others skip them)."""
    stmt = (select(Application).where(Application.status == Status.materials, condition, Application.id > after_id)
            .order_by(Application.id).limit(warnings.BATCH).with_for_update(skip_locked=True))
    return list(w.session.scalars(stmt.execution_options(populate_existing=True)))


def _lapse(w: Writer, app: Application, now: datetime) -> None:
    due = app.supply_due_at
    before, after = workflow.fire(app, Action.withdraw)
    clock.finish(app, now)
    warnings.close_cards(w.session, app, now)
    app.supply_due_at = None
    w.session.add(Event(application_id=app.id, at=now, actor_id=None, action=Entry.lapse, from_status=before,
                        to_status=after, due_at=due))
    notify(w.session, app.applicant_id, LAPSED,
           f"Application {app.number} is deemed withdrawn: the materials were not supplied by {_day(due)}",
           number=app.number, status=after.value, due=iso(due))
    w.audit(AuditAction.hall_transition, "hall_application", app.number, event=Entry.lapse.value,
            from_status=before.value, to_status=after.value, supply_due_at=iso(due))


def _set_limit(w: Writer, app: Application, due: datetime, now: datetime) -> None:
    """The platform gives the application a (new) limit: on its trail, in the audit, and to its
    applicant, whose notice says until when."""
    app.supply_due_at = due
    w.session.add(Event(application_id=app.id, at=now, actor_id=None, action=Entry.supply_limit,
                        from_status=app.status, to_status=app.status, due_at=due))
    w.audit(AuditAction.hall_supply_limit, "hall_application", app.number, supply_due_at=iso(due))
    notify(w.session, app.applicant_id, ASKED, f"Application {app.number}: supply the materials by {_day(due)}",
           number=app.number, status=app.status.value, due=iso(due))


def _later_limit(w: Writer, app: Application, item: ServiceItem) -> datetime | None:
    """The limit as the calendar has it now, if that is later than the one set (a limit never moves
    earlier). Set on a year whose holiday notice was not out, a limit knew only the statutory holidays,
    and the notice may have added days off: counted again from when the materials were asked for, and
    a last day (counted, or an office's extension) that is now a day off gives way to the next working day."""
    due = app.supply_due_at
    if due is None:
        return None
    asked = w.session.scalar(select(func.max(Event.at)).where(Event.application_id == app.id,
                                                              Event.action == Action.request_materials.value))
    later = [d for d in (supply_due(item, asked) if asked is not None else None, _next_working_end(due)) if d]
    return max(later) if later and max(later) > due else None


def _item(w: Writer, app: Application) -> ServiceItem:
    item = w.session.get(ServiceItem, app.item_id)
    assert item is not None  # a foreign key: items are deactivated, never deleted
    return item


def _day(due: datetime | None) -> str:
    return last_day(due).isoformat() if due else ""


def sweep(w: Writer, now: datetime) -> int:
    """Give a limit to each waiting application without one, then withdraw each whose limit has
    passed (unless the calendar now has it later), a batch per transaction; how many were withdrawn."""
    last = 0
    while batch := _waiting(w, Application.supply_due_at.is_(None), last):
        for app in batch:
            _set_limit(w, app, supply_due(_item(w, app), now), now)
        w.commit()
        last = batch[-1].id
    lapsed = last = 0
    while batch := _waiting(w, Application.supply_due_at <= now, last):
        for app in batch:
            if (later := _later_limit(w, app, _item(w, app))) is not None and later > now:
                _set_limit(w, app, later, now)
            else:
                _lapse(w, app, now)
                lapsed += 1
        w.commit()
        last = batch[-1].id
    w.session.commit()  # what the reads began
    return lapsed
