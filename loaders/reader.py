"""Read one source into raw documents, then into parsed documents, skips and quarantined failures.

``iter_raw`` only splits bytes (cheap, in the loading process); ``process_raw`` parses (the
expensive part, which ``--workers`` spreads over processes).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from ipsearch.model import PatentDocument
from loaders.errors import ParseError
from loaders.parsers import NON_PATENT_ROOTS, MissingField, UnknownFormat, parse_root
from loaders.parsers.ops import OpsResponseError, split_response
from loaders.sources import Source
from loaders.xmlsafe import UnsafeXML, iter_container, parse_document, root_name, split_documents

# Container formats hold many documents under one root; they are streamed item by item.
CONTAINERS = {"exchange-documents": "exchange-document"}
# Responses that hold several documents and are checked whole before any is loaded (one file may
# concatenate several responses).
RESPONSES = {"world-patent-data"}

log = logging.getLogger(__name__)
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
    fault: bool = False  # a fault of our parser, not of the document: its file is read again by the next load


Item = Parsed | Skipped | Failure


def iter_raw(source: Source) -> Iterator[RawItem | Failure]:
    with source.open() as fh:
        head = fh.read(65536)
    if not head.strip():
        yield Failure(source.name, 0, None, "empty file (zero bytes or only whitespace)")
        return
    root = root_name(head.removeprefix(b"\xef\xbb\xbf")) or ""
    item_tag = CONTAINERS.get(root)
    with source.open() as fh:
        try:
            if item_tag:
                for seq, (el, position) in enumerate(iter_container(fh, item_tag)):
                    yield RawItem(seq, position, etree.tostring(el))
            elif root in RESPONSES:
                yield from _response_items(source.name, fh)
            else:
                for seq, raw in enumerate(split_documents(fh)):
                    yield RawItem(seq, raw.offset, raw.data)
        except (UnsafeXML, etree.XMLSyntaxError) as exc:
            yield Failure(source.name, 0, None, describe(exc))


def _response_items(name: str, fh: BinaryIO) -> Iterator[RawItem | Failure]:
    """The documents of each response in the file; a refused response is one failure and
    nothing of it is yielded."""
    seq = 0
    for raw in split_documents(fh):
        try:
            items = split_response(raw.data)
        except (ParseError, etree.XMLSyntaxError) as exc:
            yield Failure(name, raw.offset, _number_hint(raw.data), describe(exc))
            continue
        for position, data in items:
            yield RawItem(seq, raw.offset + position, data)
            seq += 1


def process_raw(source_name: str, raw: RawItem) -> Item:
    try:
        root = parse_document(raw.data)
        if root.tag in NON_PATENT_ROOTS:
            return Skipped(raw.offset, f"<{root.tag}> is not a patent document")
        doc = parse_root(root)
    except (etree.XMLSyntaxError, UnsafeXML, MissingField, UnknownFormat, ValueError) as exc:
        return Failure(source_name, raw.offset, _number_hint(raw.data), describe(exc))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser fault on one document quarantines it, not the load
        _log_fault(source_name, raw.offset)
        return Failure(source_name, raw.offset, _number_hint(raw.data),
                       f"parser fault, please report it: {type(exc).__name__}: {exc}"[:1000], fault=True)
    doc.source_file = source_name
    return Parsed(doc, raw.offset)


_faults_logged = 0
MAX_FAULT_TRACEBACKS = 5  # per process: a fault that hits every document of a weekly file logs five, not thousands


def _log_fault(source_name: str, offset: int) -> None:
    global _faults_logged
    _faults_logged += 1
    if _faults_logged <= MAX_FAULT_TRACEBACKS:
        log.exception("a parser fault on the document at byte %s of %s", offset, source_name)
    else:
        log.warning("a parser fault on the document at byte %s of %s (traceback logged for the first %s)",
                    offset, source_name, MAX_FAULT_TRACEBACKS)


def read_source(source: Source) -> Iterator[Item]:
    for raw in iter_raw(source):
        yield raw if isinstance(raw, Failure) else process_raw(source.name, raw)


def _number_hint(data: bytes) -> str | None:
    match = _NUMBER_HINT.search(data[:200_000])
    return match.group(1).decode("utf-8", "replace") if match else None


_KINDS: list[tuple[type[Exception], str]] = [
    (etree.XMLSyntaxError, "malformed XML"), (UnsafeXML, "unsafe XML"), (MissingField, "missing field"),
    (UnknownFormat, "unknown format"), (OpsResponseError, "refused OPS response")]


def describe(exc: Exception) -> str:
    kind = next((k for cls, k in _KINDS if isinstance(exc, cls)), type(exc).__name__)
    return f"{kind}: {exc}"[:1000]
