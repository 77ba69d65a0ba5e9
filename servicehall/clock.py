"""The two clocks of an application (its current step's and the whole handling's), in working
seconds (``servicehall.calendar``): started when a step begins, paused for 补正, resumed when the
materials arrive, stopped when the application is finished."""

from __future__ import annotations

from datetime import datetime

from servicehall.calendar import (
    add_working_seconds,
    end_of_day,
    end_of_working_days,
    first_unknown_year,
    working_seconds,
)
from servicehall.models import DECIDED, Application, ServiceItem, Step


def start_total(app: Application, item: ServiceItem, now: datetime) -> None:
    due = end_of_working_days(now, item.total_days)
    app.total_budget_s = working_seconds(now, due)
    app.total_used_s = 0.0
    app.total_due_at = due


def start_step(app: Application, item: ServiceItem, step: Step, now: datetime, fired: set[str]) -> None:
    """A new step: its own budget from the catalogue, counted from ``now``."""
    due = end_of_working_days(now, int(item.step_days.get(step.value, 1)))
    app.step_no += 1
    app.step_started_at = now
    app.step_budget_s = working_seconds(now, due)
    app.step_used_s = 0.0
    app.running_since = now
    _schedule(app, item, now, fired)


def _schedule(app: Application, item: ServiceItem, now: datetime, fired: set[str]) -> None:
    """Due moments of the running step, from what it has used; a card already fired stays unset.
    Resumed after 补正, the time left ends within some working day, and the deadline is that day's end:
    a citizen is promised a day ("…24时"), not 00:00:11 after a twelve-second pause, and no deadline
    comes earlier than the exact time left (the day a period starts is not counted, as at its start)."""
    app.step_due_at, more = _day_end(now, app.step_budget_s - app.step_used_s)
    app.step_budget_s += more
    app.yellow_at = None if "yellow" in fired else add_working_seconds(
        now, item.warn_ratio * app.step_budget_s - app.step_used_s)
    app.red_at = None if "red" in fired else app.step_due_at
    app.total_due_at, more = _day_end(now, app.total_budget_s - app.total_used_s)
    app.total_budget_s += more
    app.provisional_year = first_unknown_year(app.step_due_at, app.total_due_at)


def _day_end(now: datetime, left: float) -> tuple[datetime, float]:
    """The deadline ``left`` working seconds after ``now``, at the end of the working day they end in,
    and the working seconds that adds to the budget: the time shown and the time counted (whether a
    step or the handling was on time, the share used) stay one. Time already used up adds nothing:
    an overdue step stays due when it was."""
    exact = add_working_seconds(now, left)
    if left <= 0:
        return exact, 0.0
    due = end_of_day(exact)
    return due, working_seconds(exact, due)


def pause(app: Application, now: datetime) -> None:
    """补正: both clocks keep what they used and stop."""
    if app.running_since is None:
        return
    used = working_seconds(app.running_since, now)
    app.step_used_s += used
    app.total_used_s += used
    app.running_since = None
    app.yellow_at = app.red_at = None


def resume(app: Application, item: ServiceItem, now: datetime, fired: set[str]) -> None:
    app.running_since = now
    _schedule(app, item, now, fired)


def reschedule(app: Application, item: ServiceItem, now: datetime, fired: set[str]) -> None:
    """The calendar changed under a running clock (it learned a year its deadlines reach): what was
    used until ``now`` stays counted, and the rest of each budget is laid on the new calendar."""
    pause(app, now)
    resume(app, item, now, fired)


def stop(app: Application, now: datetime) -> None:
    """The application is finished: the clocks stop for good."""
    pause(app, now)
    app.step_due_at = None
    app.provisional_year = None


def finish(app: Application, now: datetime) -> None:
    """The application is finished (decided, withdrawn, lapsed): the clocks stop, and for a decision,
    whether the handling kept its promised time (a withdrawal is neither on time nor late)."""
    stop(app, now)
    app.completed_at = now
    app.on_time = app.total_used_s <= app.total_budget_s if app.status in DECIDED else None


def total_used(app: Application, now: datetime) -> float:
    """Working seconds the handling has used so far (paused time excluded)."""
    running = working_seconds(app.running_since, now) if app.running_since else 0.0
    return app.total_used_s + running


def step_used(app: Application, now: datetime) -> float:
    running = working_seconds(app.running_since, now) if app.running_since else 0.0
    return app.step_used_s + running
