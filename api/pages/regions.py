"""Regional statistics in the browser, for government IP offices: the provinces ranked by
documents and applicants, and each province's or city's dashboard with its cities, key companies,
industries and its own report.

A region is named however a reader writes it: ``/regions/广东``, ``/regions/Guangdong`` and
``/regions/44`` redirect to ``/regions/440000``. The provinces, a province's cities and a region's
key companies download as CSV with the page's filters. Each route is one call of ``analytics.regional``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from analytics import regional
from analytics.indicators import Basis, CountingUnit
from analytics.portal import DashboardFilters
from analytics.regional import RegionTable
from api.pages.context import Page, PageDep
from api.pages.downloads import dated, download
from api.pages.reports import BASIS_LABELS, COUNTING_LABELS, Home, Year, dashboard_charts, refused_home, refused_period
from core.errors import InvalidInput, refusals_about
from core.regions import Level
from ipsearch.results import ExportFormat

router = APIRouter(include_in_schema=False)


def _overview(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    data = regional.overview(page.platform.search)
    charts = {"provinces": [[r.place.name(page.lang), r.documents] for r in data.provinces[:20]]}
    return page.render("regions.html", status_code, overview=data, charts=charts, **extra)


@router.get("/regions", response_class=HTMLResponse, response_model=None)
def regions_home(page: PageDep, name: Annotated[str, Query(max_length=60)] = "") -> Response:
    """The provinces; ``name`` (the page's search box) goes to that region's page."""
    if not name.strip():
        return _overview(page)
    try:
        found = regional.find(name)
    except InvalidInput as exc:
        return _overview(page, 422, error=page.explain(exc), typed=name)
    return page.redirect(f"/regions/{found.code}")


@router.get("/regions/compare", response_class=HTMLResponse)
def compare(page: PageDep, r: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies defaults
            from_year: Annotated[Year, Query(alias="from")] = None, to_year: Annotated[Year, Query(alias="to")] = None,
            basis: Basis = Basis.filing, counting: CountingUnit = CountingUnit.family) -> HTMLResponse:
    """Two to five regions side by side (``?r=广东&r=北京``), each with its own page's figures; the
    form alone until some are named, and again with the refusal above it."""
    typed = [t[:60] for t in r[:2 * regional.MAX_COMPARED]]  # beyond five, refused by count all the same
    form: dict[str, Any] = {
        "typed": typed, "max_compared": regional.MAX_COMPARED, "basis_labels": BASIS_LABELS,
        "counting_labels": COUNTING_LABELS,
        "filters": {"from": from_year, "to": to_year, "basis": basis, "counting": counting}}
    named = [t for t in typed if t.strip()]
    if not named:
        return page.render("regions_compare.html", comparison=None, **form)
    if refused := refused_period(page, from_year, to_year):  # about both years of the form
        return page.render("regions_compare.html", 422, comparison=None, error=refused, refused=("from", "to"),
                           **form)
    if len(named) == 1:  # one region (a region page's "Compare with other regions"): the others are asked for
        return _one_to_compare(page, named[0], form)
    filters = DashboardFilters(from_year=from_year, to_year=to_year, basis=basis, counting=counting)
    try:
        found = regional.compare(page.platform.search, typed, filters)
    except InvalidInput as exc:
        return page.render("regions_compare.html", 422, comparison=None, error=page.explain(exc), **form)
    years = [f"{y}*" if y in found.incomplete else str(y) for y in found.years]
    series = [{"name": row.place.name(page.lang), "counts": [row.per_year.get(y, 0) for y in found.years]}
              for row in found.regions]
    return page.render("regions_compare.html", comparison=found, charts={"compare": {"years": years, "series": series}},
                       **form)


def _one_to_compare(page: Page, typed: str, form: dict[str, Any]) -> HTMLResponse:
    """The form with the one region named, by its name, asking for another (a region page links here
    with its code: it opened on a refusal of what the reader had not yet had a chance to type)."""
    try:
        with refusals_about("r"):  # the form's regions: the one a comparison starts with is asked for here
            found = regional.place(typed)
    except InvalidInput as exc:
        return page.render("regions_compare.html", 422, comparison=None, error=page.explain(exc), **form)
    name = found.name(page.lang)
    asked = page.gettext("Name one to %(more)s more regions to compare with %(name)s.",
                         more=regional.MAX_COMPARED - 1, name=name)
    return page.render("regions_compare.html", comparison=None, asked=asked, **(form | {"typed": [name]}))


@router.get("/regions.csv", response_model=None)
def regions_csv(page: PageDep) -> Response:
    return page.finish(download(regional.provinces_csv(page.platform.search, page.lang), ExportFormat.csv,
                                dated("regions"), page.gettext))


@router.get("/regions/{code}/{table}.csv", response_model=None)
def region_csv(page: PageDep, code: str, table: RegionTable, from_year: Annotated[Year, Query(alias="from")] = None,
               to_year: Annotated[Year, Query(alias="to")] = None, basis: Basis = Basis.filing,
               counting: CountingUnit = CountingUnit.family, home: Home = "CN") -> Response:
    """A table of the region's page with the page's filters; a refused period or home country is
    the page's refusal."""
    country, home_refused = refused_home(page, home)
    if refused_period(page, from_year, to_year) or home_refused:
        return region(page, code, from_year, to_year, basis, counting, home)
    filters = DashboardFilters(from_year=from_year, to_year=to_year, basis=basis, home_country=country,
                               counting=counting)
    rows = regional.region_csv(page.platform.search, code, filters, table, page.lang)
    return page.finish(download(rows, ExportFormat.csv, dated(f"region-{code}-{table.value}"), page.gettext))


@router.get("/regions/{code}", response_class=HTMLResponse, response_model=None)
def region(page: PageDep, code: str, from_year: Annotated[Year, Query(alias="from")] = None,
           to_year: Annotated[Year, Query(alias="to")] = None, basis: Basis = Basis.filing,
           counting: CountingUnit = CountingUnit.family, home: Home = "CN") -> Response:
    """A period whose first year is after its last, or a home country that is no country code,
    answers 422 with the page counted without it and the refusal beside the filters, where it can be
    put right (the value typed stays in its field)."""
    try:
        found = regional.find(code)
    except InvalidInput as exc:
        return _overview(page, 404, error=page.explain(exc), typed=code)
    if found.code != code:
        return page.redirect(f"/regions/{found.code}?{page.request.url.query}".rstrip("?"))
    typed = {"from": from_year, "to": to_year}  # a refused period stays in the form, to be put right
    if refused := refused_period(page, from_year, to_year, all_years_shown=True):
        from_year = to_year = None
    country, home_refused = refused_home(page, home)
    filters = DashboardFilters(from_year=from_year, to_year=to_year, basis=basis, home_country=country,
                               counting=counting)
    view = regional.region_board(page.session, page.platform.search, page.user, found.code, filters, page.lang)
    charts = dashboard_charts(view.board, page)
    charts["cities"] = [[row.place.name(page.lang), row.documents] for row in view.cities]
    companies = [(a, "/?q=" + quote(f'RG={found.code} AND OWNER="{a.name}"')) for a in view.companies]
    return page.render("reports_dashboard.html", 422 if refused or home_refused else 200, board=view.board,
                       ind=view.board.indicators, home_error=home_refused, typed_home=home,
                       charts=charts, basis_labels=BASIS_LABELS, counting_labels=COUNTING_LABELS,
                       name=view.place.name(page.lang), region=view, companies=companies, province_level=Level.province,
                       action=f"/regions/{found.code}", filter_error=refused, typed_years=typed if refused else {},
                       csv_query=urlencode(filters.query()))
