"""Regional statistics for government IP offices: documents and applicants per Chinese province
and city, each region's dashboard and report.

Places are the owners' administrative divisions (GB/T 2260, ``core.regions``), indexed per
document as ``owner_divisions`` and searched with ``RG=``: ``广东``, ``广东省``, ``Guangdong`` and
``440000`` are one place, and a province counts the documents of its cities. A region is a
built-in report scope (``region-440000``, ``analytics.industries.region_scope``) whose branches are
the built-in industries, so its dashboard, report and alerts are those of any other scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from analytics.indicators import (
    ApplicantShare,
    printed_names,
    ranked,
    scoped_node,
    top_applicants,
    trend,
)
from analytics.industries import REGION_PREFIX, region_scope
from analytics.portal import Dashboard, DashboardFilters, dashboard
from core import regions
from core.accounts.models import User
from core.errors import InvalidInput, NotFound, refusals_about
from core.i18n import Language, Named
from core.regions import Level, Region
from ipsearch.query.ast import And, Keyword, Node, Not, any_keyword
from ipsearch.query.plan import Planner
from ipsearch.results import ExportFormat
from ipsearch.service import SearchService, export_records


class Place(BaseModel):
    code: str
    name_zh: str
    name_en: str
    level: Level

    @classmethod
    def of(cls, region: Region) -> Place:
        return cls(code=region.code, name_zh=region.name_zh, name_en=region.name_en, level=region.level)

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


class PlaceRow(BaseModel):
    place: Place
    documents: int
    applicants: int = Field(description="distinct harmonised names of the owners placed in the division "
                                        "(co-applicants placed elsewhere are not counted)")


class Overview(BaseModel):
    """Every province with documents, most first, and how much of the corpus could be placed."""

    provinces: list[PlaceRow]
    placed: int = Field(description="documents with an owner placed in a division")
    unplaced: int = Field(description="documents with a Chinese owner (PAC=CN) whose place is not known")
    source: str = Field(description="where the division table comes from")
    source_zh: str = Field(description="the same in Chinese")


class RegionBoard(BaseModel):
    """A region's dashboard (its scope's indicators, branches by industry, alerts) and its cities."""

    place: Place
    province: Place | None = Field(description="the province of a city; none for a province")
    board: Dashboard
    companies: list[ApplicantShare] = Field(description="key companies: the owners placed in the region with the "
                                                        "most documents in the period, names as printed")
    cities: list[PlaceRow] = Field(description="the province's cities with documents in the period (documents, "
                                               "not families)")


def scope_key(code: str) -> str:
    return REGION_PREFIX + code


def _owners(search: SearchService, node: Node, planner: Planner) -> dict[str, dict[str, int]]:
    """{division code: {harmonised name of an owner placed there: documents}}."""
    out: dict[str, dict[str, int]] = {}
    for (pair,), n in search.backend.count_by(node, planner, "owner_division_keys").items():
        code, _, key = pair.partition("|")
        out.setdefault(code, {})[key] = n
    return out


def _rows(search: SearchService, node: Node, planner: Planner, keep: list[Region],
          owners: dict[str, dict[str, int]]) -> list[PlaceRow]:
    """Documents and applicants (owners placed there) of each division in ``keep``, most documents first."""
    documents = {k[0]: n for k, n in search.backend.count_by(node, planner, "owner_divisions").items()}
    rows = [PlaceRow(place=Place.of(r), documents=documents[r.code], applicants=len(owners.get(r.code, {})))
            for r in keep if documents.get(r.code)]
    return sorted(rows, key=lambda row: (-row.documents, row.place.code))


def overview(search: SearchService) -> Overview:
    provinces = regions.provinces()
    node = any_keyword("RG", [p.code for p in provinces])
    planner = Planner(search.analyzer, search.backend, "")
    unplaced = search.backend.count_matching(And((Keyword("PAC", "CN"), Not(node))), planner)
    owners = _owners(search, node, planner)
    return Overview(provinces=_rows(search, node, planner, provinces, owners),
                    placed=search.backend.count_matching(node, planner), unplaced=unplaced, source=regions.source(),
                    source_zh=regions.source("zh"))


def find(text: str) -> Region:
    """The division a person typed (any name, short name, English name or code); ``InvalidInput``
    saying why when it names none or several."""
    return regions.resolve(text)


def place(text: str) -> Place:
    """``find``, as pages name it: its code and its names in both languages."""
    return Place.of(find(text))


def region_board(session: Session, search: SearchService, user: User | None, code: str, filters: DashboardFilters,
                 lang: Language) -> RegionBoard:
    """The dashboard of the division coded ``code`` under ``filters``, with its cities."""
    region = _division(code)
    board = dashboard(session, search, user, scope_key(region.code), filters, lang)
    top = regions.by_code(region.province_code)
    companies, cities = _placed_here(search, region, filters)
    return RegionBoard(place=Place.of(region), province=Place.of(top) if top and top != region else None,
                       board=board, companies=companies, cities=cities)


def _division(code: str) -> Region:
    region = regions.by_code(code) if len(code) == 6 else None
    if region is None:
        raise NotFound.said("no administrative division has the code %(code)s", code=code)
    return region


def _placed_here(search: SearchService, region: Region, filters: DashboardFilters
                 ) -> tuple[list[ApplicantShare], list[PlaceRow]]:
    """The key companies of a region (its owners placed there) and, for a province, its cities."""
    params = filters.params()
    scope, planner = search.plan(_query(region))
    node = scoped_node(scope, params)
    owners = _owners(search, node, planner)
    here = owners.get(region.code, {})
    companies = top_applicants(here, printed_names(search, node, planner, [k for k, _ in ranked(here, params.top)]),
                               params.top)
    cities = _rows(search, node, planner, regions.prefectures(region.code), owners) \
        if region.level is Level.province else []
    return companies, cities


# --- regions side by side ------------------------------------------------------------------------

MAX_COMPARED = 5


class ComparedRegion(BaseModel):
    """One region's figures in a comparison: those of its own page under the same filters."""

    place: Place
    total: int = Field(description="families or documents in the period (the filters' counting unit)")
    applicants: int = Field(description="distinct applicants of those documents, co-applicants from elsewhere included")
    annual_rate: float | None = Field(description="compound annual growth between the two windows, %")
    per_year: dict[int, int] = Field(description="families or documents per year of the period")


class Comparison(BaseModel):
    regions: list[ComparedRegion]
    years: list[int] = Field(description="every year any region counts, in order")
    incomplete: list[int] = Field(description="years not all published yet (the publication lag)")
    growth_years: tuple[tuple[int, int], tuple[int, int]] | None = Field(
        description="the recent and earlier windows the annual growth compares, when the period allows")


def compared_regions(typed: list[str]) -> list[Region]:
    """The regions a reader typed, each once, two to ``MAX_COMPARED`` of them; InvalidInput naming
    the first that is no region (about ``r.<its place in typed>``, the box to put right, not the
    empty ones beside it), or saying how many are needed (about ``r``, every region named)."""
    named = [(at, t) for at, t in enumerate(typed) if t.strip()]
    found: list[Region] = []
    if len(named) <= MAX_COMPARED:
        for at, text in named:
            with refusals_about(f"r.{at}"):
                found.append(regions.resolve(text))
    found = list(dict.fromkeys(found))
    if not 2 <= len(found) <= MAX_COMPARED:
        raise InvalidInput.said("compare two to %(most)s different regions", most=MAX_COMPARED).about("r")
    return found


def compare(search: SearchService, typed: list[str], filters: DashboardFilters) -> Comparison:
    """Regions side by side: each one's totals and yearly counts as its own page computes them."""
    params = filters.params()
    figures = [(r, trend(search, _query(r), params)) for r in compared_regions(typed)]
    rows = [ComparedRegion(place=Place.of(r), total=t.total, applicants=t.applicant_count, annual_rate=t.annual_rate,
                           per_year={y.year: y.documents for y in t.years}) for r, t in figures]
    return Comparison(regions=rows, years=sorted({y for row in rows for y in row.per_year}),
                      incomplete=sorted({y.year for _, t in figures for y in t.years if y.incomplete}),
                      growth_years=figures[0][1].windows)  # the data's completeness sets them: one for all


def _query(region: Region) -> str:
    """The query of a region's built-in scope (``RG=440000``), as its page and report read it."""
    scope = region_scope(scope_key(region.code))
    assert scope is not None  # every division has one
    return scope.query


# --- the tables as CSV, for a spreadsheet ---------------------------------------------------------

class RegionTable(StrEnum):
    """The tables of a region's page that download as CSV."""

    cities = "cities"
    companies = "companies"


COMPANY_COLUMNS = ["applicant", "documents", "share"]


def place_columns(level: Level) -> list[str]:
    """A table of places: the province's or city's name first, as the page heads it."""
    return [level.value, "code", "documents", "applicants_here"]


def _place_csv(rows: list[PlaceRow], level: Level, lang: Language) -> Iterator[str]:
    records = ({level.value: row.place.name(lang), "code": row.place.code, "documents": row.documents,
                "applicants_here": row.applicants} for row in rows)
    return export_records(records, ExportFormat.csv, place_columns(level))


def provinces_csv(search: SearchService, lang: Language) -> Iterator[str]:
    """The overview's provinces table: the same rows as the page, names in the reader's language."""
    return _place_csv(overview(search).provinces, Level.province, lang)


def region_csv(search: SearchService, code: str, filters: DashboardFilters, table: RegionTable,
               lang: Language) -> Iterator[str]:
    """One table of a region's page under the page's filters: its cities (a province's: a city has
    none, NotFound) or its key companies (documents, as the page counts them; share in per cent)."""
    region = _division(code)
    if table is RegionTable.cities and region.level is not Level.province:
        raise NotFound.said("%(name)s is a city: only a province has a table of cities",
                            name=Named(zh=region.name_zh, en=region.name_en))
    companies, cities = _placed_here(search, region, filters)
    if table is RegionTable.cities:
        return _place_csv(cities, Level.prefecture, lang)
    return export_records(({"applicant": a.name, "documents": a.documents, "share": a.share} for a in companies),
                          ExportFormat.csv, COMPANY_COLUMNS)
