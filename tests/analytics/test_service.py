"""analytics.service and the report archive's service functions, on the embedded database: who
reads a report and its files, subscriptions and alerts, bad indicator parameters. A refused
write changes nothing and records nothing."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import portal, scopes
from analytics import service as analytics
from analytics.alerts import SubscriptionIn
from analytics.indicators import Basis, IndicatorParams
from analytics.models import Alert, Report, ReportStatus, Severity, Subscription
from analytics.reports import service as reports
from analytics.reports.service import ReportRequest
from analytics.schemas import QUEUED_LATE, ReportFormat
from core.accounts.models import OrgKind, OrgRole, Role, User
from core.accounts.service import add_member, create_organisation
from core.audit import AuditContext, AuditRecord, Writer
from core.celery_app import TaskQueue
from core.db import session_factory, utcnow
from core.errors import InvalidInput, NotFound, PermissionDenied, Refused
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService

_seq = itertools.count(1)


@pytest.fixture
def session(embedded_settings: Settings) -> Session:
    return session_factory(embedded_settings.effective_database_url)()


def _user(session: Session, role: Role = Role.member) -> User:
    n = next(_seq)
    user = User(email=f"a{n}@example.org", display_name=f"a{n}", password_hash="-", role=role)
    session.add(user)
    session.commit()
    return user


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="192.0.2.9"))


def _audits(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


def _refused(session: Session, exc: type[Exception], call: Callable[[], object]) -> None:
    before = _audits(session)
    with pytest.raises(exc):
        call()
    session.rollback()
    assert _audits(session) == before


def _finish(session: Session, report_id: int) -> None:
    """What the worker leaves behind for a generated report (the real generation: test_reports)."""
    report = session.get(Report, report_id)
    assert report is not None
    report.status, report.finished_at = ReportStatus.done, utcnow()
    report.html, report.pdf, report.data = "<h1>报告</h1>", b"%PDF-1.7 test", {"total": 3, "名称": "x"}
    session.commit()


def test_a_report_is_readable_by_its_requester_the_subscribers_and_admins(embedded_settings: Settings,
                                                                          session: Session) -> None:
    asker, stranger, admin = _user(session), _user(session), _user(session, Role.admin)
    tasks = TaskQueue(embedded_settings)
    body = ReportRequest.model_validate({"scope": "led", "lang": "zh", "cutoff": "2024-06-30"})
    out = reports.request_report(_writer(session, asker), tasks, body)
    assert out.status is ReportStatus.queued and out.links == {"self": f"/api/v1/reports/{out.id}"}
    assert session.scalar(select(AuditRecord.action).where(AuditRecord.object_id == str(out.id))) == "report.request"
    for user in (None, stranger):  # to them the report does not exist
        with pytest.raises(NotFound):
            reports.report_status(session, user, out.id)
    with pytest.raises(NotFound):  # not generated yet
        reports.report_file(session, asker, out.id, ReportFormat.pdf)
    assert not reports.report_status(session, asker, out.id).late  # just asked for
    waiting = session.get(Report, out.id)
    assert waiting is not None
    waiting.created_at = utcnow() - QUEUED_LATE - dt.timedelta(seconds=1)  # no worker took it since
    session.commit()
    assert reports.report_status(session, asker, out.id).late
    _finish(session, out.id)
    done = reports.report_status(session, admin, out.id)
    assert not done.late
    assert set(done.links) == {"self", "html", "pdf", "json"} and done.links["pdf"].endswith(f"{out.id}.pdf")
    pdf = reports.report_file(session, asker, out.id, ReportFormat.pdf)
    assert (pdf.content, pdf.media_type, pdf.filename) == (b"%PDF-1.7 test", "application/pdf",
                                                           f"report-led-v{done.version}-zh.pdf")
    html = reports.report_file(session, admin, out.id, ReportFormat.html)
    assert html.content.decode() == "<h1>报告</h1>" and html.filename is None
    data = reports.report_file(session, asker, out.id, ReportFormat.json)
    assert data.content.decode() == '{"total": 3, "名称": "x"}' and data.media_type == "application/json"
    with pytest.raises(NotFound):
        reports.report_file(session, stranger, out.id, ReportFormat.json)
    assert [r.id for r in reports.reports_of(session, asker, "led")] == [out.id]
    assert reports.reports_of(session, stranger) == [] and reports.reports_of(session, asker, "telecom") == []


def test_an_associations_report_reaches_its_members_only(session: Session) -> None:
    founder, member, outsider = _user(session), _user(session), _user(session)
    org = create_organisation(session, founder, "LED Association", OrgKind.association)
    add_member(session, org, member.id, OrgRole.member)
    sub = analytics.subscribe(_writer(session, founder), SubscriptionIn(scope="led", org_id=org.id, alerts=False))
    report = reports.queue(session, ReportRequest(scope="led"), founder.id, subscription_id=sub.id)
    session.commit()
    assert reports.readable_report(session, member, report.id).id == report.id
    with pytest.raises(NotFound):
        reports.readable_report(session, outsider, report.id)
    with pytest.raises(NotFound):
        reports.readable_report(session, member, report.id + 1)


def test_subscriptions_and_alerts_belong_to_their_subscribers(session: Session) -> None:
    owner, colleague, other = _user(session), _user(session), _user(session)
    org = create_organisation(session, owner, "Lamp makers", OrgKind.association)
    add_member(session, org, colleague.id, OrgRole.member)
    session.commit()
    _refused(session, PermissionDenied, lambda: analytics.subscribe(_writer(session, other),
                                                                    SubscriptionIn(scope="led", org_id=org.id)))
    _refused(session, NotFound, lambda: analytics.subscribe(_writer(session, owner), SubscriptionIn(scope="nope")))
    mine = analytics.subscribe(_writer(session, owner), SubscriptionIn(scope="led", watched=["Alpha Corp."]))
    theirs = analytics.subscribe(_writer(session, owner), SubscriptionIn(scope="telecom", org_id=org.id))
    assert mine.watched == ["alpha"] and mine.rules.foreign_growth.red_pct == 100
    for sub_id, severity in ((mine.id, Severity.red), (mine.id, Severity.yellow), (theirs.id, Severity.yellow)):
        session.add(Alert(subscription_id=sub_id, rule="test", severity=severity, fingerprint=f"{sub_id}{severity}",
                          title="t", evidence={}))
    session.commit()
    assert [a.severity for a in analytics.alerts_of(session, owner)] == [Severity.yellow] * 2 + [Severity.red]
    assert [a.subscription_id for a in analytics.alerts_of(session, colleague)] == [theirs.id]
    assert [a.severity for a in analytics.alerts_of(session, owner, Severity.red)] == [Severity.red]
    assert analytics.alerts_of(session, other) == []

    _refused(session, NotFound, lambda: analytics.unsubscribe(_writer(session, colleague), theirs.id))
    analytics.unsubscribe(_writer(session, owner), mine.id)
    assert [s.id for s in analytics.subscriptions_of(session, owner)] == [theirs.id]
    assert session.get(Subscription, mine.id) is None
    assert session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()[-1] == "analytics.unsubscribe"


def test_scopes_and_indicator_parameters(embedded_settings: Settings, session: Session) -> None:
    owner = _user(session)
    search = SearchService(get_backend(embedded_settings))
    scope = analytics.create_scope(_writer(session, owner), scopes.ScopeIn(key="lamps", name="Lamps",
                                                                            query="IPC=F21V"))
    assert scope.key == "lamps" and "lamps" in {s.key for s in scopes.all_scopes(session, owner)}
    assert "lamps" not in {s.key for s in scopes.all_scopes(session)}  # private: not for anonymous callers
    with pytest.raises(InvalidInput, match="first year is after its last") as refused:
        analytics.indicators(session, search, "lamps", user=owner, basis=Basis.publication, from_year=2020,
                             to_year=2010)
    assert str(refused.value).startswith("the period's")  # the validator's sentence, not "Value error, …"
    with pytest.raises(NotFound):
        analytics.indicators(session, search, "no-such-scope")


def test_only_the_subscriber_is_told_of_a_subscription_and_its_end_names_it(session: Session) -> None:
    """What the list's "subscribed" notice is said from (its address is anyone's to write): the
    reader's own subscription. Ending one answers with the scope it watched, for the page to say."""
    owner, other = _user(session), _user(session)
    sub = analytics.subscribe(_writer(session, owner), SubscriptionIn(scope="led"))
    assert analytics.subscribed_scope(session, owner, sub.id) == "led"
    assert analytics.subscribed_scope(session, other, sub.id) is None
    assert analytics.subscribed_scope(session, owner, None) is None
    with pytest.raises(NotFound):
        analytics.unsubscribe(_writer(session, other), sub.id)  # not theirs: to them it does not exist
    session.rollback()
    assert analytics.unsubscribe(_writer(session, owner), sub.id) == "led"
    assert analytics.subscribed_scope(session, owner, sub.id) is None


def test_the_scope_builder_reads_its_branch_lines_in_the_service(session: Session) -> None:
    """Branch lines ("name: query", a Chinese colon too) are parsed by analytics, not the page; a
    line without its colon is refused with the form's other problems, beside the branches box."""
    assert [(b.key, b.name, b.query) for b in scopes.parse_branches("芯片：IPC=H01L33/*\n\n Driver : IPC=H05B45/* ")] \
        == [("b1", "芯片", "IPC=H01L33/*"), ("b2", "Driver", "IPC=H05B45/*")]
    assert scopes.parse_branches("  \n") == []
    for line in ("no colon here", ": IPC=H01L", "Chips:  "):
        with pytest.raises(InvalidInput) as refused:
            scopes.parse_branches(f"Lamps: IPC=F21V\n{line}")
        assert refused.value.extra["field"] == "branches"
    owner = _user(session)
    form = portal.ScopeForm(key="Bad Key!", name="Lamps", query="IPC=F21V", branches="Lamps IPC=F21V")
    before = _audits(session)
    with pytest.raises(Refused) as both:
        portal.create_scope(_writer(session, owner), form)
    assert len(both.value.problems) == 2 and _audits(session) == before  # the line and the key, nothing kept
    made = portal.create_scope(_writer(session, owner), form.model_copy(update={
        "key": f"lamps-{next(_seq)}", "branches": "灯具：IPC=F21V\nBulbs: IPC=F21K9/*", "published": True}))
    assert [b.name for b in made.branches] == ["灯具", "Bulbs"] and made.branches[1].query == "IPC=F21K9/*"


class _HalfPastMidnightInBeijing(dt.datetime):
    """16:30 UTC on 30 November: already 1 December in Beijing, the day every page shows."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
        return dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC).astimezone(tz)


def test_today_is_the_day_the_pages_show(monkeypatch: pytest.MonkeyPatch) -> None:
    """Indicators, reports and the monthly queue count up to Beijing's today, not the server's:
    from 16:00 UTC a dashboard cut off at the UTC date would leave out the day its pages call today."""
    import core.i18n

    monkeypatch.setattr(core.i18n, "datetime", _HalfPastMidnightInBeijing)
    assert portal.DashboardFilters().params().cutoff == dt.date(2026, 12, 1)
    assert ReportRequest(scope="led").params().cutoff == dt.date(2026, 12, 1)
    assert IndicatorParams().cutoff == dt.date(2026, 12, 1)  # what a report run with no parameters counts to
