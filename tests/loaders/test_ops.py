"""EPO OPS responses (shared/data/patents/ops): every file loads with 0 failures; values read off
the XML by hand; full text and bibliographic data of one publication merged whichever arrives
first; a family's members; hostile responses refused whole, with a clear quarantine entry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from core.settings import BackendKind, Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.backends.elastic import ElasticsearchBackend
from ipsearch.backends.embedded import EmbeddedBackend
from ipsearch.indexdoc import IndexRecord, build_index_doc
from ipsearch.model import LegalCategory, PatentDocument
from ipsearch.service import SearchService
from loaders.parsers.ops import EXCHANGE, FULLTEXT, MAX_ITEMS, OPS
from loaders.pipeline import run_load
from loaders.reader import Failure, Parsed, read_source
from loaders.sources import Source, expand


@pytest.fixture(scope="module")
def ops_dir(shared_data_dir: Path) -> Path:
    return shared_data_dir / "patents" / "ops"


@pytest.fixture(scope="module")
def parsed(ops_dir: Path) -> dict[str, list[PatentDocument]]:
    """file name -> its documents, in file order."""
    out: dict[str, list[PatentDocument]] = {}
    for src in expand([ops_dir]):
        items = list(read_source(src))
        assert not [i for i in items if not isinstance(i, Parsed)], src.name
        out[src.path.name] = [i.doc for i in items if isinstance(i, Parsed)]
    return out


def only(parsed: dict[str, list[PatentDocument]], name: str, pn: str) -> PatentDocument:
    docs = [d for d in parsed[name] if d.id == pn]
    assert len(docs) == 1
    return docs[0]


def documents_in(path: Path) -> int:
    """Documents of a response counted straight off the XML: exchange documents outside family
    members, full-text documents, family members."""
    root = etree.parse(str(path)).getroot()
    members = root.findall(f".//{{{OPS}}}family-member")
    nested = sum(len(m.findall(f".//{{{EXCHANGE}}}exchange-document")) for m in members)
    return (len(root.findall(f".//{{{EXCHANGE}}}exchange-document")) - nested
            + len(root.findall(f".//{{{FULLTEXT}}}fulltext-document")) + len(members))


def test_every_ops_file_loads_every_document(ops_dir: Path, parsed: dict[str, list[PatentDocument]]) -> None:
    files = sorted(p.name for p in ops_dir.glob("*.xml"))
    assert len(files) == 9 and sorted(parsed) == files
    assert {name: len(docs) for name, docs in parsed.items()} == {
        name: documents_in(ops_dir / name) for name in files}
    assert sum(len(docs) for docs in parsed.values()) == 15
    assert all(d.source_format == "ops" for docs in parsed.values() for d in docs)


def test_bibliographic_document_read_by_hand(parsed: dict[str, list[PatentDocument]]) -> None:
    doc = only(parsed, "published-biblio_example.xml", "US2006142694A1")
    assert (doc.pn.country, doc.pn.number, doc.pn.kind, doc.doc_kind.value) == ("US", "2006142694", "A1",
                                                                                 "application")
    assert str(doc.publication_date.iso) == "2006-06-29"  # type: ignore[union-attr]
    assert str(doc.filing_date.iso) == "2004-12-28"  # type: ignore[union-attr]  # the epodoc id's date
    assert doc.application_number == "2366704" and doc.family_id == "35840242"
    assert [(t.lang, t.text) for t in doc.titles] == [("en", "Bi-directional steerable catheter control handle")]
    assert [(p.name, p.country) for p in doc.parties if p.role.value == "applicant"] == [
        ("ST. JUDE MEDICAL, ATRIAL FIBRILLATION DIVISION, INC", None)]
    inventors = [(p.name, p.country) for p in doc.parties if p.role.value == "inventor"]
    assert inventors[0] == ("BEDNAREK MICHAEL C", "US") and inventors[-1] == ("BUTLER WILLIAM EMERSON", None)
    assert [c.symbol for c in doc.ipc] == ["A61M 31/00"]
    assert [c.symbol for c in doc.cpc] == ["A61B 5/283", "A61B 5/287", "A61M 25/0136", "A61M 25/0147"]
    assert doc.uspc[:2] == ["600/585", "604/95.01"] and len(doc.uspc) == 9
    assert len(doc.citations) == 99 and doc.citations[0].pn == "US5277199A"
    assert doc.citations[0].cited_by == "examiner"
    assert [(p.country, p.number) for p in doc.priorities] == [("US", "20040023667")]

    grant = only(parsed, "published-full_cycle_example.xml", "EP1000000B1")
    assert grant.doc_kind.value == "grant" and str(grant.publication_date.iso) == "2003-02-12"  # type: ignore[union-attr]
    assert {t.lang for t in grant.titles} == {"de", "en", "fr"}
    assert grant.title("de") == "Vorrichtung zur Herstellung von Steinformlingen für die Ziegelindustrie"  # type: ignore[arg-type]
    assert [c.symbol for c in grant.ipc] == ["B28B 1/29", "B28B 5/02", "B28B 7/00", "H02P 6/08"]
    assert [(p.role.value, p.name, p.country) for p in grant.parties] == [
        ("applicant", "BEHEERMAATSCHAPPIJ DE BOER NIJMEGEN B.V", "NL"),
        ("inventor", "KOSMAN, WILHELMUS JACOBUS MARIA", "NL")]
    assert [(p.country, p.number, p.date.raw) for p in grant.priorities] == [  # type: ignore[union-attr]
        ("NL", "1010536", "19981112")]

    jp = only(parsed, "published-biblio_example_2.xml", "JP2005533465A")
    assert jp.lang == "ja" and jp.titles == [] and "H04N 7/24" in {c.symbol for c in jp.ipc}  # classification-ipc


def test_full_text_documents(parsed: dict[str, list[PatentDocument]]) -> None:
    claims = only(parsed, "published-claims_example.xml", "EP1000000A1")
    assert list(claims.claims) == ["en"] and len(claims.claims["en"]) == 11  # 11 <claim-text> in one <claim>
    first, second = claims.claims["en"][:2]
    assert first.text.startswith("Apparatus for manufacturing green bricks from clay") and first.independent
    assert second.text.startswith("Apparatus as claimed in claim 1") and second.refers_to == [1]
    # "as claimed in any of the foregoing claims" (claims 4, 9 and 10): every earlier claim, not independent
    assert [c.number for c in claims.claims["en"] if c.independent] == [1]
    assert claims.claims["en"][3].refers_to == [1, 2, 3]
    description = only(parsed, "published-description_example.xml", "EP1000000A1")
    paragraphs = description.descriptions[0].text.split("\n")
    assert description.descriptions[0].lang == "en" and len(paragraphs) == 22
    assert paragraphs[0].startswith("The invention relates to an apparatus")  # "[0001]" dropped
    assert paragraphs[-1].startswith("The present invention is of course not limited")


def test_family_members_and_legal_events(parsed: dict[str, list[PatentDocument]]) -> None:
    members = parsed["family-family_input.xml"]
    assert [(d.id, d.family_id) for d in members] == [
        ("EP1000000A1", "19768124"), ("EP1000000B1", "19768124"), ("AT232441T", "19768124"),
        ("DE69905327D1", "19768124"), ("NL1010536C2", "19768124"), ("US6093011A", "19768124")]
    us = members[-1]
    assert us.doc_kind.value == "grant"  # a US "A" publication before 2001 is a grant
    assert (us.application_number, str(us.filing_date.iso)) == ("20685698", "1998-12-08")  # type: ignore[union-attr]
    assert all([(p.country, p.number) for p in d.priorities] == [("NL", "1010536")] for d in members)
    legal = only(parsed, "legal-example_1.xml", "EP1000000A1")
    assert len(legal.legal_events) == 50
    assert len(only(parsed, "legal-example_2.xml", "EP1000000A1").legal_events) == 51  # one SPCF event more
    by_code = {(e.code, e.state): e for e in legal.legal_events}
    grant = by_code[("GRAA", None)]
    assert (str(grant.date.iso), grant.category, grant.office) == ("2002-12-28", LegalCategory.granted, "EP")  # type: ignore[union-attr]
    nl = [e for e in legal.legal_events if e.code == "PG25" and e.state == "NL"][0]
    assert (str(nl.date.iso), str(nl.effective_date.iso), nl.category) == (  # type: ignore[union-attr]
        "2011-08-31", "2011-06-01", LegalCategory.lapsed)
    gb = by_code[("GBPC", "GB")]  # the state comes from "GB: EUROPEAN PATENT CEASED ..."
    assert (str(gb.date.iso), str(gb.effective_date.iso), gb.category) == (  # type: ignore[union-attr]
        "2011-07-27", "2010-11-08", LegalCategory.lapsed)
    designated = by_code[("AK", None)].designated_states
    assert "AT" in designated and "SE" in designated


# --- loaded into the backends ---------------------------------------------------------------

@pytest.fixture
def both(prod_settings: Settings) -> Iterator[tuple[ElasticsearchBackend, EmbeddedBackend]]:
    es, embedded = get_backend(prod_settings, "es"), get_backend(prod_settings, "embedded")
    assert isinstance(es, ElasticsearchBackend) and isinstance(embedded, EmbeddedBackend)
    yield es, embedded
    es.drop()


def test_loaded_ops_documents_merge_and_agree_on_both_backends(
        prod_settings: Settings, ops_dir: Path, both: tuple[ElasticsearchBackend, EmbeddedBackend]) -> None:
    for kind in (BackendKind.elasticsearch, BackendKind.embedded):
        summary = run_load(prod_settings, [ops_dir], backend=kind)
        assert (summary.loaded, summary.failed, summary.skipped) == (15, 0, 0)
    es, embedded = both
    ids = {"US2006142694A1", "JP2005533465A", "AU2013290010A1", "EP1000000A1", "EP1000000B1", "AT232441T",
           "DE69905327D1", "NL1010536C2", "US6093011A"}  # 15 documents, 9 publications
    assert es.ids() == embedded.ids() == ids
    fields = ["family_id", "family_basis", "family_keys", "legal_status", "legal_status_date", "legal_status_code",
              "legal_event_dates", "legal_event_codes", "expiry_date", "expiry_basis", "claim_count", "ti", "cl"]
    for pn in ids:
        a, b = es.get(pn), embedded.get(pn)
        assert a and b and {f: a[f] for f in fields} == {f: b[f] for f in fields}, pn
    merged = embedded.get("EP1000000A1")
    assert merged is not None
    doc = PatentDocument.model_validate(merged["doc"])
    assert doc.title() == "Apparatus for manufacturing green bricks for the brick manufacturing industry"
    assert len(doc.claims["en"]) == 11 and len(doc.descriptions) == 1 and doc.abstracts
    assert len(doc.legal_events) == 51 and doc.family_id == "19768124"  # both legal responses, once each
    assert [c.symbol for c in doc.ipc][:2] == ["B28B 1/29", "B28B 5/02"]
    assert merged["legal_status"] == "lapsed" and merged["expiry_basis"] == "event"
    view = SearchService(embedded).document("EP1000000B1")
    assert view.family_id == "19768124"
    assert {m.pn for m in view.family} == {"EP1000000A1", "AT232441T", "DE69905327D1", "NL1010536C2", "US6093011A"}


def records(parsed: dict[str, list[PatentDocument]], *names: str) -> list[IndexRecord]:
    return [build_index_doc(d, get_analyzer()) for name in names for d in parsed[name]]


def test_full_text_and_biblio_merge_whichever_arrives_first(
        embedded_settings: Settings, tmp_path: Path, parsed: dict[str, list[PatentDocument]]) -> None:
    files = ["published-claims_example.xml", "published-description_example.xml",
             "published-full_cycle_example.xml", "legal-example_1.xml"]
    stored: list[dict[str, Any]] = []
    for order in (files, files[::-1]):
        backend = EmbeddedBackend(tmp_path / f"{len(stored)}.sqlite")
        backend.ensure_index()
        for name in order:  # one write per file, as the loader does
            assert all(o.ok for o in backend.write(enumerate(records(parsed, name))))
        record = backend.get("EP1000000A1")
        assert record is not None
        # the version written last names its file and, in the document, its language
        stored.append({k: v for k, v in record.items() if k not in ("doc", "source_file")} | {"doc": {
            k: v for k, v in record["doc"].items() if k not in ("source_file", "lang")}})
    assert stored[0] == stored[1]
    assert stored[0]["claim_count"] == 11 and stored[0]["desc"] and stored[0]["title"].startswith("Apparatus")


# --- hostile responses -----------------------------------------------------------------------

def family_of(members: int) -> bytes:
    member = ('<ops:family-member family-id="1"><publication-reference><document-id document-id-type="docdb">'
              '<country>XX</country><doc-number>{n}</doc-number><kind>A</kind><date>20200101</date></document-id>'
              '</publication-reference></ops:family-member>')
    body = "".join(member.format(n=n) for n in range(1, members + 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><ops:world-patent-data xmlns="{EXCHANGE}" xmlns:ops="{OPS}">'
            f'<ops:patent-family>{body}</ops:patent-family></ops:world-patent-data>').encode()


def hostile_responses(ops_dir: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, what the quarantine entry says)."""
    legal = (ops_dir / "legal-example_1.xml").read_bytes()
    biblio = (ops_dir / "published-biblio_example_3.xml").read_bytes()
    return {
        "truncated.xml": (legal[: len(legal) // 2], "truncated or malformed OPS response"),
        "unknown-namespace.xml": (biblio.replace(f'xmlns="{EXCHANGE}"'.encode(), b'xmlns="urn:not-ops"'),
                                  "unknown namespace 'urn:not-ops'"),
        "foreign-element.xml": (biblio.replace(b"</bibliographic-data>",
                                               b'<x:payload xmlns:x="urn:evil"/></bibliographic-data>'),
                                "unknown namespace 'urn:evil' at <payload>"),
        "register.xml": (biblio.replace(f'xmlns="{EXCHANGE}"'.encode(), b'xmlns="http://www.epo.org/register"'),
                         "OPS EP register data"),
        "huge-family.xml": (family_of(50_000), f"more than {MAX_ITEMS} family members"),
        "entities.xml": (biblio.replace(b"<ops:world-patent-data", b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                                                   b"<ops:world-patent-data", 1),
                         "unsafe XML: the DOCTYPE declares entities"),
        "network-dtd.xml": (biblio.replace(b"<ops:world-patent-data", b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">'
                                                                      b"<ops:world-patent-data", 1),
                            "unsafe XML: the DOCTYPE points at 'http://127.0.0.1:9/x.dtd'"),
    }


def test_hostile_responses_are_refused_whole(embedded_settings: Settings, ops_dir: Path, tmp_path: Path) -> None:
    cases = hostile_responses(ops_dir)
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, (data, _) in cases.items():
        (folder / name).write_bytes(data)
        items = list(read_source(Source(folder / name)))
        assert len(items) == 1 and isinstance(items[0], Failure), name  # nothing before or after the refusal
    (folder / "zz-good.xml").write_bytes((ops_dir / "published-biblio_example.xml").read_bytes())
    summary = run_load(embedded_settings, [folder], backend=BackendKind.embedded)
    assert (summary.loaded, summary.failed) == (1, len(cases))
    assert get_backend(embedded_settings, "embedded").ids() == {"US2006142694A1"}
    assert summary.quarantine is not None
    lines = Path(summary.quarantine).read_text().splitlines()
    entries = {Path(e["file"]).name: e["error"] for e in map(json.loads, lines)}
    assert set(entries) == set(cases)
    for name, (_, expected) in cases.items():
        assert expected in entries[name], entries[name]
        if not expected.startswith("unsafe XML"):
            assert entries[name].startswith("refused OPS response: ") and "nothing from it was loaded" in entries[name]


def test_a_file_of_several_responses_loads_each(tmp_path: Path, ops_dir: Path) -> None:
    """Responses concatenated in one file: a refused one costs only itself."""
    good = (ops_dir / "published-full_cycle_example.xml").read_bytes()
    bad = (ops_dir / "legal-example_1.xml").read_bytes()[:5000]
    path = tmp_path / "several.xml"
    path.write_bytes(good + b"\n" + bad + b"\n" + (ops_dir / "published-biblio_example_3.xml").read_bytes())
    items = list(read_source(Source(path)))
    assert [i.doc.id if isinstance(i, Parsed) else "failure" for i in items] == [
        "EP1000000A1", "EP1000000B1", "failure", "AU2013290010A1"]


# --- offices without a sample (synthetic documents) -------------------------------------------

OFFICES = [("WO", "A1", "application", "fr"), ("GB", "B", "grant", "en"), ("FR", "B1", "grant", "fr"),
           ("CH", "B1", "grant", "de"), ("KR", "B1", "grant", "ko"), ("RU", "C2", "grant", "ru"),
           ("DE", "U1", "utility_model", "de"), ("RU", "U1", "utility_model", "ru"), ("CN", "A", "application", "zh")]


def synthetic_exchange_document(country: str, kind: str, lang: str) -> bytes:
    """A SYNTHETIC one-document OPS bibliographic response for an office the shared data has no
    sample of, shaped like the real ones (published-biblio_example*.xml)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><ops:world-patent-data xmlns="{EXCHANGE}" xmlns:ops="{OPS}">'
            f'<exchange-documents><exchange-document system="ops.epo.org" family-id="990001" country="{country}" '
            f'doc-number="1234567" kind="{kind}"><bibliographic-data><publication-reference>'
            f'<document-id document-id-type="docdb"><country>{country}</country><doc-number>1234567</doc-number>'
            f'<kind>{kind}</kind><date>20210304</date></document-id></publication-reference>'
            f'<application-reference><document-id document-id-type="docdb"><country>{country}</country>'
            f'<doc-number>20190001</doc-number><date>20190102</date></document-id></application-reference>'
            f'<invention-title lang="{lang}">Synthetic title {country}</invention-title>'
            f'<parties><applicants><applicant sequence="1" data-format="docdb"><applicant-name>'
            f'<name>SYNTHETIC APPLICANT</name></applicant-name></applicant></applicants></parties>'
            f'</bibliographic-data></exchange-document></exchange-documents></ops:world-patent-data>').encode()


@pytest.mark.parametrize(("country", "kind", "doc_kind", "lang"), OFFICES)
def test_offices_without_a_sample_load_from_ops(tmp_path: Path, country: str, kind: str, doc_kind: str,
                                               lang: str) -> None:
    path = tmp_path / f"synthetic-{country}-{kind}.xml"
    path.write_bytes(synthetic_exchange_document(country, kind, lang))
    items = list(read_source(Source(path)))
    assert [type(i) for i in items] == [Parsed]
    doc = items[0].doc  # type: ignore[union-attr]
    assert (doc.id, doc.doc_kind.value, doc.family_id) == (f"{country}1234567{kind}", doc_kind, "990001")
    assert str(doc.publication_date.iso) == "2021-03-04"  # type: ignore[union-attr]
    assert [(t.lang, t.text) for t in doc.titles] == [(lang, f"Synthetic title {country}")]
