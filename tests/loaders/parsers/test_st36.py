"""Parties in ST.36-style documents: one party per person or firm, whatever number of
data-format variants the source repeats it in (the real cases are in tests/loaders/test_real_corpus.py)."""

from __future__ import annotations

from ipsearch.model import PartyRole
from loaders.parsers import parse_root
from loaders.xmlsafe import parse_document


def lexisnexis(applicants: str) -> bytes:
    """A LexisNexis document (synthetic, made for this test) with the given applicant elements."""
    return f"""<lexisnexis-patent-document lang="eng" status="SYNTHETIC"><bibliographic-data>
      <publication-reference><document-id><country>CN</country><doc-number>99999999</doc-number>
      <kind>A</kind><date>20200101</date></document-id></publication-reference>
      <parties><applicants>{applicants}</applicants></parties></bibliographic-data>
    </lexisnexis-patent-document>""".encode()


def book(name: str, lang: str = "eng") -> str:
    return f'<addressbook lang="{lang}"><orgname>{name}</orgname></addressbook>'


def applicants(xml: bytes) -> list[tuple[str, list[str]]]:
    doc = parse_root(parse_document(xml))
    return [(p.name, p.aliases) for p in doc.parties_of(PartyRole.applicant)]


def test_two_entries_of_their_own_are_two_parties_even_under_one_sequence_number() -> None:
    """A variant joins its sequence's party; two entries without a data-format never merge."""
    xml = lexisnexis(f'<applicant sequence="1">{book("ALPHA LTD")}</applicant>'
                     f'<applicant sequence="1">{book("BETA LTD")}</applicant>'
                     f'<applicant sequence="1" data-format="original">{book("贝塔有限公司", "chi")}</applicant>')
    assert applicants(xml) == [("ALPHA LTD", []), ("BETA LTD", ["贝塔有限公司"])]


def test_variants_without_an_entry_of_their_own_name_the_party_as_applied() -> None:
    xml = lexisnexis(f'<applicant sequence="2" data-format="original">{book("Gamma Co., Ltd.")}</applicant>'
                     f'<applicant sequence="2" data-format="docdb">{book("GAMMA CO LTD")}</applicant>'
                     f'<applicant sequence="2" data-format="docdba">{book("GAMMA COMPANY")}</applicant>'
                     f'<applicant data-format="docdb">{book("DELTA AG")}</applicant>')
    assert applicants(xml) == [("GAMMA COMPANY", []), ("DELTA AG", [])]


def test_an_alias_that_is_the_same_name_again_is_not_kept_and_markup_stays_text() -> None:
    xml = lexisnexis(f'<applicant sequence="1">{book("ARAI TOSHIKATSU")}{book("新井俊胜", "chi")}</applicant>'
                     f'<applicant sequence="1" data-format="docdb">{book("TOSHIKATSU ARAI")}</applicant>'
                     f'<applicant sequence="1" data-format="original">{book("&lt;b&gt;新井&lt;/b&gt;", "chi")}'
                     f'</applicant>')
    assert applicants(xml) == [("ARAI TOSHIKATSU", ["新井俊胜", "<b>新井</b>"])]
