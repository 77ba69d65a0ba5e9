"""EPO Open Patent Services responses (``ops:world-patent-data``).

A response holds one or several documents: DOCDB-style bibliographic data of any office
(``exchange-documents/exchange-document``), claims or description full text
(``ftxt:fulltext-documents/ftxt:fulltext-document``) and INPADOC families
(``ops:patent-family/ops:family-member``, with ``ops:legal`` status events in legal responses).

``split_response`` (called by ``loaders.reader``) checks a whole response before any of it is
loaded -- the OPS namespaces only, at most ``MAX_ITEMS`` documents -- and cuts it into one small
response per document, which ``parse`` reads (namespaces stripped, like every format). Full text
and bibliographic data of one publication are separate documents here; the writers merge them
(``ipsearch.model.merge_documents``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lxml import etree

from ipsearch.legal import event_from_parts
from ipsearch.model import LangText, LegalEvent, Party, PartyRole, PatentDocument
from loaders.errors import ParseError
from loaders.parsers import st36
from loaders.parsers.common import El, build_claims, clean, first_text, make_party, paragraphs
from loaders.xmlsafe import check_doctype, free, refuse_entity_declarations, safe_iterparse

OPS = "http://ops.epo.org"
EXCHANGE = "http://www.epo.org/exchange"
FULLTEXT = "http://www.epo.org/fulltext"
NAMESPACES = {OPS, EXCHANGE, FULLTEXT}
# Real OPS namespaces of services this loader does not read.
UNSUPPORTED = {"http://www.epo.org/register": "EP register data", "http://www.epo.org/cpcexport": "CPC scheme data",
               "http://www.epo.org/cpcdefinition": "CPC definitions"}
MAX_ITEMS = 10_000  # documents (family members included) in one response
ITEM_TAGS = {f"{{{EXCHANGE}}}exchange-document", f"{{{FULLTEXT}}}fulltext-document", f"{{{OPS}}}family-member"}
ROOT = f"{{{OPS}}}world-patent-data"

# The publication language of an office's documents, when it has one (EP and WO have three).
OFFICE_LANGUAGES = {"US": "en", "GB": "en", "AU": "en", "CA": "en", "IE": "en", "NZ": "en", "IN": "en",
                    "SG": "en", "DE": "de", "AT": "de", "FR": "fr", "JP": "ja", "CN": "zh", "TW": "zh",
                    "KR": "ko", "RU": "ru", "NL": "nl", "ES": "es", "IT": "it", "SE": "sv", "DK": "da",
                    "FI": "fi", "PL": "pl", "CZ": "cs", "PT": "pt", "BR": "pt", "MX": "es"}
_PARAGRAPH_NUMBER = re.compile(r"^\[\d{1,5}\]\s*")
_BRACKET_COUNTRY = re.compile(r"\s*\[([A-Z]{2})\]\s*$")


class OpsResponseError(ParseError):
    """An OPS response refused as a whole: nothing from it is loaded."""


# --- splitting a response -------------------------------------------------------------------

def split_response(data: bytes) -> list[tuple[int, bytes]]:
    """Each document of a response as ``(byte position, a one-document response)``. The whole
    response is read first, so a truncated or refused one yields nothing at all."""
    refuse_entity_declarations(data)
    stream = io.BytesIO(data)
    items: list[tuple[int, bytes]] = []
    try:
        for event, el in safe_iterparse(stream, ("start", "end")):
            if event == "start":
                if el.getparent() is None:  # the root: its DOCTYPE is known by now
                    check_doctype(el.getroottree().docinfo)
                _check_element(el, is_root=el.getparent() is None)
            elif el.tag in ITEM_TAGS and not _inside_member(el):
                if len(items) >= MAX_ITEMS:
                    what = "family members" if el.tag.endswith("family-member") else "documents"
                    raise OpsResponseError(f"the OPS response holds more than {MAX_ITEMS} {what}; "
                                           "nothing from it was loaded")
                items.append((stream.tell(), _envelope(el)))
                free(el)
    except etree.XMLSyntaxError as exc:
        raise OpsResponseError(f"truncated or malformed OPS response ({exc}); nothing from it was loaded") from exc
    return items


def _check_element(el: El, is_root: bool) -> None:
    qname = etree.QName(el)
    if is_root and el.tag != ROOT:
        raise OpsResponseError(f"the root <{qname.localname}> is in namespace {qname.namespace!r}, "
                               f"not OPS's {OPS!r}; nothing from it was loaded")
    if qname.namespace in NAMESPACES:
        return
    if qname.namespace in UNSUPPORTED:
        raise OpsResponseError(f"OPS {UNSUPPORTED[qname.namespace]} (<{qname.localname}>) is not read by this "
                               "loader; nothing from it was loaded")
    raise OpsResponseError(f"unknown namespace {qname.namespace!r} at <{qname.localname}> in an OPS response "
                           f"(known: {', '.join(sorted(NAMESPACES))}); nothing from it was loaded")


def _inside_member(el: El) -> bool:
    """A bibliographic document inside a family member belongs to that member's item."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag == f"{{{OPS}}}family-member":
            return True
        parent = parent.getparent()
    return False


def _envelope(el: El) -> bytes:
    return (f'<ops:world-patent-data xmlns:ops="{OPS}">'.encode() + etree.tostring(el, with_tail=False)
            + b"</ops:world-patent-data>")


# --- parsing one document -------------------------------------------------------------------

def parse(root: El) -> PatentDocument:
    """The one document of a split response (``root`` with namespaces stripped)."""
    items = [el for el in root if el.tag in ("exchange-document", "fulltext-document", "family-member")]
    if len(items) != 1:
        raise OpsResponseError(f"an OPS response is read one document at a time (loaders.reader splits it); "
                               f"this one holds {len(items)}")
    item = items[0]
    if item.tag == "exchange-document":
        return bibliographic(item)
    if item.tag == "fulltext-document":
        return fulltext(item)
    return family_member(item)


def bibliographic(el: El) -> PatentDocument:
    """An ``exchange-document``: the DOCDB reading of loaders.parsers.st36, with OPS's names."""
    doc = st36.parse(el, st36.OPS_PROFILE)
    bib = el.find("bibliographic-data")
    if bib is not None:
        doc.parties = list(_parties(bib))
    doc.lang = OFFICE_LANGUAGES.get(doc.pn.country)
    return doc


def fulltext(el: El) -> PatentDocument:
    """A ``fulltext-document``: the claims or the description of one publication."""
    bib = el.find("bibliographic-data")
    doc = st36.identity(el, bib if bib is not None else el, st36.OPS_PROFILE)
    for claims in el.findall("claims"):
        lang = st36.norm_lang(claims.get("lang"), "")
        # text-only claims: one <claim> holding every claim as a numbered <claim-text>
        texts = [t for c in claims.findall("claim") for t in (c.findall("claim-text") or [c])]
        if lang and (built := build_claims(texts)):
            doc.claims[lang] = built
    for desc in el.findall("description"):
        text = "\n".join(_PARAGRAPH_NUMBER.sub("", line) for line in paragraphs(desc).split("\n"))
        if lang := st36.norm_lang(desc.get("lang"), ""):
            doc.descriptions.append(LangText(lang=lang, text=text))
    langs = [*doc.claims, *(d.lang for d in doc.descriptions)]
    doc.lang = langs[0] if langs else None
    return doc


def family_member(el: El) -> PatentDocument:
    """An INPADOC family member: its own bibliographic data when the response has it, else the
    publication, application and priorities the member lists; its legal events."""
    nested = el.find("exchange-document")
    if nested is not None:
        doc = bibliographic(nested)
    else:
        doc = st36.identity(el, el, st36.OPS_PROFILE)
        doc.priorities = list(st36.priorities(el, docdb=True))
        doc.priority_date = doc.earliest_priority()
        doc.lang = None
    doc.family_id = el.get("family-id") or doc.family_id
    doc.legal_events = [legal_event(e, doc.pn.country) for e in el.findall("legal")]
    return doc


# --- parties and legal events ----------------------------------------------------------------

_PARTY_TAGS = [(PartyRole.applicant, "applicant", "applicant-name"), (PartyRole.inventor, "inventor", "inventor-name")]


def _parties(bib: El) -> Iterator[Party]:
    """Names as filed ('original') where OPS gives them, with the country of the harmonised
    ('epodoc': ``NAME [NL]``) entry of the same sequence number; each person or firm once."""
    for role, tag, name_tag in _PARTY_TAGS:
        elements = list(bib.iter(tag))
        variants = {fmt: [e for e in elements if e.get("data-format") == fmt]
                    for fmt in ("original", "docdba", "docdb", "epodoc")}
        chosen = next((v for v in variants.values() if v), elements)
        countries = {e.get("sequence"): m.group(1) for e in variants["epodoc"] + variants["docdb"]
                     if (m := _BRACKET_COUNTRY.search(first_text(e, f"{name_tag}/name", "name")))}
        seen: set[str] = set()
        for e in chosen:
            raw = first_text(e, f"{name_tag}/name", "name")
            bracket = _BRACKET_COUNTRY.search(raw)
            name = _BRACKET_COUNTRY.sub("", raw).strip(" ,;")
            country = first_text(e, "residence/country") or (bracket.group(1) if bracket else None) \
                or countries.get(e.get("sequence"))
            party = make_party(role, name, country=country, organisation=False if role is PartyRole.inventor else None)
            if party is not None and party.key not in seen:
                seen.add(party.key)
                yield party


def legal_event(el: El, country: str) -> LegalEvent:
    """One ``ops:legal`` event: its ``L<nnn>`` fields (``L007`` gazette date, ``L501`` state,
    ``L502`` national code, ``L525`` effective date ...) categorised by ipsearch.legal."""
    fields: dict[str, El] = {}
    for child in el.iter():
        match = re.match(r"L(\d{3})", child.tag if isinstance(child.tag, str) else "")
        if match:
            fields.setdefault(match.group(1), child)

    def text(number: str) -> str:
        return clean(fields[number].text) if number in fields else ""

    national = fields.get("502")
    return event_from_parts(
        text("001") or country, el.get("code") or "", clean(el.get("desc")), text("007") or None,
        effective=text("525") or None, national_code=text("502") or None,
        national_description=clean(national.get("descData")) if national is not None else "",
        state=text("501") or None, text=text("510"), designated=text("507").split(), effect=el.get("infl"))
