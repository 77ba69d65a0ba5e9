"""Indicators equal an independent, straightforward Python computation over the parsed documents
(the oracle below reads the XML through the parsers and never touches a backend), on both backends."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from analytics.indicators import compute, concentration, hhi_band
from analytics.industries import INDUSTRIES
from ipsearch.model import PartyRole, PatentDocument
from ipsearch.query.parser import parse_query
from ipsearch.service import SearchService
from loaders.reader import Parsed, read_source
from loaders.sources import expand

SCOPE = "IPC=H01L OR IPC=A61B OR IPC=G06F"
PREFIXES = ("H01L", "A61B", "G06F")


def _owners(doc: PatentDocument) -> list[str]:
    parties = doc.parties_of(PartyRole.assignee) or doc.parties_of(PartyRole.applicant)
    return list(dict.fromkeys(p.key for p in parties if p.key))


@pytest.fixture(scope="module")
def oracle_docs(shared_data_dir: Path) -> list[PatentDocument]:
    docs = [i.doc for src in expand([shared_data_dir / "patents"]) for i in read_source(src) if isinstance(i, Parsed)]
    return [d for d in docs if any(c.subclass_code.startswith(PREFIXES) for c in d.ipc)]


@pytest.mark.parametrize("service_name", ["es_service", "embedded_service"])
def test_indicators_equal_the_oracle(service_name: str, request: pytest.FixtureRequest,
                                     oracle_docs: list[PatentDocument]) -> None:
    service: SearchService = request.getfixturevalue(service_name)
    got = compute(service, SCOPE, by="filing", cutoff=date(2024, 6, 30))
    assert got.total == len(oracle_docs) > 20

    per_year = Counter(d.filing_date.year for d in oracle_docs if d.filing_date and d.filing_date.year)
    owners_per_year: dict[int, set[str]] = {}
    for d in oracle_docs:
        if d.filing_date and d.filing_date.year:
            owners_per_year.setdefault(d.filing_date.year, set()).update(_owners(d))
    assert {y.year: y.documents for y in got.years} == dict(per_year)
    assert {y.year: y.applicants for y in got.years} == {y: len(o) for y, o in owners_per_year.items() if o}
    assert all(y.incomplete == (y.year > 2022) for y in got.years)

    per_owner = Counter(k for d in oracle_docs for k in _owners(d))
    ranked = sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [(a.key, a.documents) for a in got.top_applicants] == ranked[:10]
    total = sum(per_owner.values())
    shares = sorted((n / total * 100 for n in per_owner.values()), reverse=True)
    assert got.concentration.cr4 == pytest.approx(sum(shares[:4]), abs=0.01)
    assert got.concentration.hhi == pytest.approx(sum(s * s for s in shares), abs=0.1)

    countries = Counter(c for d in oracle_docs for c in dict.fromkeys(
        p.country for p in (d.parties_of(PartyRole.assignee) or d.parties_of(PartyRole.applicant)) if p.country))
    assert got.countries == dict(countries)
    groups = Counter(g for d in oracle_docs for g in dict.fromkeys(c.main_group for c in d.ipc))
    assert got.ipc_groups == dict(groups)


def test_concentration_bands() -> None:
    assert hhi_band(1499) == "unconcentrated" and hhi_band(2000) == "moderately concentrated"
    assert hhi_band(2501) == "highly concentrated"
    monopoly = concentration({"a": 10})
    assert (monopoly.cr4, monopoly.hhi, monopoly.cr4_band) == (100.0, 10000.0, "highly oligopolistic")
    even = concentration({str(i): 1 for i in range(20)})
    assert even.hhi == pytest.approx(500.0) and even.cr4 == pytest.approx(20.0) and even.cr4_band == "competitive"


def test_industry_definitions_parse_and_find_documents(es_service: SearchService) -> None:
    assert set(INDUSTRIES) == {"digital-tv", "led", "telecom", "medical-devices", "software"}
    for industry in INDUSTRIES.values():
        parse_query(industry.query)
        for branch in industry.branches:
            parse_query(branch.query)
    assert es_service.matching_ids(INDUSTRIES["medical-devices"].query)
    assert es_service.matching_ids(INDUSTRIES["telecom"].query)
