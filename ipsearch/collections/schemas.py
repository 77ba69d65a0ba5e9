"""Pydantic models of topic collections at the boundary (API, CLI): what comes in, what goes out."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from core.db import RowOut
from core.ids import DbId
from core.text import MultiLine, SingleLine
from ipsearch.collections.models import Visibility

# a publication number as typed ("US 7,654,321 B2" fits): longer is no number, and a refusal names each
TypedNumber = Annotated[str, Field(min_length=1, max_length=40)]


class CollectionIn(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=200)
    description: MultiLine = Field(default="", max_length=5000)
    query: str | None = Field(default=None, max_length=2000)
    visibility: Visibility = Visibility.private
    org_id: DbId | None = None
    pns: list[TypedNumber] = Field(default_factory=list, max_length=1000,
                                   description="documents of the corpus to start with (a patent page's "
                                               "'new collection')")


class CollectionPatch(BaseModel):
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    description: MultiLine | None = Field(default=None, max_length=5000)
    query: str | None = Field(default=None, max_length=2000)
    visibility: Visibility | None = None
    org_id: DbId | None = Field(default=None, description="the organisation an org collection is shared with")


class CollectionOut(RowOut):
    id: int
    owner_id: int
    org_id: int | None
    name: str
    description: str
    query: str | None
    visibility: Visibility
    created_at: datetime
    last_run_at: datetime | None
    items: int = Field(default=0, description="documents in the collection (removed ones not counted)")
    editable: bool = Field(default=False, description="whether the caller may change it (items, tags, notes)")
    owned: bool = Field(default=False, description="whether the caller owns it (who sees it, deletion)")
    owner_name: str = Field(default="", description="the display name of who keeps it")
    added: int | None = Field(default=None, description="after an update with a new saved query: the documents "
                                                        "it added at once")


class ItemsIn(BaseModel):
    pns: list[TypedNumber] = Field(min_length=1, max_length=1000)


class ItemOut(BaseModel):
    pn: str
    tags: list[str]
    in_corpus: bool = Field(default=True, description="false when the document has left the corpus")
    title: str | None = None
    publication_date: str | None = None
    applicants: list[str] = []
    added_at: datetime | None = Field(default=None, description="when it joined the collection")
    found_later: bool = Field(default=False, description="brought by the saved query after the collection was "
                              "made: new documents a load matched")
    new_to_you: bool = Field(default=False, description="found later, and new to the caller: since they began the "
                             "visit of the collection's page before their current one (all found later, before their "
                             "first visit ends)")


class ItemsOut(BaseModel):
    items: list[ItemOut]
    total: int = Field(description="documents in the collection (the items may be one page of them)")
    new_matches: int = Field(default=0, description="documents of the whole collection new to the caller (those "
                             "marked new_to_you, on any page): what a refresh found since their visit before this "
                             "one; 0 when not signed in")


class AddedOut(BaseModel):
    added: list[str] = Field(description="the publication numbers that were not in the collection before")
    numbers: list[str] = Field(default_factory=list, description="each number sent, as the corpus numbers it "
                               "(US 7,654,321 B2 is US7654321B2), whether it was added now or was there already")


class RemovedOut(BaseModel):
    removed: int = Field(description="how many documents left the collection")


class RestoredOut(BaseModel):
    restored: list[str] = Field(description="the publication numbers back in the collection, as they were before "
                                            "their removal (with their tags and notes)")


class TagIn(BaseModel):
    pn: str
    tag: SingleLine = Field(min_length=1, max_length=100)


class TagOut(BaseModel):
    pn: str
    tag: str


class NoteIn(BaseModel):
    pn: str
    text: MultiLine = Field(min_length=1, max_length=10_000)


class NoteCreated(RowOut):
    id: int
    pn: str
    text: str


class NoteDeletion(enum.StrEnum):
    """What deleting a note found: the note, deleted now, or no note of the collection by that id (deleted
    already, in another tab or by another member; or an id that never was one of its notes)."""

    deleted = "deleted"
    already_gone = "already_gone"


class NoteOut(NoteCreated):
    author_id: int
    created_at: datetime


class StatsOut(BaseModel):
    documents: int
    by_year: dict[str, int] = Field(description="documents per publication year")
    by_ipc_subclass: dict[str, int] = Field(description="the 30 most frequent IPC subclasses")
    by_applicant: dict[str, int] = Field(description="the 30 most frequent applicants, counted by harmonised name "
                                                     "and named as printed")


class Holding(BaseModel):
    """One of the caller's collections that holds a document, with the document's tags and notes there."""

    collection: CollectionOut
    tags: list[str]
    notes: list[NoteOut]

