"""EPO ``ep-patent-document`` v1-0 to v1-5-1: ST.32 B-tags in SDOBI, texts per language."""

from __future__ import annotations

from collections.abc import Iterator

from ipsearch.model import (
    Citation,
    LangText,
    PartialDate,
    Party,
    PartyRole,
    PatentDocument,
    Priority,
    normalise_number,
    parse_ipc,
)
from loaders.parsers.common import (
    El,
    Front,
    add_texts,
    first_text,
    ipcr_from,
    make_party,
    new_document,
    prose,
    text_of,
    unique_codes,
)


def parse(root: El) -> PatentDocument:
    sdobi = root.find("SDOBI")
    number = first_text(sdobi, "B100/B110") or root.get("doc-number", "")
    kind = first_text(sdobi, "B100/B130") or root.get("kind", "")
    country = first_text(sdobi, "B100/B190") or root.get("country", "EP")
    lang = (root.get("lang") or first_text(sdobi, "B200/B260") or "en").lower()
    front = Front(country, number, kind, first_text(sdobi, "B200/B210"), first_text(sdobi, "B200/B220/date"),
                  first_text(sdobi, "B100/B140/date") or root.get("date-publ"))
    doc = new_document(front, lang=lang, source_format="epo", dtd_version=root.get("dtd-version"))
    b540 = sdobi.find("B500/B540") if sdobi is not None else None
    if b540 is not None:
        current = lang
        for el in b540:
            if el.tag == "B541":
                current = (el.text or lang).strip().lower()
            elif el.tag == "B542" and text_of(el):
                doc.titles.append(LangText(lang=current, text=prose(text_of(el))))
    add_texts(doc, root, lang)
    if sdobi is not None:
        doc.ipc = unique_codes([ipcr_from(e) for e in sdobi.iter("classification-ipcr")]
                               + [parse_ipc(text_of(e)) for e in sdobi.iter("B511", "B512")])
        doc.cpc = unique_codes(ipcr_from(e) for e in sdobi.iter("classification-cpc"))
        doc.parties = list(_parties(sdobi))
        doc.citations = list(_citations(sdobi))
        doc.priorities = list(_priorities(sdobi))
    doc.priority_date = doc.earliest_priority()
    return doc


_ROLES = [("B711", PartyRole.applicant), ("B731", PartyRole.applicant), ("B721", PartyRole.inventor),
          ("B741", PartyRole.agent)]


def _parties(sdobi: El) -> Iterator[Party]:
    for tag, role in _ROLES:
        for el in sdobi.iter(tag):
            party = make_party(role, first_text(el, "snm"), country=first_text(el, "adr/ctry") or None,
                               city=first_text(el, "adr/city") or None,
                               organisation=False if role == PartyRole.inventor else None)
            if party is not None:
                yield party


def _citations(sdobi: El) -> Iterator[Citation]:
    import re

    for el in sdobi.iter("B561"):
        text = first_text(el, "text") or text_of(el)
        match = re.match(r"^([A-Z]{2})-([A-Z]\d?)-\s*([\d /]+)", text)
        pn = None
        if match:
            country, kind, number = match.groups()
            pn = normalise_number(country, number, kind).normalised
        yield Citation(kind="patent", text=text, pn=pn, cited_by="examiner")
    for el in sdobi.iter("B562"):
        yield Citation(kind="npl", text=(first_text(el, "text") or text_of(el))[:2000], cited_by="examiner")


def _priorities(sdobi: El) -> Iterator[Priority]:
    for b300 in sdobi.findall("B300"):
        numbers = b300.findall("B310")
        dates = b300.findall("B320")
        countries = b300.findall("B330")
        for i, num in enumerate(numbers):
            yield Priority(
                country=first_text(countries[i], "ctry") if i < len(countries) else None,
                number=text_of(num),
                date=PartialDate.parse(first_text(dates[i], "date")) if i < len(dates) else None,
            )
