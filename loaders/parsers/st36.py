"""WIPO ST.36-style documents: USPTO grants and applications v4.x, CNIPA ``cn-patent-document``,
JPO ``jp-official-gazette``, the LexisNexis repackaging and DOCDB ``exchange-document``.

They share element names (publication-reference, classification-ipcr, addressbook, claims ...)
with office-specific wrappers; ``Profile`` names the differences.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ipsearch.legal import event_from_parts
from ipsearch.model import (
    Citation,
    DocKind,
    LangText,
    LegalEvent,
    PartialDate,
    Party,
    PartyRole,
    PatentDocument,
    Priority,
    normalise_uspc,
    normalised_number,
    parse_ipc,
)
from loaders.parsers.common import (
    El,
    Front,
    MissingField,
    add_texts,
    addressbook_party,
    child,
    children,
    clean,
    find_all,
    first_text,
    first_value,
    ipcr_from,
    make_party,
    new_document,
    paragraphs,
    prose,
    text_of,
    unique_codes,
)


@dataclass(frozen=True)
class Profile:
    source_format: str
    bib: tuple[str, ...]
    default_lang: str
    default_country: str | None = None
    docdb_format: bool = False  # DOCDB repeats data in several data-format variants


PROFILES: dict[str, Profile] = {
    "us-patent-grant": Profile("uspto-grant", ("us-bibliographic-data-grant",), "en", "US"),
    "us-patent-application": Profile("uspto-application", ("us-bibliographic-data-application",), "en", "US"),
    "cn-patent-document": Profile("cnipa-old", ("cn-bibliographic-data",), "zh", "CN"),
    "jp-official-gazette": Profile("jpo", ("bibliographic-data",), "ja", "JP"),
    "lexisnexis-patent-document": Profile("lexisnexis", ("bibliographic-data",), "en"),
    "exchange-document": Profile("docdb", ("bibliographic-data",), "en", docdb_format=True),
}
# DOCDB exchange documents inside EPO OPS responses (loaders.parsers.ops): no default language.
OPS_PROFILE = Profile("ops", ("bibliographic-data",), "", docdb_format=True)

_LANG_MAP = {"eng": "en", "chi": "zh", "zho": "zh", "jpn": "ja", "ger": "de", "deu": "de", "fre": "fr",
             "fra": "fr", "kor": "ko", "cn": "zh", "jp": "ja"}


def norm_lang(value: str | None, default: str) -> str:
    v = (value or "").strip().lower()
    return _LANG_MAP.get(v, v) or default


# DOCDB's data formats, the preferred first: as applied, as harmonised, as filed.
DOCDB_FORMATS = ("docdba", "docdb", "original")


def _variants(el: El | None, path: str, docdb: bool) -> list[El]:
    """Elements at ``path``; for DOCDB only the 'docdb' (or 'docdba' for names) variant."""
    if el is None:
        return []
    found = find_all(el, path)
    if not docdb:
        return found
    for fmt in DOCDB_FORMATS:
        chosen = [e for e in found if e.get("data-format") == fmt]
        if chosen:
            return chosen
    return found


def document_id(ref: El | None) -> El | None:
    """The ``document-id`` of a reference: the DOCDB one when OPS gives several types."""
    if ref is None:
        return None
    ids = list(ref.iterchildren("document-id"))
    return next((i for i in ids if i.get("document-id-type") == "docdb"), ids[0] if ids else None)


def any_date(ref: El | None) -> str:
    """The first date any ``document-id`` of a reference gives (OPS dates only the epodoc one)."""
    return next((d for el in (ref.iter("date") if ref is not None else ()) if (d := clean(el.text))), "")


def parse(root: El, profile: Profile | None = None) -> PatentDocument:
    profile = profile or PROFILES[root.tag]
    bib = next((b for tag in profile.bib if (b := child(root, tag)) is not None), None)
    if bib is None:
        raise MissingField(f"<{root.tag}> has no bibliographic data")
    doc = identity(root, bib, profile)
    _add_texts(doc, root, bib, profile.docdb_format)
    add_bibliographic(doc, root, bib, profile.docdb_format)
    return doc


def add_bibliographic(doc: PatentDocument, root: El, bib: El, docdb: bool) -> None:
    """Classifications, parties, citations, priorities and legal events."""
    _add_classifications(doc, bib)
    doc.parties = list(_parties(bib))
    doc.citations = list(_citations(bib, root, docdb))
    doc.priorities = list(priorities(bib, docdb))
    doc.priority_date = doc.earliest_priority()
    doc.legal_events = list(_legal_events(child(root, "legal-data"), doc.pn.country))


def identity(root: El, bib: El, profile: Profile) -> PatentDocument:
    """Numbers, dates, kind and language: the document's identity."""
    docdb = profile.docdb_format
    pub_refs = _variants(bib, "publication-reference", docdb) or _variants(bib, "cn-publication-reference", docdb)
    pub = document_id(pub_refs[0]) if pub_refs else None
    pub_kids = children(pub)
    country = first_value(pub_kids, "country") or root.get("country") or profile.default_country or ""
    number = first_value(pub_kids, "doc-number") or root.get("doc-number", "")
    kind = first_value(pub_kids, "kind")
    if profile.source_format == "jpo" or (kind and not kind.isascii()):
        kind = root.get("kind-of-st16") or root.get("kind-of-jp") or ""
    app_refs = _variants(bib, "application-reference", docdb) or _variants(bib, "cn-application-reference", docdb)
    app_id = document_id(app_refs[0]) if app_refs else None
    app_kids = children(app_id)
    front = Front(country, number, kind, first_value(app_kids, "doc-number"),
                  first_value(app_kids, "date") or (any_date(app_refs[0]) if app_refs else ""),
                  first_value(pub_kids, "date") or root.get("date-publ") or (any_date(pub_refs[0]) if pub_refs else ""))
    return new_document(front, lang=norm_lang(root.get("lang"), profile.default_lang),
                        source_format=profile.source_format,
                        dtd_version=root.get("dtd-version") or root.get("schema-version"),
                        kind_hint=app_refs[0].get("appl-type") if app_refs else None,
                        family_id=root.get("family-id") or _lexis_family(root, profile))


def _add_texts(doc: PatentDocument, root: El, bib: El, docdb: bool) -> None:
    lang = doc.lang or ""  # set by _identity from the root or the profile
    for el in _variants(bib, "invention-title", docdb):
        title = prose(text_of(el))
        if title:
            doc.titles.append(LangText(lang=norm_lang(el.get("lang"), lang), text=title))
    body = child(root, "application-body")
    add_texts(doc, body if body is not None else root, lang, norm=norm_lang)
    for el in bib.iterchildren("abstract"):  # CNIPA's old format keeps the abstract in the bibliographic data
        if text := paragraphs(el):
            doc.abstracts.append(LangText(lang=norm_lang(el.get("lang"), lang), text=text))


def _add_classifications(doc: PatentDocument, bib: El) -> None:
    ipc = [ipcr_from(e) for e in bib.iter("classification-ipcr")]
    for old in bib.iterchildren("classification-ipc"):
        for tag in ("main-classification", "further-classification", "main-clsf", "further-clsf", "text"):
            ipc.extend(parse_ipc(e.text or "") for e in old.iterchildren(tag))
    doc.ipc = unique_codes(ipc)
    cpc = [ipcr_from(e) for e in bib.iter("classification-cpc")]
    for pc in bib.iter("patent-classification"):
        scheme = _scheme(pc)
        symbol = first_text(pc, "classification-symbol")
        if scheme.startswith("CPC"):
            cpc.append(parse_ipc(symbol) if symbol else ipcr_from(pc))
        elif scheme == "UC" and doc.pn.country == "US" and symbol:  # OPS: US classification
            doc.uspc.append(symbol)
    doc.cpc = unique_codes(cpc)
    if doc.pn.country == "US":
        for nat in bib.iterchildren("classification-national"):
            for tag in ("main-classification", "further-classification"):
                doc.uspc.extend(u for e in nat.iterchildren(tag) if (u := normalise_uspc(e.text or "")))
    for loc in bib.iterchildren("classification-locarno"):
        value = first_text(loc, "main-classification")
        if value:
            doc.locarno.append(value)


def _scheme(pc: El) -> str:
    """The scheme of a ``patent-classification``: its text (DOCDB) or its ``scheme`` attribute (OPS)."""
    sch = child(pc, "classification-scheme")
    return (first_text(pc, "classification-scheme") or (sch.get("scheme", "") if sch is not None else "")).upper()


def _lexis_family(root: El, profile: Profile) -> str | None:
    """The family id LexisNexis keeps deep in the document (searched only in that format)."""
    if profile.source_format != "lexisnexis":
        return None
    fam = root.find(".//patent-family/main-family")
    return fam.get("family-id") if fam is not None else None


_PARTY_TAGS: list[tuple[PartyRole, tuple[str, ...]]] = [
    (PartyRole.applicant, ("applicant", "us-applicant", "cn-applicant")),
    (PartyRole.inventor, ("inventor", "cn-inventor")),
    (PartyRole.assignee, ("assignee",)),
    (PartyRole.agent, ("agent", "cn-agent")),
]
_ALL_PARTY_TAGS = tuple(tag for _, tags in _PARTY_TAGS for tag in tags)


def _parties(bib: El) -> Iterator[Party]:
    by_tag: dict[str, list[El]] = {}
    for el in bib.iter(*_ALL_PARTY_TAGS):  # one walk of the bibliographic data, not one per tag
        by_tag.setdefault(el.tag, []).append(el)
    for role, tags in _PARTY_TAGS:
        groups = _one_per_party([e for tag in tags for e in by_tag.get(tag, ())])
        seen: set[tuple[str, str]] = set()
        for el, *variants in groups:
            if role == PartyRole.agent and child(el, "cn-agency") is not None:  # the agency once, then its attorney
                found = [make_party(role, first_text(el, "cn-agency/name"), organisation=True),
                         make_party(role, first_text(el, "name"), organisation=False)]
            else:
                found = [addressbook_party(role, el, variants)]
            for party in found:
                if party is not None and (party.key, party.name) not in seen:
                    seen.add((party.key, party.name))
                    yield party
        # USPTO v4.0-v4.2 list inventors as applicants with app-type "applicant-inventor".
        if role == PartyRole.applicant:
            for el, *_ in groups:
                if "inventor" in (el.get("app-type") or "") and not bib.findall(".//inventor"):
                    party = addressbook_party(PartyRole.inventor, el)
                    if party is not None:
                        yield party


# Which of a party's data-format variants names it: LexisNexis's own entry (no data-format,
# every script's addressbook), then DOCDB's as applied ('docdba'), as harmonised, as filed.
_VARIANT_RANK = {fmt: rank for rank, fmt in enumerate((None, *DOCDB_FORMATS))}


def _one_per_party(elements: list[El]) -> list[list[El]]:
    """The elements of one role grouped per party, the preferred variant first.

    LexisNexis and DOCDB repeat each party in data-format variants under its sequence number (a
    CNIPA document's six inventors are 24 elements); a variant joins the party of its sequence.
    Two elements without a data-format are two parties even when their sequence numbers agree.
    """
    if not any(el.get("data-format") for el in elements):  # most formats: no variants, each its own
        return [[el] for el in elements]
    groups: list[list[El]] = []
    by_sequence: dict[str, list[El]] = {}
    for el in elements:
        sequence = el.get("sequence")
        group = by_sequence.get(sequence) if sequence else None
        if group is None or (el.get("data-format") is None and any(e.get("data-format") is None for e in group)):
            group = []
            groups.append(group)
            if sequence:
                by_sequence[sequence] = group
        group.append(el)
    return [sorted(g, key=lambda e: _VARIANT_RANK.get(e.get("data-format"), len(_VARIANT_RANK))) for g in groups]


def _citations(bib: El, root: El, docdb: bool) -> Iterator[Citation]:
    for cit in list(bib.iter("citation", "us-citation")):
        cit_kids = children(cit)
        category = first_value(cit_kids, "category").lower() or (cit.get("cited-by") or "").lower()
        cited_by = "examiner" if "examiner" in category else "applicant" if "applicant" in category else None
        patcit = cit_kids.get("patcit")
        if patcit is not None:
            ids = _variants(patcit, "document-id", docdb)
            did = next((i for i in ids if i.get("document-id-type") == "docdb"), ids[0] if ids else None)
            kids = children(did)
            country, number, kind = (first_value(kids, tag) for tag in ("country", "doc-number", "kind"))
            pn = normalised_number(country, number, kind) if country and number else None
            yield Citation(kind="patent", text=clean(f"{country} {number} {kind}") or text_of(patcit), pn=pn,
                           cited_by=cited_by)
        elif (npl := cit_kids.get("nplcit")) is not None:
            yield Citation(kind="npl", text=text_of(npl)[:2000], cited_by=cited_by)
    for lst in root.iter("citation-list"):  # JPO: prior-art literature cited by the applicant
        for pat in lst.iter("patcit"):
            yield Citation(kind="patent", text=text_of(pat), cited_by="applicant")
        for npl in lst.iter("nplcit"):
            yield Citation(kind="npl", text=text_of(npl)[:2000], cited_by="applicant")


def priorities(bib: El, docdb: bool) -> Iterator[Priority]:
    for claim in _variants(bib, ".//priority-claim", docdb):
        holder = document_id(claim)
        holder = holder if holder is not None else claim
        number, country = first_text(holder, "doc-number"), first_text(holder, "country")
        if not country and holder.get("document-id-type") == "epodoc" and number[:2].isalpha():
            # OPS without a DOCDB id: country from the epodoc number, number as printed if given
            country, number = number[:2], first_text(claim, "document-id[@document-id-type='original']/doc-number") \
                or number[2:]
        if number:
            yield Priority(country=country or None, number=number,
                           date=PartialDate.parse(first_text(holder, "date") or any_date(claim)))


def _legal_events(data: El | None, office: str) -> Iterator[LegalEvent]:
    """The INPADOC events a LexisNexis document carries (``legal-data/legal-event``)."""
    for ev in data.iter("legal-event") if data is not None else ():
        docdb_number = first_text(ev, "docdb-publication-number")
        yield event_from_parts(
            docdb_number[:2] if docdb_number[:2].isalpha() else office, first_text(ev, "event-code-1"),
            first_text(ev, "legal-description"), first_text(ev, "publication-date/date"),
            effective=first_text(ev, "effective-date/date") or None,
            national_code=first_text(ev, "designated-state-event-code") or None,
            national_description=first_text(ev, "designated-state-description"),
            state=first_text(ev, "designated-state-authority/country") or None, effect=first_text(ev, "effect"))


def is_known(root_tag: str) -> bool:
    return root_tag in PROFILES


__all__ = ["OPS_PROFILE", "DocKind", "add_bibliographic", "identity", "is_known", "parse", "priorities"]
