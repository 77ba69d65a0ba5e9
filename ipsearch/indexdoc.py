"""The flat, pre-analysed record both backends index, built from a PatentDocument.

Text fields (``ti``, ``ab``, ``cl``, ``desc``) are lists: one analysed string per title/abstract
language, per claim and per description paragraph. Elasticsearch keeps a position gap between
list elements and the embedded store keeps one row per element, so proximity (NEAR/ADJ/SAME)
never spans two claims or paragraphs on either backend.
"""

from __future__ import annotations

from typing import Any

from ipsearch.analysis import Analyzer
from ipsearch.expiry import estimate_expiry
from ipsearch.model import PartialDate, Party, PartyRole, PatentDocument, parse_publication_number

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
    parts = tokens.split(" ")
    return tokens if len(parts) <= MAX_ELEMENT_TOKENS else " ".join(parts[:MAX_ELEMENT_TOKENS])


def is_topic_term(token: str) -> bool:
    """A token worth counting as a technology term: has a letter, and 3+ characters (2+ for CJK)."""
    if not any(c.isalpha() for c in token):
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


def build_index_doc(doc: PatentDocument, analyzer: Analyzer) -> dict[str, Any]:
    applicants = doc.parties_of(PartyRole.applicant)
    assignees = doc.parties_of(PartyRole.assignee)
    owners = assignees or applicants
    claims = [c for cs in doc.claims.values() for c in cs]
    main_claims = doc.main_claims()
    paragraphs = [p for d in doc.descriptions for p in d.text.split("\n") if p.strip()][:MAX_PARAGRAPHS]
    analysed = {
        "ti": [analyzer.analyse(t.text) for t in doc.titles],
        "ab": [analyzer.analyse(a.text) for a in doc.abstracts],
        "cl": [analyzer.analyse(c.text) for c in claims],
        "desc": [analyzer.analyse(p) for p in paragraphs],
        "pa": [analyzer.analyse(p.name) for p in _unique_parties(applicants + assignees)],
        "inv": [analyzer.analyse(p.name) for p in doc.parties_of(PartyRole.inventor)],
        "ag": [analyzer.analyse(p.name) for p in doc.parties_of(PartyRole.agent)],
    }
    expiry = estimate_expiry(doc)
    return {
        "pn": doc.id,
        "pn_raw": doc.pn.raw,
        "number": doc.pn.number,
        "pn_base": doc.pn.country + doc.pn.number,
        "an_key": an_key(doc.application_number),
        "country": doc.pn.country,
        "kind": doc.pn.kind,
        "doc_kind": doc.doc_kind.value,
        "application_number": doc.application_number,
        "filing_date": _iso(doc.filing_date),
        "publication_date": _iso(doc.publication_date),
        "priority_date": _iso(doc.priority_date),
        "filing_year": _year(doc.filing_date),
        "publication_year": _year(doc.publication_date),
        "priority_year": _year(doc.priority_date),
        "expiry_date": expiry.isoformat() if expiry else None,
        "expiry_year": expiry.year if expiry else None,
        "load_run": None,  # set by the loader: the load run that wrote this version
        "title": doc.title() or "",
        "abstract": (doc.abstract() or "")[:4000],
        "lang": doc.lang,
        "langs": _unique([t.lang for t in doc.titles] + [a.lang for a in doc.abstracts] + list(doc.claims)),
        **{field: [_cap(v) for v in values if v] for field, values in analysed.items()},
        "ipc": [c.symbol for c in doc.ipc],
        "ipc_section": _unique([c.section for c in doc.ipc]),
        "ipc_class": _unique([c.section + c.cls for c in doc.ipc]),
        "ipc_subclass": _unique([c.subclass_code for c in doc.ipc]),
        "ipc_group": _unique([c.main_group for c in doc.ipc]),
        "cpc": [c.symbol for c in doc.cpc],
        "cpc_subclass": _unique([c.subclass_code for c in doc.cpc]),
        "uspc": doc.uspc,
        "locarno": doc.locarno,
        "applicants": [p.name for p in applicants],
        "applicant_keys": _unique([p.key for p in applicants]),
        "assignees": [p.name for p in assignees],
        "owners": [p.name for p in owners],
        "owner_keys": _unique([p.key for p in owners]),
        "first_applicant": applicants[0].name if applicants else None,
        "inventors": [p.name for p in doc.parties_of(PartyRole.inventor)],
        "agents": [p.name for p in doc.parties_of(PartyRole.agent)],
        "owner_countries": _unique([p.country or "" for p in owners]),
        "owner_regions": _unique([p.province or p.city or "" for p in owners]),
        "owner_places": _unique([f"{p.country or '?'}/{p.province or p.city}" for p in owners
                                 if p.province or p.city]),
        "cited_pns": _unique([c.pn or "" for c in doc.citations]),
        "cited_bases": _unique([cited_base(c.pn) or "" for c in doc.citations if c.pn]),
        "terms": topic_terms(analysed["ti"] + analysed["ab"]),
        "citation_count": len(doc.citations),
        "claim_count": len(main_claims),
        "independent_claim_count": sum(1 for c in main_claims if c.independent),
        "priority_countries": _unique([p.country or "" for p in doc.priorities]),
        "priority_count": len(doc.priorities),
        "family_id": doc.family_id,
        "source_format": doc.source_format,
        "dtd_version": doc.dtd_version,
        "source_file": doc.source_file,
        "synthetic": doc.synthetic,
        "doc": doc.model_dump(mode="json", by_alias=True),
    }


KEYWORD_LIST_FIELDS = (
    "langs", "ipc", "ipc_section", "ipc_class", "ipc_subclass", "ipc_group", "cpc", "cpc_subclass", "uspc",
    "locarno", "applicant_keys", "owner_keys", "owner_countries", "owner_regions", "owner_places", "cited_pns",
    "cited_bases", "priority_countries", "terms",
)
