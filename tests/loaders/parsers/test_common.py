"""The parsers read several fields of one element through a map of its children
(``children`` + ``first_value``) instead of one ``find`` per field; on every element of the real
corpus that map gives what ``find`` gives."""

from __future__ import annotations

from pathlib import Path

from loaders.parsers.common import children, claim_number, claim_references, first_text, first_value
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


def test_the_address_line_is_looked_for_in_every_address() -> None:
    from ipsearch.model import PartyRole
    from loaders.parsers.common import addressbook_party

    el = parse_document(b"<applicant><addressbook><orgname>ACME</orgname><address><country>US</country></address>"
                        b"<address><address-1>1 Main St</address-1></address></addressbook></applicant>")
    party = addressbook_party(PartyRole.applicant, el)
    assert party is not None and (party.name, party.country, party.address) == ("ACME", "US", "1 Main St")
