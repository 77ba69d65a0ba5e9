"""Deadlines laid on a provisional calendar, rescheduled once the official one is known.

A deadline reaching a year without the State Council's holiday notice is counted on the statutory
holidays alone (``servicehall.calendar``), and the application records that year
(``Application.provisional_year``). When a newer ``chinesecalendar`` brings the notice, the sweep
finds those applications, keeps the working time each has used, and lays the rest of its budgets on
the official calendar: the notice's bridging days and worked weekends move the deadlines, the
applicant is told, and the trail shows the platform's step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.audit import AuditAction, Writer
from core.notifications import notify
from servicehall import calendar, clock, warnings
from servicehall.models import Application, Event, ServiceItem
from servicehall.workflow import ROLE_FOR_STATUS, Entry

NOTIFICATION = "hall.rescheduled"


def _learned_years(w: Writer) -> list[int]:
    """Years some running deadline was provisional in that the calendar knows now."""
    years = w.session.scalars(select(Application.provisional_year).where(Application.provisional_year.is_not(None))
                              .distinct())
    return [year for year in years if year is not None and calendar.known(year)]


def _provisional(w: Writer, years: list[int], after_id: int) -> list[Application]:
    """A batch of the running applications whose deadlines reach one of ``years``, in id order from
    ``after_id``, locked (others skip them)."""
    stmt = (select(Application).where(Application.provisional_year.in_(years), Application.running_since.is_not(None),
                                      Application.status.in_(list(ROLE_FOR_STATUS)), Application.id > after_id)
            .order_by(Application.id).limit(warnings.BATCH).with_for_update(skip_locked=True))
    return list(w.session.scalars(stmt.execution_options(populate_existing=True)))


def _reschedule(w: Writer, app: Application, now: datetime) -> None:
    item = w.session.get(ServiceItem, app.item_id)
    assert item is not None  # a foreign key: items are deactivated, never deleted
    year, step_due, total_due = app.provisional_year, app.step_due_at, app.total_due_at
    clock.reschedule(app, item, now, warnings.fired(w.session, app))
    w.session.add(Event(application_id=app.id, at=now, actor_id=None, action=Entry.reschedule, from_status=app.status,
                        to_status=app.status))
    w.audit(AuditAction.hall_reschedule, "hall_application", app.number, year=year,
            step_due_at=[calendar.iso(step_due), calendar.iso(app.step_due_at)],
            total_due_at=[calendar.iso(total_due), calendar.iso(app.total_due_at)])
    if app.total_due_at != total_due:
        notify(w.session, app.applicant_id, NOTIFICATION,
               f"Application {app.number}: its promised completion time follows the {year} holiday schedule now",
               number=app.number, year=year, due=calendar.iso(app.total_due_at))



def sweep(w: Writer, now: datetime) -> int:
    """Reschedule every running application whose provisional year the calendar has learned, a batch
    per transaction (as the card sweep does); how many."""
    years = _learned_years(w)
    done = last = 0
    while years and (batch := _provisional(w, years, last)):
        for app in batch:
            _reschedule(w, app, now)
        w.commit()  # a batch per transaction: applicants and staff wait for its locks, not the whole run
        done, last = done + len(batch), batch[-1].id
    w.session.commit()  # what the reads began
    return done
