"""Indicators a professional would sign (issue 14, item 4), on a synthetic corpus whose truth is
known by construction, loaded into both real backends:

- filings are flat (the same number of inventions every month, 2012-2023) and each is published
  18 months after it was filed; the corpus is cut at TODAY, so the last 18 months of filings are
  missing, as they are from any real corpus. Growth, life cycle and hotspots stay flat, and the
  report says which period was left out;
- half of the inventions are also filed in the US and a third at the EPO a year later, claiming
  the first filing's priority (a fifth carry a DOCDB family id): family counts equal the count of
  inventions made when the corpus was generated;
- the word "modular" spreads through the abstracts of every field alike, with the drafting word
  "adjacent"; "perovskite" only through the scope's: the first is not an emerging term (nor is the
  drafting word, which is no candidate at all), the last is.

Every document is labelled synthetic: the flag, "[SYNTHETIC]" opening its abstract, numbers from
92000000 (unused by the offices), source format "test-built".
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from analytics.indicators import IndicatorParams, Indicators, compute
from analytics.industries import Branch, Industry
from analytics.periods import months_before
from analytics.reports import content, render
from analytics.terms import TermSettings, emerging_terms
from core.i18n import Language
from core.settings import Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.indexdoc import build_index_doc
from ipsearch.model import (
    DocKind,
    LangText,
    PartialDate,
    Party,
    PartyRole,
    PatentDocument,
    Priority,
    normalise_number,
    parse_ipc,
)
from ipsearch.names import harmonise_name
from ipsearch.query.ast import And, DateRange, Not
from ipsearch.service import SearchService
from tests.analytics.test_indicators import check_against_oracle, oracles

TODAY = dt.date(2024, 1, 10)  # the corpus holds what was published by this day
FIRST_YEAR, LAST_YEAR = 2012, 2023  # true filings: flat over these years
PER_MONTH = 2  # inventions filed each month in the scope, and as many outside it
SCOPE = "IPC=H01L"
OWNERS = [("Aurora Lighting Co., Ltd.", "CN", "Guangdong"), ("Brightway Semiconductor Inc.", "US", None),
          ("Nordlicht GmbH", "DE", None), ("Hikari Denki Kabushiki Kaisha", "JP", None),
          ("深圳市光明照明有限公司", "CN", "Guangdong"), ("Pearl River Display Co., Ltd.", "CN", "Guangdong")]
BOILERPLATE, FASHION, SPECIFIC = "adjacent", "modular", "perovskite"


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


@dataclass(frozen=True)
class Invention:
    """One invention: its first filing in China, and maybe US and EP filings claiming it."""

    n: int  # numbers every invention of the corpus
    k: int  # numbers the inventions of its side (scope or outside) in filing order
    in_scope: bool
    filed: dt.date

    @property
    def owner(self) -> tuple[str, str, str | None]:
        return OWNERS[self.k % len(OWNERS)]

    def share_of_year(self) -> int:
        """Twelfths of the year's inventions using the growing words: 1 in 2012 ... 12 in 2023."""
        return self.filed.year - FIRST_YEAR + 1

    def members(self) -> list[tuple[str, dt.date, dt.date]]:
        """(office, filed, published) of each family member, published or not yet."""
        later = months_after(self.filed, 12)
        out = [("CN", self.filed, months_after(self.filed, 18))]
        if self.k % 2 == 0:
            out.append(("US", later, months_after(self.filed, 18)))  # 18 months from the priority date
        if self.k % 3 == 0:
            out.append(("EP", later, months_after(self.filed, 30)))
        return out

    def abstract(self) -> str:
        words = ["[SYNTHETIC] A device comprising a housing and a controller."]
        growing = self.k % 12 < self.share_of_year()
        if growing:
            words.append(f"The {FASHION} controller is {BOILERPLATE} to the housing.")
        if growing and self.in_scope:
            words.append(f"A {SPECIFIC} layer converts the light.")
        return " ".join(words)


def inventions() -> list[Invention]:
    out = []
    for side in (True, False):
        k = 0
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for month in range(1, 13):
                for j in range(PER_MONTH):
                    out.append(Invention(len(out), k, side, dt.date(year, month, 1 + 9 * j)))
                    k += 1
    return out


def document(inv: Invention, office: str, filed: dt.date, published: dt.date, seq: int) -> PatentDocument:
    name, country, province = inv.owner
    first_application = f"{inv.filed.year}1{inv.n:07d}"
    kind = {"CN": "A", "US": "A1", "EP": "A1"}[office]
    ipc = ("H01L 33/50", "H01L 33/62")[inv.k % 2] if inv.in_scope else "G06F 16/245"
    return PatentDocument(
        pn=normalise_number(office, str(92_000_000 + seq), kind), doc_kind=DocKind.application,
        application_number=first_application if office == "CN" else f"{filed.year}9{inv.n:07d}",
        filing_date=PartialDate.parse(filed.strftime("%Y%m%d")),
        publication_date=PartialDate.parse(published.strftime("%Y%m%d")),
        priority_date=PartialDate.parse(inv.filed.strftime("%Y%m%d")),
        priorities=[] if office == "CN" else [Priority(country="CN", number=first_application,
                                                       date=PartialDate.parse(inv.filed.strftime("%Y%m%d")))],
        family_id=f"7{inv.n:07d}" if inv.k % 5 == 0 else None,
        titles=[LangText(lang="en", text="Light emitting diode package" if inv.in_scope else "Data query engine")],
        abstracts=[LangText(lang="en", text=inv.abstract())],
        ipc=[c for c in [parse_ipc(ipc)] if c],
        parties=[Party(role=PartyRole.applicant, name=name, key=harmonise_name(name), is_organisation=True,
                       country=country, province=province)],
        source_format="test-built", synthetic=True)


@dataclass
class Built:
    """The corpus as generated: every member, published by TODAY or not."""

    members: list[tuple[Invention, PatentDocument]]

    def published(self, in_scope: bool | None = None) -> list[tuple[Invention, PatentDocument]]:
        return [(i, d) for i, d in self.members if d.publication_date and d.publication_date.iso
                and d.publication_date.iso <= TODAY and (in_scope is None or i.in_scope == in_scope)]


def build() -> Built:
    members = []
    for inv in inventions():
        for office, filed, published in inv.members():
            members.append((inv, document(inv, office, filed, published, len(members))))
    return Built(members)


@pytest.fixture(scope="module")
def built() -> Built:
    return build()


@pytest.fixture(scope="module")
def services(built: Built, corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        dict[str, SearchService]]:
    settings = corpus_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("flat") / "var",
                                                  "es_index_prefix": f"patents-flat-{uuid.uuid4().hex[:8]}"})
    analyzer = get_analyzer()
    out = {}
    for kind in ("es", "embedded"):
        backend = get_backend(settings, kind)
        backend.ensure_index()
        items = [(i, build_index_doc(doc, analyzer)) for i, (_, doc) in enumerate(built.published())]
        assert all(o.ok for o in backend.write(items))
        backend.refresh()
        out[kind] = SearchService(backend)
    yield out
    get_backend(settings, "es").drop()


def flat(service: SearchService, **params: object) -> Indicators:
    return compute(service, SCOPE, IndicatorParams.model_validate({"cutoff": TODAY} | params))


# --- the publication lag is not a decline ------------------------------------------------------

@pytest.mark.parametrize("kind", ["es", "embedded"])
@pytest.mark.parametrize("counting", ["family", "document"])
def test_flat_filings_with_an_18_month_lag_grow_by_zero(kind: str, counting: str, built: Built,
                                                        services: dict[str, SearchService]) -> None:
    got = flat(services[kind], counting=counting)
    c = got.completeness
    # the latest publication is TODAY's (filed 2022-07-10): filings after that day are incomplete
    assert (c.data_as_of, c.complete_through, c.last_complete_year) == (TODAY, dt.date(2022, 7, 10), 2021)
    assert got.growth.recent_years == (2019, 2021) and got.growth.earlier_years == (2016, 2018)
    assert got.growth.annual_rate is not None and abs(got.growth.annual_rate) <= 5.0
    assert got.growth.annual_rate == 0.0 and got.growth.recent == got.growth.earlier
    assert got.life_cycle.stage == "maturity" and got.life_cycle.applications_change == 0.0
    assert got.life_cycle.applicants_change == 0.0 and max(p[0] for p in got.life_cycle.points) == 2021
    assert got.hotspots == []  # flat: no subgroup grew, so none is named fastest-growing
    # the missing months are shown, marked incomplete, and give no year-on-year rate
    years = {y.year: y for y in got.years}
    assert years[2022].incomplete and years[2022].growth is None and not years[2021].incomplete
    assert years[2022].documents < years[2021].documents  # what a reader of raw counts would call a decline
    assert all(y.growth == 0.0 for y in got.years if 2013 <= y.year <= 2021 and counting == "family")


def test_the_cut_off_is_the_datas_not_the_calendars(services: dict[str, SearchService]) -> None:
    """Asked two years after the data ends, the indicators still know where the data ends."""
    later = flat(services["es"], cutoff=dt.date(2026, 1, 1))
    assert later.completeness.data_as_of == TODAY and later.growth.annual_rate == 0.0
    assert later.growth.model_dump() == flat(services["es"]).growth.model_dump()


def test_the_report_says_which_period_was_left_out(services: dict[str, SearchService]) -> None:
    industry = Industry(key="flat", name="Flat LED", name_zh="平稳LED", query=SCOPE,
                        branches=[Branch(key="chip", name="Packaging", name_zh="封装", query="IPC=H01L33/50")])
    params = IndicatorParams(cutoff=TODAY)
    for lang, said in ((Language.en, "after 2022-07-10"), (Language.zh, "晚于2022-07-10")):
        data = content.build(services["embedded"], industry, params, lang, [])
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", render.html(data)))
        assert said in text and "2024-01-10" in text and "2021" in text
        assert data.branches[0].annual_rate == 0.0 and data.branches[0].recent == data.branches[0].earlier


# --- counting by simple family --------------------------------------------------------------

def independent_counts(built: Built) -> tuple[Counter[int], Counter[str], int]:
    """From the generator, not from the index: inventions published by TODAY in the scope, per
    year of first filing and per applicant, and their documents."""
    published = built.published(in_scope=True)
    families = {inv.n: inv for inv, _ in published}
    per_year = Counter(inv.filed.year for inv in families.values())
    per_owner = Counter(harmonise_name(inv.owner[0]) for inv in families.values())
    return per_year, per_owner, len(published)


@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_family_counts_equal_the_inventions_generated(kind: str, built: Built,
                                                      services: dict[str, SearchService]) -> None:
    per_year, per_owner, documents = independent_counts(built)
    got = flat(services[kind])
    assert got.counting.unit == "family" and got.total == sum(per_year.values()) == got.counting.families
    assert got.counting.documents == documents > got.total  # several documents share families
    assert got.counting.docdb_documents == sum(1 for inv, _ in built.published(True) if inv.k % 5 == 0)
    assert got.trends["filing"] == dict(per_year) == got.trends["priority"]
    assert {a.key: a.documents for a in got.top_applicants} == dict(per_owner)
    assert got.regions.domestic == sum(n for k, n in per_owner.items()
                                       if any(harmonise_name(o[0]) == k and o[1] == "CN" for o in OWNERS))
    # by document, the same corpus counts every member in its own filing year
    by_document = flat(services[kind], counting="document")
    members = Counter(d.filing_date.year for _, d in built.published(True) if d.filing_date and d.filing_date.year)
    assert by_document.total == documents and by_document.trends["filing"] == dict(members)


def test_a_period_selects_families_by_their_first_filing(built: Built, services: dict[str, SearchService]) -> None:
    """A 2015 invention's US and EP members filed in 2016 do not make it a 2016 family."""
    got = {kind: flat(s, from_year=2016, to_year=2018) for kind, s in services.items()}
    expected = Counter(inv.filed.year for inv in {i.n: i for i, _ in built.published(True)}.values()
                       if 2016 <= inv.filed.year <= 2018)
    assert got["es"].trends["filing"] == got["embedded"].trends["filing"] == dict(expected)
    assert got["es"].total == got["embedded"].total == sum(expected.values())


# --- emerging terms are not drafting fashion -----------------------------------------------

@pytest.mark.parametrize("kind", ["es", "embedded"])
def test_a_boilerplate_term_is_not_emerging(kind: str, services: dict[str, SearchService]) -> None:
    analyse = get_analyzer().analyse
    boilerplate, fashion, specific = analyse(BOILERPLATE), analyse(FASHION), analyse(SPECIFIC)
    got = flat(services[kind])
    reported = [t.term for t in got.emerging_terms]
    assert specific in reported and boilerplate not in reported and fashion not in reported
    # the fashion and the specific word grew alike in the scope; only one of them grew there alone
    service = services[kind]
    node, planner = service.plan(SCOPE)
    scope = And((node, DateRange("PD", None, TODAY)))
    outside = And((DateRange("PD", None, TODAY), Not(node)))
    every = TermSettings(basis="filing", candidates=300, min_documents=1, min_excess=-1000, top=1000)
    rows = {t.term: t for t in emerging_terms(service.backend, planner, scope, outside,
                                              ((2019, 2021), (2016, 2018)), every)}
    assert rows[fashion].change == rows[specific].change >= 20
    assert rows[fashion].excess == 0.0 and rows[specific].excess == rows[specific].change
    assert boilerplate not in rows  # claim wording is never examined
    assert rows[fashion].used_outside and not rows[specific].used_outside  # the page words the latter
    for t in rows.values():  # the columns as shown subtract to the ones beside them (13.43 was 40.62 - 27.21)
        assert t.excess == round(t.recent_share - t.expected_share, 2)
        assert t.change == round(t.recent_share - t.earlier_share, 2)


# --- and every other indicator still equals the oracle on this corpus -------------------------

@pytest.mark.parametrize("kind", ["es", "embedded"])
@pytest.mark.parametrize("counting", ["family", "document"])
def test_every_indicator_equals_the_oracle(kind: str, counting: str, built: Built,
                                           services: dict[str, SearchService]) -> None:
    params = IndicatorParams.model_validate({"cutoff": TODAY, "counting": counting})
    got = compute(services[kind], SCOPE, params)
    docs = [d for _, d in built.published()]

    def in_scope(d: PatentDocument) -> bool:
        return any(c.subclass_code == "H01L" for c in d.ipc)

    o, everything = oracles(docs, in_scope, params, family=counting == "family")
    check_against_oracle(got, o, params, everything, in_scope)
    # flat filings: no subgroup grows, so none is a hotspot (tests/analytics/test_indicators.py has some that do)
    assert got.emerging_terms and got.hotspots == [] and got.new_entrants == []
