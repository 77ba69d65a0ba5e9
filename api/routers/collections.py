"""Topic collections: saved query + manual items, tags, notes, statistics, export; notifications."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.deps import CurrentUser, OptionalUser, SessionDep, WriterDep, get_platform
from core import notifications
from core.accounts.permissions import org_role
from core.errors import InvalidInput, PermissionDenied
from ipsearch import collections as colls
from ipsearch.collections import Collection, CollectionNote, CollectionTag, Visibility
from ipsearch.query.parser import parse_query

router = APIRouter(prefix="/api/v1", tags=["collections"])


class CollectionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    query: str | None = Field(default=None, max_length=2000)
    visibility: Visibility = Visibility.private
    org_id: int | None = None


class CollectionPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    query: str | None = Field(default=None, max_length=2000)
    visibility: Visibility | None = None


class CollectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    org_id: int | None
    name: str
    description: str
    query: str | None
    visibility: Visibility
    created_at: datetime
    last_run_at: datetime | None
    items: int = 0


class ItemsIn(BaseModel):
    pns: list[str] = Field(min_length=1, max_length=1000)


class TagIn(BaseModel):
    pn: str
    tag: str = Field(min_length=1, max_length=100)


class NoteIn(BaseModel):
    pn: str
    text: str = Field(min_length=1, max_length=10_000)


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    payload: dict[str, object]
    created_at: datetime
    read_at: datetime | None


def _out(session: SessionDep, coll: Collection) -> CollectionOut:
    out = CollectionOut.model_validate(coll)
    out.items = colls.item_count(session, coll)
    return out


def _check_query(query: str | None) -> None:
    if query is not None:
        parse_query(query)


@router.post("/collections", status_code=status.HTTP_201_CREATED, response_model=CollectionOut)
def create_collection(body: CollectionIn, request: Request, w: WriterDep) -> CollectionOut:
    _check_query(body.query)
    if body.visibility == Visibility.org:
        if body.org_id is None or org_role(w.session, w.actor, body.org_id) is None:
            raise PermissionDenied("an organisation collection needs an organisation you belong to")
    coll = Collection(owner_id=w.actor.id, org_id=body.org_id, name=body.name, description=body.description,
                      query=body.query, visibility=body.visibility)
    w.session.add(coll)
    w.session.flush()
    if body.query:
        from ipsearch.events import latest_event_id

        matches = get_platform(request).search.matching_ids(body.query, limit=colls.MAX_QUERY_MATCHES)
        colls.refresh(w.session, coll, matches, event_id=None)
        coll.last_event_id = latest_event_id(w.session)
    w.audit("collection.create", "collection", coll.id, name=coll.name, query=coll.query)
    w.commit()
    return _out(w.session, coll)


@router.get("/collections", response_model=list[CollectionOut])
def my_collections(user: CurrentUser, session: SessionDep) -> list[CollectionOut]:
    owned = session.scalars(select(Collection).where(Collection.owner_id == user.id).order_by(Collection.id))
    return [_out(session, c) for c in owned]


@router.get("/collections/{cid}", response_model=CollectionOut)
def get_collection(cid: int, user: OptionalUser, session: SessionDep) -> CollectionOut:
    return _out(session, colls.get_visible(session, user, cid))


@router.patch("/collections/{cid}", response_model=CollectionOut)
def update_collection(cid: int, body: CollectionPatch, w: WriterDep) -> CollectionOut:
    coll = colls.get_editable(w.session, w.actor, cid)
    _check_query(body.query)
    changes = body.model_dump(exclude_unset=True)
    if "visibility" in changes and coll.owner_id != w.actor.id:
        raise PermissionDenied("only the owner may change who sees the collection")
    for key, value in changes.items():
        setattr(coll, key, value)
    w.audit("collection.update", "collection", coll.id, **{k: str(v) for k, v in changes.items()})
    w.commit()
    return _out(w.session, coll)


@router.delete("/collections/{cid}", status_code=status.HTTP_204_NO_CONTENT)
def delete_collection(cid: int, w: WriterDep) -> None:
    coll = colls.get_editable(w.session, w.actor, cid)
    if coll.owner_id != w.actor.id and w.actor.role.value != "admin":
        raise PermissionDenied("only the owner may delete the collection")
    w.audit("collection.delete", "collection", coll.id, name=coll.name)
    w.session.delete(coll)
    w.commit()


@router.get("/collections/{cid}/items")
def list_items(cid: int, user: OptionalUser, session: SessionDep) -> dict[str, object]:
    coll = colls.get_visible(session, user, cid)
    tags: dict[str, list[str]] = {}
    for t in session.scalars(select(CollectionTag).where(CollectionTag.collection_id == coll.id)):
        tags.setdefault(t.pn, []).append(t.tag)
    return {"items": [{"pn": pn, "tags": tags.get(pn, [])} for pn in colls.item_pns(session, coll)]}


@router.post("/collections/{cid}/items")
def add_items(cid: int, body: ItemsIn, w: WriterDep) -> dict[str, object]:
    coll = colls.get_editable(w.session, w.actor, cid)
    added = colls.add_items(w.session, coll, [colls.normalise_pn(p) for p in body.pns])
    w.audit("collection.items.add", "collection", coll.id, pns=added)
    w.commit()
    return {"added": added}


@router.post("/collections/{cid}/items/remove")
def remove_items(cid: int, body: ItemsIn, w: WriterDep) -> dict[str, object]:
    coll = colls.get_editable(w.session, w.actor, cid)
    removed = colls.remove_items(w.session, coll, [colls.normalise_pn(p) for p in body.pns])
    w.audit("collection.items.remove", "collection", coll.id, pns=body.pns)
    w.commit()
    return {"removed": removed}


@router.post("/collections/{cid}/tags", status_code=status.HTTP_201_CREATED)
def add_tag(cid: int, body: TagIn, w: WriterDep) -> dict[str, object]:
    coll = colls.get_editable(w.session, w.actor, cid)
    pn = colls.normalise_pn(body.pn)
    if pn not in set(colls.item_pns(w.session, coll)):
        raise InvalidInput(f"{pn} is not in the collection")
    exists = w.session.scalar(select(CollectionTag).where(CollectionTag.collection_id == coll.id,
                                                          CollectionTag.pn == pn, CollectionTag.tag == body.tag))
    if exists is None:
        w.session.add(CollectionTag(collection_id=coll.id, pn=pn, tag=body.tag.strip()))
    w.audit("collection.tag", "collection", coll.id, pn=pn, tag=body.tag)
    w.commit()
    return {"pn": pn, "tag": body.tag}


@router.post("/collections/{cid}/notes", status_code=status.HTTP_201_CREATED)
def add_note(cid: int, body: NoteIn, w: WriterDep) -> dict[str, object]:
    coll = colls.get_editable(w.session, w.actor, cid)
    note = CollectionNote(collection_id=coll.id, pn=colls.normalise_pn(body.pn), author_id=w.actor.id,
                          text=body.text)
    w.session.add(note)
    w.session.flush()
    w.audit("collection.note", "collection", coll.id, note_id=note.id, pn=note.pn)
    w.commit()
    return {"id": note.id, "pn": note.pn, "text": note.text}


@router.get("/collections/{cid}/notes")
def list_notes(cid: int, user: OptionalUser, session: SessionDep) -> list[dict[str, object]]:
    coll = colls.get_visible(session, user, cid)
    notes = session.scalars(select(CollectionNote).where(CollectionNote.collection_id == coll.id)
                            .order_by(CollectionNote.id))
    return [{"id": n.id, "pn": n.pn, "author_id": n.author_id, "text": n.text, "created_at": n.created_at}
            for n in notes]


@router.get("/collections/{cid}/stats")
def collection_stats(cid: int, request: Request, user: OptionalUser, session: SessionDep) -> dict[str, object]:
    """Counts by publication year, IPC subclass and applicant over the collection's documents."""
    coll = colls.get_visible(session, user, cid)
    backend = get_platform(request).search.backend
    years: Counter[str] = Counter()
    ipcs: Counter[str] = Counter()
    applicants: Counter[str] = Counter()
    pns = colls.item_pns(session, coll)
    for pn in pns:
        record = backend.get(pn)
        if record is None:
            continue
        if record.get("publication_year"):
            years[str(record["publication_year"])] += 1
        ipcs.update(record.get("ipc_subclass") or [])
        applicants.update(record.get("owner_keys") or [])
    return {"documents": len(pns), "by_year": dict(sorted(years.items())),
            "by_ipc_subclass": dict(ipcs.most_common(30)), "by_applicant": dict(applicants.most_common(30))}


@router.get("/collections/{cid}/export")
def export_collection(cid: int, request: Request, user: OptionalUser, session: SessionDep,
                      format: Literal["csv", "jsonl"] = "csv") -> StreamingResponse:
    import json

    coll = colls.get_visible(session, user, cid)
    backend = get_platform(request).search.backend
    pns = colls.item_pns(session, coll)

    def rows() -> object:
        if format == "csv":
            buf = io.StringIO()
            csv.writer(buf).writerow(["pn", "title", "publication_date", "applicants", "ipc"])
            yield buf.getvalue()
        for pn in pns:
            r = backend.get(pn) or {"pn": pn}
            applicants: list[str] = r.get("owners") or []
            ipc: list[str] = r.get("ipc") or []
            row = {"pn": pn, "title": r.get("title"), "publication_date": r.get("publication_date"),
                   "applicants": applicants, "ipc": ipc}
            if format == "csv":
                buf = io.StringIO()
                csv.writer(buf).writerow([pn, row["title"] or "", row["publication_date"] or "",
                                          "; ".join(applicants), "; ".join(ipc)])
                yield buf.getvalue()
            else:
                yield json.dumps(row, ensure_ascii=False) + "\n"

    return StreamingResponse(rows(), media_type="text/csv" if format == "csv" else "application/x-ndjson")  # type: ignore[arg-type]


@router.get("/notifications", response_model=list[NotificationOut])
def my_notifications(user: CurrentUser, session: SessionDep,
                     unread: Annotated[bool, Query()] = False) -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in notifications.for_user(session, user.id, unread)]


@router.post("/notifications/{nid}/read", response_model=NotificationOut)
def read_notification(nid: int, w: WriterDep) -> NotificationOut:
    note = notifications.mark_read(w.session, w.actor.id, nid)
    w.audit("notification.read", "notification", note.id)
    w.commit()
    return NotificationOut.model_validate(note)
