"""Legal status: INPADOC events categorised by the documented table, the current status derived
with its evidence, expiry from a lapse event rather than the statutory term, and the LS / LSD
search fields on both backends (over the real corpus)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ipsearch.expiry import ExpiryBasis, estimate_expiry, expiry_of
from ipsearch.legal import categorise, derive_status, event_from_parts
from ipsearch.model import (
    DocKind,
    LegalCategory,
    LegalEvent,
    LegalStatus,
    PartialDate,
    PatentDocument,
    merge_documents,
)
from ipsearch.service import SearchService
from loaders.reader import Parsed, read_source
from loaders.sources import Source

C = LegalCategory


def parse_one(path: Path, pn: str) -> PatentDocument:
    docs = [i.doc for i in read_source(Source(path)) if isinstance(i, Parsed) and i.doc.id == pn]
    assert len(docs) == 1
    return docs[0]


@pytest.fixture(scope="module")
def ep1000000(shared_data_dir: Path) -> PatentDocument:
    """EP1000000A1 as loaded: bibliographic data merged with both legal responses."""
    ops = shared_data_dir / "patents" / "ops"
    doc = parse_one(ops / "published-full_cycle_example.xml", "EP1000000A1")
    for name in ("legal-example_1.xml", "legal-example_2.xml"):
        doc = merge_documents(doc, parse_one(ops / name, "EP1000000A1"))
    return doc


# (office, code, national code, state, wording) as the OPS files give them -> category
@pytest.mark.parametrize("office,code,national,state,wording,expected", [
    ("EP", "GRAA", None, None, "(EXPECTED) GRANT", C.granted),
    ("EP", "GRAH", None, None, "DESPATCH OF COMMUNICATION OF INTENTION TO GRANT A PATENT", C.other),
    ("EP", "PG25", None, "NL", "LAPSED IN A CONTRACTING STATE [ANNOUNCED VIA POSTGRANT INFORMATION]", C.lapsed),
    ("EP", "REG", "FG4D", "GB", "EUROPEAN PATENT GRANTED", C.granted),
    ("EP", "REG", "MM4A", "IE", "PATENT LAPSED", C.lapsed),
    ("EP", "REG", "SPCF", "BE", "SUPPLEMENTARY PROTECTION CERTIFICATE FILED", C.other),
    ("EP", "EN", None, "FR", "FR: TRANSLATION NOT FILED", C.lapsed),
    ("EP", "BECN", None, "BE", "BE: CHANGE OF HOLDER'S NAME", C.other),
    ("EP", "PUAI", None, None, "PUBLIC REFERENCE MADE UNDER ARTICLE 153(3) EPC", C.published),
    ("EP", "17P", None, None, "REQUEST FOR EXAMINATION FILED", C.other),
    ("EP", "STAA", None, None, "STATUS: NO OPPOSITION FILED WITHIN TIME LIMIT", C.other),
    ("EP", "STAA", None, None, "STATUS: THE APPLICATION HAS BEEN WITHDRAWN", C.withdrawn),
    ("CN", "C06", None, None, "PUBLICATION", C.published),
    ("CN", "C02", None, None, "DEEMED WITHDRAWAL OF PATENT APPLICATION AFTER PUBLICATION", C.withdrawn),
    ("CN", "REG", "DE", "HK", "REQUESTS TO DESIGNATE PATENT IN HONG KONG", C.other),
    # codes not in the table: the wording decides
    ("DE", "R119", None, None, "APPLICATION DEEMED WITHDRAWN BECAUSE OF NON-PAYMENT", C.withdrawn),
    ("JP", "XX01", None, None, "PATENT RIGHT REINSTATED", C.reinstated),
    ("GB", "XX02", None, None, "PATENT REVOKED", C.revoked),
    ("KR", "XX03", None, None, "EXPIRATION OF TERM", C.expired),
    ("US", "XX04", None, None, "EXCLUSIVE LICENSE RECORDED", C.licensed),
    ("US", "XX05", None, None, "ASSIGNMENT OF ASSIGNORS INTEREST", C.transferred),
])
def test_categories_from_codes_and_wording(office: str, code: str, national: str | None, state: str | None,
                                           wording: str, expected: LegalCategory) -> None:
    event = event_from_parts(office, code, wording if code != "STAA" else "INFORMATION ON THE STATUS",
                             "20200101", national_code=national, national_description=wording if national else "",
                             state=state, text=wording if code == "STAA" else "")
    assert event.category is expected
    assert categorise(office, code, national, state, wording) is expected


def test_lapsed_ep_patent_status_and_expiry_come_from_its_events(ep1000000: PatentDocument) -> None:
    assert len(ep1000000.legal_events) == 51  # 50 + the SPCF event only the second response has
    status = derive_status(ep1000000, as_of=dt.date(2025, 1, 1))
    assert status.status is LegalStatus.lapsed and status.granted and status.ended_by_event
    evidence = status.evidence
    assert evidence is not None and (evidence.code, evidence.state) == ("PG25", "NL")  # the last state to lapse
    assert (str(evidence.date.iso), str(status.ended)) == ("2011-08-31", "2011-06-01")  # type: ignore[union-attr]
    expiry = expiry_of(ep1000000, status)
    assert (expiry.date, expiry.basis) == (dt.date(2011, 6, 1), ExpiryBasis.event)
    as_grant = ep1000000.model_copy(update={"doc_kind": DocKind.grant})
    assert estimate_expiry(as_grant) == dt.date(2019, 11, 8)  # the statutory term it did not reach
    # before the last designated state lapsed (2011-06-01), the patent was still in force somewhere
    earlier = ep1000000.model_copy(update={"legal_events": [
        e for e in ep1000000.legal_events if (e.day or dt.date.min) < dt.date(2011, 1, 1)]})
    still = derive_status(earlier, as_of=dt.date(2011, 1, 1))
    assert still.status is LegalStatus.in_force and still.evidence is not None
    assert still.evidence.code == "GRAA"


def event(code: str, wording: str, date: str, state: str | None = None,
          designated: list[str] | None = None) -> LegalEvent:
    return event_from_parts("EP", code, wording, date, state=state, designated=designated)


def test_status_rules(ep1000000: PatentDocument) -> None:
    base = ep1000000.model_copy(update={"legal_events": []})
    assert derive_status(base, dt.date(2005, 1, 1)).status is LegalStatus.pending  # the A1 publication
    assert derive_status(base, dt.date(2025, 1, 1)).status is LegalStatus.expired  # past a grant's term
    granted = [event("AK", "DESIGNATED CONTRACTING STATES", "20000517", designated=["DE", "FR"]),
               event("GRAA", "(EXPECTED) GRANT", "20030212")]

    def status(*events: LegalEvent) -> tuple[LegalStatus, str | None]:
        result = derive_status(base.model_copy(update={"legal_events": [*granted, *events]}), dt.date(2010, 1, 1))
        return result.status, str(result.ended) if result.ended else None

    assert status() == (LegalStatus.in_force, None)
    lapsed_de = event("PG25", "LAPSED IN A CONTRACTING STATE", "20050101", "DE")
    assert status(lapsed_de) == (LegalStatus.in_force, None)  # FR remains
    assert status(lapsed_de, event("PG25", "LAPSED IN A CONTRACTING STATE", "20060101", "FR")) == (
        LegalStatus.lapsed, "2006-01-01")
    assert status(event("XREV", "PATENT REVOKED", "20060101")) == (LegalStatus.lapsed, "2006-01-01")
    assert status(event("XLAP", "PATENT LAPSED", "20060101"), event("XRE", "RIGHTS REINSTATED", "20060601")) == (
        LegalStatus.in_force, None)
    assert status(event("XEXP", "EXPIRATION OF TERM", "20080101")) == (LegalStatus.expired, "2008-01-01")
    bare = base.model_copy(update={"doc_kind": DocKind.other, "publication_date": None})
    assert derive_status(bare).status is LegalStatus.unknown and derive_status(bare).evidence is None


def test_national_format_status_information(shared_data_dir: Path) -> None:
    """LexisNexis documents carry INPADOC events (legal-data); CN101096965A was deemed withdrawn."""
    doc = parse_one(shared_data_dir / "patents" / "cnipa" / "CN101096965A.xml", "CN101096965A")
    assert [(e.date.raw, e.code, e.category) for e in doc.legal_events] == [  # type: ignore[union-attr]
        ("20080102", "C06", C.published), ("20080227", "C10", C.other), ("20081219", "REG", C.other),
        ("20101124", "C02", C.withdrawn)]
    assert doc.legal_events[2].state == "HK"
    status = derive_status(doc)
    assert status.status is LegalStatus.lapsed and status.evidence is not None and status.evidence.code == "C02"
    expiry = expiry_of(doc, status)
    assert (expiry.date, expiry.basis) == (None, None)  # never granted: no right to expire


def test_expiry_basis_is_an_estimate_without_events() -> None:
    doc = PatentDocument.model_validate({
        "pn": {"country": "US", "number": "1", "kind": "B2", "raw": "US1B2"}, "doc_kind": "grant",
        "filing_date": PartialDate.parse("20100105"), "publication_date": PartialDate.parse("20130105"),
        "source_format": "test"})
    status = derive_status(doc, dt.date(2020, 1, 1))
    assert status.status is LegalStatus.in_force and status.evidence is not None and status.evidence.code == "B2"
    assert expiry_of(doc, status) == expiry_of(doc, derive_status(doc, dt.date(2031, 1, 1)))
    assert expiry_of(doc, status).basis is ExpiryBasis.estimate and expiry_of(doc, status).date == dt.date(2030, 1, 5)
    assert derive_status(doc, dt.date(2031, 1, 1)).status is LegalStatus.expired


@pytest.mark.parametrize("query,expected", [
    ("LS=lapsed", {"CN101096965A", "EP1000000A1"}),
    ("LSD=2011", {"EP1000000A1"}),
    ("LSD=2010-11-24", {"CN101096965A"}),
    ("法律状态日>=2022-09-27", {"EP1000000A1"}),  # the SPCF event of the second legal response
    ("LS=unknown", {"AT232441T", "DE69905327D1"}),
    ("LS=lapsed AND LSD=2011", {"EP1000000A1"}),
])
def test_legal_search_fields(query: str, expected: set[str], es_service: SearchService,
                             embedded_service: SearchService) -> None:
    assert es_service.matching_ids(query) == embedded_service.matching_ids(query) == expected


def test_lapsed_patent_record_says_its_expiry_comes_from_an_event(es_service: SearchService,
                                                                    embedded_service: SearchService) -> None:
    for service in (es_service, embedded_service):
        record = service.backend.get("EP1000000A1")
        assert record is not None
        assert (record["legal_status"], record["legal_status_code"], record["legal_status_date"]) == (
            "lapsed", "PG25", "2011-08-31")
        assert (record["expiry_date"], record["expiry_basis"]) == ("2011-06-01", "event")
