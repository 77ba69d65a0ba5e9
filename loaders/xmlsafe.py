"""Safe, tolerant XML: splitting bulk files into documents and parsing each one.

No DTD is loaded, no entity is expanded from a DTD, nothing is fetched from the network, and
lxml's huge-tree guard stays on (a text node over 10 MB is an error). Named entities that USPTO
files use without their DTD (``&mdash;`` ...) are turned into character references from a table.
"""

from __future__ import annotations

import html.entities
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlparse

from lxml import etree

from loaders.errors import ParseError

CHUNK = 1 << 20
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
_XML_DECL = b"<?xml "
_BOM = b"\xef\xbb\xbf"
_PREDEFINED = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_ENTITY_RE = re.compile(rb"&([A-Za-z][A-Za-z0-9._-]*);")
# html5 names cover the ISO 8879 sets USPTO uses (mdash, deg, plusmn, micro, ...).
_ENTITY_TABLE: dict[bytes, bytes] = {
    name.encode(): f"&#{cp};".encode() for name, cp in html.entities.name2codepoint.items()
}
_ENTITY_TABLE.update({b"thgr": b"&#952;", b"sgr": b"&#963;", b"agr": b"&#945;", b"bgr": b"&#946;",
                      b"ggr": b"&#947;", b"dgr": b"&#948;", b"egr": b"&#949;", b"mgr": b"&#956;",
                      b"lgr": b"&#955;", b"pgr": b"&#960;", b"ohgr": b"&#969;", b"OHgr": b"&#937;",
                      b"Dgr": b"&#916;", b"phgr": b"&#966;", b"tgr": b"&#964;", b"rgr": b"&#961;",
                      b"khgr": b"&#967;", b"ngr": b"&#957;", b"zgr": b"&#950;", b"igr": b"&#953;",
                      b"kgr": b"&#954;", b"xgr": b"&#958;", b"ugr": b"&#965;", b"eegr": b"&#951;",
                      b"psgr": b"&#968;", b"ogr": b"&#959;", b"circle": b"&#9675;", b"dot": b"&#729;",
                      b"lsqb": b"[", b"rsqb": b"]", b"lcub": b"{", b"rcub": b"}", b"verbar": b"|",
                      b"bull": b"&#8226;", b"ap": b"&#8776;", b"cir": b"&#9675;", b"squ": b"&#9633;",
                      b"utri": b"&#9653;", b"dtri": b"&#9663;", b"angst": b"&#8491;", b"ohm": b"&#8486;"})


class UnsafeXML(ParseError):
    """The document tries something we refuse: entity declarations, a network DTD."""


@dataclass(frozen=True)
class RawDocument:
    """One document's bytes and where it starts in its file."""

    data: bytes
    offset: int


def split_documents(stream: BinaryIO) -> Iterator[RawDocument]:
    """Split a stream of one or many concatenated XML documents at each ``<?xml`` declaration.

    Memory is bounded by the largest single document plus one read chunk. A file without any
    declaration (JPO) is one document.
    """
    buf = b""
    base = 0  # file offset of buf[0]
    first = True
    while True:
        chunk = stream.read(CHUNK)
        if first:
            first = False
            if chunk.startswith(_BOM):
                chunk, base = chunk[3:], 3
        if not chunk:
            break
        search_from = max(len(buf) - len(_XML_DECL), 1)
        buf += chunk
        while True:
            cut = buf.find(_XML_DECL, search_from)
            if cut < 0:
                break
            doc = buf[:cut]
            if doc.strip():
                yield RawDocument(doc, base)
            buf, base, search_from = buf[cut:], base + cut, 1
        if len(buf) > MAX_DOCUMENT_BYTES:
            yield RawDocument(buf[: 1 << 16], base)  # the head only: it will fail with a clear error
            raise UnsafeXML(f"a document at byte {base} exceeds {MAX_DOCUMENT_BYTES} bytes")
    if buf.strip():
        yield RawDocument(buf, base)


def replace_named_entities(data: bytes) -> bytes:
    """``&mdash;`` -> ``&#8212;``; unknown names become visible text (``&amp;name;``), not errors."""
    if b"&" not in data:
        return data

    def sub(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _PREDEFINED:
            return match.group(0)
        return _ENTITY_TABLE.get(name, b"&amp;" + name + b";")

    return _ENTITY_RE.sub(sub, data)


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser. Building one costs about half a document's parse, and lxml parsers
    are best not shared between threads: one per thread, reused."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(
            resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
            huge_tree=False, remove_comments=True, remove_pis=True, strip_cdata=True, recover=False,
        )
    return parser


def check_doctype(docinfo: etree.DocInfo) -> None:
    """Refuse entity declarations (billion laughs, XXE) and DTDs at network or file URLs."""
    dtd = docinfo.internalDTD
    if dtd is not None:
        entities = list(dtd.iterentities())
        if entities:
            names = ", ".join(e.name or "?" for e in entities[:5])
            raise UnsafeXML(f"the DOCTYPE declares entities ({names}); entity declarations are refused")
    system_url = docinfo.system_url
    if system_url:
        scheme = urlparse(system_url).scheme.lower()
        if scheme and len(scheme) > 1:  # 'c:' style drive letters are paths, not schemes
            raise UnsafeXML(f"the DOCTYPE points at {system_url!r}; external DTDs are never fetched")


def refuse_entity_declarations(data: bytes) -> None:
    """Refuse a document whose DOCTYPE declares entities, before any parser sees it."""
    if data.find(b"<!ENTITY", 0, 65536) >= 0 and b"<!ENTITY" in _doctype_block(data):
        raise UnsafeXML("the DOCTYPE declares entities; entity declarations are refused "
                        "(entity expansion and external entities are attack vectors)")


def parse_document(data: bytes) -> etree._Element:
    """Parse one document safely; return its root with namespaces stripped to local names."""
    if data.startswith(_BOM):
        data = data[3:]
    refuse_entity_declarations(data)
    root = etree.fromstring(replace_named_entities(data), _parser())
    check_doctype(root.getroottree().docinfo)
    if root.nsmap or (isinstance(root.tag, str) and root.tag.startswith("{")) or b"xmlns" in data:
        strip_namespaces(root)
    return root


def _doctype_block(data: bytes) -> bytes:
    """The DOCTYPE declaration with its internal subset, if any."""
    start = data.find(b"<!DOCTYPE")
    if start < 0:
        return b""
    end = data.find(b"]>", start)
    return data[start : end + 2 if end >= 0 else start + 65536]


def strip_namespaces(root: etree._Element) -> None:
    """CNIPA and DOCDB use namespaces; our extractors speak local names only."""
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag[0] == "{":
            el.tag = tag.split("}", 1)[1]
    etree.cleanup_namespaces(root)


def root_name(head: bytes) -> str | None:
    """The root element's local name from the first bytes of a document (skips PIs, DOCTYPE)."""
    match = re.search(rb"<([A-Za-z_][\w.:-]*)[\s>/]", re.sub(rb"<[?!][^>]*>", b"", head[:65536]))
    if not match:
        return None
    return match.group(1).decode("ascii", "replace").split(":")[-1]


def safe_iterparse(stream: BinaryIO, events: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
    """``etree.iterparse`` with the same refusals as ``parse_document`` (no DTD, no entities, no
    network, no huge text nodes); comments and processing instructions are dropped."""
    return etree.iterparse(
        stream, events=events, resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )


def free(el: etree._Element) -> None:
    """Release a streamed element and the siblings before it (memory stays bounded)."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    while parent is not None and el.getprevious() is not None:
        del parent[0]


def iter_container(stream: BinaryIO, item_tag: str) -> Iterator[tuple[etree._Element, int]]:
    """Stream the ``item_tag`` children of a container document (DOCDB exchange files).

    Yields each item (namespaces stripped) with the parser's byte position; items are freed
    after use, so memory stays bounded whatever the file size.
    """
    for _event, el in safe_iterparse(stream, ("end",)):
        if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == item_tag:
            strip_namespaces(el)
            yield el, stream.tell() if hasattr(stream, "tell") else 0
            free(el)
