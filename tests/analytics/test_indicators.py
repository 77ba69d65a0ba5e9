"""Every indicator equals an independent, straightforward Python computation over the parsed
documents (tests/analytics/oracle.py reads the XML through the parsers and never touches a
backend), on both backends: the real corpus, and a synthetic corpus loaded in two runs whose
documents cite each other (citations received within the corpus)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from analytics.indicators import (
    IndicatorParams,
    Indicators,
    annual_rate,
    comparable,
    compute,
    concentration,
    hhi_band,
    life_cycle_stage,
    rate_windows,
)
from analytics.industries import INDUSTRIES
from analytics.periods import Basis, Completeness, months_before, windows
from analytics.terms import is_candidate
from core.settings import Settings
from ipsearch.backends import get_backend
from ipsearch.expiry import estimate_expiry, plus_years
from ipsearch.model import DocKind, PartialDate, PatentDocument, merge_documents
from ipsearch.query.parser import parse_query
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from loaders.reader import Parsed, read_source
from loaders.sources import expand
from loaders.synthetic import SyntheticOptions, write_weekly_files
from tests.analytics.oracle import Oracle, date_of, expiry, family_ids, months_back, owners, terms_of

SCOPE = "IPC=A OR IPC=B OR IPC=C OR IPC=G OR IPC=H"
SECTIONS = {"A", "B", "C", "G", "H"}
CUTOFF = dt.date(2024, 6, 30)


def parsed(paths: list[Path]) -> list[PatentDocument]:
    """The documents as loaded: versions of one publication (OPS full text, family and legal
    responses) merged in load order, as the writers do."""
    docs: dict[str, PatentDocument] = {}
    for doc in (i.doc for src in expand(paths) for i in read_source(src) if isinstance(i, Parsed)):
        docs[doc.id] = merge_documents(docs[doc.id], doc) if doc.id in docs else doc
    return list(docs.values())


@pytest.fixture(scope="module")
def real_docs(shared_data_dir: Path) -> list[PatentDocument]:
    return parsed([shared_data_dir / "patents"])


def in_scope(doc: PatentDocument) -> bool:
    return any(c.section in SECTIONS for c in doc.ipc)


def expected_completeness(o: Oracle, params: IndicatorParams) -> tuple[dt.date, dt.date, int]:
    """(data as of, complete through, last complete year), computed here from the documents: the
    lag before the latest publication, and never after the newest date on the basis."""
    as_of = min(o.latest_publication(), params.cutoff)
    through = as_of if params.basis == "publication" else months_back(as_of, 18)
    if params.basis != "publication":
        through = min(through, max(day for d in o.published() if (day := date_of(d, params.basis))))
    last = through.year if (through.month, through.day) == (12, 31) else through.year - 1
    return as_of, through, last


def expected_terms(o: Oracle, params: IndicatorParams, spans: tuple[tuple[int, int], tuple[int, int]],
                   in_scope: Callable[[PatentDocument], bool]) -> list[tuple[str, int, int, float]]:
    """(term, recent, earlier, excess): the scope's share growth beyond the growth outside it."""
    basis = params.basis
    outside = [d for d in o.published() if not in_scope(d)]

    def window(docs: list[PatentDocument], span: tuple[int, int]) -> tuple[int, Counter[str]]:
        chosen = o.in_years(basis, *span, docs)
        return len(chosen), Counter(t for d in chosen for t in terms_of(d))

    def share(w: tuple[int, Counter[str]], t: str) -> float:
        return w[1][t] / w[0] * 100 if w[0] else 0.0

    recent, earlier = window(o.docs, spans[0]), window(o.docs, spans[1])
    o_recent, o_earlier = window(outside, spans[0]), window(outside, spans[1])
    if not (recent[0] and o_recent[0] and o_earlier[0]):
        return []
    # claim wording and function words are no candidates: the most frequent of the others are
    candidates = sorted(((t, n) for t, n in recent[1].items() if is_candidate(t)),
                        key=lambda kv: (-kv[1], kv[0]))[:params.emerging_candidates]
    rows = []
    for t, n in candidates:
        rs, es, ors, oes = share(recent, t), share(earlier, t), share(o_recent, t), share(o_earlier, t)
        relative = es * ors / oes if oes else (es if not ors or not es else 1e9)
        expected = min(100.0, max(relative, es + ors - oes))
        # differences of the shares as the page shows them (two decimals), so that its columns subtract
        excess = round(round(rs, 2) - round(expected, 2), 2)
        # and beyond chance: the standard error of a share change between windows of these sizes
        noise = round(math.sqrt(rs * (100 - rs) / recent[0] + (es * (100 - es) / earlier[0] if earlier[0] else 0)), 2)
        if n >= params.min_term_documents and min(round(round(rs, 2) - round(es, 2), 2), excess) >= \
                params.min_term_excess and excess >= params.min_term_z * noise:
            rows.append((-excess, -n, t, earlier[1][t]))
    return [(t, -n, e, -x) for x, n, t, e in sorted(rows)[:params.top]]


def check_against_oracle(got: Indicators, o: Oracle, params: IndicatorParams, all_units: Oracle,
                         in_scope: Callable[[PatentDocument], bool]) -> None:
    """``o`` counts the scope's units, ``all_units`` every published unit of the corpus (relative growth)."""
    basis = params.basis
    assert got.total == len(o.units) and got.counting.documents == len(o.docs)
    assert got.counting.docdb_documents == sum(1 for d in o.docs if d.family_id)
    for b in ("filing", "priority", "publication"):
        assert got.trends[b] == dict(o.per_year(b)), b
    per_year = o.per_year(basis)
    assert {y.year: y.documents for y in got.years if y.documents} == dict(per_year)
    # every year from the first to the last, a year with none at 0: the time axis has no holes
    assert [y.year for y in got.years] == list(range(min(per_year, default=0), max(per_year, default=-1) + 1))
    assert {y.year: y.applicants for y in got.years if y.applicants} == o.applicants_per_year(basis)
    as_of, through, last = expected_completeness(o, params)
    c = got.completeness
    assert (c.data_as_of, c.complete_through, c.last_complete_year, got.last_complete_year) == (
        as_of, through, last, last)
    assert all(y.incomplete == (y.year > last) for y in got.years)
    for y in got.years:
        prev = per_year.get(y.year - 1)
        count = per_year.get(y.year, 0)
        assert y.growth == (round((count - prev) / prev * 100, 2) if prev and y.year <= last else None)

    end = min(last, params.to_year or last)  # the windows fit in the period: half of it each when it is short
    width = max(1, min(params.window, (end - params.from_year + 1) // 2)) if params.from_year else params.window
    recent_span, earlier_span = windows(end, width)
    assert got.growth.comparable == (params.from_year is None or earlier_span[0] >= params.from_year)
    recent = sum(n for y, n in per_year.items() if recent_span[0] <= y <= recent_span[1])
    earlier = sum(n for y, n in per_year.items() if earlier_span[0] <= y <= earlier_span[1])
    assert (got.growth.recent, got.growth.earlier) == (recent, earlier)
    all_years = all_units.per_year(basis)
    all_recent = sum(n for y, n in all_years.items() if recent_span[0] <= y <= recent_span[1])
    all_earlier = sum(n for y, n in all_years.items() if earlier_span[0] <= y <= earlier_span[1])
    if recent and earlier and got.growth.comparable:
        assert got.growth.annual_rate == pytest.approx(((recent / earlier) ** (1 / width) - 1) * 100, abs=0.01)
        assert got.growth.relative_growth_rate == pytest.approx((recent / earlier) / (all_recent / all_earlier),
                                                                abs=0.001)
    else:
        assert got.growth.relative_growth_rate is None
    expected_stage = life_cycle_stage(
        (earlier, recent), (o.applicants_between(basis, *earlier_span), o.applicants_between(basis, *recent_span)))
    assert got.life_cycle.stage == (expected_stage.stage if got.growth.comparable else None)
    assert all(p[0] <= last for p in got.life_cycle.points)

    per_owner = o.per_owner()
    ranked = sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(a.key, a.documents) for a in got.top_applicants] == ranked[:params.top]
    assert all(a.name == (o.printed_name(a.key) or a.key) for a in got.top_applicants)
    total = sum(per_owner.values())
    shares = sorted((n / total * 100 for n in per_owner.values()), reverse=True)
    assert got.concentration.cr4 == pytest.approx(sum(shares[:4]), abs=0.01)
    assert got.concentration.hhi == pytest.approx(sum(s * s for s in shares), abs=0.1)
    assert got.applicant_count == len(per_owner)

    first = o.first_years(basis)
    entrants = sorted(((k, fy, per_owner[k]) for k, fy in first.items()
                       if fy >= as_of.year - params.window + 1), key=lambda e: (-e[2], e[0]))
    assert [(e.key, e.first_year, e.documents) for e in got.new_entrants] == entrants[:params.top]

    assert got.countries == dict(o.countries())
    assert (got.regions.domestic, got.regions.foreign) == o.domestic_foreign(params.home_country)
    assert got.regions.places == dict(o.places())
    assert got.ipc_groups == dict(o.ipc("main_group"))
    assert got.ipc_subgroups == dict(o.ipc("symbol"))

    hot = []
    for code, ys in o.ipc_years(basis).items():
        r = sum(n for y, n in ys.items() if recent_span[0] <= y <= recent_span[1])
        e = sum(n for y, n in ys.items() if earlier_span[0] <= y <= earlier_span[1])
        if r >= params.min_hotspot_documents and r > e:  # only what grew
            hot.append((-round((r - e) / max(e, 1), 3), -r, code))
    if got.growth.comparable:
        assert [(h.code, h.recent) for h in got.hotspots] == [(c, -r) for _, r, c in sorted(hot)[:params.top]]
        assert [(t.term, t.recent, t.earlier, t.excess) for t in got.emerging_terms] == expected_terms(
            o, params, (recent_span, earlier_span), in_scope)
    else:  # a period too short to compare: nothing drawn from two windows
        assert got.hotspots == [] and got.emerging_terms == [] and got.growth.annual_rate is None

    keyed = sorted(o.docs, key=lambda d: (-o.cited_by(d), -len(d.main_claims()), -len(d.priorities), d.id))
    assert [(k.pn, k.cited_by, k.claim_count) for k in got.key_patents] == [
        (d.id, o.cited_by(d), len(d.main_claims())) for d in keyed[:params.top]]

    assert got.expiry.per_year == dict(o.expiry_years())
    until = plus_years(params.cutoff, params.expiring_within_years)
    expiring = o.expiring(until)
    assert got.expiry.expiring_soon == len(expiring)
    soonest = sorted(expiring, key=lambda d: (expiry(d), d.id))[:params.top]
    assert [k.pn for k in got.expiry.soonest] == [d.id for d in soonest]


def oracles(corpus: list[PatentDocument], in_scope: Callable[[PatentDocument], bool], params: IndicatorParams,
            family: bool) -> tuple[Oracle, Oracle]:
    """The scope's oracle and the whole corpus's, counting families or documents as ``params`` does."""
    family_of = family_ids(corpus) if family else None
    period = (params.from_year or 1800, params.to_year or 2200) if params.from_year or params.to_year else None
    scope = Oracle.build(corpus, in_scope, params.cutoff, basis=params.basis, period=period, family_of=family_of)
    everything = Oracle.build(corpus, lambda _: True, params.cutoff, basis=params.basis, family_of=family_of)
    return scope, everything


@pytest.mark.parametrize(("service_name", "basis", "counting"), [
    ("es_service", "filing", "family"), ("embedded_service", "filing", "family"),
    ("es_service", "publication", "family"), ("embedded_service", "publication", "family"),
    ("es_service", "filing", "document"), ("embedded_service", "filing", "document")])
def test_real_corpus_indicators_equal_the_oracle(service_name: str, basis: str, counting: str,
                                                 request: pytest.FixtureRequest,
                                                 real_docs: list[PatentDocument]) -> None:
    service: SearchService = request.getfixturevalue(service_name)
    params = IndicatorParams(basis=basis, cutoff=CUTOFF, home_country="US", window=4,  # type: ignore[arg-type]
                             min_hotspot_documents=1, counting=counting)
    got = compute(service, SCOPE, params)
    o, everything = oracles(real_docs, in_scope, params, family=counting == "family")
    assert len(o.docs) > 150 and got.counting.unit == counting
    check_against_oracle(got, o, params, everything, in_scope)
    # the corpus is real: the indicators are not empty, and one family has six documents
    assert got.top_applicants and got.countries and got.regions.domestic and got.regions.foreign
    assert got.hotspots and got.expiry.per_year
    assert got.counting.families < got.counting.documents
    # the data ends in May 2023: filings after November 2021 are incomplete, whatever the cut-off
    assert got.completeness.data_as_of == dt.date(2023, 5, 9) < CUTOFF


def test_the_oracles_families_are_the_indexed_ones(es_service: SearchService, embedded_service: SearchService,
                                                   real_docs: list[PatentDocument]) -> None:
    expected = family_ids(real_docs)
    assert len(set(expected.values())) < len(expected)
    for service in (es_service, embedded_service):
        stored = {pn: (service.backend.get(pn) or {}).get("family_id") for pn in expected}
        assert stored == expected


def test_period_and_cutoff_restrict_every_count(es_service: SearchService, real_docs: list[PatentDocument]) -> None:
    cutoff = dt.date(2015, 12, 31)
    params = IndicatorParams(cutoff=cutoff, from_year=2005, to_year=2013, home_country="US")
    got = compute(es_service, SCOPE, params)
    o, everything = oracles(real_docs, in_scope, params, family=True)
    assert 0 < got.total == len(o.units) < len(Oracle.build(real_docs, in_scope, CUTOFF).units)
    assert all(2005 <= y.year <= 2013 for y in got.years)
    check_against_oracle(got, o, params, everything, in_scope)


@pytest.mark.parametrize(("first", "last", "comparable"), [(2008, 2008, False), (2008, 2009, True),
                                                            (2005, 2010, True)])
def test_a_short_period_compares_windows_inside_it_or_none(es_service: SearchService, real_docs: list[PatentDocument],
                                                           first: int, last: int, comparable: bool) -> None:
    """A period chosen for one year compared it with three years before it, counted as nothing: the
    field read as just born and each subgroup "new". Two years compare one with the other; one year
    compares nothing."""
    params = IndicatorParams(cutoff=dt.date(2015, 12, 31), from_year=first, to_year=last, home_country="US")
    got = compute(es_service, SCOPE, params)
    o, everything = oracles(real_docs, in_scope, params, family=True)
    assert got.growth.comparable is comparable and got.last_complete_year > last
    assert got.growth.recent_years[1] == last and (got.growth.earlier_years[0] >= first) is comparable
    check_against_oracle(got, o, params, everything, in_scope)


# --- a synthetic corpus loaded in two runs: citations received across runs ---------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, corpus_settings: Settings) -> Iterator[
        tuple[list[PatentDocument], dict[str, SearchService]]]:
    folder = tmp_path_factory.mktemp("synthetic")
    files = write_weekly_files(folder / "xml", SyntheticOptions(docs=600, seed=11), docs_per_file=300)
    settings = corpus_settings.model_copy(update={"data_dir": folder / "var",
                                                  "es_index_prefix": f"patents-syn-{uuid.uuid4().hex[:8]}"})
    services = {}
    for backend in ("es", "embedded"):
        for f in files:  # two load runs: the second run's documents cite the first run's
            assert run_load(settings, [f], backend=backend).loaded == 300
        services[backend] = SearchService(get_backend(settings, backend))
    yield parsed(files), services
    get_backend(settings, "es").drop()


@pytest.mark.parametrize("backend", ["es", "embedded"])
def test_synthetic_corpus_indicators_and_citations(backend: str, synthetic: tuple[
        list[PatentDocument], dict[str, SearchService]]) -> None:
    docs, services = synthetic
    cutoff = dt.date(2023, 12, 31)
    params = IndicatorParams(cutoff=cutoff, home_country="CN", window=3)
    got = compute(services[backend], INDUSTRIES["led"].query, params)
    led = ("H01L 33/", "H05B 45/", "F21K 9/", "F21V", "H10H")  # INDUSTRIES["led"].query, read by hand
    def is_led(d: PatentDocument) -> bool:
        return any(c.symbol.startswith(led) for c in d.ipc)

    o, everything = oracles(docs, is_led, params, family=True)
    check_against_oracle(got, o, params, everything, is_led)
    assert got.key_patents[0].cited_by >= 2  # citations from the second run reached the first run's documents
    assert got.regions.domestic and got.regions.foreign and any(p.startswith("CN/") for p in got.regions.places)

    # Counted today: grants published up to 2026 whose filings stop in 2022. The years after the
    # newest filing are unknown, not empty, so the rates end before it instead of reading a decline.
    today = IndicatorParams(cutoff=dt.date(2027, 6, 30), home_country="CN", window=3)
    now = compute(services[backend], INDUSTRIES["led"].query, today)
    o, everything = oracles(docs, is_led, today, family=True)
    check_against_oracle(now, o, today, everything, is_led)
    newest = max(day for d in o.published() if (day := date_of(d, "filing")))
    assert newest.year == 2022 and now.completeness.data_as_of.year >= 2024
    assert (now.completeness.latest_dated, now.completeness.complete_through) == (newest, newest)
    assert now.completeness.data_ends_early and now.last_complete_year == 2021
    assert all(y.incomplete for y in now.years if y.year >= 2022) and now.growth.recent_years == (2019, 2021)


def test_concentration_bands() -> None:
    assert hhi_band(1499) == "unconcentrated" and hhi_band(2000) == "moderately concentrated"
    assert hhi_band(2501) == "highly concentrated"
    monopoly = concentration({"a": 10})
    assert (monopoly.cr4, monopoly.hhi, monopoly.cr4_band) == (100.0, 10000.0, "highly oligopolistic")
    even = concentration({str(i): 1 for i in range(20)})
    assert even.hhi == pytest.approx(500.0) and even.cr4 == pytest.approx(20.0) and even.cr4_band == "competitive"


@pytest.mark.parametrize(("first", "last", "spans", "compared"), [
    (None, None, ((2020, 2022), (2017, 2019)), True),  # no period: three years against the three before
    (2005, 2010, ((2008, 2010), (2005, 2007)), True),  # six years: two windows of three
    (2018, 2022, ((2021, 2022), (2019, 2020)), True),  # five years: two of two (the first one left out)
    (2019, 2020, ((2020, 2020), (2019, 2019)), True),  # two years: one against the other
    (2020, 2020, ((2020, 2020), (2019, 2019)), False),  # one year: nothing to compare it with in it
    (2017, 2024, ((2020, 2022), (2017, 2019)), True),  # ends after the last complete year (2022)
    (2023, 2024, ((2022, 2022), (2021, 2021)), False),  # no complete year in it at all
    (2015, None, ((2020, 2022), (2017, 2019)), True),
])
def test_growth_windows_fit_in_the_period(first: int | None, last: int | None, spans: tuple[object, object],
                                           compared: bool) -> None:
    """The windows, written out: the oracle test derives them with the same arithmetic as the code."""
    complete = Completeness.model_construct(last_complete_year=2022)
    params = IndicatorParams(cutoff=dt.date(2026, 1, 1), from_year=first, to_year=last)
    got = rate_windows(complete, params)
    assert (got, comparable(got, params)) == (spans, compared)


@pytest.mark.parametrize(("basis", "latest", "to_year", "cautioned"), [
    # publications up to 31 December: that year is whole, nothing to caution about (it said
    # "publications of 2022 are counted up to that day only ... shown as incomplete")
    (Basis.publication, dt.date(2022, 12, 31), None, False),
    (Basis.publication, dt.date(2022, 12, 30), None, True),  # a day short: 2022 is incomplete
    (Basis.publication, dt.date(2023, 1, 1), None, True),
    (Basis.publication, dt.date(2022, 12, 31), 2030, False),  # a period past the data's end adds no year
    (Basis.publication, dt.date(2023, 5, 9), 2022, False),
    (Basis.filing, dt.date(2022, 12, 31), None, True),  # filings of 2021 and 2022 are not all published
    (Basis.filing, dt.date(2024, 6, 30), 2022, False),  # complete through 2022-12-31
])
def test_the_lag_caution_is_for_a_period_reaching_an_incomplete_year(basis: Basis, latest: dt.date,
                                                                      to_year: int | None, cautioned: bool) -> None:
    params = IndicatorParams(basis=basis, cutoff=dt.date(2026, 12, 6), to_year=to_year)
    completeness = Completeness.of(basis, params.cutoff, latest, latest_dated=latest)
    got = Indicators.model_construct(params=params, completeness=completeness,
                                     last_complete_year=completeness.last_complete_year)
    assert got.reaches_incomplete is cautioned


def test_the_data_ending_on_a_year_end_leaves_no_incomplete_year() -> None:
    """Filings that stop on 31 December, published later: that year is complete and no later year
    is in the data, so no caution says the years after are shown as incomplete."""
    ends = Completeness.of(Basis.filing, dt.date(2026, 12, 6), dt.date(2026, 9, 12), latest_dated=dt.date(2022, 12, 31))
    assert (ends.last_complete_year, ends.last_year) == (2022, 2022)
    got = Indicators.model_construct(params=IndicatorParams(cutoff=dt.date(2026, 12, 6)), completeness=ends,
                                     last_complete_year=2022)
    assert not got.reaches_incomplete


def test_life_cycle_stages_and_growth() -> None:
    assert life_cycle_stage((2, 5), (1, 3)).stage == "inception"  # few of both
    assert life_cycle_stage((100, 150), (20, 30)).stage == "growth"
    assert life_cycle_stage((150, 160), (30, 24)).stage == "maturity"  # applicants fall first
    assert life_cycle_stage((150, 100), (30, 20)).stage == "decline"
    assert annual_rate(121, 100, 2) == pytest.approx(10.0) and annual_rate(5, 0, 3) is None
    filing = Completeness.of(Basis.filing, dt.date(2025, 1, 1), dt.date(2024, 6, 30))
    assert (filing.data_as_of, filing.complete_through, filing.last_complete_year) == (
        dt.date(2024, 6, 30), dt.date(2022, 12, 31), 2022)
    mid_month = Completeness.of(Basis.priority, dt.date(2024, 1, 10), dt.date(2023, 12, 15))
    assert (mid_month.complete_through, mid_month.last_complete_year) == (dt.date(2022, 6, 15), 2021)
    assert Completeness.of(Basis.filing, dt.date(2024, 6, 30), None).complete_through == dt.date(2022, 12, 31)
    assert Completeness.of(Basis.publication, dt.date(2025, 3, 1), dt.date(2024, 6, 30)).last_complete_year == 2023
    assert Completeness.of(Basis.publication, dt.date(2024, 12, 31), dt.date(2025, 1, 5)).last_complete_year == 2024
    # Grants published up to 2026 whose filings stop in 2022: 2023 and 2024 are unknown, not empty.
    ends = Completeness.of(Basis.filing, dt.date(2026, 12, 4), dt.date(2026, 9, 12), latest_dated=dt.date(2022, 12, 28))
    assert (ends.complete_through, ends.last_complete_year, ends.data_ends_early) == (dt.date(2022, 12, 28), 2021, True)
    assert not filing.data_ends_early  # no newest date given: the lag alone
    later = Completeness.of(Basis.filing, dt.date(2025, 1, 1), dt.date(2024, 6, 30), latest_dated=dt.date(2024, 6, 1))
    assert (later.complete_through, later.data_ends_early) == (dt.date(2022, 12, 31), False)  # the lag decides
    publication = Completeness.of(Basis.publication, dt.date(2025, 3, 1), dt.date(2024, 6, 30),
                                  latest_dated=dt.date(2024, 6, 30))
    assert publication.last_complete_year == 2023 and not publication.data_ends_early
    assert months_before(dt.date(2024, 8, 31), 18) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2024, 2, 29), 18) == dt.date(2022, 8, 31)
    assert months_before(dt.date(2024, 3, 30), 1) == dt.date(2024, 2, 29)


def test_expiry_estimates(real_docs: list[PatentDocument]) -> None:
    by_id = {d.id: d for d in real_docs}
    grants = [d for d in real_docs if d.doc_kind.value == "grant" and d.filing_date and d.filing_date.iso]
    assert grants
    for d in grants:
        assert d.filing_date and d.filing_date.iso
        expected = plus_years(d.filing_date.iso, 20)
        if d.pn.country == "US" and d.filing_date.iso < dt.date(1995, 6, 8):
            assert d.publication_date and d.publication_date.iso
            expected = max(expected, plus_years(d.publication_date.iso, 17))
        assert estimate_expiry(d) == expected
    assert all(estimate_expiry(d) is None for d in by_id.values() if d.doc_kind.value == "application")
    assert plus_years(dt.date(2004, 2, 29), 21) == dt.date(2025, 2, 28)
    grant = grants[0]

    def variant(kind: str, country: str, filed: str, published: str) -> PatentDocument:
        return grant.model_copy(update={
            "doc_kind": DocKind(kind), "pn": grant.pn.model_copy(update={"country": country}),
            "filing_date": PartialDate.parse(filed), "publication_date": PartialDate.parse(published)})

    assert estimate_expiry(variant("design", "US", "20160105", "20170307")) == dt.date(2032, 3, 7)  # 15 y from grant
    assert estimate_expiry(variant("design", "US", "20140105", "20150307")) == dt.date(2029, 3, 7)  # 14 y
    assert estimate_expiry(variant("utility_model", "CN", "20180105", "20180807")) == dt.date(2028, 1, 5)
    assert estimate_expiry(variant("design", "CN", "20210601", "20211207")) == dt.date(2036, 6, 1)
    assert estimate_expiry(variant("design", "CN", "20210531", "20211207")) == dt.date(2031, 5, 31)
    assert estimate_expiry(variant("grant", "US", "19940105", "19990807")) == dt.date(2016, 8, 7)  # 17 y from grant
    assert estimate_expiry(variant("application", "US", "20180105", "20190807")) is None
    assert estimate_expiry(variant("grant", "EP", "20000600", "20050807")) is None  # filing day unknown


def test_industry_definitions_parse_and_find_documents(es_service: SearchService) -> None:
    assert set(INDUSTRIES) == {"digital-tv", "led", "telecom", "medical-devices", "software"}
    for industry in INDUSTRIES.values():
        parse_query(industry.query)
        for branch in industry.branches:
            parse_query(branch.query)
    assert es_service.matching_ids(INDUSTRIES["medical-devices"].query)
    assert es_service.matching_ids(INDUSTRIES["telecom"].query)


def test_owner_keys_used_by_the_oracle_are_harmonised(real_docs: list[PatentDocument]) -> None:
    keys = {k for d in real_docs for k in owners(d)}
    assert keys and all(k == k.lower().strip() for k in keys)
