"""Topic collections (专题库) in the browser: my collections and the create form (also "save the
current query" from the search page), a collection's documents with tags and notes inline,
statistics, export, edit/share/delete; and the patent page's collection panel.

Every route translates a form into one call of ``ipsearch.collections.service``, which checks
permission, audits and commits. Forms work without JavaScript; with htmx, a tag, note or removal
answers with the changed item only (a removed one's place says so, with its undo), and a removal or
its undo with the sizes the page shows too, out of band (the count, the new matches, the range).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.i18n import N_, formatter
from api.pages.context import CheckedPageDep, Page, PageDep, local_path
from api.pages.downloads import dated, download
from api.pages.patent import render_patent
from core import mail
from core.accounts import service as accounts
from core.errors import InvalidInput, IPCommonsError, NotFound, PermissionDenied
from core.i18n import Language, Listed
from core.ids import INTEGER_MAX, DbId, parse_id
from core.paging import last_page_start
from ipsearch.collections import service
from ipsearch.collections.models import MAX_QUERY_MATCHES, Visibility
from ipsearch.collections.schemas import (
    CollectionIn,
    CollectionOut,
    CollectionPatch,
    ItemsIn,
    NoteDeletion,
    NoteIn,
    NoteOut,
    TagIn,
)
from ipsearch.model import normalise_pn
from ipsearch.results import ExportFormat

router = APIRouter(include_in_schema=False)
ITEMS_PER_PAGE = 50
# A field a person types defaults to "": an empty one reaches the service, which says what is missing
# beside the form (a required Form() answered it with a bare 422 page, or with nothing under htmx).
Text = Annotated[str, Form()]
# refusals shown next to the form that caused them; NotFound and the rest become error pages
FORM_ERRORS = (InvalidInput, PermissionDenied, ValidationError)
PN_SEPARATORS = re.compile(r"[\s,;，；、]+")
NOTE_GONE = N_("This note had already been deleted.")  # its delete form sent again, or sent from another tab
NOTE_GONE_ELSEWHERE = "1"  # ``note_gone`` for a number that names no document: said at the page's top


def _error_text(page: Page, exc: Exception) -> str:
    """A refusal in the reader's language; each number that is not one, and each the corpus does not
    hold, is named."""
    extra = exc.extra if isinstance(exc, IPCommonsError) else {}
    said = []
    if isinstance(malformed := extra.get("malformed"), list) and malformed:
        said.append(page.gettext("Not publication numbers: %(pns)s.", pns=Listed(malformed).in_language(page.lang)))
    if isinstance(missing := extra.get("missing"), list) and missing:
        said.append(page.gettext("Not in the corpus: %(pns)s.", pns=Listed(missing).in_language(page.lang)))
    if not said:
        return page.explain(exc)
    said.append(page.gettext("Nothing was added: check the numbers (for example US7654321B2) and add them again."))
    return ("" if page.lang is Language.zh else " ").join(said)  # Chinese runs its sentences on without spaces


def _is_htmx(page: Page) -> bool:
    return page.request.headers.get("hx-request") == "true"


def _org_id(value: str) -> int | None:
    return parse_id(value)


# --- my collections ----------------------------------------------------------------------------

def _list(page: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    public = service.public_collections(page.session, page.user)
    if page.user is None:
        return page.render("collections.html", status_code, collections=None, orgs=[], public=public, **extra)
    return page.render("collections.html", status_code, collections=service.collections_of(page.session, page.user),
                       orgs=accounts.organisations_of(page.session, page.user), public=public, **extra)


@router.get("/collections", response_class=HTMLResponse)
def collections_page(page: PageDep, deleted: Annotated[int, Query(ge=0, le=1)] = 0,
                     add: Annotated[str, Query(max_length=40)] = "") -> HTMLResponse:
    """``deleted=1`` after a deletion: a fixed sentence, so a link cannot put words in the page.
    ``add``: the patent page's "new collection", whose form starts the collection with that document."""
    notice = page.gettext("The collection was deleted.") if deleted else None
    return _list(page, notice=notice, form={"pns": _starting(page, add)})


def _starting(page: Page, typed: str) -> str:
    """The document a new collection starts with, as the corpus numbers it, or "" for anything
    else: a link cannot put its own words in the page, nor a path in its link back."""
    return (service.corpus_number(page.platform.search, typed) or "") if typed.strip() else ""


@router.post("/collections", response_model=None)
def create_collection(page: CheckedPageDep, name: Text = "", description: Text = "",
                      query: Text = "", visibility: Annotated[Visibility, Form()] = Visibility.private,
                      org: Text = "", pns: Text = "") -> Response:
    """The create form of the collections page, "Save as collection" on the search page, and the
    patent page's "new collection" (``pns``: back to the patent, now listed with the collection)."""
    start = _starting(page, pns)  # a number the refusal names as unknown is not carried on
    form = {"name": name, "description": description, "query": query, "visibility": visibility.value, "org": org,
            "pns": start}
    try:
        body = CollectionIn(name=name.strip(), description=description.strip(), query=query.strip() or None,
                            visibility=visibility, org_id=_org_id(org) if visibility is Visibility.org else None,
                            pns=split_numbers(pns))
        created = service.create(page.writer(), page.platform.search, body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _list(page, 400, error=_error_text(page, exc), form=form)
    if len(body.pns) == 1 and start:
        return page.redirect(_patent_panel(start, created.id, created=True))
    # a fragment of its own: a redirect without one keeps the form's (#new) in the address
    return page.redirect(f"/collections/{created.id}#content")


# --- one collection ----------------------------------------------------------------------------

def _notes_by_pn(notes: list[NoteOut]) -> dict[str, list[NoteOut]]:
    grouped: dict[str, list[NoteOut]] = {}
    for note in notes:
        grouped.setdefault(note.pn, []).append(note)
    return grouped


def _collection(page: Page, cid: int, start: int = 0, status_code: int = 200, note_gone: str = "",
                **extra: Any) -> HTMLResponse:
    """The collection page: what it is, a page of its documents with tags and notes, statistics; how
    many documents are new to the reader. ``note_gone``: the document whose note had been deleted
    already, said in its place (at the page's top when it is not on this page)."""
    session, user = page.session, page.user
    coll = service.get(session, user, cid)
    start = max(0, start if start < coll.items else last_page_start(coll.items, ITEMS_PER_PAGE))  # -5, 99999
    items = service.items(session, user, page.platform.search, cid, start, ITEMS_PER_PAGE, page.lang.value)
    stats = service.statistics(session, user, page.platform.search, cid).model_dump()
    charts = {k: list(v.items()) for k, v in stats.items() if isinstance(v, dict)}  # pairs keep the order
    gone = page.gettext(NOTE_GONE) if note_gone else None
    if gone and note_gone not in {i.pn for i in items.items}:
        extra["notice"] = extra.get("notice") or gone
    return page.render("collection.html", status_code, coll=coll, items=items.items,
                       total=items.total, new_matches=items.new_matches, start=start, per_page=ITEMS_PER_PAGE,
                       stats=stats, charts=charts, notes=_notes_by_pn(service.notes(session, user, cid)),
                       orgs=_orgs(page, coll), mine=coll.owned, mailed=mail.reaches(page.platform.settings, user),
                       note_gone=note_gone, note_gone_notice=gone, **extra)


def _orgs(page: Page, coll: CollectionOut) -> list[Any]:
    """The organisations the owner may share the collection with (theirs)."""
    if page.user is None or not coll.owned:
        return []
    return list(accounts.organisations_of(page.session, page.user))


@router.get("/collections/{cid}", response_model=None)
def collection_page(page: PageDep, cid: DbId, start: Annotated[int, Query(ge=-INTEGER_MAX, le=INTEGER_MAX)] = 0,
                    added: Annotated[int | None, Query(ge=0, le=1000)] = None,
                    matched: Annotated[int | None, Query(ge=0, le=MAX_QUERY_MATCHES)] = None,
                    removed: Annotated[str, Query(max_length=40)] = "",
                    note_gone: Annotated[str, Query(max_length=40)] = "") -> Response:
    """``added=N`` after adding by number, ``matched=N`` after a new saved query: how many were new
    (numbers only, nothing from the URL); ``removed=PN`` after a removal without JavaScript: its
    undo, if that is a document removed from the collection; ``note_gone=PN`` after deleting a note
    deleted already: a fixed sentence, in that document's place if it is listed (the number is only
    compared, never shown). Opening the page records a signed-in
    reader's visit, and reads their inbox notices of its new documents (``service.opened``). A
    visitor not logged in is asked to log in for a collection they may not see (a link from a
    colleague, or their own after logging out), and brought back; whether it exists stays unsaid."""
    try:
        if page.user is not None:
            service.opened(page.writer(), cid)
        undo = service.removed_item(page.session, page.user, cid, removed) if removed and page.user else None
        return _collection(page, cid, start, note_gone=note_gone, notice=_notice(page, added, matched),
                           undo_pn=undo)
    except NotFound:
        if page.user is not None:
            raise
        return page.redirect("/login?" + urlencode({"next": f"/collections/{cid}"}))


def _notice(page: Page, added: int | None, matched: int | None) -> str | None:
    if added is not None:
        return page.gettext("Documents added: %(n)s (numbers already in the collection are not added twice).",
                            n=added)
    if matched is not None:
        return page.ngettext("The new saved query was run: %(n)s document added. Those already in the collection "
                             "stay, with their tags and notes.",
                             "The new saved query was run: %(n)s documents added. Those already in the collection "
                             "stay, with their tags and notes.", matched, n=formatter(page.lang).number(matched))
    return None


def _after_write(page: Page, cid: int, start: int, next_: str, anchor: str = "") -> Response:
    target = local_path(next_) or f"/collections/{cid}" + (f"?{urlencode({'start': start})}" if start else "")
    return page.redirect(target + anchor)


def _changes(current: CollectionOut, name: str, description: str, query: str,
             visibility: Visibility, org: str) -> CollectionPatch:
    """Only what the form changed: an org member may rename, only the owner changes who sees it."""
    wanted: dict[str, Any] = {"name": name.strip(), "description": description.strip(),
                              "query": query.strip() or None, "visibility": visibility}
    if visibility is Visibility.org:
        wanted["org_id"] = _org_id(org)
    changed = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    return CollectionPatch(**changed)


@router.post("/collections/{cid}/edit", response_model=None)
def edit_collection(page: CheckedPageDep, cid: DbId, name: Text = "", description: Text = "",
                    query: Text = "", visibility: Annotated[Visibility, Form()] = Visibility.private,
                    org: Text = "") -> Response:
    try:
        patch = _changes(service.get(page.session, page.user, cid), name, description, query, visibility, org)
        saved = service.update(page.writer(), page.platform.search, cid, patch)
    except FORM_ERRORS as exc:
        page.session.rollback()
        # everything typed and chosen is kept for correcting
        typed = {"name": name, "description": description, "query": query, "visibility": visibility, "org": org}
        return _collection(page, cid, status_code=400, error=_error_text(page, exc), editing=typed)
    if saved.added is not None:  # a new saved query, run at once
        return page.redirect(f"/collections/{cid}?{urlencode({'matched': saved.added})}")
    return page.redirect(f"/collections/{cid}")


@router.get("/collections/{cid}/delete", response_class=HTMLResponse)
def confirm_delete(page: PageDep, cid: DbId) -> HTMLResponse:
    page.require_user()
    return page.render("collection_delete.html", coll=service.get(page.session, page.user, cid))


@router.post("/collections/{cid}/delete", response_model=None)
def delete_collection(page: CheckedPageDep, cid: DbId) -> Response:
    service.delete(page.writer(), cid)
    return page.redirect("/collections?deleted=1")


# --- documents, tags, notes ------------------------------------------------------------------------

def split_numbers(text: str) -> list[str]:
    """Publication numbers as people paste them: one per line, or separated by spaces or commas."""
    return [p for p in PN_SEPARATORS.split(text) if p]


@router.post("/collections/{cid}/items", response_model=None)
def add_documents(page: CheckedPageDep, cid: DbId, pns: Text = "", next: Text = "") -> Response:
    try:
        numbers = split_numbers(pns)
        if not numbers:
            raise InvalidInput("type at least one publication number")
        added = service.add_items(page.writer(), page.platform.search, cid, ItemsIn(pns=numbers)).added
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _collection(page, cid, status_code=400, add_error=_error_text(page, exc), typed=pns)
    return page.redirect(local_path(next) or f"/collections/{cid}?{urlencode({'added': len(added)})}")


@router.post("/collections/add", response_model=None)
def add_to_collection(page: CheckedPageDep, collection: Annotated[DbId, Form()], pn: Text) -> Response:
    """The patent page's "add to collection": back to the patent, now listed with the collection."""
    try:
        numbers = service.add_items(page.writer(), page.platform.search, collection, ItemsIn(pns=[pn])).numbers
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _collection(page, collection, status_code=400, add_error=_error_text(page, exc), typed=pn)
    return page.redirect(_patent_panel(numbers[0], collection))


def _patent_panel(pn: str, collection: int, created: bool = False) -> str:
    """The patent page's collections panel, saying which collection it was added to (or made with)."""
    said = {"added": collection} | ({"created": 1} if created else {})
    return f"/patent/{quote(pn, safe='')}?{urlencode(said)}#collections"


def _sizes(page: Page, cid: int, start: int) -> dict[str, Any]:
    """What the page says of the collection's size, for htmx to update out of band once a document
    left it or came back: its count in the header, how many are new to the reader, and the range of
    the documents listed ("Documents 1–50 of 120", as the page would say if reloaded)."""
    return {"coll": service.get(page.session, page.user, cid), "start": start, "per_page": ITEMS_PER_PAGE,
            "new_matches": service.new_matches(page.session, page.user, cid), "oob": True}


def _item(page: Page, cid: int, pn: str, start: int, status_code: int = 200, error: str | None = None,
          typed: dict[str, str] | None = None, counted: bool = False, notice: str | None = None) -> Response:
    """One document of the collection, for htmx to swap in place of the one changed; ``typed`` is
    the refused tag or note, given back to be put right; ``notice`` is said in it (a note deleted
    already); ``counted``: the sizes shown are updated too, out of band (a document put back)."""
    found = service.item(page.session, page.user, page.platform.search, cid, pn, page.lang.value)
    if found is None:  # not an item: htmx drops it, and the sizes shown are updated out of band
        return page.render("_collection_sizes.html", status_code, **_sizes(page, cid, start))
    notes = [n for n in service.notes(page.session, page.user, cid) if n.pn == found.pn]
    sizes = _sizes(page, cid, start) if counted else {"coll": service.get(page.session, page.user, cid),
                                                      "start": start}
    return page.render("_collection_item.html", status_code, item=found, item_notes=notes, item_error=error,
                       item_notice=notice, typed_item=typed or {}, **sizes)


def _as_numbered(typed: str) -> str:
    """A publication number as the collection numbers its items (their ids), or as typed when it is
    none (escaped wherever it is shown)."""
    try:
        return normalise_pn(typed)
    except InvalidInput:
        return typed


def _removed(page: Page, cid: int, pn: str, start: int, status_code: int = 200, error: str | None = None) -> Response:
    """A removed document's place, for htmx to swap in for it: said, with its undo; and the sizes
    shown, out of band."""
    return page.render("_collection_item.html", status_code, removed_item=pn, item_error=error,
                       **_sizes(page, cid, start))


def _annotated(page: Page, cid: int, pn: str, start: int, next_: str, exc: Exception | None,
               typed: dict[str, str] | None = None) -> Response:
    """The answer to a tag, note or removal: the item (htmx) or the page again; a refusal keeps
    what was typed (``typed``: the tag or the note) in the item's form."""
    if exc is not None:
        page.session.rollback()
        kept = {"pn": pn, **(typed or {})}
        if _is_htmx(page):
            return _item(page, cid, pn, start, 400, _error_text(page, exc), typed=kept)
        if (local_path(next_) or "").startswith("/patent/"):  # sent from the patent page: said there
            return render_patent(page, pn, 400, refused={"collection": cid, "error": _error_text(page, exc),
                                                         "typed": kept})
        return _collection(page, cid, start, 400, error=_error_text(page, exc), typed_item=kept)
    if _is_htmx(page):
        return _item(page, cid, pn, start)
    return _after_write(page, cid, start, next_, "" if local_path(next_) else f"#item-{pn}")


def _written(page: Page, cid: int, pn: str, start: int, next_: str, write: Callable[[], object],
             typed: dict[str, str] | None = None) -> Response:
    """Run one write of an item (tag, note, removal) and answer with the item or the page."""
    try:
        write()
    except FORM_ERRORS as exc:
        return _annotated(page, cid, pn, start, next_, exc, typed)
    return _annotated(page, cid, pn, start, next_, None)


@router.post("/collections/{cid}/tags", response_model=None)
def add_tag(page: CheckedPageDep, cid: DbId, pn: Text, tag: Text = "", start: Annotated[int, Form(ge=0)] = 0,
            next: Text = "") -> Response:
    """Tag (标引) a document of the collection."""
    return _written(page, cid, pn, start, next, lambda: service.add_tag(page.writer(), cid, TagIn(pn=pn, tag=tag)),
                    {"tag": tag})


@router.post("/collections/{cid}/notes", response_model=None)
def add_note(page: CheckedPageDep, cid: DbId, pn: Text, text: Text = "", start: Annotated[int, Form(ge=0)] = 0,
             next: Text = "") -> Response:
    return _written(page, cid, pn, start, next,
                    lambda: service.add_note(page.writer(), cid, NoteIn(pn=pn, text=text)), {"text": text})


@router.post("/collections/{cid}/tags/remove", response_model=None)
def remove_tag(page: CheckedPageDep, cid: DbId, pn: Text, tag: Text, start: Annotated[int, Form(ge=0)] = 0,
               next: Text = "") -> Response:
    return _written(page, cid, pn, start, next,
                    lambda: service.remove_tag(page.writer(), cid, TagIn(pn=pn, tag=tag)))


@router.post("/collections/{cid}/notes/{note_id}/delete", response_model=None)
def delete_note(page: CheckedPageDep, cid: DbId, note_id: DbId, pn: Text, start: Annotated[int, Form(ge=0)] = 0,
                next: Text = "") -> Response:
    """A note the collection no longer has (deleted in another tab, or the form sent twice) is said
    to be gone already, where the reader is: not a dead-end 404 page."""
    try:
        done = service.delete_note(page.writer(), cid, note_id)
    except FORM_ERRORS as exc:
        return _annotated(page, cid, pn, start, next, exc)
    if done is NoteDeletion.already_gone:
        return _note_gone(page, cid, pn, start, next)
    return _annotated(page, cid, pn, start, next, None)


def _note_gone(page: Page, cid: int, pn: str, start: int, next_: str) -> Response:
    """The answer to deleting a note deleted already: its document as it is now, its notes without
    that one, saying so (htmx); else the collection page again, saying so in the document's place
    (a number that names none is said at the top). Sent from the patent page, back there, saying so
    beside the collection (``note_gone=<collection>``)."""
    if _is_htmx(page):
        return _item(page, cid, pn, start, notice=page.gettext(NOTE_GONE))
    if (back := local_path(next_)) is not None:  # the patent page's panel: said beside the collection
        path, _, anchor = back.partition("#")
        query = urlencode({"note_gone": cid})
        return page.redirect(f"{path}{'&' if '?' in path else '?'}{query}" + (f"#{anchor}" if anchor else ""))
    named = _number_or_none(pn)
    said = {"note_gone": named or NOTE_GONE_ELSEWHERE} | ({"start": start} if start else {})
    return page.redirect(f"/collections/{cid}?{urlencode(said)}" + (f"#item-{quote(named)}" if named else ""))


def _number_or_none(typed: str) -> str | None:
    """``typed`` as the collection numbers its items, if it is a publication number that fits an
    address's ``note_gone`` (40 characters); else None."""
    try:
        pn = normalise_pn(typed)
    except InvalidInput:
        return None
    return pn if len(pn) <= 40 else None


@router.post("/collections/{cid}/items/remove", response_model=None)
def remove_document(page: CheckedPageDep, cid: DbId, pn: Text, start: Annotated[int, Form(ge=0)] = 0) -> Response:
    """Removed by hand: the saved query will not bring it back. Its place says so, with an undo
    (htmx); without JavaScript the page does, above its documents (``removed=PN``)."""
    try:
        service.remove_items(page.writer(), cid, ItemsIn(pns=[pn]))
    except FORM_ERRORS as exc:
        return _annotated(page, cid, pn, start, "", exc)
    gone = service.removed_item(page.session, page.require_user(), cid, pn)
    if gone is None:  # it was no item of the collection: nothing to undo
        return _annotated(page, cid, pn, start, "", None)
    if _is_htmx(page):
        return _removed(page, cid, gone, start)
    said = {"removed": gone} | ({"start": start} if start else {})
    return page.redirect(f"/collections/{cid}?{urlencode(said)}#item-{gone}")


@router.post("/collections/{cid}/items/restore", response_model=None)
def restore_document(page: CheckedPageDep, cid: DbId, pn: Text, start: Annotated[int, Form(ge=0)] = 0) -> Response:
    """The undo of a removal: the document is back exactly as it was (when and how it came, its tags
    and its notes), in its place (htmx) or on the page."""
    try:
        done = service.restore_items(page.writer(), cid, ItemsIn(pns=[pn]))
    except FORM_ERRORS as exc:
        page.session.rollback()
        if _is_htmx(page):  # in the place of the removed document, numbered as the collection numbers it
            return _removed(page, cid, _as_numbered(pn), start, 400, _error_text(page, exc))
        return _collection(page, cid, start, 400, error=_error_text(page, exc))
    back = done.restored[0] if done.restored else pn  # put back twice: the number as typed, found
    if _is_htmx(page):
        return _item(page, cid, back, start, counted=True)
    return _after_write(page, cid, start, "", f"#item-{quote(back)}")


@router.get("/collections/{cid}/export", response_model=None)
def export_collection(page: PageDep, cid: DbId, format: ExportFormat = ExportFormat.csv) -> Response:
    """The documents with their tags and notes: CSV with a byte-order mark (Excel reads Chinese) or
    JSON Lines, with a file name; titled in the page's language."""
    rows = service.export(page.session, page.user, page.platform.search, cid, format, page.lang.value)
    return download(rows, format, dated(f"ipcommons-collection-{cid}"), page.gettext)
