"""The parsers' shared helpers. The parsers read several fields of one element through a map of
its children (``children`` + ``first_value``) instead of one ``find`` per field, and collapse
whitespace with a fast path for plain ASCII; on every element of the real corpus both give what
the general way gives."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
from lxml import etree

from loaders.parsers.common import (
    build_claims,
    children,
    claim_number,
    claim_references,
    clean,
    first_text,
    first_value,
)
from loaders.reader import RawItem, iter_raw
from loaders.sources import expand
from loaders.xmlsafe import parse_document


def test_child_map_reads_what_find_reads(shared_data_dir: Path) -> None:
    checked = 0
    for src in expand([shared_data_dir / "patents"]):
        for raw in iter_raw(src):
            if not isinstance(raw, RawItem):
                continue
            for el in parse_document(raw.data).iter():
                kids = children(el)
                for tag in kids:
                    if isinstance(tag, str):
                        assert first_value(kids, tag) == first_text(el, tag), (src.name, el.tag, tag)
                        checked += 1
    assert checked > 100_000  # the whole corpus, not a sample


def test_child_map_keeps_the_first_of_repeated_tags() -> None:
    el = parse_document(b"<a><b> one </b><b>two</b><c><d>x</d>  <d>y</d></c><e/></a>")
    kids = children(el)
    assert first_value(kids, "b") == "one"
    assert first_value(kids, "c") == "x y"  # an element with children: all its text
    assert first_value(kids, "e", "b") == "one"  # an empty element gives way to the next tag
    assert first_value(kids, "missing") == "" and children(None) == {}


def test_claim_fast_paths_match_the_general_ones() -> None:
    el = parse_document(b'<claim num="0003"/>')
    assert claim_number(el, 9) == 3
    assert claim_number(parse_document(b'<claim num="01-18"/>'), 9) == 1
    assert claim_number(parse_document(b'<claim num="\xc2\xb2"/>'), 9) == 9  # a superscript is no number
    assert claim_references("A device according to claim 2, wherein", 5) == [2]
    assert claim_references("A device comprising a lens and a chip.", 5) == []
    assert claim_references("Vorrichtung nach Anspruch 1 oder 2", 5) == [1, 2]
    assert claim_references("根据权利要求１所述的装置", 5) == [1]  # full-width digit: NFKC still applies


@pytest.mark.parametrize("text", [
    "Apparatus as claimed in any of the foregoing claims, wherein", "A lamp according to any preceding claim",
    "Method according to any one of the previous claims", "Vorrichtung nach einem der vorhergehenden Ansprüche",
    "Dispositif selon l'une quelconque des revendications précédentes", "根据前述任一项权利要求所述的装置",
    "前記いずれかの請求項に記載の装置", "Apparatus according to one or more of the preceding claims, wherein",
    "Apparatus according to the preceding claims", "The method of any preceding claim"])
def test_a_claim_referring_to_the_foregoing_claims_depends_on_every_earlier_one(text: str) -> None:
    assert claim_references(text, 4) == [1, 2, 3]
    assert claim_references(text, 1) == []  # the first claim has none before it


def test_the_preceding_claim_is_the_one_before_and_a_claims_word_alone_is_no_reference() -> None:
    assert claim_references("A device according to the preceding claim, wherein", 5) == [4]
    assert claim_references("The method of the preceding claim", 3) == [2]
    assert claim_references("Vorrichtung nach dem vorhergehenden Anspruch", 3) == [2]
    assert claim_references("A method of claim 2, as in the preceding claims of the family", 5) == [2]


@pytest.mark.parametrize("text,refs", [
    # an insurance claim is no claim of the patent: the words refer to none, or stand past the preamble
    ("A system for processing insurance claims, comprising", []),
    ("A method comprising comparing a new insurance claim with any prior claim of the insured", []),
    ("A method of processing each of the previous claims filed", []),
    ("A method for retrieving the previous claim of the same vehicle", []),
    # a number after the words is a numbered reference, not every earlier claim
    ("根据上述权利要求1或2所述的装置", [1, 2]), ("前記請求項1に記載の装置", [1]),
    ("Apparatus according to any one of the preceding claims 1 to 3", [1, 2, 3])])
def test_unnumbered_references_are_read_where_a_claim_refers(text: str, refs: list[int]) -> None:
    assert claim_references(text, 5) == refs


def test_claim_references_are_read_from_markup_or_else_from_the_digits_shown() -> None:
    claims = parse_document(
        b'<claims><claim num="1"><claim-text>1. A lamp.</claim-text></claim>'
        b'<claim num="2"><claim-text>2. The lamp of <claim-ref idref="CLM-00001">claim 1</claim-ref>.'
        b'</claim-text></claim>'
        b'<claim num="3"><claim-text>3. A lamp as in <claim-ref>claim 2</claim-ref>.</claim-text></claim>'
        b'<claim num="4"><claim-text>4. A lamp, as in <claim-ref idref=" ">claim 3</claim-ref>.</claim-text></claim>'
        b'</claims>')
    built = build_claims(claims.findall("claim"))
    assert [(c.number, c.text, c.refers_to) for c in built] == [
        (1, "A lamp.", []), (2, "The lamp of claim 1.", [1]), (3, "A lamp as in claim 2.", [2]),
        (4, "A lamp, as in claim 3.", [3])]  # a blank idref: the digits shown (it stopped the load, IndexError)


def test_the_address_line_is_looked_for_in_every_address() -> None:
    from ipsearch.model import PartyRole
    from loaders.parsers.common import addressbook_party

    el = parse_document(b"<applicant><addressbook><orgname>ACME</orgname><address><country>US</country></address>"
                        b"<address><address-1>1 Main St</address-1></address></addressbook></applicant>")
    party = addressbook_party(PartyRole.applicant, el)
    assert party is not None and (party.name, party.country, party.address) == ("ACME", "US", "1 Main St")


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def test_clean_collapses_every_whitespace_character_as_split_does() -> None:
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()]
    assert len(spaces) > 20  # ASCII separators, NBSP, U+3000, U+2028 ...
    long = "word " * 10  # long text takes clean's fast path, a short value the general one
    for space in spaces:
        for text in (f"a{space}b", f"{space}a b{space}", f"a {space}b", f"a{space}{space}b", space):
            for padded in (text, long + text, text + long, f"{long}{text} {long}"):
                assert clean(padded) == _collapsed(padded), (hex(ord(space)), padded)
    # every short mix of a space, a separator, a letter and a CJK character, in every order
    for n in range(1, 5):
        for parts in itertools.product((" ", "\t", "\x1f", "\u3000", "x", "中"), repeat=n):
            text = "".join(parts)
            for padded in (text, long + text, text + long):
                assert clean(padded) == _collapsed(padded), repr(padded)
    assert clean(None) == "" and clean("") == ""


def test_clean_reads_the_real_corpus_as_split_does(shared_data_dir: Path) -> None:
    checked = 0
    for src in expand([shared_data_dir / "patents"]):
        for raw in iter_raw(src):
            if not isinstance(raw, RawItem):
                continue
            for el in parse_document(raw.data).iter("p", "claim", "invention-title", "name", "orgname"):
                text = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
                assert clean(text) == _collapsed(text), (src.name, el.tag)
                checked += 1
    assert checked > 10_000
