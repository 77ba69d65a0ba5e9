"""Every indicator equals an independent, straightforward Python computation over the parsed
documents (tests/analytics/oracle.py reads the XML through the parsers and never touches a
backend), on both backends: the real corpus, and a synthetic corpus loaded in two runs whose
documents cite each other (citations received within the corpus)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.indicators import (
    IndicatorParams,
    Indicators,
    annual_rate,
    compute,
    concentration,
    hhi_band,
    last_complete_year,
    life_cycle_stage,
    windows,
)
from analytics.industries import INDUSTRIES
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
from tests.analytics.oracle import Oracle, expiry, owners, terms_of, year_of

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


def check_against_oracle(got: Indicators, o: Oracle, params: IndicatorParams) -> None:
    basis = params.basis
    assert got.total == len(o.docs)
    for b in ("filing", "priority", "publication"):
        assert got.trends[b] == dict(o.per_year(b)), b
    per_year = o.per_year(basis)
    assert {y.year: y.documents for y in got.years} == dict(per_year)
    assert {y.year: y.applicants for y in got.years if y.applicants} == o.applicants_per_year(basis)
    last = last_complete_year(basis, params.cutoff)
    assert all(y.incomplete == (y.year > last) for y in got.years)
    for y in got.years:
        prev = per_year.get(y.year - 1)
        assert y.growth == (round((per_year[y.year] - prev) / prev * 100, 2) if prev else None)

    recent_span, earlier_span = windows(last, params.window)
    recent = sum(n for y, n in per_year.items() if recent_span[0] <= y <= recent_span[1])
    earlier = sum(n for y, n in per_year.items() if earlier_span[0] <= y <= earlier_span[1])
    assert (got.growth.recent, got.growth.earlier) == (recent, earlier)
    all_years = o.per_year(basis, [d for d in o.corpus if d.publication_date and d.publication_date.iso
                                   and d.publication_date.iso <= params.cutoff])
    all_recent = sum(n for y, n in all_years.items() if recent_span[0] <= y <= recent_span[1])
    all_earlier = sum(n for y, n in all_years.items() if earlier_span[0] <= y <= earlier_span[1])
    if recent and earlier:
        assert got.growth.annual_rate == pytest.approx(((recent / earlier) ** (1 / params.window) - 1) * 100,
                                                       abs=0.01)
        assert got.growth.relative_growth_rate == pytest.approx((recent / earlier) / (all_recent / all_earlier),
                                                                abs=0.001)
    else:
        assert got.growth.relative_growth_rate is None
    expected_stage = life_cycle_stage(
        (earlier, recent), (o.applicants_between(basis, *earlier_span), o.applicants_between(basis, *recent_span)))
    assert got.life_cycle.stage == expected_stage.stage

    per_owner = o.per_owner()
    ranked = sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(a.key, a.documents) for a in got.top_applicants] == ranked[:params.top]
    total = sum(per_owner.values())
    shares = sorted((n / total * 100 for n in per_owner.values()), reverse=True)
    assert got.concentration.cr4 == pytest.approx(sum(shares[:4]), abs=0.01)
    assert got.concentration.hhi == pytest.approx(sum(s * s for s in shares), abs=0.1)
    assert got.applicant_count == len(per_owner)

    first = o.first_years(basis)
    entrants = sorted(((k, fy, per_owner[k]) for k, fy in first.items()
                       if fy >= params.cutoff.year - params.window + 1), key=lambda e: (-e[2], e[0]))
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
        if r >= params.min_hotspot_documents:
            hot.append((-round((r - e) / max(e, 1), 3), -r, code))
    assert [(h.code, h.recent) for h in got.hotspots] == [(c, -r) for _, r, c in sorted(hot)[:params.top]]

    recent_docs, earlier_docs = o.in_years(basis, *recent_span), o.in_years(basis, *earlier_span)
    recent_terms = {}
    for d in recent_docs:
        for t in terms_of(d):
            recent_terms[t] = recent_terms.get(t, 0) + 1
    candidates = sorted(recent_terms.items(), key=lambda kv: (-kv[1], kv[0]))[:params.emerging_candidates]
    rows = []
    for t, n in candidates:
        e = sum(1 for d in earlier_docs if t in terms_of(d))
        change = n / len(recent_docs) * 100 - (e / len(earlier_docs) * 100 if earlier_docs else 0)
        rows.append((-round(change, 2), -n, t, e))
    rows.sort()
    assert [(t.term, t.recent, t.earlier) for t in got.emerging_terms] == [(t, -n, e) for _, n, t, e in
                                                                           rows[:params.top]]

    keyed = sorted(o.docs, key=lambda d: (-o.cited_by(d), -len(d.main_claims()), -len(d.priorities), d.id))
    assert [(k.pn, k.cited_by, k.claim_count) for k in got.key_patents] == [
        (d.id, o.cited_by(d), len(d.main_claims())) for d in keyed[:params.top]]

    assert got.expiry.per_year == dict(o.expiry_years())
    until = plus_years(params.cutoff, params.expiring_within_years)
    expiring = o.expiring(until)
    assert got.expiry.expiring_soon == len(expiring)
    soonest = sorted(expiring, key=lambda d: (expiry(d), d.id))[:params.top]
    assert [k.pn for k in got.expiry.soonest] == [d.id for d in soonest]


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
@pytest.mark.parametrize("basis", ["filing", "publication"])
def test_real_corpus_indicators_equal_the_oracle(service_name: str, basis: str, request: pytest.FixtureRequest,
                                                 real_docs: list[PatentDocument]) -> None:
    service: SearchService = request.getfixturevalue(service_name)
    params = IndicatorParams(basis=basis, cutoff=CUTOFF, home_country="US", window=4,  # type: ignore[arg-type]
                             min_hotspot_documents=1)
    got = compute(service, SCOPE, params)
    o = Oracle.build(real_docs, in_scope, CUTOFF)
    assert len(o.docs) > 150
    check_against_oracle(got, o, params)
    # the corpus is real: the indicators are not empty
    assert got.top_applicants and got.countries and got.regions.domestic and got.regions.foreign
    assert got.emerging_terms and got.hotspots and got.expiry.per_year


def test_period_and_cutoff_restrict_every_count(es_service: SearchService, real_docs: list[PatentDocument]) -> None:
    cutoff = dt.date(2015, 12, 31)
    params = IndicatorParams(cutoff=cutoff, from_year=2005, to_year=2013, home_country="US")
    got = compute(es_service, SCOPE, params)

    def in_period(d: PatentDocument) -> bool:
        y = year_of(d, "filing")
        return in_scope(d) and y is not None and 2005 <= y <= 2013

    o = Oracle.build(real_docs, in_period, cutoff)
    assert 0 < got.total == len(o.docs) < len(Oracle.build(real_docs, in_scope, CUTOFF).docs)
    check_against_oracle(got, o, params)


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
    o = Oracle.build(docs, lambda d: any(c.symbol.startswith(led) for c in d.ipc), cutoff)
    check_against_oracle(got, o, params)
    assert got.key_patents[0].cited_by >= 2  # citations from the second run reached the first run's documents
    assert got.regions.domestic and got.regions.foreign and any(p.startswith("CN/") for p in got.regions.places)


def test_concentration_bands() -> None:
    assert hhi_band(1499) == "unconcentrated" and hhi_band(2000) == "moderately concentrated"
    assert hhi_band(2501) == "highly concentrated"
    monopoly = concentration({"a": 10})
    assert (monopoly.cr4, monopoly.hhi, monopoly.cr4_band) == (100.0, 10000.0, "highly oligopolistic")
    even = concentration({str(i): 1 for i in range(20)})
    assert even.hhi == pytest.approx(500.0) and even.cr4 == pytest.approx(20.0) and even.cr4_band == "competitive"


def test_life_cycle_stages_and_growth() -> None:
    assert life_cycle_stage((2, 5), (1, 3)).stage == "inception"  # few of both
    assert life_cycle_stage((100, 150), (20, 30)).stage == "growth"
    assert life_cycle_stage((150, 160), (30, 24)).stage == "maturity"  # applicants fall first
    assert life_cycle_stage((150, 100), (30, 20)).stage == "decline"
    assert annual_rate(121, 100, 2) == pytest.approx(10.0) and annual_rate(5, 0, 3) is None
    assert last_complete_year("filing", dt.date(2024, 6, 30)) == 2022
    assert last_complete_year("publication", dt.date(2024, 6, 30)) == 2023
    assert last_complete_year("publication", dt.date(2024, 12, 31)) == 2024


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
