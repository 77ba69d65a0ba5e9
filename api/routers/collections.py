"""Topic collections: saved query + manual items, tags, notes, statistics, export; notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response, StreamingResponse

from api.deps import VARY, CurrentUser, OptionalUser, ReaderLanguage, SearchServiceDep, SessionDep, WriterDep
from api.responses import json_response
from core.accounts import service as accounts
from core.errors import NotFound
from core.ids import DbId
from core.notifications import NotificationOut, ReadAllIn, ReadAllOut
from ipsearch.collections import schemas, service
from ipsearch.results import ExportFormat

router = APIRouter(prefix="/api/v1", tags=["collections"])


@router.post("/collections",
             summary="Create a collection (专题库)",
             status_code=status.HTTP_201_CREATED, response_model=schemas.CollectionOut)
def create_collection(body: schemas.CollectionIn, w: WriterDep, search: SearchServiceDep) -> schemas.CollectionOut:
    """A topic collection: documents you add by number (`pns`) and, with a `query` in the search's
    query language, every document it finds, now and after each load (you get a notification of the
    new ones). `visibility`: private, org (with `org_id`, an organisation you belong to) or public.
    An unknown number or a query that cannot be read refuses the whole request (400)."""
    return service.create(w, search, body)


@router.get("/collections", summary="My collections", response_model=list[schemas.CollectionOut])
def my_collections(user: CurrentUser, session: SessionDep) -> list[schemas.CollectionOut]:
    """Those you own and those your organisations share with you."""
    return service.collections_of(session, user)


@router.get("/collections/{cid}", summary="One collection", response_model=schemas.CollectionOut)
def get_collection(cid: DbId, user: OptionalUser, session: SessionDep) -> schemas.CollectionOut:
    return service.get(session, user, cid)


@router.patch("/collections/{cid}",
              summary="Rename a collection or change its query", response_model=schemas.CollectionOut)
def update_collection(cid: DbId, body: schemas.CollectionPatch, w: WriterDep,
                      search: SearchServiceDep) -> schemas.CollectionOut:
    """Only the fields sent change; `"query": null` clears the saved query. A new query is run at
    once. Only the owner changes who sees the collection."""
    return service.update(w, search, cid, body)


@router.delete("/collections/{cid}",
               summary="Delete a collection", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
def delete_collection(cid: DbId, w: WriterDep) -> None:
    """The owner or an admin; its documents' tags and notes go with it."""
    service.delete(w, cid)


@router.get("/collections/{cid}/items", summary="A collection's documents", response_model=schemas.ItemsOut)
def list_items(cid: DbId, user: OptionalUser, session: SessionDep, search: SearchServiceDep,
               start: Annotated[int, Query(ge=0)] = 0,
               limit: Annotated[int | None, Query(ge=1, le=1000, description="all when absent")] = None,
               lang: ReaderLanguage = None) -> Response:
    """A page of documents from `start` (all of them without `limit`), each with its title, date,
    applicants and tags; a document that has left the corpus keeps its number and tags."""
    return json_response(service.items(session, user, search, cid, start, limit, lang), headers=VARY)


@router.post("/collections/{cid}/items", summary="Add documents to a collection", response_model=schemas.AddedOut)
def add_items(cid: DbId, body: schemas.ItemsIn, w: WriterDep, search: SearchServiceDep) -> schemas.AddedOut:
    return service.add_items(w, search, cid, body)


@router.post("/collections/{cid}/items/remove",
             summary="Remove documents from a collection", response_model=schemas.RemovedOut)
def remove_items(cid: DbId, body: schemas.ItemsIn, w: WriterDep) -> schemas.RemovedOut:
    return service.remove_items(w, cid, body)


@router.post("/collections/{cid}/items/restore",
             summary="Put removed documents back in a collection (undo a removal)",
             response_model=schemas.RestoredOut)
def restore_items(cid: DbId, body: schemas.ItemsIn, w: WriterDep) -> schemas.RestoredOut:
    """Each comes back as it was: when and how it first came, its tags and its notes."""
    return service.restore_items(w, cid, body)


@router.post("/collections/{cid}/tags",
             summary="Tag documents in a collection",
             status_code=status.HTTP_201_CREATED, response_model=schemas.TagOut)
def add_tag(cid: DbId, body: schemas.TagIn, w: WriterDep) -> schemas.TagOut:
    return service.add_tag(w, cid, body)


@router.post("/collections/{cid}/tags/remove", summary="Remove a tag from documents", response_model=schemas.RemovedOut)
def remove_tag(cid: DbId, body: schemas.TagIn, w: WriterDep) -> schemas.RemovedOut:
    return service.remove_tag(w, cid, body)


@router.delete("/collections/{cid}/notes/{note_id}",
               summary="Delete a note", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
def delete_note(cid: DbId, note_id: DbId, w: WriterDep) -> None:
    """A note the collection does not have (any more) is 404 here, as before: the web page says it
    was deleted already instead (``NoteDeletion.already_gone``)."""
    if service.delete_note(w, cid, note_id) is schemas.NoteDeletion.already_gone:
        raise NotFound.said("note %(note)s not found in collection %(id)s", note=note_id, id=cid)


@router.post("/collections/{cid}/notes",
             summary="Annotate a document in a collection",
             status_code=status.HTTP_201_CREATED, response_model=schemas.NoteCreated)
def add_note(cid: DbId, body: schemas.NoteIn, w: WriterDep) -> schemas.NoteCreated:
    return service.add_note(w, cid, body)


@router.get("/collections/{cid}/notes", summary="A collection's notes", response_model=list[schemas.NoteOut])
def list_notes(cid: DbId, user: OptionalUser, session: SessionDep) -> list[schemas.NoteOut]:
    return service.notes(session, user, cid)


@router.get("/collections/{cid}/stats",
            summary="A collection's counts by year, IPC and applicant", response_model=schemas.StatsOut)
def collection_stats(cid: DbId, user: OptionalUser, session: SessionDep, search: SearchServiceDep) -> schemas.StatsOut:
    """Counts by publication year, IPC subclass and applicant over the collection's documents."""
    return service.statistics(session, user, search, cid)


@router.get("/collections/{cid}/export", summary="Export a collection", response_class=StreamingResponse,
            responses={200: {"description": "the collection's documents, in the columns of the search export",
                             "content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export_collection(cid: DbId, user: OptionalUser, session: SessionDep, search: SearchServiceDep,
                      format: ExportFormat = ExportFormat.csv, lang: ReaderLanguage = None) -> StreamingResponse:
    """Every document with its tags and notes, as CSV (columns named by field, no byte-order mark)
    or JSON Lines; the portal's export is the one for spreadsheets."""
    stream = service.export(session, user, search, cid, format, lang)
    return StreamingResponse(stream, media_type=format.media_type,
                             headers={"Content-Disposition": f'attachment; filename="collection-{cid}.{format.value}"',
                                      **VARY})


@router.get("/notifications", summary="My inbox", response_model=list[NotificationOut])
def my_notifications(user: CurrentUser, session: SessionDep,
                     unread: Annotated[bool, Query()] = False) -> list[NotificationOut]:
    return accounts.inbox(session, user, unread)


@router.post("/notifications/{nid}/read", summary="Mark a notice read", response_model=NotificationOut)
def read_notification(nid: DbId, w: WriterDep) -> NotificationOut:
    return accounts.read_notification(w, nid)


@router.post("/notifications/read-all", summary="Mark every unread notice read", response_model=ReadAllOut)
def read_all_notifications(w: WriterDep, body: ReadAllIn | None = None) -> ReadAllOut:
    """Every unread notice, or with ``up_to`` those up to the newest the reader was shown."""
    return accounts.read_all_notifications(w, body or ReadAllIn())
