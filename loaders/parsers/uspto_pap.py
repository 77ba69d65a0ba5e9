"""USPTO pre-grant publications 2001-2004: ``patent-application-publication`` pap v1.5/v1.6."""

from __future__ import annotations

from ipsearch.model import DocKind, LangText, PartyRole, PatentDocument, parse_ipc
from loaders.parsers.common import (
    El,
    Front,
    build_claims,
    first_text,
    make_party,
    new_document,
    paragraphs,
    text_of,
    unique_codes,
)


def parse(root: El) -> PatentDocument:
    bib = root.find("subdoc-bibliographic-information")
    front = Front("US", first_text(bib, "document-id/doc-number"), first_text(bib, "document-id/kind-code") or "A1",
                  first_text(bib, "domestic-filing-data/application-number/doc-number"),
                  first_text(bib, "domestic-filing-data/filing-date"), first_text(bib, "document-id/document-date"))
    doc = new_document(front, lang="en", source_format="uspto-pap", dtd_version=root.get("dtd-version") or "pap-v1.6",
                       doc_kind=DocKind.application)
    doc.priority_date = doc.filing_date
    title = first_text(bib, "technical-information/title-of-invention")
    if title:
        doc.titles.append(LangText(lang="en", text=title))
    abstract = paragraphs(root.find("subdoc-abstract"))
    if abstract:
        doc.abstracts.append(LangText(lang="en", text=abstract))
    description = paragraphs(root.find("subdoc-description"))
    if description:
        doc.descriptions.append(LangText(lang="en", text=description))
    claims_el = root.find("subdoc-claims")
    if claims_el is not None:
        doc.claims["en"] = build_claims(claims_el.findall("claim"))
    if bib is not None:
        doc.ipc = unique_codes(parse_ipc(text_of(e)) for e in bib.iter("ipc"))
        for uspc in bib.iter("classification-us-primary", "classification-us-secondary"):
            cls = first_text(uspc, "uspc/class")
            sub = first_text(uspc, "uspc/subclass")
            if cls:
                doc.uspc.append(f"{cls.lstrip('0')}/{sub}" if sub else cls)
        for inv in list(bib.iter("first-named-inventor")) + list(bib.iter("inventor")):
            last, given = first_text(inv, "name/family-name"), first_text(inv, "name/given-name")
            party = make_party(PartyRole.inventor, f"{last}, {given}" if last and given else last or given,
                               organisation=False,
                               country=first_text(inv, "residence/residence-us/country-code",
                                                  "residence/residence-non-us/country-code") or None,
                               city=first_text(inv, "residence/residence-us/city",
                                               "residence/residence-non-us/city") or None,
                               province=first_text(inv, "residence/residence-us/state") or None)
            if party is not None:
                doc.parties.append(party)
        for asg in bib.iter("assignee"):
            party = make_party(PartyRole.assignee, first_text(asg, "organization-name") or text_of(asg.find("name")),
                               organisation=bool(first_text(asg, "organization-name")))
            if party is not None:
                doc.parties.append(party)
    return doc
