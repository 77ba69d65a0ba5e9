"""Format detection and dispatch: the root element (not the file name) picks the parser."""

from __future__ import annotations

from collections.abc import Callable

from ipsearch.model import PatentDocument
from loaders.errors import ParseError
from loaders.parsers import cnipa_new, epo, ops, st36, uspto_pap
from loaders.parsers.common import El, MissingField

Parser = Callable[[El], PatentDocument]

# Roots that hold no patent document and are skipped, not failed (USPTO weekly files carry
# sequence listings between the grants).
NON_PATENT_ROOTS = {"sequence-cwu"}


class UnknownFormat(ParseError):
    """The root element is not a patent format we read."""


def parser_for(root_tag: str) -> Parser:
    if st36.is_known(root_tag):
        return st36.parse
    if root_tag == "ep-patent-document":
        return epo.parse
    if root_tag == "patent-application-publication":
        return uspto_pap.parse
    if root_tag == "PatentDocumentAndRelated":
        return cnipa_new.parse
    if root_tag == "world-patent-data":
        return ops.parse
    raise UnknownFormat(f"unknown document root <{root_tag}>")


def parse_root(root: El) -> PatentDocument:
    return parser_for(root.tag)(root)


__all__ = ["NON_PATENT_ROOTS", "MissingField", "UnknownFormat", "parse_root", "parser_for"]
