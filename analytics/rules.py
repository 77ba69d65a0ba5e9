"""Early-warning rules. No official numeric warning thresholds exist (shared/REFERENCE.md), so
every threshold is configurable per subscription; the defaults below are ours and documented in
the README. Each finding carries its evidence: the patents and the numbers behind it.

Windows are trailing 12-month periods of *publication* date ending at ``as_of``: the data is
complete up to the day it was published, unlike filing-year counts.

| rule                    | fires when (defaults)                                                | severity |
|-------------------------|----------------------------------------------------------------------|----------|
| foreign_growth          | an applicant with no domestic co-owner publishes > 50% more in the    | yellow;  |
|                         | scope than in the previous 12 months, with >= 5 documents now         | red >100%|
| competitor_new_subclass | a watched competitor publishes >= 1 document in an IPC subclass of   | red      |
|                         | the scope where it had published nothing before the window           |          |
| concentration_band      | the HHI band of the window differs from the previous window's         | red if   |
|                         | (both windows >= 20 documents)                                       | now high |
| product_keywords        | a newly loaded document in the scope has >= 2 of the organisation's   | yellow;  |
|                         | product keywords in its claims                                       | red >= 3 |
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import hashlib
from dataclasses import dataclass

from pydantic import BaseModel, Field

from analytics.indicators import Concentration, concentration, printed_names
from analytics.models import Severity
from ipsearch.query.ast import And, ClassCode, DateRange, Keyword, Node, Not, Phrase, any_keyword
from ipsearch.service import SearchService

EVIDENCE_PATENTS = 20


class ForeignGrowth(BaseModel):
    enabled: bool = True
    yellow_pct: float = Field(default=50.0, gt=0)
    red_pct: float = Field(default=100.0, gt=0)
    min_documents: int = Field(default=5, ge=1)


class CompetitorNewSubclass(BaseModel):
    enabled: bool = True
    min_documents: int = Field(default=1, ge=1)


class ConcentrationBand(BaseModel):
    enabled: bool = True
    min_documents: int = Field(default=20, ge=1)


class ProductKeywords(BaseModel):
    enabled: bool = True
    min_keywords: int = Field(default=2, ge=1)
    red_keywords: int = Field(default=3, ge=1)


class RulesConfig(BaseModel):
    """A subscription's rule settings: every field has a documented default."""

    window_months: int = Field(default=12, ge=1, le=60)
    foreign_growth: ForeignGrowth = ForeignGrowth()
    competitor_new_subclass: CompetitorNewSubclass = CompetitorNewSubclass()
    concentration_band: ConcentrationBand = ConcentrationBand()
    product_keywords: ProductKeywords = ProductKeywords()


class RuleContext(BaseModel):
    query: str
    as_of: dt.date
    home_country: str = "CN"
    watched: list[str] = []
    product_keywords: list[str] = []
    new_runs: list[int] = Field(default_factory=list, description="load runs not yet checked")


class Rule(enum.StrEnum):
    """The early-warning rules (an alert's ``rule``)."""

    foreign_growth = "foreign_growth"
    competitor_new_subclass = "competitor_new_subclass"
    concentration_band = "concentration_band"
    product_keywords = "product_keywords"


class StandingLevel(enum.StrEnum):
    """Where a rule's measure stands today against a subscription's thresholds."""

    below = "below"  # measured: no alert at these thresholds
    yellow = "yellow"
    red = "red"
    not_compared = "not_compared"  # too few documents, or nothing watched: nothing to measure
    on_load = "on_load"  # measured on each load of new documents, not on the corpus as it stands


class Standing(BaseModel):
    """One rule's measure today beside its thresholds: a quiet month reads as "measured, and this
    far below", not as nothing at all."""

    rule: Rule
    level: StandingLevel
    values: dict[str, str | int | float] = Field(description="what the page says of the measure, to word it")


class Evidence(BaseModel):
    numbers: dict[str, float | int | str | None]
    patents: list[str]


class Finding(BaseModel):
    rule: Rule
    severity: Severity
    subject: str
    title: str
    evidence: Evidence
    values: dict[str, str | int | float] = Field(default_factory=dict,
                                                 description="what the title says, to word it in other languages")

    def fingerprint(self, scope: str, as_of: dt.date) -> str:
        """The same finding for the same scope in the same month is one alert (rules run on every
        corpus event and on schedule); a new patent matching product keywords is one alert, ever."""
        period = "" if self.rule == "product_keywords" else as_of.strftime("%Y-%m")
        return hashlib.sha256(f"{self.rule}|{scope}|{self.subject}|{period}".encode()).hexdigest()


def _months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def windows(as_of: dt.date, months: int) -> tuple[DateRange, DateRange]:
    """(current, previous): ``months``-long publication-date windows ending at ``as_of``."""
    start = _months_back(as_of, months) + dt.timedelta(days=1)
    prev_start = _months_back(start - dt.timedelta(days=1), months) + dt.timedelta(days=1)
    return DateRange("PD", start, as_of), DateRange("PD", prev_start, start - dt.timedelta(days=1))


@dataclass(frozen=True)
class _Growth:
    """A foreign applicant's publications in the window and in the one before."""

    owner: str
    now: int
    before: int

    @property
    def pct(self) -> float:
        return (self.now - self.before) / self.before * 100


def _growth_level(pct: float, cfg: ForeignGrowth) -> StandingLevel:
    if pct > cfg.red_pct:
        return StandingLevel.red
    return StandingLevel.yellow if pct > cfg.yellow_pct else StandingLevel.below


def _band_level(now: Concentration, before: Concentration) -> StandingLevel:
    if now.hhi_band == before.hhi_band:
        return StandingLevel.below
    return StandingLevel.red if now.hhi_band == "highly concentrated" else StandingLevel.yellow


class _Rules:
    """The rules of one subscription on the corpus as it stands: each rule measures in one named
    step, which both its findings (over the thresholds) and its standing (the measure itself) read."""

    def __init__(self, service: SearchService, ctx: RuleContext, config: RulesConfig) -> None:
        self.service, self.ctx, self.config = service, ctx, config
        self.scope, self.planner = service.plan(ctx.query)
        self.current, self.previous = windows(ctx.as_of, config.window_months)
        self.foreign = Not(Keyword("PAC", ctx.home_country))

    def counts(self, node: Node, field: str) -> dict[str, int]:
        return {k[0]: n for k, n in self.service.backend.count_by(node, self.planner, field).items()}

    def printed(self, node: Node, key: str) -> str:
        """The applicant's name as printed on their documents in ``node`` (the key when none says)."""
        return printed_names(self.service, node, self.planner, [key]).get(key, key)

    def patents(self, node: Node) -> list[str]:
        rows = self.service.backend.top_docs(node, self.planner, [("publication_date", "desc")], EVIDENCE_PATENTS,
                                             ["pn"])
        return [r["pn"] for r in rows]

    # --- measures ------------------------------------------------------------------------------
    def growths(self) -> list[_Growth]:
        """Foreign applicants with enough publications now and some before, fastest growing first
        (first-time filers show up as new entrants in the indicators)."""
        now = self.counts(And((self.scope, self.current, self.foreign)), "owner_keys")
        before = self.counts(And((self.scope, self.previous, self.foreign)), "owner_keys")
        found = [_Growth(owner, n, before[owner]) for owner, n in now.items()
                 if n >= self.config.foreign_growth.min_documents and before.get(owner, 0) > 0]
        return sorted(found, key=lambda g: (-g.pct, g.owner))

    def new_subclasses(self) -> list[tuple[str, str, int]]:
        """(watched owner, IPC subclass, publications) where a watched competitor published in the
        window in a subclass of the scope it had never published in before."""
        assert self.current.gte is not None
        earlier = DateRange("PD", None, self.current.gte - dt.timedelta(days=1))
        found = []
        for owner in self.ctx.watched:
            mine = And((self.scope, Keyword("OWNER", owner)))
            before = self.counts(And((mine, earlier)), "ipc_subclass")
            found += [(owner, subclass, n) for subclass, n in sorted(self.counts(And((mine, self.current)),
                                                                                  "ipc_subclass").items())
                      if subclass not in before and n >= self.config.competitor_new_subclass.min_documents]
        return found

    def bands(self) -> tuple[Concentration, Concentration, int, int] | None:
        """(now, before, documents now, documents before), or None when either window has too few
        documents for a concentration to mean anything."""
        n_now = self.service.backend.count_matching(And((self.scope, self.current)), self.planner)
        n_before = self.service.backend.count_matching(And((self.scope, self.previous)), self.planner)
        if min(n_now, n_before) < self.config.concentration_band.min_documents:
            return None
        now = concentration(self.counts(And((self.scope, self.current)), "owner_keys"))
        before = concentration(self.counts(And((self.scope, self.previous)), "owner_keys"))
        return now, before, n_now, n_before

    # --- findings: the measures over the thresholds ----------------------------------------------
    def foreign_growth(self) -> list[Finding]:
        cfg = self.config.foreign_growth
        out = []
        for g in sorted(self.growths(), key=lambda g: g.owner):
            level = _growth_level(g.pct, cfg)
            if level is StandingLevel.below:
                continue
            name = self.printed(And((self.scope, self.current, self.foreign)), g.owner)
            out.append(Finding(
                rule=Rule.foreign_growth, severity=Severity(level.value), subject=g.owner,
                title=f"Foreign applicant {name}: {g.now} publications in the last {self.config.window_months} "
                      f"months, +{g.pct:.0f}% on the previous period",
                values={"owner": name, "n": g.now, "months": self.config.window_months, "growth": f"{g.pct:.0f}"},
                evidence=Evidence(numbers={"current": g.now, "previous": g.before, "growth_pct": round(g.pct, 1),
                                           "yellow_pct": cfg.yellow_pct, "red_pct": cfg.red_pct,
                                           "home_country": self.ctx.home_country},
                                  patents=self.patents(And((self.scope, self.current, self.foreign,
                                                            Keyword("OWNER", g.owner)))))))
        return out

    def competitor_new_subclass(self) -> list[Finding]:
        out = []
        for owner, subclass, n in self.new_subclasses():
            mine = And((self.scope, Keyword("OWNER", owner)))
            name = self.printed(And((mine, self.current)), owner)
            out.append(Finding(
                rule=Rule.competitor_new_subclass, severity=Severity.red, subject=f"{owner}|{subclass}",
                title=f"Watched competitor {name} entered {subclass} ({n} publications)",
                values={"owner": name, "subclass": subclass, "n": n},
                evidence=Evidence(numbers={"subclass": subclass, "documents": n, "earlier_documents": 0},
                                  patents=self.patents(And((mine, self.current, ClassCode("IPC", subclass, True)))))))
        return out

    def concentration_band(self) -> list[Finding]:
        measured = self.bands()
        if measured is None or (level := _band_level(*measured[:2])) is StandingLevel.below:
            return []
        now, before, n_now, n_before = measured
        return [Finding(
            rule=Rule.concentration_band, severity=Severity(level.value), subject=f"{before.hhi_band}->{now.hhi_band}",
            title=f"Concentration moved from {before.hhi_band} (HHI {before.hhi:.0f}) to {now.hhi_band} "
                  f"(HHI {now.hhi:.0f})",
            values={"before": before.hhi_band, "after": now.hhi_band, "previous_hhi": f"{before.hhi:.0f}",
                    "hhi": f"{now.hhi:.0f}"},
            evidence=Evidence(numbers={"hhi": now.hhi, "previous_hhi": before.hhi, "cr4": now.cr4,
                                       "documents": n_now, "previous_documents": n_before},
                              patents=self.patents(And((self.scope, self.current)))))]

    def keywords(self) -> list[str]:
        return [k.strip() for k in self.ctx.product_keywords if k.strip()]

    def product_keywords(self) -> list[Finding]:
        cfg = self.config.product_keywords
        keywords = self.keywords()
        if not keywords or not self.ctx.new_runs:
            return []
        new = And((self.scope, any_keyword("RUN", [str(r) for r in self.ctx.new_runs])))
        matched: dict[str, list[str]] = {}
        for kw in keywords:
            node = And((new, Phrase(kw, "CL")))
            for pn in self.service.backend.run_ids(node, self.planner):
                matched.setdefault(pn, []).append(kw)
        out = []
        for pn, kws in sorted(matched.items()):
            if len(kws) < cfg.min_keywords:
                continue
            out.append(Finding(
                rule=Rule.product_keywords, subject=pn,
                severity=Severity.red if len(kws) >= cfg.red_keywords else Severity.yellow,
                title=f"New patent {pn} claims {len(kws)} of your product keywords: {', '.join(kws)}",
                values={"pn": pn, "n": len(kws), "keywords": ", ".join(kws)},
                evidence=Evidence(numbers={"keywords_matched": len(kws), "min_keywords": cfg.min_keywords},
                                  patents=[pn])))
        return out

    # --- standings: the measures themselves --------------------------------------------------------
    def foreign_growth_standing(self) -> Standing:
        cfg = self.config.foreign_growth
        found = self.growths()
        if not found:
            return Standing(rule=Rule.foreign_growth, level=StandingLevel.not_compared,
                            values={"min_documents": cfg.min_documents})
        top = found[0]
        return Standing(rule=Rule.foreign_growth, level=_growth_level(top.pct, cfg), values={
            "owner": self.printed(And((self.scope, self.current, self.foreign)), top.owner), "n": top.now,
            "previous": top.before, "growth": f"{top.pct:+.0f}", "applicants": len(found)})

    def competitor_standing(self) -> Standing:
        if not self.ctx.watched:
            return Standing(rule=Rule.competitor_new_subclass, level=StandingLevel.not_compared, values={})
        entered = self.new_subclasses()
        published = self.service.backend.count_matching(
            And((self.scope, self.current, any_keyword("OWNER", self.ctx.watched))), self.planner)
        return Standing(rule=Rule.competitor_new_subclass, level=StandingLevel.red if entered else StandingLevel.below,
                        values={"competitors": len(self.ctx.watched), "n": published,
                                "subclasses": ", ".join(sorted({subclass for _, subclass, _ in entered}))})

    def concentration_standing(self) -> Standing:
        measured = self.bands()
        if measured is None:
            return Standing(rule=Rule.concentration_band, level=StandingLevel.not_compared,
                            values={"min_documents": self.config.concentration_band.min_documents})
        now, before, n_now, n_before = measured
        return Standing(rule=Rule.concentration_band, level=_band_level(now, before), values={
            "band": now.hhi_band, "hhi": f"{now.hhi:.0f}", "n": n_now, "previous_band": before.hhi_band,
            "previous_hhi": f"{before.hhi:.0f}", "previous": n_before})

    def keywords_standing(self) -> Standing:
        keywords = self.keywords()
        level = StandingLevel.on_load if keywords else StandingLevel.not_compared
        return Standing(rule=Rule.product_keywords, level=level, values={"keywords": len(keywords)})


def evaluate(service: SearchService, ctx: RuleContext, config: RulesConfig | None = None) -> list[Finding]:
    config = config or RulesConfig()
    rules = _Rules(service, ctx, config)
    findings: list[Finding] = []
    if config.foreign_growth.enabled:
        findings += rules.foreign_growth()
    if config.competitor_new_subclass.enabled:
        findings += rules.competitor_new_subclass()
    if config.concentration_band.enabled:
        findings += rules.concentration_band()
    if config.product_keywords.enabled:
        findings += rules.product_keywords()
    return findings


def standings(service: SearchService, ctx: RuleContext, config: RulesConfig | None = None) -> list[Standing]:
    """Each enabled rule's measure on the corpus as it stands on ``ctx.as_of``, beside the
    thresholds it is checked against: what the rules would say of today, whether or not it fired."""
    config = config or RulesConfig()
    rules = _Rules(service, ctx, config)
    measures = [(config.foreign_growth.enabled, rules.foreign_growth_standing),
                (config.competitor_new_subclass.enabled, rules.competitor_standing),
                (config.concentration_band.enabled, rules.concentration_standing),
                (config.product_keywords.enabled, rules.keywords_standing)]
    return [measure() for enabled, measure in measures if enabled]
