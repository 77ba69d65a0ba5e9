"""Industry indicators, computed with backend aggregations (Elasticsearch aggregations, SQL
GROUP BY on the embedded store); never by pulling every document into Python.

Facts used (shared/REFERENCE.md): trends by filing or priority date with the last 18 months
marked incomplete and left out of every rate (publication lag: ``analytics.periods``); counts by
simple family, documents as an option (``analytics.counting``); life cycle from applicants vs
applications; relative growth rate = field growth / all-field growth; concentration by harmonised
applicant names: HHI < 1500 unconcentrated, 1500-2500 moderate, > 2500 high (US DOJ/FTC 2010);
CR4 > 60% highly oligopolistic; emerging terms against the trend of the corpus outside the scope
(``analytics.terms``); expiry is an estimate.

Every count is restricted to documents published on or before the cut-off date, so a report
computed again later over the same loads gives the same numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from analytics.counting import Counting, CountingUnit, DocumentTally, FamilyTally, Tally, counting, make_tally
from analytics.periods import (
    PUBLICATION_LAG_MONTHS,
    YEAR_FIELDS,
    Basis,
    Completeness,
    Span,
    latest_dated,
    latest_publication,
    sum_years,
    windows,
    year_range,
)
from analytics.terms import EmergingTerm, TermSettings, emerging_terms
from core import regions
from core.countries import CountryCode
from core.errors import InvalidInput, validator_words
from core.i18n import shown_today
from core.regions import Level
from ipsearch.expiry import LABEL as EXPIRY_LABEL
from ipsearch.expiry import ExpiryBasis, plus_years
from ipsearch.names import harmonise_name
from ipsearch.query.ast import And, DateRange, Keyword, Node, Not
from ipsearch.query.plan import Planner
from ipsearch.service import SearchService

__all__ = ["Basis", "Completeness", "CountingUnit", "EmergingTerm", "IndicatorParams", "Indicators", "compute",
           "windows", "year_range"]

LIFE_CYCLE_CHANGE = 0.10  # a window-on-window change under 10% counts as flat
KEY_PATENT_FIELDS = ["title", "owners", "filing_date", "publication_date", "cited_by", "claim_count",
                     "priority_count", "expiry_date", "expiry_basis", "synthetic"]
NAME_SAMPLE = 20  # documents read to find how an applicant's name is printed


class IndicatorParams(BaseModel):
    """What an indicator run depends on (recorded in every report)."""

    basis: Basis = Basis.filing
    cutoff: dt.date = Field(default_factory=shown_today, description="data cut-off: publication date <=")
    from_year: int | None = Field(default=None, ge=1800, le=2200)
    to_year: int | None = Field(default=None, ge=1800, le=2200)
    home_country: CountryCode = "CN"
    counting: CountingUnit = Field(default=CountingUnit.family, description="count simple families or documents")
    top: int = Field(default=10, ge=1, le=100)
    window: int = Field(default=3, ge=1, le=10, description="years per window for growth, hotspots, terms (at most: a "
                        "shorter period gets two windows of half its length)")
    lag_months: int = Field(default=PUBLICATION_LAG_MONTHS, ge=0, le=60,
                            description="publication lag after the filing or priority date")
    min_hotspot_documents: int = Field(default=3, ge=1)
    emerging_candidates: int = Field(default=300, ge=10, le=5000)
    min_term_documents: int = Field(default=3, ge=1, description="recent documents an emerging term needs")
    min_term_excess: float = Field(default=1.0, ge=0, description="share growth beyond the corpus's, points")
    min_term_z: float = Field(default=2.33, ge=0, description="standard errors of chance an emerging term's excess "
                              "must reach (2.33: one-sided 99%)")
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
            raise InvalidInput(validator_words(exc.errors()[0])) from exc

    @property
    def period(self) -> Span | None:
        if not (self.from_year or self.to_year):
            return None
        return self.from_year or 1800, self.to_year or 2200


class YearCount(BaseModel):
    year: int
    documents: int = Field(description="families or documents (Indicators.counting.unit)")
    applicants: int
    incomplete: bool = Field(description="dated after Completeness.complete_through: not all published yet")
    growth: float | None = Field(description="change on the previous year, %; none for incomplete years")


class Growth(BaseModel):
    """Window on window: the last ``window`` complete years against the ``window`` before (in a
    period shorter than two windows, half of it each)."""

    recent_years: Span
    earlier_years: Span
    recent: int
    earlier: int
    annual_rate: float | None = Field(description="compound annual growth, %")
    all_fields_annual_rate: float | None
    relative_growth_rate: float | None = Field(description="field growth factor / all-field growth factor")
    comparable: bool = Field(default=True, description="the period holds both windows; false for one shorter "
                             "than two complete years, where no growth, life-cycle stage, hotspot or emerging "
                             "term is drawn")


class LifeCycle(BaseModel):
    stage: Literal["inception", "growth", "maturity", "decline"] | None = Field(
        description="none when the period is too short to compare two windows (Growth.comparable)")
    applications_change: float | None
    applicants_change: float | None
    points: list[tuple[int, int, int]] = Field(description="(year, applications, applicants), complete years")


class ApplicantShare(BaseModel):
    key: str = Field(description="harmonised name")
    name: str = Field(description="the name as printed on the applicant's documents")
    documents: int = Field(description="families or documents (Indicators.counting.unit)")
    share: float


class Concentration(BaseModel):
    cr4: float
    hhi: float
    hhi_band: str
    cr4_band: str


class NewEntrant(BaseModel):
    key: str
    name: str
    first_year: int
    documents: int


class DivisionCount(BaseModel):
    """Units of one Chinese administrative division (GB/T 2260), named in both languages."""

    code: str
    name_zh: str
    name_en: str
    level: Level
    count: int

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


class Regions(BaseModel):
    home_country: str
    domestic: int = Field(description="units with an owner from the home country")
    foreign: int = Field(description="units with owners from other countries only")
    places: dict[str, int] = Field(description="units per owner province/city as printed, 'CC/place'")
    divisions: list[DivisionCount] = Field(default_factory=list, description=(
        "units per GB/T 2260 division of the owners (广东, 广东省 and Guangdong are one place; a province "
        "counts its cities' units), most first"))


class Hotspot(BaseModel):
    code: str
    recent: int
    earlier: int
    growth: float = Field(description="(recent - earlier) / max(earlier, 1)")


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
    synthetic: bool = Field(default=False, description="generated test or demo data, not a real patent")


class Expiry(BaseModel):
    label: str = EXPIRY_LABEL
    per_year: dict[int, int]
    expiring_soon: int
    within_years: int
    soonest: list[KeyPatent]


class Indicators(BaseModel):
    scope: str
    params: IndicatorParams
    counting: Counting
    completeness: Completeness
    total: int = Field(description="families or documents in scope (counting.unit)")
    last_complete_year: int
    years: list[YearCount]
    trends: dict[str, dict[int, int]] = Field(description="units per year by filing, priority, publication")
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
    key_patents: list[KeyPatent] = Field(description="documents")
    expiry: Expiry = Field(description="documents")

    @property
    def reaches_incomplete(self) -> bool:
        """The period includes a year whose documents are not all published yet: only then is
        the publication lag worth a caution (2015-2020 read in 2026 is complete). An open period
        ends with the data's last year, which is complete when the data reaches its 31 December:
        publications up to 2022-12-31 leave no year of 2022 to caution about."""
        last = min(self.params.to_year or self.completeness.last_year, self.completeness.last_year)
        return last > self.last_complete_year


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


def change(recent: int, earlier: int) -> float | None:
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
    a_change = change(applications[1], applications[0])
    p_change = change(applicants[1], applicants[0])
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


def scoped_node(node: Node, params: IndicatorParams) -> Node:
    """The scope, published by the cut-off, within the period."""
    items: list[Node] = [published_node(node, params)]
    if params.period:
        items.append(year_range(params.basis, params.period))
    return And(tuple(items))


def published_node(node: Node, params: IndicatorParams) -> Node:
    """The scope, published by the cut-off (any period)."""
    return And((node, DateRange("PD", None, params.cutoff)))


def rate_windows(completeness: Completeness, params: IndicatorParams) -> tuple[Span, Span]:
    """(recent, earlier) windows of complete years, ending with the period's last year at the latest
    and, in a period with a first year, starting in it: an earlier window before that year counted
    nothing, so a field chosen for one year read as just born, each subgroup "new". A period shorter
    than two windows gets two of half its length (one year each, at the least)."""
    last = completeness.last_complete_year
    end = min(last, params.to_year) if params.to_year else last
    width = params.window
    if params.from_year is not None:
        width = min(width, (end - params.from_year + 1) // 2)
    return windows(end, max(width, 1))


def comparable(spans: tuple[Span, Span], params: IndicatorParams) -> bool:
    """Whether the period holds both windows (the earlier one included)."""
    return params.from_year is None or spans[1][0] >= params.from_year


def tally_for(service: SearchService, planner: Planner, node: Node, params: IndicatorParams) -> Tally:
    """The tally of ``params.counting`` over the scope ``node`` (not yet restricted)."""
    return make_tally(params.counting, service.backend, planner, scoped=scoped_node(node, params),
                      published=published_node(node, params), basis=params.basis, period=params.period)


def ranked(per_owner: dict[str, int], top: int) -> list[tuple[str, int]]:
    """The ``top`` applicants by count, then key."""
    return sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def top_applicants(per_owner: dict[str, int], names: dict[str, str], top: int) -> list[ApplicantShare]:
    """The ``top`` applicants by count, with their share of all applicant counts."""
    assigned = sum(per_owner.values()) or 1
    return [ApplicantShare(key=k, name=names.get(k, k), documents=n, share=round(n / assigned * 100, 2))
            for k, n in ranked(per_owner, top)]


def division_counts(per_code: dict[str, int]) -> list[DivisionCount]:
    """The counts per division code, named, most first (codes the table no longer has are left out)."""
    out = []
    for code, n in sorted(per_code.items(), key=lambda kv: (-kv[1], kv[0])):
        region = regions.by_code(code)
        if region is not None:
            out.append(DivisionCount(code=code, name_zh=region.name_zh, name_en=region.name_en, level=region.level,
                                     count=n))
    return out


def _keys_per_year(per_key: dict[str, dict[int, int]]) -> dict[int, int]:
    """How many keys (applicants) have units in each year."""
    return dict(Counter(y for years_of in per_key.values() for y in years_of))


# --- computation ----------------------------------------------------------------------------

class _Run:
    """One indicator computation: the scoped query, completeness, the tally of the counting unit
    and the per-year counts several indicators share, each fetched once."""

    def __init__(self, service: SearchService, query: str, params: IndicatorParams) -> None:
        self.service, self.params, self.backend = service, params, service.backend
        self.scope, self.planner = service.plan(query)
        self.node = scoped_node(self.scope, params)
        self.documents = DocumentTally(self.backend, self.planner, self.node, params.basis)
        self.families = FamilyTally(self.backend, self.planner, published_node(self.scope, params), params.basis,
                                    params.period)
        self.tally: Tally = self.families if params.counting is CountingUnit.family else self.documents
        self.completeness = Completeness.of(params.basis, params.cutoff,
                                            latest_publication(service, self.planner, params.cutoff),
                                            params.lag_months,
                                            latest_dated(service, self.planner, params.basis, params.cutoff))
        self.last = self.completeness.last_complete_year
        self.recent_span, self.earlier_span = rate_windows(self.completeness, params)
        self.comparable = comparable((self.recent_span, self.earlier_span), params)
        self.trends = {basis.value: self.tally.per_year(basis) for basis in YEAR_FIELDS}
        self.per_year = self.trends[params.basis]
        self.owner_years = self.tally.per_key_year("owner_keys")
        self.applicants_per_year = _keys_per_year(self.owner_years)

    def _windows(self, per_year: dict[int, int]) -> tuple[int, int]:
        """(recent, earlier) counts of ``per_year``."""
        return sum_years(per_year, self.recent_span), sum_years(per_year, self.earlier_span)

    def counting(self) -> Counting:
        docdb = self.backend.count_by(self.node, self.planner, "family_basis").get(("docdb",), 0)
        return counting(self.params.counting, self.documents, self.families, docdb)

    def years(self) -> list[YearCount]:
        """Every year from the first counted to the last, a year with none counted as 0: a time
        axis of the years with data alone drew 1999, 2001 and 2003 evenly spaced."""
        out = []
        for y in range(min(self.per_year, default=0), max(self.per_year, default=-1) + 1):
            previous = self.per_year.get(y - 1)
            incomplete = y > self.last
            count = self.per_year.get(y, 0)
            out.append(YearCount(year=y, documents=count, applicants=self.applicants_per_year.get(y, 0),
                                 incomplete=incomplete,
                                 growth=change(count, previous) if previous and not incomplete else None))
        return out

    def annual_rate(self) -> float | None:
        """Compound annual growth from the earlier window to the recent one, when they compare."""
        recent, earlier = self._windows(self.per_year)
        width = self.recent_span[1] - self.recent_span[0] + 1
        return annual_rate(recent, earlier, width) if self.comparable else None

    def growth(self) -> Growth:
        """The field's window-on-window growth, and relative to all fields published by the cut-off."""
        width = self.recent_span[1] - self.recent_span[0] + 1
        recent, earlier = self._windows(self.per_year)
        corpus: Node = DateRange("PD", None, self.params.cutoff)
        everything = make_tally(self.params.counting, self.backend, self.planner, scoped=corpus, published=corpus,
                                basis=self.params.basis, period=None)
        all_recent, all_earlier = self._windows(everything.per_year(self.params.basis))
        rgr = (round((recent / earlier) / (all_recent / all_earlier), 3)
               if earlier and all_recent and all_earlier and self.comparable else None)
        return Growth(recent_years=self.recent_span, earlier_years=self.earlier_span, recent=recent,
                      earlier=earlier, annual_rate=self.annual_rate(),
                      all_fields_annual_rate=annual_rate(all_recent, all_earlier, width), relative_growth_rate=rgr,
                      comparable=self.comparable)

    def life_cycle(self) -> LifeCycle:
        def applicants_in(span: Span) -> int:
            return sum(1 for ys in self.owner_years.values() if any(span[0] <= y <= span[1] for y in ys))

        recent, earlier = self._windows(self.per_year)
        life = life_cycle_stage((earlier, recent),
                                (applicants_in(self.earlier_span), applicants_in(self.recent_span)))
        if not self.comparable:  # an earlier window outside the period: no stage to read from it
            life.stage = life.applications_change = life.applicants_change = None
        life.points = [(y, self.per_year[y], self.applicants_per_year.get(y, 0))
                       for y in sorted(self.per_year) if y <= self.last]
        return life

    def applicants(self, per_owner: dict[str, int]) -> tuple[list[ApplicantShare], list[NewEntrant], dict[int, int]]:
        """Top applicants; applicants whose first unit falls in the last ``window`` years up to the
        data's latest publication; entrants per year. Names as printed."""
        first_years = {k: min(ys) for k, ys in self.owner_years.items()}
        entrant_from = self.completeness.data_as_of.year - self.params.window + 1
        newcomers = sorted(((k, fy) for k, fy in first_years.items() if fy >= entrant_from),
                           key=lambda e: (-per_owner.get(e[0], 0), e[0]))[:self.params.top]
        keys = [k for k, _ in ranked(per_owner, self.params.top)] + [k for k, _ in newcomers]
        names = printed_names(self.service, self.node, self.planner, keys)
        entrants = [NewEntrant(key=k, name=names.get(k, k), first_year=fy, documents=per_owner.get(k, 0))
                    for k, fy in newcomers]
        per_year = dict(sorted(Counter(first_years.values()).items()))
        return top_applicants(per_owner, names, self.params.top), entrants, per_year

    def regions(self, countries: dict[str, int]) -> Regions:
        home = self.params.home_country
        domestic, foreign = self.tally.domestic_foreign(home, sorted(countries))
        return Regions(home_country=home, domestic=domestic, foreign=foreign,
                       places=self.tally.per_key("owner_places"),
                       divisions=division_counts(self.tally.per_key("owner_divisions")))

    def hotspots(self) -> list[Hotspot]:
        """IPC subgroups with enough recent units that grew, fastest-growing first (complete years
        only). A subgroup that held steady or shrank is no hotspot, however large: ranked by growth
        alone, a field where everything shrinks would name its slowest decline "fastest-growing"."""
        out: list[Hotspot] = []
        if not self.comparable:
            return out
        for code, ys in self.tally.per_key_year("ipc").items():
            r, e = self._windows(ys)
            if r >= self.params.min_hotspot_documents and r > e:
                out.append(Hotspot(code=code, recent=r, earlier=e, growth=round((r - e) / max(e, 1), 3)))
        out.sort(key=lambda h: (-h.growth, -h.recent, h.code))
        return out[:self.params.top]

    def emerging_terms(self) -> list[EmergingTerm]:
        p = self.params
        if not self.comparable:
            return []
        settings = TermSettings(basis=p.basis, candidates=p.emerging_candidates, min_documents=p.min_term_documents,
                                min_excess=p.min_term_excess, min_z=p.min_term_z, top=p.top)
        outside = And((DateRange("PD", None, p.cutoff), Not(self.scope)))
        return emerging_terms(self.backend, self.planner, self.node, outside, (self.recent_span, self.earlier_span),
                              settings)


def printed_names(service: SearchService, node: Node, planner: Planner, keys: list[str]) -> dict[str, str]:
    """{harmonised key: the name as printed}: the most frequent printed owner name having that key
    among the applicant's latest documents (ties: the latest)."""
    out: dict[str, str] = {}
    for key in dict.fromkeys(keys):
        records = service.backend.top_docs(And((node, Keyword("OWNER", key))), planner,
                                           [("publication_date", "desc")], NAME_SAMPLE, ["owners"])
        names = Counter(n for r in records for n in (r.get("owners") or []) if harmonise_name(n) == key)
        if names:
            out[key] = names.most_common(1)[0][0]
    return out


class Trend(BaseModel):
    """A scope's totals and yearly counts alone, as ``compute`` has them (scopes compared side by side)."""

    total: int = Field(description="families or documents in scope (the counting unit)")
    applicant_count: int
    years: list[YearCount]
    annual_rate: float | None = Field(description="compound annual growth between the windows, %")
    windows: tuple[Span, Span] | None = Field(description="the recent and earlier windows, when they compare")


def trend(service: SearchService, query: str, params: IndicatorParams) -> Trend:
    """The figures of ``compute`` a comparison reads, without its hotspots, terms, key patents,
    life cycle and the corpus-wide tally of relative growth."""
    run = _Run(service, query, params)
    return Trend(total=run.tally.total(), applicant_count=len(run.tally.per_key("owner_keys")), years=run.years(),
                 annual_rate=run.annual_rate(), windows=(run.recent_span, run.earlier_span) if run.comparable else None)


def compute(service: SearchService, query: str, params: IndicatorParams | None = None) -> Indicators:
    params = params or IndicatorParams()
    run = _Run(service, query, params)
    per_owner = run.tally.per_key("owner_keys")
    countries = run.tally.per_key("owner_countries")
    top, entrants, entrants_per_year = run.applicants(per_owner)
    return Indicators(
        scope=query, params=params, counting=run.counting(), completeness=run.completeness, total=run.tally.total(),
        last_complete_year=run.last, years=run.years(), trends=run.trends, growth=run.growth(),
        life_cycle=run.life_cycle(), top_applicants=top, applicant_count=len(per_owner),
        concentration=concentration(per_owner), new_entrants=entrants, new_entrants_per_year=entrants_per_year,
        countries=countries, regions=run.regions(countries), ipc_groups=run.tally.per_key("ipc_group"),
        ipc_subgroups=run.tally.per_key("ipc"), hotspots=run.hotspots(), emerging_terms=run.emerging_terms(),
        key_patents=key_patents(service, run.node, run.planner, params.top),
        expiry=expiry(service, run.node, run.planner, params),
    )


def _key_patent(record: dict[str, Any]) -> KeyPatent:
    return KeyPatent(pn=record["pn"], title=record.get("title"), owners=record.get("owners") or [],
                     filing_date=record.get("filing_date"), cited_by=record.get("cited_by") or 0,
                     claim_count=record.get("claim_count") or 0, priority_count=record.get("priority_count") or 0,
                     expiry_date=record.get("expiry_date"), expiry_basis=record.get("expiry_basis"),
                     synthetic=bool(record.get("synthetic")))


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
