"""补正期限: asking for materials gives the applicant the item's working days to supply them; in time,
the handling goes on; after them, supplying is refused and the sweep withdraws the application
(视为撤回) on the platform's behalf, once, telling the applicant. Time is injected: nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from lxml import html
from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.models import User
from core.audit import AuditContext, AuditRecord, Writer
from core.errors import Conflict
from core.notifications import Notification
from core.settings import Settings
from servicehall import lapsing, service, views
from servicehall.calendar import BEIJING, end_of_working_days
from servicehall.models import Application, Event, Material, Status
from servicehall.schemas import ActionIn, Bilingual, ItemIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, bj, make_office
from tests.servicehall.test_pages import PASSWORD, ZH, app, email, people  # noqa: F401 - fixtures
from tests.servicehall.test_workflow import snapshot

ASKED = bj(2026, 3, 2, 10)  # a Monday; March 2026 has no holiday
# fifteen working days after Monday 2 March: 3-6, 9-13, 16-20 and 23 March, to the end of the 23rd
DUE = dt.datetime(2026, 3, 24, tzinfo=BEIJING)


def _app(office: Office, number: str) -> Application:
    with office.sessions() as session:
        return session.scalars(select(Application).where(Application.number == number)).one()


def _ask(office: Office, at: dt.datetime = ASKED) -> str:
    number = office.apply(at - dt.timedelta(hours=1)).number
    _act(office, "acceptor", number, Action.request_materials, at)
    return number


def _act(office: Office, who: str, number: str, action: Action, now: dt.datetime) -> Status:
    w = office.writer(who)
    try:
        if action is Action.supply:
            return service.supply(w, office.settings, number, "the licence", [], now=now).status
        return service.act(w, number, ActionIn(action=action, comment="the signed licence, please"), now=now).status
    finally:
        w.session.close()


def _sweep(sessions: sessionmaker[Session], now: dt.datetime) -> int:
    with sessions() as session:
        return lapsing.sweep(Writer(session, None, AuditContext(client_ip="beat"), operator=True), now)


def _notices(office: Office, kind: str) -> list[Notification]:
    with office.sessions() as session:
        return list(session.scalars(select(Notification).where(Notification.user_id == office.people["applicant"],
                                                                Notification.kind == kind).order_by(Notification.id)))


def test_asking_for_materials_gives_the_applicant_fifteen_working_days_and_says_so(office: Office) -> None:
    number = _ask(office)
    assert _app(office, number).supply_due_at == DUE == end_of_working_days(ASKED, 15)
    asked = _notices(office, "hall.materials")
    assert [dt.datetime.fromisoformat(n.payload["due"]) for n in asked] == [DUE]
    with office.sessions() as session:
        applicant = session.get(User, office.people["applicant"])
        assert applicant is not None
        assert views.get(session, applicant, number, ASKED).supply_due_at == DUE


def test_an_item_sets_its_own_limit_and_impossible_ones_are_refused(sessions: sessionmaker[Session],
                                                                     hall_settings: Settings) -> None:
    office = make_office(sessions, hall_settings, supply_days=3)
    number = _ask(office)  # Monday: three working days are Tuesday to Thursday
    assert _app(office, number).supply_due_at == dt.datetime(2026, 3, 6, tzinfo=BEIJING)
    fields = dict(code="x-item", kind="complaint", name=Bilingual(zh="事项", en="Item"),
                  description=Bilingual(zh="", en=""), step_days={}, total_days=10, department="d")
    for days in (0, -1, 366):
        with pytest.raises(ValidationError, match="supply_days"):
            ItemIn(**fields, supply_days=days)
    assert ItemIn(**fields).supply_days == 15


def test_materials_supplied_on_the_last_day_go_on_and_a_new_request_counts_afresh(office: Office) -> None:
    number = _ask(office)
    assert _act(office, "applicant", number, Action.supply, DUE - dt.timedelta(minutes=1)) is Status.submitted
    assert _app(office, number).supply_due_at is None
    again = bj(2026, 3, 25, 9)
    _act(office, "acceptor", number, Action.request_materials, again)
    assert _app(office, number).supply_due_at == end_of_working_days(again, 15)
    _sweep(office.sessions, DUE + dt.timedelta(days=1))  # the first limit is no more
    assert _app(office, number).status is Status.materials


def test_materials_after_the_limit_are_refused_and_change_nothing(office: Office) -> None:
    number = _ask(office)
    before = snapshot(office, number)
    with pytest.raises(Conflict) as refused:  # 24:00 of the last day is the first moment too late
        _act(office, "applicant", number, Action.supply, DUE)
    assert str(refused.value) == (f"the time to supply the materials of application {number} ended on "
                                     "2026-03-23: the application is deemed withdrawn")
    assert snapshot(office, number) == before
    with office.sessions() as session:  # the page offers no more supplying, but still withdrawing
        applicant = session.get(User, office.people["applicant"])
        assert applicant is not None
        shown = views.get(session, applicant, number, DUE + dt.timedelta(minutes=1))
    assert shown.actions == [Action.withdraw] and shown.status is Status.materials


def test_the_sweep_withdraws_only_what_is_past_its_limit_once_and_tells_the_applicant(office: Office) -> None:
    late = _ask(office)
    later = _ask(office, bj(2026, 3, 10, 10))  # its limit ends later
    supplied = _ask(office)
    _act(office, "applicant", supplied, Action.supply, bj(2026, 3, 5, 10))
    _sweep(office.sessions, DUE - dt.timedelta(seconds=1))  # the last second of the last day
    assert _app(office, late).status is Status.materials
    swept = DUE + dt.timedelta(minutes=5)
    _sweep(office.sessions, swept)
    gone = _app(office, late)
    assert (gone.status, gone.completed_at, gone.running_since, gone.supply_due_at, gone.on_time) == (
        Status.withdrawn, swept, None, None, None)  # finished, neither on time nor late
    assert _app(office, later).status is Status.materials and _app(office, supplied).status is Status.submitted
    with office.sessions() as session:
        trail = views.application_out(session, None, session.get(Application, gone.id), swept).events
        audited = session.scalars(select(AuditRecord).where(AuditRecord.object_id == late,
                                                            AuditRecord.action == "hall.transition")
                                  .order_by(AuditRecord.id)).all()
    assert (trail[-1].action, trail[-1].by_platform, trail[-1].to_status) == ("lapse", True, Status.withdrawn)
    assert (audited[-1].details["event"], audited[-1].details["to_status"]) == ("lapse", "withdrawn")
    assert dt.datetime.fromisoformat(audited[-1].details["supply_due_at"]) == DUE
    told = _notices(office, "hall.lapsed")
    assert [(n.payload["number"], dt.datetime.fromisoformat(n.payload["due"])) for n in told] == [(late, DUE)]
    assert "2026-03-23" in told[0].title
    _sweep(office.sessions, swept + dt.timedelta(hours=1))  # once
    with office.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(
            Event.application_id == gone.id, Event.action == "lapse")) == 1
    with pytest.raises(Conflict):  # withdrawn for good: nothing more to supply
        _act(office, "applicant", late, Action.supply, swept + dt.timedelta(hours=2))


def test_a_limit_the_calendar_now_counts_later_is_moved_not_lapsed(office: Office) -> None:
    """A limit set on a year whose holiday notice was not out counted its statutory holidays only;
    the notice may add days off. Before withdrawing, the sweep counts the limit again from when the
    materials were asked for, and a later one stands (never an earlier one)."""
    number = _ask(office)
    early = DUE - dt.timedelta(days=2)  # as counted on a calendar that knew two days fewer off
    with office.sessions() as session:
        session.execute(update(Application).where(Application.number == number).values(supply_due_at=early))
        session.commit()
    _sweep(office.sessions, early + dt.timedelta(minutes=5))
    moved = _app(office, number)
    assert (moved.status, moved.supply_due_at) == (Status.materials, DUE)
    assert dt.datetime.fromisoformat(_notices(office, "hall.materials")[-1].payload["due"]) == DUE
    with office.sessions() as session:
        trail = views.application_out(session, None, moved, early).events
        audited = session.scalars(select(AuditRecord).where(AuditRecord.object_id == number,
                                                            AuditRecord.action == "hall.supply_limit")).all()
    assert (trail[-1].action, trail[-1].by_platform) == ("supply_limit", True) and len(audited) == 1
    _sweep(office.sessions, DUE + dt.timedelta(minutes=5))  # its own limit passed: withdrawn
    assert _app(office, number).status is Status.withdrawn


def test_an_application_waiting_from_before_limits_is_given_one_and_told(office: Office) -> None:
    number = _ask(office)
    with office.sessions() as session:  # as the migration leaves one that was waiting already
        session.execute(update(Application).where(Application.number == number).values(supply_due_at=None))
        session.commit()
    found = bj(2026, 6, 1, 10)  # long after it was asked: counted from the sweep, never lapsed unwarned
    _sweep(office.sessions, found)
    dated = _app(office, number)
    assert (dated.status, dated.supply_due_at) == (Status.materials, end_of_working_days(found, 15))
    assert dt.datetime.fromisoformat(_notices(office, "hall.materials")[-1].payload["due"]) == dated.supply_due_at


def test_the_application_page_says_the_limit_and_then_that_it_has_passed(
        office: Office, people: dict[str, TestClient]) -> None:  # noqa: F811 - the fixture
    now = dt.datetime.now(dt.UTC)
    waiting = _ask(office, now)
    page = html.fromstring(people["applicant"].get(f"/service-hall/applications/{waiting}", headers=ZH).text)
    due = _app(office, waiting).supply_due_at
    assert due is not None
    day = (due - dt.timedelta(seconds=1)).astimezone(BEIJING)
    written = f"{day.year}年{day.month}月{day.day}日24时"
    assert page.xpath('string(//*[@id="supply-due"])') == written
    assert page.xpath('string(//*[@id="supply-limit"])') == (
        f"请于{written}前补正；逾期未补正的，申请视为撤回。")
    assert page.xpath('string(//*[@id="promised"])').endswith("（补正期间不计时，相应顺延）")  # the clock is paused
    late = _ask(office)  # asked in March: its limit has passed, the sweep has not come yet
    page = html.fromstring(people["applicant"].get(f"/service-hall/applications/{late}", headers=ZH).text)
    assert not page.xpath('//*[@id="supply-form"]') and page.xpath('//*[@id="withdraw"]')
    assert page.xpath('string(//*[@id="supply-ended"])').startswith("补正期限已于2026年3月23日24时届满")
    mine = html.fromstring(people["applicant"].get("/service-hall/mine", headers=ZH).text)
    assert f"补正期限：{written}" in mine.text_content()
    api = people["applicant"]  # a program, with a token: supplying late is a 409, and keeps no file
    token = api.post("/api/v1/auth/token", data={"username": email(office, "applicant"), "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    refused = api.post(f"/api/v1/hall/applications/{late}/materials", headers=bearer, data={"comment": "late"},
                       files=[("files", ("late.txt", b"too late", "text/plain"))])
    assert refused.status_code == 409 and refused.json()["detail"].endswith("the application is deemed withdrawn")
    with office.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Material).join(Application).where(
            Application.number == late, Material.round > 0)) == 0
    _sweep(office.sessions, now)  # withdrawn: finished, but neither on time nor late (a decision is)
    page = html.fromstring(people["applicant"].get(f"/service-hall/applications/{late}", headers=ZH).text)
    assert page.xpath('string(//*[@id="app-status"])') == "状态：已撤回"
    assert "逾期未补正，视为撤回" in page.xpath('string(//*[@id="trail"])')
    assert "按时办结" not in page.text_content() and not page.xpath('//*[@id="supply-ended"]')
    inbox = html.fromstring(people["applicant"].get("/inbox", headers=ZH).text)
    assert f"办件 {late} 逾期未补正，视为撤回" in inbox.xpath('string(//h2[@class="notice-title"])')
    assert "补正期限已于2026年3月23日24时届满。" in [p.text_content() for p in inbox.xpath('//p[@class="notice-due"]')]
    shown = api.get(f"/api/v1/hall/applications/{waiting}", headers=bearer).json()
    assert (dt.datetime.fromisoformat(shown["supply_due_at"]), shown["actions"]) == (due, ["supply", "withdraw"])
    gone = api.get(f"/api/v1/hall/applications/{late}", headers=bearer).json()
    assert (gone["status"], gone["on_time"], gone["supply_due_at"]) == ("withdrawn", None, None)
