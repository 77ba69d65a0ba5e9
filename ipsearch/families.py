"""Patent families: the DOCDB/INPADOC family id where the data carries one, otherwise a family
computed from shared priority claims, kept up to date as documents arrive.

Every document has *family keys*: the priority claims it makes and its own application (both as
country + number). Documents that share a key, directly or through other documents, are one group;
a later document that claims the priorities of two groups joins them. A group's id is the smallest
DOCDB id among its members when any member carries one, else its smallest key. A document whose
data carries a DOCDB id keeps that id.

The ids are a function of the documents present, not of the order they arrived in: each write
recomputes the whole group of every document it writes (the writers call ``settle`` with the
stored documents that share keys with the batch), and a document's keys only grow.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ipsearch.model import PatentDocument, priority_key

MAX_GROUP = 5000  # documents read to settle one batch's groups; beyond, the group is settled partially


class FamilyBasis(StrEnum):
    docdb = "docdb"  # the data carries the DOCDB/INPADOC family id
    priority = "priority"  # computed from shared priority claims


@dataclass(frozen=True)
class FamilyRow:
    """What settling families needs of one document."""

    pn: str
    keys: frozenset[str]
    own_id: str | None  # the DOCDB id the data carries
    family_id: str | None = None  # the id it has now (None: not written yet)


Lookup = Callable[[set[str]], Iterable[FamilyRow]]


def family_keys(doc: PatentDocument) -> list[str]:
    """The priority claims (those naming their country) and the application of ``doc``; its own
    number when it has neither."""
    keys = {priority_key(p) for p in doc.priorities if p.country and p.number.strip()}
    if doc.application_number:
        number = re.sub(r"[^0-9A-Z]", "", doc.application_number.upper()).lstrip("0")
        keys.add(f"{doc.pn.country}{number}")
    return sorted(k for k in keys if len(k) > 2) or [doc.pn.normalised]


def provisional_id(doc: PatentDocument) -> tuple[str, FamilyBasis]:
    """The id a document has on its own, before the writers see the rest of the corpus."""
    if doc.family_id:
        return doc.family_id, FamilyBasis.docdb
    return family_keys(doc)[0], FamilyBasis.priority


def row_of(record: Mapping[str, Any]) -> FamilyRow:
    """A FamilyRow from an index record (``family_id``, ``family_basis``, ``family_keys``)."""
    family_id = record.get("family_id")
    own = family_id if record.get("family_basis") == FamilyBasis.docdb else None
    return FamilyRow(record["pn"], frozenset(record.get("family_keys") or ()), own, family_id)


def settle(batch: Iterable[FamilyRow], lookup: Lookup, old_keys: Iterable[str] = ()) -> dict[str, str]:
    """The family ids that change in the groups of ``batch`` (and of ``old_keys``: the keys the
    batch's documents had before, so a group they leave is settled too). ``lookup(keys)`` returns
    the stored documents that have any of ``keys``; the batch's own rows win over stored ones."""
    rows = {row.pn: row for row in batch}
    seen: set[str] = set()
    frontier = {k for row in rows.values() for k in row.keys} | set(old_keys)
    while frontier and len(rows) < MAX_GROUP:
        seen |= frontier
        for row in lookup(frontier):
            rows.setdefault(row.pn, row)
        frontier = {k for row in rows.values() for k in row.keys} - seen
    ids = group_ids(rows.values())
    return {pn: family_id for pn, family_id in ids.items() if rows[pn].family_id != family_id}


def group_ids(rows: Iterable[FamilyRow]) -> dict[str, str]:
    """Connected groups of documents sharing keys, and each document's id (see the module doc)."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    rows = list(rows)
    for row in rows:
        first, *rest = sorted(row.keys) or [row.pn]
        for key in rest:
            parent[find(key)] = find(first)
    members: dict[str, list[FamilyRow]] = {}
    for row in rows:
        members.setdefault(find(min(row.keys or {row.pn})), []).append(row)
    out: dict[str, str] = {}
    for group in members.values():
        docdb = sorted({r.own_id for r in group if r.own_id}, key=lambda i: (len(i), i))
        group_id = docdb[0] if docdb else min(k for r in group for k in (r.keys or {r.pn}))
        out.update({r.pn: r.own_id or group_id for r in group})
    return out
