"""Deadlines over the 2026 calendar (the State Council's holiday schedule as chinesecalendar carries
it), the clock paused during 补正, and the yellow and red cards fired once each at the right moment.
Time is injected: nothing sleeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import chinese_calendar.utils
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.audit import AuditContext, AuditRecord, Writer
from core.notifications import Notification
from core.settings import Settings
from servicehall import calendar, service, views, warnings
from servicehall.calendar import (
    BEIJING,
    add_working_seconds,
    end_of_working_days,
    is_working_day,
    known,
    statutory_holidays,
    working_seconds,
)
from servicehall.models import Application, Card, CardLevel, Event, Status, Step
from servicehall.schemas import ActionIn, SweepOut
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, bj, make_office

FIVE = {Step.accept: 5, Step.handle: 5, Step.review: 3, Step.approve: 2}


def test_the_2026_schedule_is_known_with_its_adjusted_working_weekends() -> None:
    assert known(2026)
    for day in (dt.date(2026, 10, d) for d in range(1, 8)):
        assert not is_working_day(day), day  # National Day, 1-7 October
    assert not is_working_day(dt.date(2026, 9, 25))  # Mid-Autumn, 25-27 September
    assert is_working_day(dt.date(2026, 9, 20))  # Sunday, worked for National Day
    assert is_working_day(dt.date(2026, 10, 10))  # Saturday, worked for National Day
    assert is_working_day(dt.date(2026, 1, 4)) and is_working_day(dt.date(2026, 2, 14))  # New Year, Spring Festival
    assert not is_working_day(dt.date(2026, 2, 16))


def test_five_working_days_from_the_thursday_before_national_day() -> None:
    """24 September (Thu): 25-27 Mid-Autumn, 28, 29, 30 count, 1-7 October National Day, 8 and 9
    count: the step ends at 24:00 on Friday 9 October."""
    start = bj(2026, 9, 24, 15)
    assert end_of_working_days(start, 5) == dt.datetime(2026, 10, 10, tzinfo=BEIJING)
    # from Wednesday 30 September: 8, 9, Saturday 10 (worked), 12, 13 October
    assert end_of_working_days(bj(2026, 9, 30), 5) == dt.datetime(2026, 10, 14, tzinfo=BEIJING)
    # a working Saturday counts whole, a holiday not at all
    assert working_seconds(bj(2026, 10, 10, 0), bj(2026, 10, 11, 0)) == 86_400
    assert working_seconds(bj(2026, 10, 1, 0), bj(2026, 10, 8, 0)) == 0


def _first_unknown_year() -> int:
    return next(year for year in range(2026, 2100) if not known(year))


def test_the_statutory_holidays_are_days_off_in_every_published_schedule_and_after_it() -> None:
    """The holiday rules as amended for 2025 agree with the State Council's 2025 and 2026 notices;
    a year without a notice yet keeps them off too, on Monday-Friday."""
    for year in (2025, 2026, _first_unknown_year()):
        assert not any(is_working_day(day) for day in statutory_holidays(year)), year
    unknown = _first_unknown_year()
    ordinary = next(dt.date(unknown, 3, d) for d in range(2, 9) if dt.date(unknown, 3, d).weekday() == 1)
    assert is_working_day(ordinary)  # a Tuesday in March is worked


def test_the_2027_statutory_holidays_follow_the_lunar_calendar_and_make_up_for_weekends() -> None:
    assert statutory_holidays(2027) == {
        dt.date(2027, 1, 1), dt.date(2027, 4, 5), dt.date(2027, 6, 9), dt.date(2027, 9, 15),  # 清明, 端午, 中秋
        dt.date(2027, 2, 5), dt.date(2027, 2, 6), dt.date(2027, 2, 7), dt.date(2027, 2, 8),  # 除夕, 初一-初三
        dt.date(2027, 2, 9), dt.date(2027, 2, 10),  # made up for 初一 and 初二 on the weekend
        dt.date(2027, 5, 1), dt.date(2027, 5, 2), dt.date(2027, 5, 3), dt.date(2027, 5, 4),
        dt.date(2027, 10, 1), dt.date(2027, 10, 2), dt.date(2027, 10, 3), dt.date(2027, 10, 4), dt.date(2027, 10, 5)}


def test_a_deadline_in_a_year_without_a_schedule_skips_its_holidays_and_says_it_is_provisional(
        sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    unknown = _first_unknown_year()
    office = make_office(sessions, hall_settings, step_days=FIVE, total_days=20)
    # Wednesday 29 December of the last known year, say, plus five working days runs over New Year's Day
    start = next(bj(unknown - 1, 12, d, 10) for d in range(31, 20, -1) if dt.date(unknown - 1, 12, d).weekday() < 3)
    shown = office.apply(start)
    counted = [start.date() + dt.timedelta(days=n) for n in range(1, 20)]
    fifth = [d for d in counted if d.weekday() < 5 and d not in statutory_holidays(unknown)
             and (d.year != unknown - 1 or is_working_day(d))][4]
    assert shown.step_due_at == dt.datetime.combine(fifth + dt.timedelta(days=1), dt.time(), BEIJING)
    assert shown.provisional_year == unknown
    assert office.apply(bj(2026, 3, 2, 10)).provisional_year is None  # all of it in a published year


def _sweep(sessions: sessionmaker[Session], now: dt.datetime) -> SweepOut:
    with sessions() as session:
        return service.sweep(Writer(session, None, AuditContext(client_ip="test")), now)


def _app(office: Office, number: str) -> Application:
    with office.sessions() as session:
        return session.scalars(select(Application).where(Application.number == number)).one()


def _act(office: Office, who: str, number: str, action: Action, now: dt.datetime) -> None:
    w = office.writer(who)
    with w.session:
        if action is Action.supply:
            service.supply(w, office.settings, number, "the missing page", [], now=now)
        else:
            service.act(w, number, ActionIn(action=action, comment="why"), now=now)


@pytest.fixture
def learn(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Teach the calendar a year as a newer chinesecalendar would, through its own tables (the
    test adds a HYPOTHETICAL notice's bridging day); what the calendar cached is forgotten before
    and after, as in a process started on the new package."""
    def forget() -> None:
        calendar.is_working_day.cache_clear()
        calendar.known.cache_clear()

    forget()
    yield monkeypatch
    monkeypatch.undo()
    forget()


def test_a_provisional_deadline_is_rescheduled_once_the_calendar_knows_its_year(
        sessions: sessionmaker[Session], hall_settings: Settings, learn: pytest.MonkeyPatch) -> None:
    unknown = _first_unknown_year()
    office = make_office(sessions, hall_settings, step_days=FIVE, total_days=20)
    start = next(bj(unknown - 1, 12, d, 10) for d in range(31, 20, -1) if dt.date(unknown - 1, 12, d).weekday() < 3)
    number = office.apply(start).number
    second = office.apply(start).number  # rescheduled in a batch of its own (BATCH is 1 below)
    paused = office.apply(start).number
    _act(office, "acceptor", paused, Action.request_materials, start + dt.timedelta(hours=1))
    before = _app(office, number)
    assert before.provisional_year == unknown
    _sweep(sessions, start + dt.timedelta(hours=1))  # nothing is known yet: nothing moves
    assert _app(office, number).step_due_at == before.step_due_at
    # the notice arrives (hypothetical): the statutory holidays, and the first working day of
    # January as a bridging day off
    bridge = next(d for d in (dt.date(unknown, 1, n) for n in range(2, 10)) if is_working_day(d))
    for day in statutory_holidays(unknown) | {bridge}:
        learn.setitem(chinese_calendar.utils.holidays, day, "hypothetical notice")
    calendar.is_working_day.cache_clear()
    calendar.known.cache_clear()
    assert known(unknown) and not is_working_day(bridge)
    learn.setattr(warnings, "BATCH", 1)
    _sweep(sessions, start + dt.timedelta(hours=2))
    after = _app(office, number)
    assert after.provisional_year is None
    assert (_app(office, second).provisional_year, _app(office, second).step_due_at) == (None, after.step_due_at)
    # two working hours were used on the old calendar; the rest runs on the new one, so the deadlines
    # are where the new calendar puts them from the start, one working day later than before
    assert after.step_due_at == end_of_working_days(start, 5) > before.step_due_at
    assert after.total_due_at == end_of_working_days(start, 20) > before.total_due_at
    assert after.red_at == after.step_due_at
    with office.sessions() as session:
        told = session.scalars(select(Notification).where(Notification.user_id == office.people["applicant"],
                                                          Notification.kind == "hall.rescheduled")).all()
        trail = session.scalars(select(Event).where(Event.application_id == after.id,
                                                    Event.action == "reschedule")).all()
        audited = session.scalars(select(AuditRecord).where(AuditRecord.action == "hall.reschedule",
                                                            AuditRecord.object_id == number)).all()
    assert sorted(n.payload["number"] for n in told) == sorted([number, second])
    assert {n.payload["year"] for n in told} == {unknown}
    assert len(trail) == 1 and trail[0].actor_id is None and trail[0].to_status is Status.submitted
    assert len(audited) == 1
    with office.sessions() as session:  # the trail names the platform as the one who took that step
        shown = views.application_out(session, None, session.get(Application, after.id)).events
    assert [(e.action, e.by_platform) for e in shown][-1] == ("reschedule", True)
    assert not any(e.by_platform for e in shown[:-1])
    _sweep(sessions, start + dt.timedelta(hours=3))  # once only
    with office.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.action == "reschedule",
                                                                            Event.application_id == after.id)) == 1
    # the application paused for materials was left alone, and resumes on the calendar it has now
    assert _app(office, paused).provisional_year == unknown
    _act(office, "applicant", paused, Action.supply, start + dt.timedelta(hours=4))
    resumed = _app(office, paused)
    # its twenty days on the new calendar, plus the three working hours it waited: into a 21st day,
    # whose end is the deadline
    assert resumed.provisional_year is None
    assert add_working_seconds(end_of_working_days(start, 20), 3 * 3600) < resumed.total_due_at
    assert resumed.total_due_at == end_of_working_days(start, 21)


def test_an_application_started_before_national_day_is_due_after_it(sessions: sessionmaker[Session],
                                                                    hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, step_days=FIVE)
    shown = office.apply(bj(2026, 9, 24, 15))
    assert shown.step_due_at == dt.datetime(2026, 10, 10, tzinfo=BEIJING)


def test_the_clock_pauses_while_materials_are_awaited(sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, step_days=FIVE)
    number = office.apply(bj(2026, 3, 2, 10)).number  # Monday: due at the end of Monday 9 March
    assert _app(office, number).step_due_at == dt.datetime(2026, 3, 10, tzinfo=BEIJING)
    _act(office, "acceptor", number, Action.request_materials, bj(2026, 3, 3, 10))
    paused = _app(office, number)
    assert paused.status is Status.materials and paused.running_since is None and paused.red_at is None
    _sweep(sessions, bj(2026, 3, 10, 9))  # after the step's original end: nothing fires while paused
    assert _cards(office, number) == []
    _act(office, "applicant", number, Action.supply, bj(2026, 3, 10, 10))  # five working days later
    resumed = _app(office, number)
    assert resumed.status is Status.submitted and resumed.step_no == 1
    assert resumed.step_due_at == dt.datetime(2026, 3, 17, tzinfo=BEIJING)  # the end of 16 March
    assert abs(resumed.total_used_s - 86_400) < 1  # Monday 10:00 to Tuesday 10:00: one working day used


def test_a_deadline_after_a_pause_is_the_end_of_a_day(sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    """Materials sent twelve seconds after they were asked for: the step was due at 24:00 on 9 March,
    and is due at the end of a day still (10 March), not at 00:00:12 (what the citizen was shown)."""
    office = make_office(sessions, hall_settings, step_days=FIVE)
    number = office.apply(bj(2026, 3, 2, 10)).number
    _act(office, "acceptor", number, Action.request_materials, bj(2026, 3, 3, 10))
    _act(office, "applicant", number, Action.supply, bj(2026, 3, 3, 10) + dt.timedelta(seconds=12))
    resumed = _app(office, number)
    assert resumed.step_due_at == dt.datetime(2026, 3, 11, tzinfo=BEIJING)  # the end of 10 March
    assert resumed.total_due_at is not None and resumed.total_due_at.astimezone(BEIJING).time() == dt.time()
    assert resumed.red_at == resumed.step_due_at
    # the time counted is the time shown: what is left of each budget runs to its deadline
    for budget, used, due in ((resumed.step_budget_s, resumed.step_used_s, resumed.step_due_at),
                              (resumed.total_budget_s, resumed.total_used_s, resumed.total_due_at)):
        assert abs(budget - used - working_seconds(resumed.running_since, due)) < 1


def _cards(office: Office, number: str) -> list[tuple[CardLevel, dt.datetime]]:
    with office.sessions() as session:
        app = session.scalars(select(Application).where(Application.number == number)).one()
        return [(c.level, c.fired_at) for c in session.scalars(select(Card).where(Card.application_id == app.id)
                                                                 .order_by(Card.id))]


def _notes(office: Office, who: str, number: str) -> list[str]:
    with office.sessions() as session:
        rows = session.scalars(select(Notification).where(Notification.user_id == office.people[who])
                               .order_by(Notification.id))
        return [n.kind for n in rows if n.payload.get("number") == number and n.kind.endswith("_card")]


def test_yellow_then_red_fire_once_each_at_the_right_moment(sessions: sessionmaker[Session],
                                                           hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, step_days=FIVE)
    number = office.apply(bj(2026, 3, 2, 10)).number
    # budget: 14 h on Monday + 5 days = 134 working hours; 80% = 107.2 h, reached Friday 6 March 21:12
    yellow = bj(2026, 3, 6, 21, 12)
    _sweep(sessions, yellow - dt.timedelta(seconds=1))
    assert _cards(office, number) == []
    _sweep(sessions, yellow)
    _sweep(sessions, yellow + dt.timedelta(minutes=5))
    assert _cards(office, number) == [(CardLevel.yellow, yellow)]
    # the weekend is not counted: overdue at 24:00 on Monday 9 March
    red = dt.datetime(2026, 3, 10, tzinfo=BEIJING)
    _sweep(sessions, red - dt.timedelta(seconds=1))
    assert len(_cards(office, number)) == 1
    _sweep(sessions, red)
    _sweep(sessions, red + dt.timedelta(days=3))
    assert _cards(office, number) == [(CardLevel.yellow, yellow), (CardLevel.red, red)]
    for who in ("acceptor", "head"):  # the step's people (unassigned: every acceptor) and the head
        assert _notes(office, who, number) == ["hall.yellow_card", "hall.red_card"], who
    assert _notes(office, "handler", number) == [] and _notes(office, "applicant", number) == []


def test_the_yellow_share_is_configurable(sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, step_days=FIVE, warn_ratio=0.5)
    number = office.apply(bj(2026, 3, 2, 10)).number
    at = bj(2026, 3, 5, 5)  # 67 h of 134: 14 h on Monday, then 53 h
    _sweep(sessions, at - dt.timedelta(seconds=1))
    assert _cards(office, number) == []
    _sweep(sessions, at)
    assert _cards(office, number) == [(CardLevel.yellow, at)]


def test_a_late_step_gets_its_cards_when_it_ends_and_the_next_step_starts_clean(
        sessions: sessionmaker[Session], hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, step_days=FIVE)
    number = office.apply(bj(2026, 3, 2, 10)).number
    late = bj(2026, 3, 11, 9)  # no sweep ran; the acceptor accepts after the step's end
    _act(office, "acceptor", number, Action.accept, late)
    with office.sessions() as session:
        app = session.scalars(select(Application).where(Application.number == number)).one()
        cards = list(session.scalars(select(Card).where(Card.application_id == app.id).order_by(Card.id)))
        assert [(c.level, c.step, c.closed_at) for c in cards] == [(CardLevel.yellow, Step.accept, late),
                                                                   (CardLevel.red, Step.accept, late)]
        assert app.status is Status.handling and app.step_no == 2 and app.yellow_at is not None
    _sweep(sessions, late)
    assert len(_cards(office, number)) == 2  # the new step's cards are not due yet
