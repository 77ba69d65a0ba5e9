"""Format detection and dispatch: the root element (not the file name) picks the parser."""

from __future__ import annotations

from collections.abc import Callable

from ipsearch.model import PatentDocument
from loaders.errors import ParseError
from loaders.parsers import cnipa_new, epo, ops, st36, uspto_pap
from loaders.parsers.common import El, MissingField

Parser = Callable[[El], PatentDocument]

# What the parsers make of the same bytes: raised when that changes, so a load reads again the files
# an older parser read (the journal's "unchanged" holds for one version). 1: documents flagged
# synthetic from their root; one party per person or firm across data-format variants, with aliases.
# 2: no space where the source breaks a line between two Chinese or Japanese characters. 3: a claim
# "as claimed in any of the foregoing claims" depends on them; a CN agency once, with its attorneys.
PARSER_VERSION = 3

# Roots that hold no patent document and are skipped, not failed (USPTO weekly files carry
# sequence listings between the grants).
NON_PATENT_ROOTS = {"sequence-cwu"}


class UnknownFormat(ParseError):
    """The root element is not a patent format we read."""


# Root element -> parser, besides the ST.36 family (st36.is_known).
PARSERS: dict[str, Parser] = {"ep-patent-document": epo.parse, "patent-application-publication": uspto_pap.parse,
                              "PatentDocumentAndRelated": cnipa_new.parse, "world-patent-data": ops.parse}


def parser_for(root_tag: str) -> Parser:
    if st36.is_known(root_tag):
        return st36.parse
    if root_tag in PARSERS:
        return PARSERS[root_tag]
    raise UnknownFormat(f"unknown document root <{root_tag}>")


def parse_root(root: El) -> PatentDocument:
    """The document of ``root``, marked synthetic when its root says so (``status="SYNTHETIC"``, as every
    document ``loaders.synthetic`` writes): lists and pages label it, so nobody takes it for a patent."""
    doc = parser_for(root.tag)(root)
    if root.get("status") == "SYNTHETIC":
        doc.synthetic = True
    return doc


__all__ = ["NON_PATENT_ROOTS", "PARSER_VERSION", "MissingField", "UnknownFormat", "parse_root", "parser_for"]
