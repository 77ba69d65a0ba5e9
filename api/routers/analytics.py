"""Analytics: indicators for a scope, industry scopes, report jobs and their archive,
early-warning subscriptions and alerts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select

from analytics import alerts as alert_service
from analytics import scopes
from analytics.indicators import IndicatorParams, Indicators, compute
from analytics.industries import Industry
from analytics.models import Alert, Report, ReportStatus, Subscription
from analytics.reports import service as reports
from analytics.rules import RulesConfig
from api.deps import CurrentUser, OptionalUser, SessionDep, WriterDep, get_platform
from core.accounts.models import Membership, Role, User
from core.errors import InvalidInput, NotFound

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/analytics/scopes", response_model=list[Industry])
def list_scopes(session: SessionDep) -> list[Industry]:
    return scopes.all_scopes(session)


@router.post("/analytics/scopes", status_code=status.HTTP_201_CREATED, response_model=Industry)
def create_scope(body: scopes.ScopeIn, w: WriterDep) -> Industry:
    row = scopes.create(w.session, body, w.actor.id)
    w.audit("analytics.scope.create", "analytics_scope", row.id, key=row.key, query=row.query)
    w.commit()
    return scopes.resolve(w.session, row.key)


@router.get("/analytics/indicators", response_model=Indicators)
def indicators(request: Request, session: SessionDep,
               scope: Annotated[str, Query(min_length=1, max_length=60, description="industry or scope key")],
               basis: Literal["filing", "priority", "publication"] = "filing",
               from_year: Annotated[int | None, Query(alias="from", ge=1800, le=2200)] = None,
               to_year: Annotated[int | None, Query(alias="to", ge=1800, le=2200)] = None,
               cutoff: dt.date | None = None,
               home: Annotated[str, Query(pattern=r"^[A-Z]{2}$")] = "CN",
               top: Annotated[int, Query(ge=1, le=100)] = 10) -> Indicators:
    industry = scopes.resolve(session, scope)
    try:
        params = IndicatorParams(basis=basis, cutoff=cutoff or dt.date.today(), from_year=from_year,
                                 to_year=to_year, home_country=home, top=top)
    except ValidationError as exc:
        raise InvalidInput(exc.errors()[0]["msg"]) from exc
    return compute(get_platform(request).search, industry.query, params)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scope: str
    query: str
    lang: str
    version: int
    status: ReportStatus
    params: dict[str, Any]
    load_runs: list[int]
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    links: dict[str, str] = {}


def _report_out(report: Report) -> ReportOut:
    out = ReportOut.model_validate(report)
    base = f"/api/v1/reports/{report.id}"
    out.links = {"self": base} | ({f: f"{base}.{f}" for f in ("html", "pdf", "json")}
                                  if report.status is ReportStatus.done else {})
    return out


@router.post("/reports", status_code=status.HTTP_202_ACCEPTED, response_model=ReportOut)
def request_report(body: reports.ReportRequest, request: Request, w: WriterDep) -> ReportOut:
    """Queue a report; a worker generates it. Poll the returned link until status is done."""
    report = reports.queue(w.session, body, w.actor.id)
    w.audit("report.request", "report", report.id, scope=body.scope, lang=body.lang)
    w.commit()
    reports.send(get_platform(request).tasks, report.id)
    return _report_out(report)


def _readable_report(session: SessionDep, user: User | None, report_id: int) -> Report:
    """Reports are readable by whoever asked for them, the members of a subscribing association,
    and administrators."""
    report = session.get(Report, report_id)
    if report is None or user is None:
        raise NotFound(f"report {report_id} not found")
    if user.role is Role.admin or report.requested_by == user.id:
        return report
    if report.subscription_id is not None:
        sub = session.get(Subscription, report.subscription_id)
        if sub is not None and user.id in alert_service.subscribers(session, sub):
            return report
    raise NotFound(f"report {report_id} not found")


@router.get("/reports", response_model=list[ReportOut])
def my_reports(user: CurrentUser, session: SessionDep,
               scope: Annotated[str | None, Query(max_length=60)] = None) -> list[ReportOut]:
    """The archive: every version of the reports you asked for, newest first."""
    stmt = select(Report).where(Report.requested_by == user.id)
    if scope:
        stmt = stmt.where(Report.scope == scope)
    return [_report_out(r) for r in session.scalars(stmt.order_by(Report.id.desc()).limit(200))]


@router.get("/reports/{report_id}.{fmt}", response_model=None)
def report_file(report_id: int, fmt: Literal["html", "pdf", "json"], user: OptionalUser,
                session: SessionDep) -> Response:
    report = _readable_report(session, user, report_id)
    if report.status is not ReportStatus.done:
        raise NotFound(f"report {report_id} is {report.status.value}")
    name = f"report-{report.scope}-v{report.version}-{report.lang}"
    if fmt == "html":
        return HTMLResponse(report.html or "")
    if fmt == "pdf":
        return Response(report.pdf or b"", media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return Response(json.dumps(report.data, ensure_ascii=False), media_type="application/json")


@router.get("/reports/{report_id}", response_model=ReportOut)
def report_status(report_id: int, user: OptionalUser, session: SessionDep) -> ReportOut:
    return _report_out(_readable_report(session, user, report_id))


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    org_id: int | None
    scope: str
    home_country: str
    watched: list[str]
    product_keywords: list[str]
    rules: RulesConfig
    alerts: bool
    monthly_report: bool
    lang: str
    created_at: dt.datetime


@router.post("/analytics/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut)
def subscribe(body: alert_service.SubscriptionIn, w: WriterDep) -> SubscriptionOut:
    sub = alert_service.subscribe(w.session, w.actor.id, body)
    w.audit("analytics.subscribe", "subscription", sub.id, scope=sub.scope, org_id=sub.org_id)
    w.commit()
    return SubscriptionOut.model_validate(sub)


@router.get("/analytics/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(user: CurrentUser, session: SessionDep) -> list[SubscriptionOut]:
    rows = session.scalars(select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id))
    return [SubscriptionOut.model_validate(s) for s in rows]


@router.delete("/analytics/subscriptions/{sub_id}", status_code=status.HTTP_204_NO_CONTENT)
def unsubscribe(sub_id: int, w: WriterDep) -> None:
    sub = alert_service.owned_subscription(w.session, w.actor.id, sub_id)
    w.session.delete(sub)
    w.audit("analytics.unsubscribe", "subscription", sub_id, scope=sub.scope)
    w.commit()


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    rule: str
    severity: str
    title: str
    evidence: dict[str, Any]
    created_at: dt.datetime


@router.get("/analytics/alerts", response_model=list[AlertOut])
def my_alerts(user: CurrentUser, session: SessionDep,
              severity: Literal["red", "yellow"] | None = None) -> list[AlertOut]:
    """Alerts of your subscriptions and of your associations' subscriptions, newest first."""
    orgs = select(Membership.org_id).where(Membership.user_id == user.id)
    subs = select(Subscription.id).where((Subscription.user_id == user.id) | Subscription.org_id.in_(orgs))
    stmt = select(Alert).where(Alert.subscription_id.in_(subs))
    if severity:
        stmt = stmt.where(Alert.severity == severity)
    return [AlertOut.model_validate(a) for a in session.scalars(stmt.order_by(Alert.id.desc()).limit(500))]
