"""Read one source into raw documents, then into parsed documents, skips and quarantined failures.

``iter_raw`` only splits bytes (cheap, in the loading process); ``process_raw`` parses (the
expensive part, which ``--workers`` spreads over processes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ipsearch.model import PatentDocument
from loaders.parsers import NON_PATENT_ROOTS, MissingField, UnknownFormat, parse_root
from loaders.sources import Source
from loaders.xmlsafe import UnsafeXML, iter_container, parse_document, root_name, split_documents

# Container formats hold many documents under one root; they are streamed item by item.
CONTAINERS = {"exchange-documents": "exchange-document"}

_NUMBER_HINT = re.compile(rb"<(?:[\w]+:)?(?:doc-number|DocNumber|B110)>\s*([^<]{1,40}?)\s*<")


@dataclass(frozen=True)
class RawItem:
    seq: int  # position of the document in its source: the journal's resume point
    offset: int  # byte offset in the source (for container items: the parser position)
    data: bytes


@dataclass(frozen=True)
class Parsed:
    doc: PatentDocument
    offset: int


@dataclass(frozen=True)
class Skipped:
    offset: int
    reason: str


@dataclass(frozen=True)
class Failure:
    source: str
    offset: int
    number: str | None
    error: str


Item = Parsed | Skipped | Failure


def iter_raw(source: Source) -> Iterator[RawItem | Failure]:
    with source.open() as fh:
        head = fh.read(65536)
    if not head.strip():
        yield Failure(source.name, 0, None, "empty file (zero bytes or only whitespace)")
        return
    item_tag = CONTAINERS.get(root_name(head.removeprefix(b"\xef\xbb\xbf")) or "")
    seq = 0
    with source.open() as fh:
        try:
            if item_tag:
                for el, position in iter_container(fh, item_tag):
                    yield RawItem(seq, position, etree.tostring(el))
                    seq += 1
            else:
                for raw in split_documents(fh):
                    yield RawItem(seq, raw.offset, raw.data)
                    seq += 1
        except (UnsafeXML, etree.XMLSyntaxError) as exc:
            yield Failure(source.name, 0, None, describe(exc))


def process_raw(source_name: str, raw: RawItem) -> Item:
    try:
        root = parse_document(raw.data)
        if root.tag in NON_PATENT_ROOTS:
            return Skipped(raw.offset, f"<{root.tag}> is not a patent document")
        doc = parse_root(root)
    except (etree.XMLSyntaxError, UnsafeXML, MissingField, UnknownFormat, ValueError) as exc:
        return Failure(source_name, raw.offset, _number_hint(raw.data), describe(exc))
    doc.source_file = source_name
    return Parsed(doc, raw.offset)


def read_source(source: Source) -> Iterator[Item]:
    for raw in iter_raw(source):
        yield raw if isinstance(raw, Failure) else process_raw(source.name, raw)


def _number_hint(data: bytes) -> str | None:
    match = _NUMBER_HINT.search(data[:200_000])
    return match.group(1).decode("utf-8", "replace") if match else None


def describe(exc: Exception) -> str:
    kind = {etree.XMLSyntaxError: "malformed XML", UnsafeXML: "unsafe XML", MissingField: "missing field",
            UnknownFormat: "unknown format"}.get(type(exc), type(exc).__name__)
    return f"{kind}: {exc}"[:1000]
