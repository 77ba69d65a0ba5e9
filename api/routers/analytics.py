"""Analytics: indicators for a scope, industry scopes, report jobs and their archive,
early-warning subscriptions and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from analytics import regional, scopes
from analytics import service as analytics
from analytics.alerts import SubscriptionIn
from analytics.indicators import Basis, CountingUnit, Indicators
from analytics.industries import Industry
from analytics.models import Severity
from analytics.portal import DashboardFilters
from analytics.reports import service as reports
from analytics.schemas import AlertOut, ReportFormat, ReportOut, SubscriptionOut
from api.deps import CurrentUser, OptionalUser, SearchServiceDep, SessionDep, TaskQueueDep, WriterDep
from core.countries import CountryCode
from core.i18n import Language
from core.ids import DbId

router = APIRouter(prefix="/api/v1", tags=["analytics"])


@router.get("/analytics/scopes", summary="Industries and custom scopes", response_model=list[Industry])
def list_scopes(session: SessionDep, user: OptionalUser) -> list[Industry]:
    """The built-in industries and the custom scopes you may see (yours and your organisations')."""
    return scopes.all_scopes(session, user)


@router.post("/analytics/scopes",
             summary="Define a custom scope", status_code=status.HTTP_201_CREATED, response_model=Industry)
def create_scope(body: scopes.ScopeIn, w: WriterDep) -> Industry:
    """Any signed-in person: a patent `query` in the search's query language (422 when it, or a branch's,
    does not parse), optional technology `branches`, and a `key` for `scope=`. Private to you unless
    `published`; `org_id` shares it with an organisation you belong to (403 otherwise). 409 when the key
    is taken (keys are shared with the built-in industries) or starts with `region-`."""
    return analytics.create_scope(w, body)


@router.get("/analytics/indicators", summary="A scope's indicators over a period", response_model=Indicators)
def indicators(session: SessionDep, search: SearchServiceDep, user: OptionalUser,
               scope: Annotated[str, Query(min_length=1, max_length=60, description="industry or scope key")],
               basis: Basis = Basis.filing,
               from_year: Annotated[int | None, Query(alias="from", ge=1800, le=2200)] = None,
               to_year: Annotated[int | None, Query(alias="to", ge=1800, le=2200)] = None,
               cutoff: dt.date | None = None,
               home: Annotated[CountryCode, Query()] = "CN",
               top: Annotated[int, Query(ge=1, le=100)] = 10,
               counting: CountingUnit = CountingUnit.family) -> Indicators:
    """`scope`: a built-in industry, a region (`region-440000`) or a custom scope you may see (any other key
    is 404). Counts simple families (or documents, `counting`) per year of `basis` date, between `from`
    and `to`, of documents published by `cutoff` (default today); `home` splits domestic and foreign
    owners, `top` sizes the top lists. Counted against the search limits (429 with `Retry-After`)."""
    return analytics.indicators(session, search, scope, user=user, basis=basis, cutoff=cutoff, from_year=from_year,
                                to_year=to_year, home_country=home, top=top, counting=counting)


@router.post("/reports", summary="Ask for a report", status_code=status.HTTP_202_ACCEPTED, response_model=ReportOut)
def request_report(body: reports.ReportRequest, w: WriterDep, tasks: TaskQueueDep) -> ReportOut:
    """Queue a report; a worker generates it. Poll the returned link until status is done."""
    return reports.request_report(w, tasks, body)


@router.get("/reports", summary="My reports, every version", response_model=list[ReportOut])
def my_reports(user: CurrentUser, session: SessionDep,
               scope: Annotated[str | None, Query(max_length=60)] = None) -> list[ReportOut]:
    """The archive: every version of the reports you asked for, newest first."""
    return reports.reports_of(session, user, scope)


@router.get("/reports/{report_id}.{fmt}",
            summary="A report's file (PDF, HTML or JSON)", response_class=Response, response_model=None,
            responses={200: {"description": "the generated report: standalone HTML, PDF (a download) or its data",
                             "content": {"text/html": {}, "application/pdf": {},
                                         "application/json": {"schema": {"type": "object",
                                                                         "title": "ReportData"}}}}})
def report_file(report_id: DbId, fmt: ReportFormat, user: CurrentUser, session: SessionDep) -> Response:
    """`fmt` is `html`, `pdf` (sent as a download) or `json` (the report's data). 404 until the report is
    `done`, and for anyone but who asked for it, the members of a subscribing organisation and admins."""
    file = reports.report_file(session, user, report_id, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'} if file.filename else None
    return Response(file.content, media_type=file.media_type, headers=headers)


@router.get("/reports/{report_id}", summary="A report's status", response_model=ReportOut)
def report_status(report_id: DbId, user: CurrentUser, session: SessionDep) -> ReportOut:
    """`status` is `queued`, `running`, `done` or `failed` (with `error`); once done, `links` names its
    files. For who asked for it, the members of a subscribing organisation and admins; 404 for others."""
    return reports.report_status(session, user, report_id)


@router.post("/analytics/subscriptions",
             summary="Subscribe to a scope's alerts",
             status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut)
def subscribe(body: SubscriptionIn, w: WriterDep) -> SubscriptionOut:
    """Watch `scope` (one you may see, else 404) with the early-warning `rules`' thresholds (400 when a red
    one is below its yellow one), `watched` competitors and `product_keywords`. With `org_id`, for an
    organisation you belong to (403 otherwise): every member is then told of its alerts and reports.
    `monthly_report` asks for a report of the scope each month."""
    return analytics.subscribe(w, body)


@router.get("/analytics/subscriptions", summary="My alert subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(user: CurrentUser, session: SessionDep) -> list[SubscriptionOut]:
    """The subscriptions you made, oldest first (not those others made for your organisations)."""
    return analytics.subscriptions_of(session, user)


@router.delete("/analytics/subscriptions/{sub_id}",
               summary="End a subscription", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
def unsubscribe(sub_id: DbId, w: WriterDep) -> None:
    """Only the person who made the subscription ends it; to anyone else it does not exist (404). No more
    alerts or monthly reports come from it."""
    analytics.unsubscribe(w, sub_id)


@router.get("/analytics/alerts", summary="My red and yellow alerts", response_model=list[AlertOut])
def my_alerts(user: CurrentUser, session: SessionDep, severity: Severity | None = None) -> list[AlertOut]:
    """Alerts of your subscriptions and of your associations' subscriptions, newest first."""
    return analytics.alerts_of(session, user, severity)


@router.get("/regions", summary="Documents and applicants per province", response_model=regional.Overview)
def regions_overview(search: SearchServiceDep) -> regional.Overview:
    """Documents and applicants per Chinese province (GB/T 2260), and how much could be placed."""
    return regional.overview(search)


@router.get("/regions/{code}", summary="A province's or city's indicators", response_model=regional.RegionBoard)
def region(session: SessionDep, search: SearchServiceDep, user: OptionalUser,
           code: Annotated[str, Path(description="GB/T 2260 code or any name of the division: 440000, 广东, "
                                                  "Guangdong")],
           basis: Basis = Basis.filing,
           from_year: Annotated[int | None, Query(alias="from", ge=1800, le=2200)] = None,
           to_year: Annotated[int | None, Query(alias="to", ge=1800, le=2200)] = None,
           counting: CountingUnit = CountingUnit.family,
           lang: Language = Language.en) -> regional.RegionBoard:
    """A province's or city's indicators (its report scope ``region-<code>``) and its cities."""
    filters = DashboardFilters(from_year=from_year, to_year=to_year, basis=basis, counting=counting)
    return regional.region_board(session, search, user, regional.find(code).code, filters, lang)
