"""The flat, pre-analysed record both backends index, built from a PatentDocument.

Text fields (``ti``, ``ab``, ``cl``, ``desc``) are lists: one analysed string per title/abstract
language, per claim and per description paragraph. Elasticsearch keeps a position gap between
list elements and the embedded store keeps one row per element, so proximity (NEAR/ADJ/SAME)
never spans two claims or paragraphs on either backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypedDict

from core import regions
from ipsearch.analysis import Analyzer
from ipsearch.expiry import expiry_of
from ipsearch.families import family_keys, provisional_id
from ipsearch.legal import StatusResult, derive_status
from ipsearch.model import PartialDate, Party, PartyRole, PatentDocument, merge_documents, parse_publication_number

TEXT_FIELDS = ("ti", "ab", "cl", "desc", "pa", "inv", "ag")
MAX_PARAGRAPHS = 2000
MAX_ELEMENT_TOKENS = 9000  # below the position gap, so SAME never spans two elements


def _iso(d: PartialDate | None) -> str | None:
    return d.iso.isoformat() if d is not None and d.iso is not None else None


def _year(d: PartialDate | None) -> int | None:
    return d.year if d is not None else None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def an_key(number: str | None) -> str | None:
    """Application numbers compared without punctuation: 202111286633.X -> 202111286633X."""
    return "".join(c for c in number if c.isalnum()).upper() if number else None


def _cap(tokens: str) -> str:
    """At most MAX_ELEMENT_TOKENS tokens; the spaces are counted in C first (no list of tokens for
    the paragraphs, nearly all, that fit)."""
    if tokens.count(" ") < MAX_ELEMENT_TOKENS:
        return tokens
    return " ".join(tokens.split(" ")[:MAX_ELEMENT_TOKENS])


def is_topic_term(token: str) -> bool:
    """A token worth counting as a technology term: has a letter, and 3+ characters (2+ for CJK)."""
    if not (token.isalpha() or any(c.isalpha() for c in token)):  # most tokens are all letters
        return False
    return len(token) >= 3 or (len(token) == 2 and any("\u3400" <= c <= "\u9fff" for c in token))


def topic_terms(analysed: list[str]) -> list[str]:
    """The distinct technology terms of analysed titles and abstracts (emerging-term statistics)."""
    return _unique([t for text in analysed for t in text.split(" ") if is_topic_term(t)])


def cited_base(pn: str) -> str | None:
    """Country + number of a cited publication, so a citation of US1234567 (no kind) or CN1234567A
    finds US1234567B2 or CN1234567B in the corpus (matched against ``pn_base``)."""
    try:
        parsed = parse_publication_number(pn)
    except ValueError:
        return None
    return parsed.country + parsed.number


def _unique_parties(parties: list[Party]) -> list[Party]:
    seen: set[str] = set()
    out = []
    for p in parties:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


class IdentityFields(TypedDict):
    pn: str
    pn_raw: str
    number: str
    pn_base: str
    an_key: str | None
    country: str
    kind: str
    doc_kind: str
    application_number: str | None
    lang: str | None
    langs: list[str]
    family_id: str | None  # the DOCDB id the data carries, else computed (ipsearch.families)
    family_basis: str  # FamilyBasis: "docdb" or "priority"
    family_keys: list[str]  # priority claims and own application, as country + number
    source_format: str
    dtd_version: str | None
    source_file: str | None
    synthetic: bool
    load_run: int | None  # set by the loader: the load run that wrote this version


class DateFields(TypedDict):
    filing_date: str | None
    publication_date: str | None
    priority_date: str | None
    filing_year: int | None
    publication_year: int | None
    priority_year: int | None
    expiry_date: str | None  # from a legal event, else a statutory estimate (ipsearch.expiry)
    expiry_year: int | None
    expiry_basis: str | None  # ExpiryBasis: "event" or "estimate" (None: no expiry)


class LegalFields(TypedDict):
    """The derived status (ipsearch.legal) with its evidence, and the events' dates and codes."""

    legal_status: str  # LegalStatus, as of the day the document was indexed
    legal_status_date: str | None  # the evidence event's date
    legal_status_code: str | None  # the evidence event's code (a national code for REG events)
    legal_event_dates: list[str]
    legal_event_codes: list[str]


class ClassFields(TypedDict):
    ipc: list[str]
    ipc_section: list[str]
    ipc_class: list[str]
    ipc_subclass: list[str]
    ipc_group: list[str]
    cpc: list[str]
    cpc_subclass: list[str]
    uspc: list[str]
    locarno: list[str]


class PartyFields(TypedDict):
    applicants: list[str]
    applicant_keys: list[str]
    assignees: list[str]
    owners: list[str]
    owner_keys: list[str]
    first_applicant: str | None
    inventors: list[str]
    agents: list[str]
    owner_countries: list[str]
    owner_regions: list[str]
    owner_places: list[str]
    owner_divisions: list[str]
    owner_division_keys: list[str]


class TextFields(TypedDict):
    """Display text plus the analysed lists searched by the query language."""

    title: str
    abstract: str
    ti: list[str]
    ab: list[str]
    cl: list[str]
    desc: list[str]
    pa: list[str]
    inv: list[str]
    ag: list[str]
    terms: list[str]


class CitationFields(TypedDict):
    cited_pns: list[str]
    cited_bases: list[str]
    citation_count: int
    claim_count: int
    independent_claim_count: int
    priority_countries: list[str]
    priority_count: int


class IndexRecord(IdentityFields, DateFields, LegalFields, ClassFields, PartyFields, TextFields, CitationFields):
    """What both backends index for one document; ``doc`` is the whole normalised document."""

    doc: dict[str, Any]


def _identity(doc: PatentDocument) -> IdentityFields:
    family_id, basis = provisional_id(doc)  # the writers settle it against the corpus
    return {"pn": doc.id, "pn_raw": doc.pn.raw, "number": doc.pn.number, "pn_base": doc.pn.country + doc.pn.number,
            "an_key": an_key(doc.application_number), "country": doc.pn.country, "kind": doc.pn.kind,
            "doc_kind": doc.doc_kind.value, "application_number": doc.application_number, "lang": doc.lang,
            "langs": _unique([t.lang for t in doc.titles] + [a.lang for a in doc.abstracts] + list(doc.claims)),
            "family_id": family_id, "family_basis": basis.value, "family_keys": family_keys(doc),
            "source_format": doc.source_format, "dtd_version": doc.dtd_version,
            "source_file": doc.source_file, "synthetic": doc.synthetic, "load_run": None}


def _dates(doc: PatentDocument, status: StatusResult) -> DateFields:
    expiry = expiry_of(doc, status)
    day = expiry.date
    return {"filing_date": _iso(doc.filing_date), "publication_date": _iso(doc.publication_date),
            "priority_date": _iso(doc.priority_date), "filing_year": _year(doc.filing_date),
            "publication_year": _year(doc.publication_date), "priority_year": _year(doc.priority_date),
            "expiry_date": day.isoformat() if day else None, "expiry_year": day.year if day else None,
            "expiry_basis": expiry.basis.value if expiry.basis else None}


def _legal(doc: PatentDocument, status: StatusResult) -> LegalFields:
    evidence = status.evidence
    return {"legal_status": status.status.value,
            "legal_status_date": evidence.day.isoformat() if evidence and evidence.day else None,
            "legal_status_code": (evidence.national_code or evidence.code) if evidence else None,
            "legal_event_dates": _unique([e.day.isoformat() for e in doc.legal_events if e.day]),
            "legal_event_codes": _unique([e.code for e in doc.legal_events]
                                         + [e.national_code or "" for e in doc.legal_events])}


def _classes(doc: PatentDocument) -> ClassFields:
    return {"ipc": [c.symbol for c in doc.ipc], "ipc_section": _unique([c.section for c in doc.ipc]),
            "ipc_class": _unique([c.section + c.cls for c in doc.ipc]),
            "ipc_subclass": _unique([c.subclass_code for c in doc.ipc]),
            "ipc_group": _unique([c.main_group for c in doc.ipc]), "cpc": [c.symbol for c in doc.cpc],
            "cpc_subclass": _unique([c.subclass_code for c in doc.cpc]), "uspc": doc.uspc, "locarno": doc.locarno}


def _parties(doc: PatentDocument) -> PartyFields:
    applicants = doc.parties_of(PartyRole.applicant)
    assignees = doc.parties_of(PartyRole.assignee)
    owners = assignees or applicants
    placed = _placed(owners)
    return {"applicants": [p.name for p in applicants], "applicant_keys": _unique([p.key for p in applicants]),
            "assignees": [p.name for p in assignees], "owners": [p.name for p in owners],
            "owner_keys": _unique([p.key for p in owners]),
            "first_applicant": applicants[0].name if applicants else None,
            "inventors": [p.name for p in doc.parties_of(PartyRole.inventor)],
            "agents": [p.name for p in doc.parties_of(PartyRole.agent)],
            "owner_countries": _unique([p.country or "" for p in owners]),
            "owner_regions": _unique([p.province or p.city or "" for p in owners]),
            "owner_places": _unique([f"{p.country or '?'}/{p.province or p.city}" for p in owners
                                     if p.province or p.city]),
            "owner_divisions": _unique([code for code, _ in placed]),
            "owner_division_keys": _unique([f"{code}|{key}" for code, key in placed])}


def _placed(owners: list[Party]) -> list[tuple[str, str]]:
    """(GB/T 2260 code, harmonised name) of each owner with a known place, a prefecture also under
    its province. Indexed as ``owner_divisions`` (``440300`` and ``440000``: a province counts the
    documents of its cities) and ``owner_division_keys`` (``440300|name``: a region's applicants
    are the owners placed there, not their co-owners from elsewhere)."""
    return [(r.code, p.key) for p in owners
            if (region := regions.place(p.country, p.province, p.city, p.address)) is not None
            for r in regions.with_province(region)]


def text_fields(doc: PatentDocument, analyzer: Analyzer) -> TextFields:
    """The analysed fields: all that a change of the analysis changes in a record."""
    paragraphs = [p for d in doc.descriptions for p in d.text.split("\n") if p.strip()][:MAX_PARAGRAPHS]
    parties = _unique_parties(doc.parties_of(PartyRole.applicant) + doc.parties_of(PartyRole.assignee))

    def analysed(texts: list[str]) -> list[str]:
        return [_cap(v) for v in (analyzer.analyse(t) for t in texts) if v]

    def names(people: list[Party]) -> list[str]:  # a party is found by any name the source gives it
        return [_cap(v) for p in people for t in (p.name, *p.aliases) if (v := " ".join(analyzer.name_tokens(t)))]

    ti, ab = analysed([t.text for t in doc.titles]), analysed([a.text for a in doc.abstracts])
    return {"title": doc.title() or "", "abstract": (doc.abstract() or "")[:4000], "ti": ti, "ab": ab,
            "cl": analysed([c.text for cs in doc.claims.values() for c in cs]), "desc": analysed(paragraphs),
            "pa": names(parties), "inv": names(doc.parties_of(PartyRole.inventor)),
            "ag": names(doc.parties_of(PartyRole.agent)), "terms": topic_terms(ti + ab)}


def _citations(doc: PatentDocument) -> CitationFields:
    main_claims = doc.main_claims()
    return {"cited_pns": _unique([c.pn or "" for c in doc.citations]),
            "cited_bases": _unique([cited_base(c.pn) or "" for c in doc.citations if c.pn]),
            "citation_count": len(doc.citations), "claim_count": len(main_claims),
            "independent_claim_count": sum(1 for c in main_claims if c.independent),
            "priority_countries": _unique([p.country or "" for p in doc.priorities]),
            "priority_count": len(doc.priorities)}


def build_index_doc(doc: PatentDocument, analyzer: Analyzer, as_of: dt.date | None = None) -> IndexRecord:
    """The record of ``doc``; its legal status and expiry are derived as of ``as_of`` (today)."""
    status = derive_status(doc, as_of)
    return {**_identity(doc), **_dates(doc, status), **_legal(doc, status), **_classes(doc), **_parties(doc),
            **text_fields(doc, analyzer), **_citations(doc), "doc": doc.model_dump(mode="json", by_alias=True)}


def merged_record(stored: IndexRecord, new: IndexRecord, analyzer: Analyzer) -> IndexRecord:
    """The record of one publication arriving again (full text after bibliographic data, a family
    member after its biblio ...): the documents merged (``ipsearch.model.merge_documents``), the
    family keys of both kept (keys only grow, so families do not depend on arrival order)."""
    doc = merge_documents(PatentDocument.model_validate(stored["doc"]), PatentDocument.model_validate(new["doc"]))
    record = build_index_doc(doc, analyzer)
    keys = (set(stored.get("family_keys") or []) | set(record["family_keys"])) - {record["pn"]}
    record["family_keys"] = sorted(keys) or [record["pn"]]  # the number itself only stands in for no keys
    record["load_run"] = new.get("load_run")
    return record


KEYWORD_LIST_FIELDS = (
    "langs", "ipc", "ipc_section", "ipc_class", "ipc_subclass", "ipc_group", "cpc", "cpc_subclass", "uspc",
    "locarno", "applicant_keys", "owner_keys", "owner_countries", "owner_regions", "owner_places", "owner_divisions",
    "owner_division_keys",
    "cited_pns", "cited_bases", "priority_countries", "terms", "family_keys", "legal_event_dates", "legal_event_codes",
)


def list_field(record: Mapping[str, Any], name: str) -> list[str]:
    """A list field of a record (or of its text fields) chosen by name at run time: the writers
    walk TEXT_FIELDS and KEYWORD_LIST_FIELDS."""
    value = record.get(name)
    return list(value) if value else []
