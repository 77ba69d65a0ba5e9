"""Helpers shared by the format parsers: text, claims, parties, kinds."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from ipsearch.model import (
    Claim,
    DocKind,
    IPCCode,
    LangText,
    PartialDate,
    Party,
    PartyRole,
    PatentDocument,
    normalise_number,
    parse_ipc,
)
from ipsearch.names import harmonise_name, looks_like_organisation
from loaders.errors import ParseError

El: TypeAlias = etree._Element


class MissingField(ParseError):
    """A document lacks something we cannot do without (its publication number)."""


def clean(text: str | None) -> str:
    """Whitespace collapsed to single spaces (str.split knows Unicode spaces such as U+3000).

    Most long text is ASCII whose only whitespace is single spaces: substring scans (memchr in C)
    for every other ASCII character ``str.split`` splits at prove it, and a strip finishes it; on
    a paragraph that is three times faster than splitting and joining (on a short value, slower).
    """
    if not text:
        return ""
    if text.isalnum():  # a code, a number, a date, a word: no whitespace at all (checked in C)
        return text
    if len(text) > 32 and text.isascii() and not (
            "  " in text or "\n" in text or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text
            or "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text):
        return text.strip(" ")
    return " ".join(text.split())


# Chinese and Japanese put no space between words: whitespace between two of their characters in
# running text is a line break of the source (CNIPA's full text wraps lines as printed: "所述轴毂部
# 安装<br/>有旋转叶片"), which would read "安装 有" and split a word for the analyser. Names keep
# theirs (a Japanese name spaces family and given name); Korean spaces words and is not matched.
_CJK = "\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def prose(text: str) -> str:
    """Running text (a title, a paragraph, a claim) without the spaces line breaks left between
    Chinese or Japanese characters."""
    return _CJK_GAP.sub("", text) if " " in text and not text.isascii() else text


def text_of(el: El | None) -> str:
    """All text inside ``el`` (not its tail), whitespace collapsed; serialised by libxml2 in C."""
    if el is None:
        return ""
    return clean(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def child(el: El, tag: str) -> El | None:
    """The first child named ``tag``. ``iterchildren`` walks the children in C, where ``find``
    goes through ElementPath: 1.2 against 2.8 µs a call here, and a document asks some forty
    times. ``find`` stays for paths (``address/city``, predicates)."""
    return next(el.iterchildren(tag), None)


def find(el: El, path: str) -> El | None:
    """``el.find(path)``, by ``child`` when the path is a plain tag (most are)."""
    return el.find(path) if "/" in path or "[" in path else child(el, path)


def find_all(el: El, path: str) -> list[El]:
    """``el.findall(path)``, by ``iterchildren`` when the path is a plain tag."""
    return el.findall(path) if "/" in path or "[" in path else list(el.iterchildren(path))


def first_text(el: El | None, *paths: str) -> str:
    """Text of the first path that yields a non-empty value."""
    if el is None:
        return ""
    for path in paths:
        if value := value_of(find(el, path)):
            return value
    return ""


def value_of(found: El | None) -> str:
    """An element's text, whitespace collapsed: its own text for a leaf (the common case, no
    serialiser call), all text inside it otherwise."""
    if found is None:
        return ""
    return text_of(found) if len(found) else clean(found.text)


def children(el: El | None) -> dict[str, El]:
    """The first child of each tag: one pass over the children, then a dict lookup per field,
    where a ``find`` per field walks them again each time (a party reads ten fields)."""
    kids: dict[str, El] = {}
    if el is not None:
        for child in el:
            kids.setdefault(child.tag, child)
    return kids


def first_value(kids: dict[str, El], *tags: str) -> str:
    """``first_text`` over a ``children`` map: the first of ``tags`` with a non-empty value."""
    for tag in tags:
        if value := value_of(kids.get(tag)):
            return value
    return ""


def paragraphs(el: El | None, tags: tuple[str, ...] = ("p", "Paragraphs", "paragraph", "heading")) -> str:
    """Block text with one line per paragraph (headings and paragraphs, not nested twice)."""
    if el is None:
        return ""
    lines: list[str] = []
    for node in el.iter(*tags):
        parent = node.getparent()
        if parent is not None and parent.tag in tags:
            continue
        line = value_of(node)
        if line:
            lines.append(line)
    return prose("\n".join(lines) if lines else text_of(el))  # one call: a line break is no space


# --- claims ------------------------------------------------------------------------------

_REF_PATTERNS = [
    re.compile(r"\b(?:claims?|Anspr(?:u|ü)che?n?|revendications?)\s+(\d+)(?:\s*(?:-|to|bis|à|through|or|and|oder|ou|et|und)\s*(\d+))?",
               re.IGNORECASE),
    re.compile(r"权利要求\s*(\d+)(?:\s*(?:-|至|到|或|~)\s*(\d+))?"),
    re.compile(r"請求項\s*(\d+)(?:\s*(?:-|～|~|乃至|から|または|又は)\s*(\d+))?"),
]
# A claim may refer to its predecessors without a number: "as claimed in any of the foregoing
# claims" refers to every earlier claim, "according to the preceding claim" to the one before it.
# Read in the claim's preamble only (before its first comma, "wherein" or "comprising"), after words
# that refer ("according to", "as claimed in", "of" ...): an insurance claim "compared with any
# prior claim of the insured" refers to no claim of the patent. A number after the words is a
# numbered reference (权利要求1或2, "the preceding claims 1 to 3"), read by _REF_PATTERNS.
_CITING = r"(?:according\s+to|as\s+(?:claimed|defined|recited|set\s+forth|described|specified)\s+in)\s+"
_REFERRING = rf"(?:{_CITING}|(?:of|in|by|under)\s+)"  # "the method of any preceding claim"
_EARLIER = r"(?:foregoing|preceding|previous|prior|above|aforementioned|above-mentioned)"
_EVERY_EARLIER = [
    re.compile(rf"\b{_REFERRING}(?:any|each|either|one\s+or\s+more)\s+(?:one\s+)?(?:of\s+)?(?:the\s+)?{_EARLIER}"
               rf"\s+claims?\b(?!\s*\d)|\b{_CITING}the\s+{_EARLIER}\s+claims\b(?!\s*\d)|"
               r"\b(?:nach|gemäß|gemaess)\s+einem\s+der\s+(?:vorhergehenden|vorangehenden|vorstehenden|voranstehenden)"
               r"\s+Anspr(?:u|ü)che\b|\b(?:selon|suivant)\s+l['’]une\s+(?:quelconque\s+)?des\s+revendications\s+"
               r"(?:précédentes|antérieures)\b", re.IGNORECASE),
    re.compile(r"(?:前述|上述|前面|以上)(?:任一|任何一|任意一|各)?项?权利要求(?!\s*\d)"),
    re.compile(r"(?:先行する|前記|上記)(?:いずれか|何れか)?(?:一項|1項)?の?請求項(?!\s*\d)"),
]
_THE_ONE_BEFORE = re.compile(rf"\b{_REFERRING}(?:the|said)\s+(?:preceding|previous|foregoing)\s+claim\b(?!s)(?!\s*\d)|"
                             r"\b(?:nach|gemäß)\s+(?:dem|den)\s+(?:vorhergehenden|vorangehenden)\s+Anspruch\b|"
                             r"\b(?:selon|suivant)\s+la\s+revendication\s+précédente\b", re.IGNORECASE)
# What an unnumbered reference cannot be written without, looked for before any pattern is run.
_EARLIER_LATIN = ("preced", "forego", "previous", "prior", "above", "aforementioned", "vorhergehend", "vorangehend",
                  "vorstehend", "voranstehend", "précédent", "antérieur")
_EARLIER_WORDS = ("前述", "上述", "前面", "以上", "先行", "前記", "上記")
_PREAMBLE_END = re.compile(r"[,，;；:：]|\b(?:wherein|comprising|characteri[sz]ed|dadurch|caractérisé)\b|"
                           r"其特征|特征在于", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")
# "1. A device..." loses its number; "1.-18. (Cancelled)" (a range of cancelled claims) keeps it.
_CLAIM_NUM_PREFIX = re.compile(r"^\s*(\d+)\s*[.．、:)]\s*(?![-–~])")


def claim_references(text: str, number: int, refs_from_markup: Iterable[int] = ()) -> list[int]:
    """Which earlier claims a claim refers to: from ``claim-ref`` markup, else from its wording."""
    if refs_from_markup and (refs := sorted({r for r in refs_from_markup if 0 < r < number})):
        return refs
    head = text[:300]
    if head.isascii():  # NFKC leaves ASCII as it is, and only the Latin pattern can match it
        lower = head.lower()
        if "claim" not in lower and "anspr" not in lower and "revendication" not in lower:  # its words
            return []
        patterns, every_earlier = _REF_PATTERNS[:1], _EVERY_EARLIER[:1]
    else:
        head, patterns, every_earlier = unicodedata.normalize("NFKC", head), _REF_PATTERNS, _EVERY_EARLIER
        lower = head.lower()
    found: set[int] = set()
    if any(word in lower for word in _EARLIER_LATIN) or any(word in head for word in _EARLIER_WORDS):
        preamble = _PREAMBLE_END.split(head, maxsplit=1)[0]  # most claims name none: scans in C decide first
        if any(pattern.search(preamble) for pattern in every_earlier):
            return list(range(1, number))
        found = {number - 1} if _THE_ONE_BEFORE.search(preamble) else set()
    for pattern in patterns:
        for match in pattern.finditer(head):
            lo = int(match.group(1))
            hi = int(match.group(2)) if match.group(2) else lo
            if hi - lo > 200:
                hi = lo
            found.update(range(lo, hi + 1))
    return sorted(r for r in found if 0 < r < number)


def claim_number(el: El, fallback: int) -> int:
    """``num="0003"`` -> 3, ``num="01-18"`` (a range) -> 1, else the last number in ``id``."""
    attr = el.get("num") or ""
    if attr.isascii() and attr.isdigit():  # the common case: num="0003"
        return int(attr)
    num = _DIGITS.findall(attr)
    if num:
        return int(num[0])
    ids = _DIGITS.findall(el.get("id") or "")
    return int(ids[-1]) if ids else fallback


def build_claims(claim_elements: Iterable[El]) -> list[Claim]:
    claims: list[Claim] = []
    for i, el in enumerate(claim_elements, start=1):
        number = claim_number(el, i)
        text = prose(text_of(el))
        if (printed_number := _CLAIM_NUM_PREFIX.match(text)) is not None:
            text = text[printed_number.end():]
        refs = claim_references(text, number, _markup_references(el))
        claims.append(Claim(number=number, text=text, independent=not refs, refers_to=refs))
    return claims


_REFERENCE_TAGS = ("claim-ref", "ClaimRef", "dependent-claim-reference")


def _markup_references(claim: El) -> list[int]:
    """The claims a claim's markup refers to: the number ending each reference's ``idref``
    (``CLM-00003``), else the digits the reference shows."""
    refs: list[int] = []
    for ref in claim.iter(*_REFERENCE_TAGS):
        targets = (ref.get("idref") or "").split() or (ref.get("idrefs") or "").split()
        if not targets:  # none, or a blank one: the digits the reference shows
            refs.extend(int(d) for d in _DIGITS.findall(text_of(ref)))
        elif (found := _TRAILING_NUMBER.search(targets[0])) is not None:
            refs.append(int(found.group(1)))
    return refs


def add_texts(doc: PatentDocument, holder: El, lang: str, tags: tuple[str, str, str, str] = (
        "abstract", "description", "claims", "claim"), norm: Callable[[str | None, str], str] | None = None) -> None:
    """Abstracts, descriptions and claims per language from the elements under ``holder``.

    ``tags`` names the abstract, description, claims and claim elements of the format; ``norm`` maps
    a ``lang`` attribute (or None) to a language code, the document's language by default.
    """
    to_lang = norm or (lambda value, default: (value or default).lower())
    abstract, description, claims_tag, claim_tag = tags
    for el in holder.iterchildren(abstract):
        if text := paragraphs(el):
            doc.abstracts.append(LangText(lang=to_lang(el.get("lang"), lang), text=text))
    for el in holder.iterchildren(description):
        if text := paragraphs(el):
            doc.descriptions.append(LangText(lang=to_lang(el.get("lang"), lang), text=text))
    for el in holder.iterchildren(claims_tag):
        claims = build_claims(el.iterchildren(claim_tag))
        if claims:
            doc.claims.setdefault(to_lang(el.get("lang"), lang), claims)


# --- parties -----------------------------------------------------------------------------

def make_party(role: PartyRole, name: str, *, organisation: bool | None = None, country: str | None = None,
               city: str | None = None, province: str | None = None, address: str | None = None,
               aliases: Iterable[str] = ()) -> Party | None:
    """A party, or None without a name. ``aliases`` are other names the source gives it: kept
    when they are not the same name again (cased, punctuated or ordered otherwise)."""
    name = clean(name)
    if not name:
        return None
    key = harmonise_name(name)
    others: list[str] = []
    known: set[tuple[str, ...]] = set()
    for alias in aliases:
        known = known or {_name_words(key)}
        if (words := _name_words(harmonise_name(alias))) and words not in known:
            known.add(words)
            others.append(clean(alias))
    return Party(role=role, name=name, key=key, aliases=others,
                 is_organisation=looks_like_organisation(name) if organisation is None else organisation,
                 country=(country or "").strip().upper() or None, city=clean(city) or None,
                 province=clean(province) or None, address=clean(address) or None)


def _name_words(key: str) -> tuple[str, ...]:
    """A harmonised name's words in sorted order: ``ARAI TOSHIKATSU`` is ``TOSHIKATSU ARAI``."""
    return tuple(sorted(key.split()))


def book_name(kids: dict[str, El]) -> tuple[str, bool | None]:
    """The name in one ``addressbook`` (from its ``children``): an organisation's, a person's as
    'last, given', or a bare name; and whether it is an organisation (None: the name cannot tell)."""
    if org := first_value(kids, "orgname", "organization-name"):
        return org, True
    last = first_value(kids, "last-name", "family-name")
    given = first_value(kids, "first-name", "given-name")
    if last or given:
        return (f"{last}, {given}" if last and given else last or given), False
    return first_value(kids, "name"), None


def addressbook_party(role: PartyRole, el: El, variants: Iterable[El] = ()) -> Party | None:
    """A party from an ST.36 ``addressbook`` (or a bare ``name``) below ``el``; the names of its
    other addressbooks (another script) and of ``variants`` (the same party in other data formats)
    become its aliases."""
    books = list(el.iterchildren("addressbook")) or [el]
    book = books[0]
    for candidate in books:  # prefer a Latin-script book when several languages are given
        if candidate.get("lang", "").lower() in ("en", "eng"):
            book = candidate
            break
    kids = children(book)
    name, organisation = book_name(kids)
    name = name or _bare_name(el)
    address = children(kids.get("address"))
    country = first_value(address, "country") or first_text(el, "residence/country", "nationality/country")
    line = next((t for b in books if (t := first_text(b, "address/address-1", "address/text"))), None)
    aliases = [book_name(children(b))[0] for b in books if b is not book]
    for variant in variants:
        names = [book_name(children(b))[0] for b in variant.iterchildren("addressbook")]
        aliases.extend(names or [_bare_name(variant)])
    return make_party(role, name, organisation=organisation, country=country or None,
                      city=first_value(address, "city") or None, province=first_value(address, "state") or None,
                      address=line, aliases=aliases)


def _bare_name(el: El) -> str:
    """The name of a party given without an addressbook (DOCDB's ``applicant-name/name``)."""
    return first_text(el, "name", "applicant-name/name", "inventor-name/name", "agent-name/name")


# --- classification and kind -----------------------------------------------------------

def ipcr_from(el: El) -> IPCCode | None:
    """One ``classification-ipcr``/``classification-cpc``: from its parts, else its text."""
    from ipsearch.model import ipc_from_parts

    kids = children(el)
    section = first_value(kids, "section")
    if section:
        return ipc_from_parts(section, first_value(kids, "class"), first_value(kids, "subclass"),
                              first_value(kids, "main-group"), first_value(kids, "subgroup"))
    text = first_value(kids, "text") or text_of(el)
    return parse_ipc(text) if text else None


def unique_codes(codes: Iterable[IPCCode | None]) -> list[IPCCode]:
    seen: set[str] = set()
    out: list[IPCCode] = []
    for code in codes:
        if code is not None and code.symbol not in seen:
            seen.add(code.symbol)
            out.append(code)
    return out


# The US application type (``appl-type``) names some kinds outright.
_HINTED_KINDS = {"design": DocKind.design, "plant": DocKind.plant, "reissue": DocKind.reissue}


def doc_kind_from_code(country: str, kind: str, hint: str | None = None) -> DocKind:
    """Document kind from the office's kind code (and, for the US, the application type)."""
    k = kind.upper()
    hinted = _HINTED_KINDS.get((hint or "").lower())
    if hinted is not None:
        return hinted
    if country == "US":
        if k.startswith("S"):
            return DocKind.design
        if k.startswith("P") and k != "P1":
            return DocKind.plant if k in ("P2", "P3") else DocKind.application
        if k.startswith("E"):
            return DocKind.reissue
        if k.startswith("B") or k.startswith("H") or k == "A":  # "A" alone: a grant before 2001 (DOCDB)
            return DocKind.grant
        if k.startswith("A") or k == "P1":
            return DocKind.application
    if country in ("CN", "JP", "KR", "DE", "TW", "RU", "AT", "ES"):  # offices with utility models (U)
        if k.startswith(("U", "Y")):
            return DocKind.utility_model
        if k.startswith("S"):
            return DocKind.design
    if k.startswith(("B", "C")):
        return DocKind.grant
    if k.startswith("A"):
        return DocKind.application
    return DocKind.other


@dataclass(frozen=True)
class Front:
    """What every format states first: the publication's number and the two dates that matter.
    ``new_document`` turns it into a PatentDocument, the same way for every format."""

    country: str
    number: str
    kind: str
    application: str | None
    filed: str | None
    published: str | None


def new_document(front: Front, *, lang: str, source_format: str, dtd_version: str | None,
                 doc_kind: DocKind | None = None, kind_hint: str | None = None,
                 family_id: str | None = None) -> PatentDocument:
    """A document with its number, kind and dates; MissingField without a publication number."""
    if not front.number or not front.country:
        raise MissingField("no publication number")
    return PatentDocument(
        pn=normalise_number(front.country, front.number, front.kind), application_number=front.application or None,
        doc_kind=doc_kind or doc_kind_from_code(front.country.upper(), front.kind, kind_hint),
        filing_date=PartialDate.parse(front.filed), publication_date=PartialDate.parse(front.published),
        lang=lang, source_format=source_format, dtd_version=dtd_version, family_id=family_id)

