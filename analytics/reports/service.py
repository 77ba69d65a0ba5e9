"""The report archive: a request becomes a queued Report row (a new version, nothing is
overwritten), a Celery worker generates its HTML, PDF and JSON, and monthly subscriptions queue
one report per month."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from analytics import scopes
from analytics.alerts import subscribers
from analytics.indicators import Basis, CountingUnit, IndicatorParams
from analytics.models import Report, ReportStatus, Subscription
from analytics.reports import content, render
from analytics.schemas import ReportFile, ReportFormat, ReportOut
from analytics.tasks import generate_report
from core.accounts.models import User
from core.accounts.permissions import is_owner_or_admin
from core.audit import AuditAction, Writer
from core.celery_app import TaskQueue
from core.countries import CountryCode
from core.db import session_scope, utcnow
from core.errors import NotFound
from core.i18n import Language, Term, shown_today
from core.notifications import notify
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.events import CorpusEvent
from ipsearch.service import SearchService

log = logging.getLogger(__name__)


class ReportRequest(BaseModel):
    scope: str = Field(min_length=1, max_length=60)
    lang: Language = Language.en
    basis: Basis = Basis.filing
    from_year: int | None = Field(default=None, ge=1800, le=2200)
    to_year: int | None = Field(default=None, ge=1800, le=2200)
    cutoff: dt.date | None = Field(default=None, description="default: today")
    home_country: CountryCode = "CN"
    counting: CountingUnit = Field(default=CountingUnit.family, description="simple families or documents")

    @model_validator(mode="after")
    def _valid_params(self) -> ReportRequest:
        self.params()  # the period rules live in IndicatorParams
        return self

    def params(self) -> IndicatorParams:
        return IndicatorParams(basis=self.basis, cutoff=self.cutoff or shown_today(), from_year=self.from_year,
                               to_year=self.to_year, home_country=self.home_country, counting=self.counting)


def load_runs(session: Session, backend_kind: str) -> list[int]:
    """The load runs that built the corpus this backend serves (provenance)."""
    return sorted(set(session.scalars(select(CorpusEvent.run_id).where(CorpusEvent.backend == backend_kind))))


def _requested_by(user_id: int | None) -> ColumnElement[bool]:
    return Report.requested_by.is_(None) if user_id is None else Report.requested_by == user_id


def queue(session: Session, request: ReportRequest, user_id: int | None,
          subscription_id: int | None = None) -> Report:
    """A new version of the requester's report of this scope in this language. Versions are
    counted per requester: the archive shows each reader their own reports, so their first is
    version 1 whoever else asked for the same scope (counted across everyone, a first report
    read "version 2", and a later English one "version 1" above it)."""
    # a requester sees their own and their organisations' scopes; the platform itself (None) any scope
    industry = (scopes.resolve(session, request.scope) if user_id is None
                else scopes.resolve_for(session, request.scope, session.get(User, user_id)))
    params = request.params()
    previous = session.scalar(select(func.count()).select_from(Report).where(
        Report.scope == request.scope, Report.lang == request.lang, _requested_by(user_id))) or 0
    report = Report(scope=request.scope, query=industry.query, params=params.model_dump(mode="json"),
                    lang=request.lang, version=previous + 1, requested_by=user_id, subscription_id=subscription_id)
    session.add(report)
    session.flush()
    return report


def build_document(service: SearchService, session: Session, scope: str, params: IndicatorParams, lang: Language,
                   progress: Callable[[str], None] | None = None) -> tuple[content.ReportData, str]:
    industry = scopes.resolve(session, scope)
    data = content.build(service, industry, params, lang, load_runs(session, service.backend.kind), progress)
    if progress:
        progress("html")
    return data, render.html(data)


def generate(settings: Settings, report_id: int) -> Report:
    """Generate a queued report; a failure is recorded on the row, never half-written."""
    url = settings.effective_database_url
    with session_scope(url) as session:
        report = session.get(Report, report_id, with_for_update=True)
        if report is None:
            raise LookupError(f"report {report_id} not found")
        if report.status is ReportStatus.done:
            session.expunge(report)
            return report
        report.status = ReportStatus.running
    with session_scope(url) as session:
        report = session.get(Report, report_id)
        assert report is not None
        try:
            service = SearchService(get_backend(settings))
            params = IndicatorParams.model_validate(report.params)
            data, html = build_document(service, session, report.scope, params, report.lang)  # type: ignore[arg-type]
            pdf = render.pdf(html)
        except Exception as exc:  # noqa: BLE001 - recorded for the requester, then re-raised to the log
            log.exception("report %s failed", report_id)
            report.status = ReportStatus.failed
            report.error = f"{type(exc).__name__}: {exc}"[:2000]
            report.finished_at = utcnow()
        else:
            report.html, report.pdf = html, pdf
            report.data = data.model_dump(mode="json")
            report.load_runs = data.provenance.load_runs
            report.status = ReportStatus.done
            report.finished_at = utcnow()
        if report.subscription_id is not None:
            sub = session.get(Subscription, report.subscription_id)
            if sub is not None:
                for user_id in subscribers(session, sub):
                    notify(session, user_id, "report", f"Report ready: {report.scope} v{report.version}",
                           report_id=report.id, status=report.status.value)
        session.flush()
        session.expunge(report)
        return report


def send(queue: TaskQueue, report_id: int) -> None:
    queue.send(generate_report, report_id)


def queue_monthly(settings: Settings, today: dt.date | None = None) -> list[int]:
    """One report per subscription per month, cut off at the end of the previous month."""
    today = today or shown_today()
    month = today.strftime("%Y-%m")
    cutoff = today.replace(day=1) - dt.timedelta(days=1)
    queued: list[int] = []
    with session_scope(settings.effective_database_url) as session:
        subs = session.scalars(select(Subscription).where(Subscription.monthly_report.is_(True))
                               .with_for_update(skip_locked=True))
        for sub in subs:
            if sub.last_report_month == month:
                continue
            request = ReportRequest(scope=sub.scope, lang=sub.lang, cutoff=cutoff,
                                    home_country=sub.home_country)
            report = queue(session, request, sub.user_id, subscription_id=sub.id)
            sub.last_report_month = month
            queued.append(report.id)
    tasks = TaskQueue(settings)
    for report_id in queued:
        send(tasks, report_id)
    return queued


# --- the archive as the API shows it --------------------------------------------------------------

def _out(report: Report) -> ReportOut:
    out = ReportOut.model_validate(report)
    base = f"/api/v1/reports/{report.id}"
    files = {f.value: f"{base}.{f.value}" for f in ReportFormat} if report.status is ReportStatus.done else {}
    out.links = {"self": base} | files
    return out


def request_report(w: Writer, tasks: TaskQueue, body: ReportRequest) -> ReportOut:
    """Queue a report for the caller; a worker generates it (poll the returned link)."""
    report = queue(w.session, body, w.actor.id)
    w.audit(AuditAction.report_request, "report", report.id, scope=body.scope, lang=body.lang)
    w.commit()
    send(tasks, report.id)
    return _out(report)


def reports_of(session: Session, user: User, scope: str | None = None) -> list[ReportOut]:
    """The archive: every version of the reports ``user`` asked for, newest first."""
    stmt = select(Report).where(Report.requested_by == user.id)
    if scope:
        stmt = stmt.where(Report.scope == scope)
    return [_out(r) for r in session.scalars(stmt.order_by(Report.id.desc()).limit(200))]


def readable_report(session: Session, user: User | None, report_id: int) -> Report:
    """Reports are readable by whoever asked for them, the members of a subscribing association,
    and administrators; to anyone else (and to anonymous callers) they do not exist."""
    report = session.get(Report, report_id)
    if report is None or user is None:
        raise NotFound.said("report %(id)s not found", id=report_id)
    if is_owner_or_admin(user, report.requested_by):
        return report
    if report.subscription_id is not None:
        sub = session.get(Subscription, report.subscription_id)
        if sub is not None and user.id in subscribers(session, sub):
            return report
    raise NotFound.said("report %(id)s not found", id=report_id)


def report_status(session: Session, user: User | None, report_id: int) -> ReportOut:
    return _out(readable_report(session, user, report_id))


def report_file(session: Session, user: User | None, report_id: int, fmt: ReportFormat) -> ReportFile:
    """One file of a generated report; a report still queued, running or failed has none."""
    report = readable_report(session, user, report_id)
    if report.status is not ReportStatus.done:
        raise NotFound.said("report %(id)s is %(status)s", id=report_id, status=Term(report.status.value))
    if fmt is ReportFormat.html:
        return ReportFile(content=(report.html or "").encode(), media_type=fmt.media_type)
    if fmt is ReportFormat.pdf:
        return ReportFile(content=report.pdf or b"", media_type=fmt.media_type,
                          filename=f"report-{report.scope}-v{report.version}-{report.lang}.pdf")
    return ReportFile(content=json.dumps(report.data, ensure_ascii=False).encode(), media_type=fmt.media_type)
