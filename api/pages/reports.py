"""Reports in the browser: the section's home (built-in industries, my scopes, the scope builder),
an industry dashboard with interactive charts and filters, report requests with a progress display
and the archive (HTML and PDF opened with the session cookie), subscriptions with watched
competitors chosen from the index's applicant names, and their alerts.

Each route translates a form or an address into one call of ``analytics.portal``,
``analytics.service`` or ``analytics.reports.service``, which check visibility and permission,
audit and commit.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, Field, ValidationError

from analytics import portal
from analytics import service as analytics
from analytics.indicators import Basis, CountingUnit
from analytics.industries import REGION_PREFIX
from analytics.models import ReportStatus
from analytics.reports import service as reports
from analytics.rules import RulesConfig, StandingLevel
from analytics.schemas import ReportFormat
from api.i18n import N_, formatter
from api.pages import refusals
from api.pages.context import REPORTS_ONCE_COOKIE, CheckedPageDep, Page, PageDep
from core import mail
from core.errors import Conflict, InvalidInput, PermissionDenied, Refused
from core.i18n import Language
from core.ids import DbId, parse_id
from core.regions import Level

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def blank_is_none(value: object) -> object:
    """A number box left empty is sent as "": no value, not a wrong one."""
    return None if isinstance(value, str) and not value.strip() else value


# a year of the filters: a box left empty (as the form first stands) is no limit
Year = Annotated[Annotated[int, Field(ge=1800, le=2200)] | None, BeforeValidator(blank_is_none), Query()]
# a home country as the address may carry it: any text, refused in words beside its field (the
# limit only keeps the address short; what is longer is refused with FastAPI's page)
Home = Annotated[str, Query(max_length=200)]
FORM_ERRORS = (InvalidInput, PermissionDenied, Conflict, ValidationError)
POLL_SECONDS = 2

# words passed to the templates by value (the lead translates them)
MESSAGES = [N_("Filing date"), N_("Priority date"), N_("Publication date"), N_("Simple families"),
            N_("Documents"), N_("queued"), N_("running"), N_("done"), N_("failed"), N_("red"), N_("yellow"),
            N_("inception"), N_("growth"), N_("maturity"), N_("decline"), N_("unconcentrated"),
            N_("moderately concentrated"), N_("highly concentrated"), N_("foreign_growth"),
            N_("competitor_new_subclass"), N_("concentration_band"), N_("product_keywords"),
            N_("no applicant in the data is named %(names)s: choose a name from the suggestions"),
            N_("Chinese"), N_("English"), N_("the thresholds are numbers"),
            N_("write each branch as “name: query”, one per line"),
            N_("the period's first year is after its last year"), N_("a threshold is above 0"),
            N_("a number of keywords is a whole number")]
# the words a refusal names each form field by: the form's own labels, shortened
SCOPE_LABELS = {"key": N_("Key"), "name": N_("Name"), "name_zh": N_("Chinese name"), "query": N_("Query"),
                "branches": N_("Technology branches"), "org_id": N_("Share with")}
SUBSCRIPTION_LABELS = {"scope": N_("Scope"), "org_id": N_("For"), "watched": N_("Watched competitors"),
                       "product_keywords": N_("Product keywords"),
                       "yellow_pct": N_("Foreign growth, yellow above (%)"),
                       "red_pct": N_("Foreign growth, red above (%)"),
                       "min_keywords": N_("Keywords matched, yellow from"),
                       "red_keywords": N_("Keywords matched, red from"),
                       "lang": N_("Language of alerts and monthly reports")}
BASIS_LABELS = {Basis.filing: "Filing date", Basis.priority: "Priority date", Basis.publication: "Publication date"}
COUNTING_LABELS = {CountingUnit.family: "Simple families", CountingUnit.document: "Documents"}
# a report's status as a word, not its code ("done" read as a code in the English archive)
REPORT_STATUSES = {ReportStatus.queued: N_("Queued"), ReportStatus.running: N_("Generating"),
                   ReportStatus.done: N_("Done"), ReportStatus.failed: N_("Failed")}
# a rule's status today, beside its thresholds
LEVEL_LABELS = {StandingLevel.below: N_("below the thresholds"), StandingLevel.yellow: N_("yellow"),
                StandingLevel.red: N_("red"), StandingLevel.not_compared: N_("nothing to compare"),
                StandingLevel.on_load: N_("checked on each load")}


# --- the section's home and the scope builder ------------------------------------------------

def _home(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return page.render("reports_home.html", status_code, home=portal.home(page.session, page.user),
                       scope_form=extra.pop("scope_form", {}), scope_errors=extra.pop("scope_errors", {}), **extra)


@router.get("/reports", response_class=HTMLResponse)
def reports_home(page: PageDep) -> HTMLResponse:
    return _home(page)


@router.post("/reports/scopes", response_model=None)
def create_scope(page: CheckedPageDep, key: Text = "", name: Text = "", name_zh: Text = "",
                 query: Text = "", branches: Text = "", org: Text = "", published: Text = "") -> Response:
    """The scope builder: private to its owner, shared with one of their organisations, or
    published for everyone. A refusal shows the form again, in view (its address ends in the
    form's fragment), with every problem of the values typed beside its field."""
    form = {"key": key, "name": name, "name_zh": name_zh, "query": query, "branches": branches, "org": org,
            "published": published}
    try:
        created = portal.create_scope(page.writer(), portal.ScopeForm(**form | {"published": bool(published)}))
    except FORM_ERRORS as exc:
        page.session.rollback()
        problems: list[Exception] = exc.problems if isinstance(exc, Refused) else [exc]
        return _home(page, 400, scope_errors=refusals.by_field(page, problems, SCOPE_LABELS), scope_form=form)
    return page.redirect(f"/reports/industries/{created.key}")


# --- a dashboard ----------------------------------------------------------------------------------

def _filters(from_year: int | None, to_year: int | None, basis: Basis, home: str,
             counting: CountingUnit) -> portal.DashboardFilters:
    return portal.DashboardFilters(from_year=from_year, to_year=to_year, basis=basis, home_country=home,
                                   counting=counting)


def dashboard_charts(board: portal.Dashboard, page: Page) -> dict[str, Any]:
    """What app-reports.js draws: the same numbers as the tables beside each chart."""
    ind = board.indicators
    return {"trend": {"years": [y.year for y in ind.years], "counts": [y.documents for y in ind.years],
                      "applicants": [y.applicants for y in ind.years], "incomplete": [y.incomplete for y in ind.years],
                      "labels": {"count": page.gettext(COUNTING_LABELS[ind.counting.unit]),
                                 "applicants": page.gettext("Applicants"),
                                 "incomplete": page.gettext("Incomplete (publication lag)")}},
            "applicants": [[a.name, a.documents] for a in ind.top_applicants],
            "countries": [[formatter(page.lang).country(c), n] for c, n in list(ind.countries.items())[:15]],
            "places": [[d.name(page.lang), d.count] for d in ind.regions.divisions if d.level is Level.province][:15],
            "branches": [[b.name, b.documents] for b in board.branches] if any(b.documents for b in board.branches)
            else [],  # every branch empty: "no data", not a chart of empty bars
            # growth in percent; a subgroup new in the recent window has none to chart (its table says "new")
            "hotspots": [[h.code, round(h.growth * 100)] for h in ind.hotspots if h.earlier]}


def _dashboard(page: Page, key: str, filters: portal.DashboardFilters, status_code: int = 200,
               **extra: Any) -> HTMLResponse:
    board = portal.dashboard(page.session, page.platform.search, page.user, key, filters, page.lang)
    return page.render("reports_dashboard.html", status_code, board=board, ind=board.indicators,
                       charts=dashboard_charts(board, page), basis_labels=BASIS_LABELS, counting_labels=COUNTING_LABELS,
                       name=board.scope.name_zh if page.lang is Language.zh else board.scope.name, **extra)


@router.get("/reports/industries/{key}", response_class=HTMLResponse, response_model=None)
def dashboard(page: PageDep, key: str, from_year: Annotated[Year, Query(alias="from")] = None,
              to_year: Annotated[Year, Query(alias="to")] = None, basis: Basis = Basis.filing,
              home: Home = "CN", counting: CountingUnit = CountingUnit.family) -> Response:
    """A period whose first year is after its last, or a home country that is no country code,
    answers 422 with the page counted without it and the refusal beside the filters, where it can be
    put right (as a region's page does); other values the form would not send answer an error page.
    A region's scope is shown on the region's own page, with its cities and key companies."""
    if key.startswith(REGION_PREFIX):
        return page.redirect(f"/regions/{key.removeprefix(REGION_PREFIX)}?{page.request.url.query}".rstrip("?"))
    typed = {"from": from_year, "to": to_year}  # a refused period stays in the form, to be put right
    if refused := refused_period(page, from_year, to_year, all_years_shown=True):
        from_year = to_year = None
    country, home_refused = refused_home(page, home)
    return _dashboard(page, key, _filters(from_year, to_year, basis, country, counting),
                      422 if refused or home_refused else 200, filter_error=refused,
                      typed_years=typed if refused else {}, home_error=home_refused, typed_home=home)


def refused_period(page: Page, from_year: int | None, to_year: int | None, all_years_shown: bool = False) -> str | None:
    """A period whose first year is after its last, refused in the reader's words; None for any other.
    ``all_years_shown``: the page shows every year instead (a dashboard, a region's page), and says so
    (its figures read as the period's, under a refusal of the period)."""
    if not (from_year and to_year and from_year > to_year):
        return None
    if all_years_shown:
        return page.gettext("The period's first year is after its last year: the figures below are for every year.")
    return page.gettext("The period's first year is after its last year.")


def refused_home(page: Page, typed: str) -> tuple[str, str | None]:
    """The home country the address names (a two-letter country code, either case), or the default
    with the refusal in the reader's words, said beside the field (``home=ZZ`` and ``home=<script>``
    fell back to CN without a word). The service's filters decide what a country code is."""
    if not typed.strip():  # the field left empty: its placeholder, the default
        return portal.DashboardFilters().home_country, None
    try:
        return portal.DashboardFilters(home_country=typed.strip().upper()).home_country, None
    except ValidationError:
        default = portal.DashboardFilters().home_country
        shown = typed if len(typed) <= 20 else typed[:20] + "…"
        return default, page.gettext("The home country “%(typed)s” was not understood: write a two-letter country code "
                                     "(ISO 3166), such as CN or US. The figures below are for %(default)s.",
                                     typed=shown, default=default)


@router.post("/reports/industries/{key}/report", response_model=None)
def request_report(page: CheckedPageDep, key: str, lang: Annotated[Language, Form()] = Language.zh,
                   format: Annotated[ReportFormat, Form()] = ReportFormat.pdf,
                   from_year: Annotated[int | None, Form(alias="from", ge=1800, le=2200)] = None,
                   to_year: Annotated[int | None, Form(alias="to", ge=1800, le=2200)] = None,
                   basis: Annotated[Basis, Form()] = Basis.filing,
                   home: Annotated[str, Form(pattern=r"^[A-Za-z]{2}$")] = "CN",
                   counting: Annotated[CountingUnit, Form()] = CountingUnit.family) -> Response:
    """Queue a report with the dashboard's filters, under the names of the dashboard's address
    (``from``, ``to``); its page shows the progress. A period the dashboard refuses (its first year
    after its last) the report request refuses too (``ReportRequest``)."""
    try:
        body = reports.ReportRequest(scope=key, lang=lang, basis=basis, from_year=from_year, to_year=to_year,
                                     home_country=home.upper(), counting=counting)
        queued = reports.request_report(page.writer(), page.platform.tasks, body)
    except (InvalidInput, ValidationError) as exc:
        page.session.rollback()
        return page.render("error.html", 422, title="Invalid request", detail=page.explain(exc))
    shown = format if format is not ReportFormat.json else ReportFormat.pdf
    return page.redirect(f"/reports/archive/{queued.id}?open={shown.value}")


# --- the archive and a report's progress ------------------------------------------------------------

@router.get("/reports/archive", response_class=HTMLResponse)
def archive(page: PageDep, scope: Annotated[str | None, Query(max_length=60)] = None) -> HTMLResponse:
    """Every version of every report I asked for, newest first."""
    shown = portal.archive(page.session, page.require_user(), scope, page.lang)
    return page.render("reports_archive.html", reports=shown.reports, scope=scope, scope_name=shown.scope_name,
                       statuses=REPORT_STATUSES)


@router.get("/reports/archive/{report_id}", response_class=HTMLResponse)
def report_page(page: PageDep, report_id: DbId, open: ReportFormat = ReportFormat.pdf) -> HTMLResponse:
    view = portal.report_view(page.session, page.require_user(), report_id, page.lang)
    return page.render("reports_report.html", report=view.report, name=view.name, open=open, poll=POLL_SECONDS,
                       finished=view.report.status in (ReportStatus.done, ReportStatus.failed),
                       statuses=REPORT_STATUSES)


@router.get("/reports/archive/{report_id}/status", response_class=HTMLResponse)
def report_progress(page: PageDep, report_id: DbId, open: ReportFormat = ReportFormat.pdf) -> HTMLResponse:
    """The progress fragment htmx polls; it stops polling once the report is done or failed."""
    page.require_user()
    shown = reports.report_status(page.session, page.user, report_id)
    return page.render("_report_status.html", report=shown, open=open, poll=POLL_SECONDS,
                       finished=shown.status in (ReportStatus.done, ReportStatus.failed), statuses=REPORT_STATUSES)


@router.get("/reports/archive/{report_id}/report.{fmt}", response_model=None)
def report_file(page: PageDep, report_id: DbId, fmt: ReportFormat) -> Response:
    """A report's file through the session cookie: HTML and JSON shown, the PDF opened inline."""
    file = reports.report_file(page.session, page.require_user(), report_id, fmt)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if fmt is ReportFormat.html:  # the report is self-contained: no scripts, nothing from elsewhere
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    if file.filename:
        headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return Response(file.content, media_type=file.media_type, headers=headers)


# --- subscriptions and alerts ---------------------------------------------------------------------

def _subscriptions(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    user = page.require_user()
    form = extra.pop("form", {})
    return page.render("reports_subscriptions.html", status_code, home=portal.home(page.session, user,
                                                                                  form.get("scope", "")),
                       subscriptions=portal.subscriptions(page.session, page.platform.search, user),
                       alerts=analytics.alerts_of(page.session, user)[:50], defaults=RulesConfig(),
                       form=form, **extra)


@router.get("/reports/subscriptions", response_class=HTMLResponse)
def subscriptions(page: PageDep, scope: Annotated[str, Query(max_length=60)] = "",
                  created: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    """``created``: the subscription just made, said only when the service confirms it is the
    reader's own (anyone can write an address). The one just ended comes in the session's own
    once-cookie from ``unsubscribe``, never in the address: no link can say one was deleted."""
    user = page.require_user()
    mailed = mail.reaches(page.platform.settings, user)  # the e-mail is promised only then
    made = analytics.subscribed_scope(page.session, user, parse_id(created))
    ended = page.take_once(REPORTS_ONCE_COOKIE)
    return _subscriptions(page, form={"scope": scope}, created=made, mailed=mailed, deleted=ended)


@router.get("/reports/subscriptions/{sub_id}", response_class=HTMLResponse)
def subscription_standing(page: PageDep, sub_id: DbId) -> HTMLResponse:
    """Where each rule of a subscription stands today, beside its thresholds."""
    found = portal.standing(page.session, page.platform.search, page.require_user(), sub_id, page.lang)
    return page.render("reports_subscription.html", s=found, LEVEL_LABELS=LEVEL_LABELS)


@router.get("/reports/suggest", response_class=HTMLResponse)
def suggest(page: PageDep, scope: Annotated[str, Query(min_length=1, max_length=60)] = "led",
            q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    """Applicant names of the scope matching what was typed (for htmx, as you type)."""
    found = portal.suggest(page.session, page.platform.search, page.user, scope, q)
    return page.render("_report_suggestions.html", suggestions=found, typed=q)


@router.post("/reports/subscriptions", response_model=None)
def subscribe(page: CheckedPageDep, scope: Text = "", watched: Text = "", keywords: Text = "",
              yellow_pct: Text = "", red_pct: Text = "", min_keywords: Text = "", red_keywords: Text = "",
              lang: Text = "", monthly_report: Text = "", org: Text = "") -> Response:
    """Watched competitors must be applicant names the index knows; an unknown one is named in the
    form. ``org``: for an organisation of mine, whose members all receive the alerts. A refusal
    names every problem of the submit, each beside its field, with the form in view."""
    form = {"scope": scope, "watched": watched, "keywords": keywords, "yellow_pct": yellow_pct, "red_pct": red_pct,
            "min_keywords": min_keywords, "red_keywords": red_keywords, "lang": lang, "monthly_report": monthly_report,
            "org": org}
    typed = portal.SubscriptionForm(**form | {"lang": lang if lang in ("zh", "en") else page.lang.value,
                                              "monthly_report": bool(monthly_report)})
    try:
        made = portal.subscribe(page.writer(), page.platform.search, typed)
    except FORM_ERRORS as exc:
        page.session.rollback()
        problems: list[Exception] = exc.problems if isinstance(exc, Refused) else [exc]
        unknown = next((p.extra["unknown"] for p in problems if isinstance(p, InvalidInput) and "unknown" in p.extra),
                       [])
        return _subscriptions(page, 400, errors=refusals.by_field(page, problems, SUBSCRIPTION_LABELS), form=form,
                              unknown=unknown)
    # "#content": the notice in view; without its own fragment the redirect kept the form's
    # (#new-subscription), and the page opened on the empty form below the notice, which said nothing seen
    return page.redirect(f"/reports/subscriptions?created={made.id}#content")


@router.post("/reports/subscriptions/{sub_id}/delete", response_model=None)
def unsubscribe(page: CheckedPageDep, sub_id: DbId) -> Response:
    """The button asks first (``data-confirm``); the list then says which subscription ended."""
    page.keep_once(analytics.unsubscribe(page.writer(), sub_id), REPORTS_ONCE_COOKIE)
    return page.redirect("/reports/subscriptions")
