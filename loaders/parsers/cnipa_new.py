"""CNIPA's ST.36/ST.96-based ``PatentDocumentAndRelated`` (XSD V2.2.1): full text, or
bibliographic data and abstract only (the ABIA product)."""

from __future__ import annotations

from collections.abc import Iterator

from ipsearch.model import LangText, PartialDate, Party, PartyRole, PatentDocument, Priority
from loaders.parsers.common import (
    El,
    Front,
    MissingField,
    add_texts,
    first_text,
    make_party,
    new_document,
    prose,
    text_of,
    unique_codes,
)


def _original_first(elements: list[El]) -> list[El]:
    """The office's 'original' data format first, then 'standard'."""
    return sorted(elements, key=lambda e: 0 if e.get("dataFormat") == "original" else 1)


def parse(root: El) -> PatentDocument:
    bib = root.find("BibliographicData")
    if bib is None:
        raise MissingField("no BibliographicData")
    pubs = _original_first(bib.findall("PublicationReference"))
    pub = pubs[0].find("DocumentID") if pubs else None
    country = first_text(pub, "WIPOST3Code") or root.get("country", "CN")
    number = first_text(pub, "DocNumber") or root.get("docNumber", "")
    kind = first_text(pub, "Kind") or root.get("kind", "")
    apps = _original_first(bib.findall("ApplicationReference"))
    app = apps[0].find("DocumentID") if apps else None
    front = Front(country, number, kind, first_text(app, "DocNumber"), first_text(app, "Date"),
                  first_text(pub, "Date") or root.get("datePublication"))
    lang = (root.get("lang") or "zh").lower()
    doc = new_document(front, lang=lang, source_format="cnipa-new", dtd_version=root.get("xsdVersion"))
    for el in bib.findall("InventionTitle"):
        if text_of(el):
            doc.titles.append(LangText(lang=(el.get("lang") or lang).lower(), text=prose(text_of(el))))
    add_texts(doc, root, lang, ("Abstract", "Description", "Claims", "Claim"))
    from ipsearch.model import ipc_from_parts

    doc.ipc = unique_codes(
        ipc_from_parts(first_text(c, "Section"), first_text(c, "MainClass"), first_text(c, "Subclass"),
                       first_text(c, "MainGroup"), first_text(c, "Subgroup"))
        for c in bib.iter("ClassificationIPCR")
    )
    doc.parties = list(_parties(bib))
    seen: set[tuple[str | None, str]] = set()
    for pr in _original_first(bib.findall("PriorityDetails/Priority")):
        key = (first_text(pr, "WIPOST3Code") or None, first_text(pr, "Date"))
        if key in seen:
            continue
        seen.add(key)
        doc.priorities.append(Priority(country=key[0], number=first_text(pr, "DocNumber"),
                                       date=PartialDate.parse(key[1])))
    doc.priority_date = doc.earliest_priority()
    return doc


def _filled(address: El | None, tag: str) -> str | None:
    """An address part; CNIPA fills the parts it does not know with ``0``."""
    value = first_text(address, tag)
    return value if value and value != "0" else None


def _parties(bib: El) -> Iterator[Party]:
    for path, role in (("Parties/ApplicantDetails/Applicant", PartyRole.applicant),
                       ("Parties/InventorDetails/Inventor", PartyRole.inventor)):
        for el in bib.findall(path):
            book = el.find("AddressBook")
            address = book.find("Address") if book is not None else None
            party = make_party(role, first_text(book, "OrganizationName", "Name"),
                               organisation=False if role == PartyRole.inventor else None,
                               country=_filled(address, "WIPOST3Code"), city=_filled(address, "City"),
                               province=_filled(address, "Province"), address=_filled(address, "Text"))
            if party is not None:
                yield party
    # Each patent attorney comes with the agency they work for: two attorneys of one agency named the
    # agency twice. The agency once, then the attorneys by name, as the front page prints them
    # (专利代理机构, 代理人).
    agents = bib.findall("Parties/AgentDetails/Agent")
    agencies = dict.fromkeys(name for a in agents if (name := first_text(a, "Agency/AddressBook/OrganizationName")))
    people = dict.fromkeys(name for a in agents if (name := first_text(a, "AddressBook/Name")))
    for name, organisation in [*((n, True) for n in agencies), *((n, False) for n in people)]:
        if (party := make_party(PartyRole.agent, name, organisation=organisation)) is not None:
            yield party
