"""Industry indicators, computed with backend aggregations (Elasticsearch aggregations, SQL
GROUP BY on the embedded store); never by pulling every document into Python.

Facts used (shared/REFERENCE.md): trends by filing or priority date with the last years marked
incomplete (publication lag); life cycle from applicants vs applications; relative growth rate =
field growth / all-field growth; concentration by harmonised applicant names: HHI < 1500
unconcentrated, 1500-2500 moderate, > 2500 high (US DOJ/FTC 2010); CR4 > 60% highly
oligopolistic; expiry is an estimate.

Every count is restricted to documents published on or before the cut-off date, so a report
computed again later over the same loads gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from core.errors import InvalidInput
from ipsearch.expiry import LABEL as EXPIRY_LABEL
from ipsearch.expiry import ExpiryBasis, plus_years
from ipsearch.query.ast import And, DateRange, Keyword, Node, Not, Or
from ipsearch.query.plan import Planner
from ipsearch.service import SearchService


class Basis(StrEnum):
    """Which date counts a document into a year."""

    filing = "filing"
    priority = "priority"
    publication = "publication"


YEAR_FIELDS: dict[Basis, str] = {Basis.filing: "filing_year", Basis.priority: "priority_year",
                                 Basis.publication: "publication_year"}
DATE_CODES: dict[Basis, str] = {Basis.filing: "AD", Basis.priority: "PRD", Basis.publication: "PD"}
INCOMPLETE_YEARS = 2  # filings of the last two years are not all published yet (18-month lag)
LIFE_CYCLE_CHANGE = 0.10  # a window-on-window change under 10% counts as flat
KEY_PATENT_FIELDS = ["title", "owners", "filing_date", "publication_date", "cited_by", "claim_count",
                     "priority_count", "expiry_date", "expiry_basis"]


class IndicatorParams(BaseModel):
    """What an indicator run depends on (recorded in every report)."""

    basis: Basis = Basis.filing
    cutoff: dt.date = Field(default_factory=dt.date.today, description="data cut-off: publication date <=")
    from_year: int | None = Field(default=None, ge=1800, le=2200)
    to_year: int | None = Field(default=None, ge=1800, le=2200)
    home_country: str = Field(default="CN", pattern=r"^[A-Z]{2}$")
    top: int = Field(default=10, ge=1, le=100)
    window: int = Field(default=3, ge=1, le=10, description="years per window for growth, hotspots, terms")
    min_hotspot_documents: int = Field(default=3, ge=1)
    emerging_candidates: int = Field(default=300, ge=10, le=5000)
    expiring_within_years: int = Field(default=3, ge=1, le=20)

    @model_validator(mode="after")
    def _period(self) -> IndicatorParams:
        if self.from_year and self.to_year and self.from_year > self.to_year:
            raise ValueError("the period's first year is after its last year")
        return self

    @classmethod
    def checked(cls, **values: Any) -> IndicatorParams:
        """Parameters a caller asked for; a rule broken across fields (the period) is InvalidInput."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise InvalidInput(exc.errors()[0]["msg"]) from exc


class YearCount(BaseModel):
    year: int
    documents: int
    applicants: int
    incomplete: bool
    growth: float | None = Field(description="change on the previous year, %")


class Growth(BaseModel):
    """Window on window: the last ``window`` complete years against the ``window`` before."""

    recent_years: tuple[int, int]
    earlier_years: tuple[int, int]
    recent: int
    earlier: int
    annual_rate: float | None = Field(description="compound annual growth, %")
    all_fields_annual_rate: float | None
    relative_growth_rate: float | None = Field(description="field growth factor / all-field growth factor")


class LifeCycle(BaseModel):
    stage: Literal["inception", "growth", "maturity", "decline"]
    applications_change: float | None
    applicants_change: float | None
    points: list[tuple[int, int, int]] = Field(description="(year, applications, applicants), complete years")


class ApplicantShare(BaseModel):
    key: str
    documents: int
    share: float


class Concentration(BaseModel):
    cr4: float
    hhi: float
    hhi_band: str
    cr4_band: str


class NewEntrant(BaseModel):
    key: str
    first_year: int
    documents: int


class Regions(BaseModel):
    home_country: str
    domestic: int = Field(description="documents with an owner from the home country")
    foreign: int = Field(description="documents with owners from other countries only")
    places: dict[str, int] = Field(description="documents per owner province/city, 'CC/place'")


class Hotspot(BaseModel):
    code: str
    recent: int
    earlier: int
    growth: float = Field(description="(recent - earlier) / max(earlier, 1)")


class EmergingTerm(BaseModel):
    term: str
    recent: int
    earlier: int
    recent_share: float = Field(description="% of the window's documents")
    earlier_share: float
    change: float = Field(description="share change, percentage points")


class KeyPatent(BaseModel):
    pn: str
    title: str | None = None
    owners: list[str] = []
    filing_date: str | None = None
    cited_by: int = Field(default=0, description="citations received from documents in the corpus")
    claim_count: int = 0
    priority_count: int = 0
    expiry_date: str | None = None
    expiry_basis: ExpiryBasis | None = Field(default=None, description="event: from a lapse or expiry event; "
                                             "estimate: statutory term")


class Expiry(BaseModel):
    label: str = EXPIRY_LABEL
    per_year: dict[int, int]
    expiring_soon: int
    within_years: int
    soonest: list[KeyPatent]


class Indicators(BaseModel):
    scope: str
    params: IndicatorParams
    total: int
    last_complete_year: int
    years: list[YearCount]
    trends: dict[str, dict[int, int]] = Field(description="documents per year by filing, priority, publication")
    growth: Growth
    life_cycle: LifeCycle
    top_applicants: list[ApplicantShare]
    applicant_count: int
    concentration: Concentration
    new_entrants: list[NewEntrant]
    new_entrants_per_year: dict[int, int]
    countries: dict[str, int]
    regions: Regions
    ipc_groups: dict[str, int]
    ipc_subgroups: dict[str, int]
    hotspots: list[Hotspot]
    emerging_terms: list[EmergingTerm]
    key_patents: list[KeyPatent]
    expiry: Expiry


# --- pure helpers (also used by rules and reports) -------------------------------------------

def hhi_band(hhi: float) -> str:
    return "unconcentrated" if hhi < 1500 else "moderately concentrated" if hhi <= 2500 else "highly concentrated"


def concentration(counts: dict[str, int]) -> Concentration:
    total = sum(counts.values())
    shares = sorted((c / total * 100 for c in counts.values()), reverse=True) if total else []
    cr4 = round(sum(shares[:4]), 2)
    hhi = round(sum(s * s for s in shares), 1)
    cr4_band = "highly oligopolistic" if cr4 > 60 else "competitive" if cr4 < 40 else "oligopolistic"
    return Concentration(cr4=cr4, hhi=hhi, hhi_band=hhi_band(hhi), cr4_band=cr4_band)


def last_complete_year(basis: Basis, cutoff: dt.date) -> int:
    """Filing and priority years lag publication by up to 18 months; a publication year is
    complete once it has ended."""
    if basis == Basis.publication:
        return cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1
    return cutoff.year - INCOMPLETE_YEARS


def windows(last: int, width: int) -> tuple[tuple[int, int], tuple[int, int]]:
    return (last - width + 1, last), (last - 2 * width + 1, last - width)


def _sum_years(per_year: dict[int, int], span: tuple[int, int]) -> int:
    return sum(n for y, n in per_year.items() if span[0] <= y <= span[1])


def _change(recent: int, earlier: int) -> float | None:
    return None if earlier == 0 else round((recent - earlier) / earlier * 100, 2)


def annual_rate(recent: int, earlier: int, width: int) -> float | None:
    """Compound annual growth between two windows ``width`` years apart, in %."""
    if earlier == 0 or recent == 0:
        return None
    return round(((recent / earlier) ** (1 / width) - 1) * 100, 2)


def life_cycle_stage(applications: tuple[int, int], applicants: tuple[int, int]) -> LifeCycle:
    """Stage from (earlier, recent) windows of applications and of distinct applicants:
    inception (few of both: under 10 applications), growth (both rise by 10%+), decline (both
    fall by 10%+), otherwise maturity (growth slows; applicants fall first)."""
    a_change = _change(applications[1], applications[0])
    p_change = _change(applicants[1], applicants[0])
    limit = LIFE_CYCLE_CHANGE * 100
    stage: Literal["inception", "growth", "maturity", "decline"]
    if sum(applications) < 10 or a_change is None or p_change is None:
        stage = "inception"
    elif a_change >= limit and p_change >= limit:
        stage = "growth"
    elif a_change <= -limit and p_change <= -limit:
        stage = "decline"
    else:
        stage = "maturity"
    return LifeCycle(stage=stage, applications_change=a_change, applicants_change=p_change, points=[])


def year_range(basis: Basis, span: tuple[int, int]) -> DateRange:
    return DateRange(DATE_CODES[basis], dt.date(span[0], 1, 1), dt.date(span[1], 12, 31))


def scoped_node(node: Node, params: IndicatorParams) -> Node:
    """The scope, published by the cut-off, within the period."""
    items: list[Node] = [node, DateRange("PD", None, params.cutoff)]
    if params.from_year or params.to_year:
        items.append(year_range(params.basis, (params.from_year or 1800, params.to_year or 2200)))
    return And(tuple(items))


# --- computation ----------------------------------------------------------------------------

class _Counter:
    """The scope's aggregations, one backend call each."""

    def __init__(self, service: SearchService, node: Node, planner: Planner) -> None:
        self.backend, self.node, self.planner = service.backend, node, planner

    def by(self, field: str, by: str | None = None, node: Node | None = None) -> dict[tuple[str, ...], int]:
        return self.backend.count_by(node or self.node, self.planner, field, by=by)

    def one(self, field: str, node: Node | None = None) -> dict[str, int]:
        return {k[0]: n for k, n in self.by(field, node=node).items()}

    def years(self, field: str, node: Node | None = None) -> dict[int, int]:
        return {int(k): n for k, n in self.one(field, node).items()}

    def count(self, node: Node) -> int:
        return self.backend.count_matching(node, self.planner)


def _per_key_and_year(rows: dict[tuple[str, ...], int]) -> dict[str, dict[int, int]]:
    """``count_by(field, by=year)`` rows as {key: {year: documents}}."""
    out: dict[str, dict[int, int]] = {}
    for (key, year), n in rows.items():
        out.setdefault(key, {})[int(year)] = n
    return out


def _keys_per_year(per_key: dict[str, dict[int, int]]) -> dict[int, int]:
    """How many keys (applicants) have documents in each year."""
    out: dict[int, int] = {}
    for years_of in per_key.values():
        for y in years_of:
            out[y] = out.get(y, 0) + 1
    return out


class _Run:
    """One indicator computation: the scoped query, the periods and the per-year counts that
    several indicators share, each fetched once."""

    def __init__(self, service: SearchService, query: str, params: IndicatorParams) -> None:
        self.service, self.params = service, params
        scope_node, self.planner = service.plan(query)
        self.node = scoped_node(scope_node, params)
        self.c = _Counter(service, self.node, self.planner)
        self.year_field = YEAR_FIELDS[params.basis]
        self.last = last_complete_year(params.basis, params.cutoff)
        self.recent_span, self.earlier_span = windows(self.last, params.window)
        self.trends = {basis.value: self.c.years(field) for basis, field in YEAR_FIELDS.items()}
        self.per_year = self.trends[params.basis]
        self.owner_years = _per_key_and_year(self.c.by("owner_keys", by=self.year_field))
        self.applicants_per_year = _keys_per_year(self.owner_years)

    def _windows(self, per_year: dict[int, int]) -> tuple[int, int]:
        """(recent, earlier) documents of ``per_year``."""
        return _sum_years(per_year, self.recent_span), _sum_years(per_year, self.earlier_span)

    def years(self) -> list[YearCount]:
        out = []
        for y in sorted(self.per_year):
            previous = self.per_year.get(y - 1)
            out.append(YearCount(year=y, documents=self.per_year[y], applicants=self.applicants_per_year.get(y, 0),
                                 incomplete=y > self.last,
                                 growth=_change(self.per_year[y], previous) if previous else None))
        return out

    def growth(self) -> Growth:
        """The field's window-on-window growth, and relative to all fields published by the cut-off."""
        width = self.params.window
        recent, earlier = self._windows(self.per_year)
        all_recent, all_earlier = self._windows(
            self.c.years(self.year_field, node=DateRange("PD", None, self.params.cutoff)))
        rgr = (round((recent / earlier) / (all_recent / all_earlier), 3)
               if earlier and all_recent and all_earlier else None)
        return Growth(recent_years=self.recent_span, earlier_years=self.earlier_span, recent=recent,
                      earlier=earlier, annual_rate=annual_rate(recent, earlier, width),
                      all_fields_annual_rate=annual_rate(all_recent, all_earlier, width), relative_growth_rate=rgr)

    def life_cycle(self) -> LifeCycle:
        def applicants_in(span: tuple[int, int]) -> int:
            return sum(1 for ys in self.owner_years.values() if any(span[0] <= y <= span[1] for y in ys))

        recent, earlier = self._windows(self.per_year)
        life = life_cycle_stage((earlier, recent),
                                (applicants_in(self.earlier_span), applicants_in(self.recent_span)))
        life.points = [(y, self.per_year[y], self.applicants_per_year.get(y, 0))
                       for y in sorted(self.per_year) if y <= self.last]
        return life

    def new_entrants(self, per_owner: dict[str, int]) -> tuple[list[NewEntrant], dict[int, int]]:
        """Applicants whose first document falls in the last ``window`` years; entrants per year."""
        first_years = {k: min(ys) for k, ys in self.owner_years.items()}
        entrant_from = self.params.cutoff.year - self.params.window + 1
        entrants = sorted((NewEntrant(key=k, first_year=fy, documents=per_owner.get(k, 0))
                           for k, fy in first_years.items() if fy >= entrant_from),
                          key=lambda e: (-e.documents, e.key))
        per_year: dict[int, int] = {}
        for fy in first_years.values():
            per_year[fy] = per_year.get(fy, 0) + 1
        return entrants[:self.params.top], dict(sorted(per_year.items()))

    def regions(self, countries: dict[str, int]) -> Regions:
        home = self.params.home_country
        domestic = self.c.count(And((self.node, Keyword("PAC", home)))) if home in countries else 0
        others = [Keyword("PAC", cc) for cc in sorted(countries) if cc != home]
        foreign = self.c.count(And((self.node, Not(Keyword("PAC", home)), Or(tuple(others))))) if others else 0
        return Regions(home_country=home, domestic=domestic, foreign=foreign, places=self.c.one("owner_places"))

    def hotspots(self) -> list[Hotspot]:
        """IPC subgroups with enough recent documents, fastest-growing first."""
        out = []
        for code, ys in _per_key_and_year(self.c.by("ipc", by=self.year_field)).items():
            r, e = self._windows(ys)
            if r >= self.params.min_hotspot_documents:
                out.append(Hotspot(code=code, recent=r, earlier=e, growth=round((r - e) / max(e, 1), 3)))
        out.sort(key=lambda h: (-h.growth, -h.recent, h.code))
        return out[:self.params.top]


def top_applicants(per_owner: dict[str, int], top: int) -> list[ApplicantShare]:
    """The ``top`` applicants by documents, with their share of all applicant documents."""
    assigned = sum(per_owner.values()) or 1
    ranked = sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ApplicantShare(key=k, documents=n, share=round(n / assigned * 100, 2)) for k, n in ranked[:top]]


def compute(service: SearchService, query: str, params: IndicatorParams | None = None) -> Indicators:
    params = params or IndicatorParams()
    run = _Run(service, query, params)
    per_owner = run.c.one("owner_keys")
    countries = run.c.one("owner_countries")
    entrants, entrants_per_year = run.new_entrants(per_owner)
    return Indicators(
        scope=query, params=params, total=run.c.count(run.node), last_complete_year=run.last, years=run.years(),
        trends=run.trends, growth=run.growth(), life_cycle=run.life_cycle(),
        top_applicants=top_applicants(per_owner, params.top), applicant_count=len(per_owner),
        concentration=concentration(per_owner), new_entrants=entrants, new_entrants_per_year=entrants_per_year,
        countries=countries, regions=run.regions(countries), ipc_groups=run.c.one("ipc_group"),
        ipc_subgroups=run.c.one("ipc"), hotspots=run.hotspots(),
        emerging_terms=emerging_terms(service, run.node, run.planner, params, run.recent_span, run.earlier_span),
        key_patents=key_patents(service, run.node, run.planner, params.top),
        expiry=expiry(service, run.node, run.planner, params),
    )


def emerging_terms(service: SearchService, node: Node, planner: Planner, params: IndicatorParams,
                   recent_span: tuple[int, int], earlier_span: tuple[int, int]) -> list[EmergingTerm]:
    """Terms (spaCy tokens of titles and abstracts) whose share of documents grows fastest: the
    most frequent terms of the recent window, ranked by share change against the earlier window."""
    backend = service.backend
    recent_node = And((node, year_range(params.basis, recent_span)))
    earlier_node = And((node, year_range(params.basis, earlier_span)))
    recent_docs = backend.count_matching(recent_node, planner)
    earlier_docs = backend.count_matching(earlier_node, planner)
    if not recent_docs:
        return []
    recent = backend.top_values(recent_node, planner, "terms", params.emerging_candidates)
    earlier = backend.top_values(earlier_node, planner, "terms", 0, include=sorted(recent)) if earlier_docs else {}
    out = []
    for term, n in recent.items():
        e = earlier.get(term, 0)
        rs = n / recent_docs * 100
        es = e / earlier_docs * 100 if earlier_docs else 0.0
        out.append(EmergingTerm(term=term, recent=n, earlier=e, recent_share=round(rs, 2),
                                earlier_share=round(es, 2), change=round(rs - es, 2)))
    out.sort(key=lambda t: (-t.change, -t.recent, t.term))
    return out[:params.top]


def _key_patent(record: dict[str, Any]) -> KeyPatent:
    return KeyPatent(pn=record["pn"], title=record.get("title"), owners=record.get("owners") or [],
                     filing_date=record.get("filing_date"), cited_by=record.get("cited_by") or 0,
                     claim_count=record.get("claim_count") or 0, priority_count=record.get("priority_count") or 0,
                     expiry_date=record.get("expiry_date"), expiry_basis=record.get("expiry_basis"))


def key_patents(service: SearchService, node: Node, planner: Planner, top: int) -> list[KeyPatent]:
    """Most cited within the corpus, then most claims, then the broadest priority claims."""
    order = [("cited_by", "desc"), ("claim_count", "desc"), ("priority_count", "desc")]
    records = service.backend.top_docs(node, planner, order, top, KEY_PATENT_FIELDS)
    return [_key_patent(r) for r in records]


def expiry(service: SearchService, node: Node, planner: Planner, params: IndicatorParams) -> Expiry:
    backend = service.backend
    per_year = {int(k[0]): n for k, n in backend.count_by(node, planner, "expiry_year").items()}
    soon = And((node, DateRange("EXP", params.cutoff, plus_years(params.cutoff, params.expiring_within_years))))
    soonest = backend.top_docs(soon, planner, [("expiry_date", "asc")], params.top, KEY_PATENT_FIELDS)
    return Expiry(per_year=dict(sorted(per_year.items())), expiring_soon=backend.count_matching(soon, planner),
                  within_years=params.expiring_within_years, soonest=[_key_patent(r) for r in soonest])
