"""What a report says: the indicators of a scope and its branches, the rules' alerts, conclusions
drawn from the numbers, and the provenance that makes it reproducible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, Field

from analytics.i18n import text
from analytics.indicators import IndicatorParams, Indicators, annual_rate, comparable, compute, tally_for
from analytics.industries import Industry
from analytics.models import Severity
from analytics.periods import Span, sum_years
from analytics.rules import Finding, RuleContext, evaluate
from core.i18n import Language
from ipsearch.service import SearchService

Progress = Callable[[str], None]


class Provenance(BaseModel):
    """Enough to compute the same report again: the query, every parameter, the load runs the
    corpus was built from and when it was generated."""

    query: str
    params: IndicatorParams
    backend: str
    load_runs: list[int]
    generated_at: dt.datetime


class BranchRow(BaseModel):
    key: str
    name: str
    query: str
    documents: int = Field(description="families or documents (Indicators.counting.unit)")
    recent: int
    earlier: int
    annual_rate: float | None


class ReportData(BaseModel):
    scope: Industry
    lang: Language
    title: str
    provenance: Provenance
    indicators: Indicators
    branches: list[BranchRow]
    alerts: list[Finding]
    conclusions: list[str]


def branch_rows(service: SearchService, industry: Industry, params: IndicatorParams, lang: Language,
                spans: tuple[Span, Span]) -> list[BranchRow]:
    """Each technology branch counted in the report's unit, and its growth over the report's
    windows of complete years (``spans``: recent, earlier)."""
    rows = []
    for branch in industry.branches:
        node, planner = service.plan(f"({industry.query}) AND ({branch.query})")
        tally = tally_for(service, planner, node, params)
        per_year = tally.per_year(params.basis)
        recent, earlier = sum_years(per_year, spans[0]), sum_years(per_year, spans[1])
        rate = annual_rate(recent, earlier, spans[0][1] - spans[0][0] + 1) if comparable(spans, params) else None
        rows.append(BranchRow(key=branch.key, name=branch.label(lang), query=branch.query, documents=tally.total(),
                              recent=recent, earlier=earlier, annual_rate=rate))
    return rows


def conclusions(ind: Indicators, alerts: list[Finding], lang: Language) -> list[str]:
    t = text(lang)
    out = []
    lc = ind.life_cycle
    g = ind.growth
    if lc.stage is not None:
        out.append(t["c_stage"].format(stage=t["stage_" + lc.stage], a=_pct(lc.applications_change),
                                       p=_pct(lc.applicants_change)))
    else:
        out.append(t["short_period"])
    if g.annual_rate is not None:
        rgr = g.relative_growth_rate
        pace = t["faster"] if rgr and rgr > 1 else t["slower"]
        out.append(t["c_growth"].format(rate=g.annual_rate, a=g.earlier_years[0], b=g.recent_years[1],
                                        rgr=rgr if rgr is not None else "-", pace=pace))
    if ind.top_applicants:
        lead = ind.top_applicants[0]
        out.append(t["c_leader"].format(name=lead.name, share=lead.share, n=ind.applicant_count,
                                        units=t["units_" + ind.counting.unit]))
    c = ind.concentration
    out.append(t["c_concentration"].format(cr4=c.cr4, cr4_band=t.get(c.cr4_band, c.cr4_band), hhi=c.hhi,
                                           hhi_band=t.get(c.hhi_band, c.hhi_band)))
    r = ind.regions
    out.append(t["c_regions"].format(home=r.home_country, domestic=r.domestic, foreign=r.foreign,
                                     counted=t["counted_" + ind.counting.unit]))
    if ind.hotspots:
        out.append(t["c_hotspots"].format(codes=", ".join(h.code for h in ind.hotspots[:3])))
    out.append(t["c_expiry"].format(n=ind.expiry.expiring_soon, years=ind.expiry.within_years))
    red = sum(1 for a in alerts if a.severity == Severity.red)
    out.append(t["c_alerts"].format(n=len(alerts), red=red))
    return out


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}%"


def build(service: SearchService, industry: Industry, params: IndicatorParams, lang: Language, load_runs: list[int],
          progress: Progress | None = None) -> ReportData:
    step = progress or (lambda _: None)
    step("indicators")
    ind = compute(service, industry.query, params)
    step("branches")
    branches = branch_rows(service, industry, params, lang, (ind.growth.recent_years, ind.growth.earlier_years))
    step("alerts")
    found = evaluate(service, RuleContext(query=industry.query, as_of=params.cutoff,
                                          home_country=params.home_country))
    name = industry.name_zh if lang == "zh" else industry.name
    return ReportData(
        scope=industry, lang=lang, title=text(lang)["report_title"].format(name=name),
        provenance=Provenance(query=industry.query, params=params, backend=service.backend.kind,
                              load_runs=load_runs, generated_at=dt.datetime.now(dt.UTC)),
        indicators=ind, branches=branches, alerts=found, conclusions=conclusions(ind, found, lang))
