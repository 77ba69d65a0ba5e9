"""延长补正期限: the department's head, or the officer of the step that asked for the materials,
gives the applicant a later last day, saying why; the applicant is told, the sweep waits for the new
day, and nobody else may move it, nor move it earlier, to a day off, or after the time has ended.
Time is injected: nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import select, update

from core.accounts.models import User
from core.audit import AuditRecord
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from servicehall import lapsing, service, views
from servicehall.calendar import BEIJING, is_working_day
from servicehall.models import Application
from servicehall.schemas import AssignIn, DayRange, SupplyLimitIn
from servicehall.workflow import Action
from tests.servicehall.conftest import Office, make_office
from tests.servicehall.test_duties import give
from tests.servicehall.test_pages import EN, PASSWORD, ZH, app, email, people, post  # noqa: F401 - fixtures
from tests.servicehall.test_supply_limit import ASKED, DUE, _act, _app, _ask, _notices, _sweep
from tests.servicehall.test_workflow import snapshot

TUESDAY = dt.date(2026, 3, 31)  # a working day a week after the limit (23 March)
NEW_DUE = dt.datetime(2026, 4, 1, tzinfo=BEIJING)  # 24:00 of 31 March


def _extend(office: Office, who: str, number: str, day: dt.date, now: dt.datetime = ASKED,
            comment: str = "the notary needs a week", version: int | None = None) -> None:
    w = office.writer(who)
    try:
        service.extend_supply(w, number, SupplyLimitIn(last_day=day, comment=comment, version=version), now=now)
    finally:
        w.session.close()


def _viewer(office: Office, who: str) -> User:
    with office.sessions() as session:
        user = session.get(User, office.people[who])
        assert user is not None
        return user


def test_the_officer_who_asked_gives_more_time_and_the_applicant_is_told(office: Office) -> None:
    number = _ask(office)
    _extend(office, "acceptor", number, TUESDAY, ASKED + dt.timedelta(days=1))
    assert _app(office, number).supply_due_at == NEW_DUE
    with office.sessions() as session:
        shown = views.get(session, _viewer(office, "applicant"), number, ASKED + dt.timedelta(days=1))
        audited = session.scalars(select(AuditRecord).where(AuditRecord.object_id == number,
                                                            AuditRecord.action == "hall.supply_extend")).all()
    last = shown.events[-1]
    assert (last.action, last.by_platform, last.comment) == ("extend_supply", False, "the notary needs a week")
    assert last.actor is not None and last.actor.startswith("acceptor-")  # the officer, by name
    assert shown.supply_due_at == NEW_DUE and shown.supply_extension is None  # not the applicant's to move
    assert [(e.action, e.due_at) for e in shown.events if e.due_at] == [("request_materials", DUE),
                                                                        ("extend_supply", NEW_DUE)]
    assert [(dt.datetime.fromisoformat(a.details["previous_due_at"]),
             dt.datetime.fromisoformat(a.details["supply_due_at"])) for a in audited] == [(DUE, NEW_DUE)]
    told = _notices(office, lapsing.EXTENDED)
    assert [(n.payload["number"], dt.datetime.fromisoformat(n.payload["due"]), n.payload["comment"])
            for n in told] == [(number, NEW_DUE, "the notary needs a week")]
    _sweep(office.sessions, DUE + dt.timedelta(minutes=5))  # the first limit no longer counts
    assert _app(office, number).status.value == "materials"
    assert _act(office, "applicant", number, Action.supply, DUE + dt.timedelta(days=2)).value == "submitted"


def test_the_sweep_withdraws_after_the_new_day_not_before(office: Office) -> None:
    number = _ask(office)
    _extend(office, "head", number, TUESDAY)  # the department's head may too
    _sweep(office.sessions, NEW_DUE - dt.timedelta(seconds=1))
    assert _app(office, number).status.value == "materials"
    _sweep(office.sessions, NEW_DUE + dt.timedelta(minutes=5))
    assert _app(office, number).status.value == "withdrawn"
    assert dt.datetime.fromisoformat(_notices(office, lapsing.LAPSED)[-1].payload["due"]) == NEW_DUE


def test_only_the_head_or_the_officer_of_the_asking_step_may_move_the_day(office: Office) -> None:
    number = _ask(office)  # asked at acceptance: the acceptor's step
    before = snapshot(office, number)
    for who in ("handler", "reviewer", "applicant", "admin"):
        with pytest.raises(PermissionDenied, match="the department's head or the officer of the step that asked"):
            _extend(office, who, number, TUESDAY)
    with pytest.raises(NotFound):  # not theirs to see
        _extend(office, "stranger", number, TUESDAY)
    elsewhere = make_office(office.sessions, office.settings)  # the head of another department
    with pytest.raises(NotFound):
        _extend(elsewhere, "head", number, TUESDAY)
    assert snapshot(office, number) == before
    with office.sessions() as session:
        offered = {who: views.get(session, _viewer(office, who), number, ASKED).supply_extension
                   for who in ("acceptor", "head", "handler", "applicant", "admin")}
    days = DayRange(first=dt.date(2026, 3, 24), last=dt.date(2027, 3, 2))  # the day after, to a year on
    assert offered == {"acceptor": days, "head": days, "handler": None, "applicant": None, "admin": None}
    give(office, "handler", "acceptor")
    service.assign(office.writer("head"), number, AssignIn(assignee_id=office.people["handler"]), now=ASKED)
    with pytest.raises(PermissionDenied):  # the step is another acceptor's now, not the pool's
        _extend(office, "acceptor", number, TUESDAY)
    assert _app(office, number).supply_due_at == DUE and _notices(office, lapsing.EXTENDED) == []
    _extend(office, "handler", number, TUESDAY)  # theirs to extend
    assert _app(office, number).supply_due_at == NEW_DUE


@pytest.mark.parametrize(("day", "now", "comment", "error", "words"), [
    (TUESDAY, ASKED, "  ", InvalidInput, "say why the applicant has more time: they read it"),
    (dt.date(2026, 3, 23), ASKED, "why", InvalidInput, "the new last day must come after 2026-03-23, the present one"),
    (dt.date(2026, 3, 20), ASKED, "why", InvalidInput, "the new last day must come after 2026-03-23, the present one"),
    (dt.date(2026, 3, 28), ASKED, "why", InvalidInput,  # a Saturday
     "2026-03-28 is not a working day: a time limit ends on one, such as 2026-03-30"),
    (dt.date(2027, 3, 3), ASKED, "why", InvalidInput, "choose a day within a year, by 2027-03-02"),
    (TUESDAY, DUE, "why", Conflict, "ended on 2026-03-23: the application is deemed withdrawn"),
])
def test_a_day_that_cannot_be_the_limit_is_refused_and_changes_nothing(
        office: Office, day: dt.date, now: dt.datetime, comment: str, error: type[Exception], words: str) -> None:
    number = _ask(office)
    before = snapshot(office, number)
    with pytest.raises(error) as refused:
        _extend(office, "acceptor", number, day, now, comment)
    assert str(refused.value).endswith(words)
    if isinstance(refused.value, InvalidInput):
        assert refused.value.extra["field"] == ("comment" if comment.isspace() else "last_day")
    assert snapshot(office, number) == before and _app(office, number).supply_due_at == DUE
    assert _notices(office, lapsing.EXTENDED) == []


def test_the_last_day_a_year_on_is_taken(office: Office) -> None:
    number = _ask(office)
    _extend(office, "acceptor", number, dt.date(2027, 3, 2))  # a Tuesday, a year after 2 March 2026
    assert _app(office, number).supply_due_at == dt.datetime(2027, 3, 3, tzinfo=BEIJING)


def test_a_last_day_the_calendar_now_knows_as_a_day_off_gives_way_to_the_next_working_day(office: Office) -> None:
    """A day chosen, or counted, on a year whose holiday notice was not out may turn out a day off;
    the limit then ends with the next working day (here: a Saturday, as a notice could have made it)."""
    number = _ask(office)
    saturday_end = dt.datetime(2026, 3, 29, tzinfo=BEIJING)
    with office.sessions() as session:
        session.execute(update(Application).where(Application.number == number).values(supply_due_at=saturday_end))
        session.commit()
    _sweep(office.sessions, saturday_end + dt.timedelta(minutes=5))
    monday_end = dt.datetime(2026, 3, 31, tzinfo=BEIJING)
    assert (_app(office, number).status.value, _app(office, number).supply_due_at) == ("materials", monday_end)
    assert dt.datetime.fromisoformat(_notices(office, lapsing.ASKED)[-1].payload["due"]) == monday_end
    _sweep(office.sessions, monday_end + dt.timedelta(minutes=5))
    assert _app(office, number).status.value == "withdrawn"


def test_a_stale_version_or_an_application_not_waiting_is_refused(office: Office) -> None:
    number = _ask(office)
    seen = _app(office, number).version
    _extend(office, "acceptor", number, TUESDAY, version=seen)
    with pytest.raises(Conflict, match="changed since you saw it"):  # the first extension moved it on
        _extend(office, "head", number, dt.date(2026, 4, 1), version=seen)
    _act(office, "applicant", number, Action.supply, ASKED + dt.timedelta(days=1))
    with pytest.raises(Conflict, match="it waits for no materials"):
        _extend(office, "acceptor", number, dt.date(2026, 4, 1))
    assert _app(office, number).supply_due_at is None


def test_the_officer_extends_on_the_page_and_the_applicant_reads_the_new_day(
        office: Office, people: dict[str, TestClient]) -> None:  # noqa: F811 - the fixture
    now = dt.datetime.now(dt.UTC)
    number = _ask(office, now)
    path = f"/service-hall/applications/{number}"
    due = _app(office, number).supply_due_at
    assert due is not None
    first = lapsing.last_day(due) + dt.timedelta(days=1)
    page = html.fromstring(people["acceptor"].get(path, headers=ZH).text)
    assert page.xpath('string(//form[@id="extend-form"]//input[@name="last_day"]/@min)') == first.isoformat()
    assert page.xpath('string(//form[@id="extend-form"]//input[@name="last_day"]/@max)') > first.isoformat()
    assert not html.fromstring(people["applicant"].get(path, headers=ZH).text).xpath('//*[@id="extend-form"]')
    day = next(d for d in (first + dt.timedelta(days=n) for n in range(10)) if is_working_day(d))
    weekend = next(d for d in (first + dt.timedelta(days=n) for n in range(10)) if not is_working_day(d))
    refused = post(people["acceptor"], f"{path}/supply-limit", {"last_day": weekend.isoformat(), "comment": "<b>x</b>"})
    shown = html.fromstring(refused.text)
    assert refused.status_code == 400 and "is not a working day" in shown.xpath('string(//*[@id="extend-day-error"])')
    assert shown.xpath('string(//*[@id="extend-comment"])') == "<b>x</b>"  # kept, as text
    assert not shown.xpath('//*[@id="form-error"]')
    empty = html.fromstring(post(people["acceptor"], f"{path}/supply-limit", {"last_day": day.isoformat()}).text)
    assert "Say why" in empty.xpath('string(//*[@id="extend-comment-error"])')
    assert post(people["acceptor"], f"{path}/supply-limit", {"last_day": "31/12", "comment": "x"}).status_code == 400
    forged = post(people["acceptor"], f"{path}/supply-limit", {"last_day": day.isoformat(), "comment": "x"},
                  token=False)
    assert forged.status_code == 403 and _app(office, number).supply_due_at == due
    done = post(people["acceptor"], f"{path}/supply-limit", {"last_day": day.isoformat(), "comment": "公证需要时间"})
    assert done.status_code == 303 and done.headers["location"].endswith("?notice=extended")
    written = f"{day.year}年{day.month}月{day.day}日24时"
    mine = html.fromstring(people["applicant"].get(path, headers=ZH).text)
    assert mine.xpath('string(//*[@id="supply-due"])') == written
    assert "公证需要时间" in mine.xpath('string(//*[@id="trail"])')
    assert mine.xpath('//*[@id="trail"]//span[@class="meta trail-due"]/text()')[-1] == f"补正期限：{written}"
    inbox = html.fromstring(people["applicant"].get("/inbox", headers=ZH).text)
    assert f"办件 {number}：补正期限已延长" in inbox.xpath('string(//h2[@class="notice-title"])')
    assert f"请于{written}前补正；逾期未补正的，申请视为撤回。" in inbox.xpath('string(//p[@class="notice-due"])')
    api = people["applicant"]  # the API: the applicant may not, the officer may
    token = api.post("/api/v1/auth/token", data={"username": email(office, "applicant"), "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    later = (day + dt.timedelta(days=7)).isoformat()
    assert api.post(f"/api/v1/hall/applications/{number}/supply-limit", headers=bearer,
                    json={"last_day": later, "comment": "x"}).status_code == 403
    assert api.post(f"/api/v1/hall/applications/{number}/supply-limit", headers=bearer,
                    json={"last_day": "soon", "comment": "x"}).status_code == 422
