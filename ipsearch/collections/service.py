"""Topic collection operations shared by the API and the workers.

Writes take a ``Writer``: they check permission, change, audit and commit, and return the Out
model, so a refused write changes nothing and records nothing. Reads take a session and the
caller (``None`` when anonymous): a collection the caller may not see is NotFound.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notifications
from core.accounts.models import User
from core.accounts.permissions import is_org_member, require_owner_or_admin
from core.audit import AuditAction, Writer
from core.db import session_scope
from core.errors import InvalidInput, PermissionDenied
from core.i18n import Listed
from ipsearch.collections.access import editable_among, get_editable, get_visible, may_edit, require_owner, shared_with
from ipsearch.collections.items import (
    NEW_MATCHES,
    found_after,
    item_count,
    item_counts,
    item_pns,
    listed,
    newest_first,
    refresh,
)
from ipsearch.collections.items import add_items as _add_items
from ipsearch.collections.items import remove_items as _remove_items
from ipsearch.collections.items import restore_items as _restore_items
from ipsearch.collections.models import (
    MAX_QUERY_MATCHES,
    Collection,
    CollectionItem,
    CollectionNote,
    CollectionTag,
    ItemSource,
    Visibility,
)
from ipsearch.collections.schemas import (
    AddedOut,
    CollectionIn,
    CollectionOut,
    CollectionPatch,
    Holding,
    ItemOut,
    ItemsIn,
    ItemsOut,
    NoteCreated,
    NoteDeletion,
    NoteIn,
    NoteOut,
    RemovedOut,
    RestoredOut,
    StatsOut,
    TagIn,
    TagOut,
)
from ipsearch.collections.visits import NOTHING_NEW, new_after, record_visit
from ipsearch.events import latest_event_id
from ipsearch.model import normalise_pn, parse_publication_number
from ipsearch.names import harmonise_name
from ipsearch.results import ExportFormat, titles_of
from ipsearch.service import EXPORT_COLUMNS as SEARCH_EXPORT_COLUMNS
from ipsearch.service import SearchService, export_records, language_of

log = logging.getLogger(__name__)
TOP_STATS = 30  # rows per statistics table (IPC subclasses, applicants)
OBJECT = "collection"  # the audit trail's object type


def _out(session: Session, coll: Collection, user: User | None) -> CollectionOut:
    """The collection as ``user`` sees it: with its size and what they may do with it."""
    return _outs(session, [coll], user)[0]


def _outs(session: Session, colls: list[Collection], user: User | None) -> list[CollectionOut]:
    """Collections as ``user`` sees them, in three queries whatever their number (a list of 50 public
    collections made 50 counts): with who keeps each, for those who do not."""
    counts = item_counts(session, [c.id for c in colls])
    editable = editable_among(session, user, colls)
    owners: dict[int, str] = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_({c.owner_id for c in colls}))).tuples().all()) if colls else {}
    return [CollectionOut.model_validate(c).model_copy(update={
        "items": counts.get(c.id, 0), "editable": c.id in editable, "owner_name": owners.get(c.owner_id, ""),
        "owned": user is not None and c.owner_id == user.id}) for c in colls]


def _check_query(search: SearchService, query: str | None) -> None:
    """A saved query must run now, not fail silently at the next corpus event: it parses, and the
    backend compiles it (a query of stop words only, or a wildcard too broad, is refused here,
    before anything is written)."""
    if query is not None:
        node, planner = search.plan(query)
        search.backend.count_matching(node, planner)


def _check_org_sharing(session: Session, user: User, visibility: Visibility, org_id: int | None) -> None:
    """Only a member may share a collection with an organisation (its admins get the notifications),
    and a collection names no organisation its owner is not in, whatever its visibility (an
    organisation that does not exist was a foreign-key failure, a 500)."""
    if (visibility == Visibility.org and org_id is None) or (org_id is not None
                                                             and not is_org_member(session, user, org_id)):
        raise PermissionDenied("an organisation collection needs an organisation you belong to")


# --- the collection ------------------------------------------------------------------------

def create(w: Writer, search: SearchService, body: CollectionIn) -> CollectionOut:
    """A new collection, with the documents it starts with (an unknown number refuses it whole);
    a saved query is run at once, and from then on at every corpus event."""
    _check_query(search, body.query)
    _check_org_sharing(w.session, w.actor, body.visibility, body.org_id)
    starting = _in_corpus(search, body.pns) if body.pns else []
    coll = Collection(owner_id=w.actor.id, org_id=body.org_id, name=body.name, description=body.description,
                      query=body.query, visibility=body.visibility)
    w.session.add(coll)
    w.session.flush()
    added = _add_items(w.session, coll, starting) if starting else []
    if body.query:
        _run_saved_query(w.session, search, coll)
    w.audit(AuditAction.collection_create, OBJECT, coll.id, name=coll.name, query=coll.query,
            **({"pns": added} if added else {}))
    w.commit()
    return _out(w.session, coll, w.actor)


def _run_saved_query(session: Session, search: SearchService, coll: Collection) -> list[str]:
    """Add what the collection's saved query matches now (not what the owner removed); returns
    the numbers added. The corpus event id is read first: an event landing while the query runs
    is handled again by the next refresh, never missed."""
    assert coll.query is not None
    last_event = latest_event_id(session)
    added = refresh(session, coll, search.matching_ids(coll.query, limit=MAX_QUERY_MATCHES), event_id=None)
    coll.last_event_id = last_event
    return added


def collections_of(session: Session, user: User) -> list[CollectionOut]:
    """The user's own collections, then those their organisations share with them."""
    return _outs(session, _of(session, user), user)


PUBLIC_LISTED = 50  # the public collections a list shows, the latest made first


def public_collections(session: Session, user: User | None) -> list[CollectionOut]:
    """Collections shared with everyone (read only), but the reader's own: the latest made first.
    Shared so that others read them, they could be found only by their address."""
    stmt = select(Collection).where(Collection.visibility == Visibility.public)
    if user is not None:
        stmt = stmt.where(Collection.owner_id != user.id)
    rows = session.scalars(stmt.order_by(Collection.created_at.desc(), Collection.id.desc()).limit(PUBLIC_LISTED))
    return _outs(session, list(rows), user)


def _of(session: Session, user: User) -> list[Collection]:
    owned = session.scalars(select(Collection).where(Collection.owner_id == user.id).order_by(Collection.id))
    return [*owned, *shared_with(session, user)]


def get(session: Session, user: User | None, collection_id: int) -> CollectionOut:
    return _out(session, get_visible(session, user, collection_id), user)


def opened(w: Writer, collection_id: int) -> None:
    """The signed-in reader opened the collection's page: the visit is recorded (what a refresh
    found before the visit they begin now is no longer new to them, see ``visits``), and their
    inbox notices of its new documents are read, since the page shows those documents marked new.
    The visit is bookkeeping, committed unaudited as an API key's last use is; each notice read is
    audited as one marked read in the inbox is."""
    coll = get_visible(w.session, w.actor, collection_id)
    record_visit(w.session, coll, w.actor.id)
    read = notifications.read_about(w.session, w.actor.id, NEW_MATCHES, collection_id=coll.id)
    for notification_id in read:
        w.audit(AuditAction.notification_read, "notification", notification_id)
    if read:
        w.commit()
    else:
        w.session.commit()


def update(w: Writer, search: SearchService, collection_id: int, body: CollectionPatch) -> CollectionOut:
    """Change name, description, query; only the owner changes who sees it. An explicit null
    clears the saved query and leaves the other fields as they are; a new query is run at once."""
    coll = get_editable(w.session, w.actor, collection_id)
    _check_query(search, body.query)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k == "query"}
    if changes.get("visibility", Visibility.org) != Visibility.org and coll.org_id is not None \
            and "org_id" not in changes:
        changes["org_id"] = None  # made private or public: it names no organisation (its owner may have left it)
    if "visibility" in changes or "org_id" in changes:
        require_owner(w.actor, coll)
        _check_org_sharing(w.session, w.actor, changes.get("visibility", coll.visibility),
                           changes.get("org_id", coll.org_id))
    new_query = changes.get("query") not in (None, coll.query)
    for key, value in changes.items():
        setattr(coll, key, value)
    # a new saved query adds what it matches now, as a new collection's does; what the old one
    # added stays (its tags and notes with it)
    added = len(_run_saved_query(w.session, search, coll)) if new_query else None
    w.audit(AuditAction.collection_update, OBJECT, coll.id,
            **{k: v if v is None else str(v) for k, v in changes.items()},
            **({"added": added} if added is not None else {}))
    w.commit()
    return _out(w.session, coll, w.actor).model_copy(update={"added": added})


def delete(w: Writer, collection_id: int) -> None:
    """The owner or an admin deletes; items, tags and notes go with it (ON DELETE CASCADE)."""
    coll = get_editable(w.session, w.actor, collection_id)
    require_owner_or_admin(w.actor, coll.owner_id, "the collection")
    w.audit(AuditAction.collection_delete, OBJECT, coll.id, name=coll.name)
    w.session.delete(coll)
    w.commit()


# --- items, tags, notes ------------------------------------------------------------------------

def _tags_of(session: Session, coll: Collection, pn: str) -> list[str]:
    return list(session.scalars(select(CollectionTag.tag).where(
        CollectionTag.collection_id == coll.id, CollectionTag.pn == pn).order_by(CollectionTag.id)))


def _tags_by_pn(session: Session, coll: Collection) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for t in session.scalars(select(CollectionTag).where(CollectionTag.collection_id == coll.id)
                             .order_by(CollectionTag.id)):
        tags.setdefault(t.pn, []).append(t.tag)
    return tags


def items(session: Session, user: User | None, search: SearchService, collection_id: int, start: int = 0,
          limit: int | None = None, lang: str | None = None) -> ItemsOut:
    """A page of the documents (all of them without ``limit``) with their title (in ``lang`` where
    a document has one), date, applicants and tags; only the page's documents are read from the
    index. A document that has left the corpus keeps its number and tags."""
    coll = get_visible(session, user, collection_id)
    tags = _tags_by_pn(session, coll)
    after = new_after(session, coll, user)
    return ItemsOut(items=[_item(pn, search.backend.get(pn), tags.get(pn, []), lang, source, added_at, after)
                           for pn, source, added_at in newest_first(session, coll, start, limit)],
                    total=item_count(session, coll), new_matches=_new_count(session, coll, after))


def new_matches(session: Session, user: User | None, collection_id: int) -> int:
    """How many of the collection's documents are new to ``user`` (``ItemsOut.new_matches``): what
    the page says at its top, and again once a removal or its undo changed it."""
    coll = get_visible(session, user, collection_id)
    return _new_count(session, coll, new_after(session, coll, user))


def _new_count(session: Session, coll: Collection, after: datetime) -> int:
    """The documents a refresh found after ``after`` (``visits.new_after``), over the whole collection."""
    return 0 if after == NOTHING_NEW else found_after(session, coll, after)  # signed out: nothing is new


def item(session: Session, user: User | None, search: SearchService, collection_id: int, pn: str,
         lang: str | None = None) -> ItemOut | None:
    """One document of the collection (None when it is not, or no longer, an item)."""
    coll = get_visible(session, user, collection_id)
    key = normalise_pn(pn)
    if (found := listed(session, coll, key)) is None:
        return None
    return _item(key, search.backend.get(key), _tags_of(session, coll, key), lang, *found,
                 new_after(session, coll, user))


def _item(pn: str, record: dict[str, Any] | None, tags: list[str], lang: str | None, source: ItemSource,
          added_at: datetime, after: datetime) -> ItemOut:
    """One item as listed, however it is asked for: the whole list, or the one just tagged or noted
    (whose date of addition went missing, and came back only with the page). A document a refresh
    found after ``after`` is new to the reader."""
    r = record or {}
    found_later = source is ItemSource.refresh
    return ItemOut(pn=pn, tags=tags, in_corpus=record is not None, title=_title(r, lang),
                   publication_date=r.get("publication_date"), applicants=r.get("owners") or [],
                   added_at=added_at, found_later=found_later, new_to_you=found_later and added_at > after)


def _title(record: dict[str, Any], lang: str | None) -> str | None:
    """A stored document's title in the reader's language where it has one, else its own."""
    return (titles_of(record).get(language_of(lang)) if lang else None) or record.get("title")


def holding(session: Session, user: User, pn: str) -> list[Holding]:
    """The user's collections (own and shared) that hold ``pn``, with its tags and notes in each."""
    key = normalise_pn(pn)
    return [_holding(session, user, coll, key) for coll in _of(session, user) if key in set(item_pns(session, coll))]


def _holding(session: Session, user: User, coll: Collection, pn: str) -> Holding:
    notes = session.scalars(select(CollectionNote).where(CollectionNote.collection_id == coll.id,
                                                         CollectionNote.pn == pn).order_by(CollectionNote.id))
    return Holding(collection=_out(session, coll, user), tags=_tags_of(session, coll, pn),
                   notes=[NoteOut.model_validate(n) for n in notes])


# (any malformed, any missing) -> the refusal of numbers that are not all documents of the corpus
REFUSALS = {
    (True, True): "nothing was added: not publication numbers: %(malformed)s; not in the corpus: %(numbers)s "
                  "(check the numbers, e.g. US7654321B2, or leave them out)",
    (True, False): "nothing was added: not publication numbers: %(malformed)s (check the numbers, e.g. "
                   "US7654321B2, or leave them out)",
    (False, True): "nothing was added: not in the corpus: %(numbers)s (check the numbers, e.g. US7654321B2, "
                   "or leave them out)",
}


def _in_corpus(search: SearchService, typed: list[str]) -> list[str]:
    """The normalised numbers if every one is a document of the corpus; a typo such as
    ``US0000000B2`` would otherwise become an item nobody can open. The refusal names every number
    that is not one and every one the corpus lacks, as typed (it named the first bad one only, and
    people took the others for added)."""
    malformed: list[str] = []
    found: list[tuple[str, str | None]] = []
    for text in typed:
        try:
            found.append((text, search.held_number(text)))  # EP1000000: its latest publication, as linked
        except InvalidInput:
            malformed.append(text)
    missing = [text for text, pn in found if pn is None]
    if malformed or missing:  # each kind of wrong number named, and only a kind there is ("…: —" said nothing)
        refusal = InvalidInput.said(REFUSALS[bool(malformed), bool(missing)], malformed=Listed(malformed),
                                    numbers=Listed(missing))
        refusal.extra["missing"] = missing  # the problem+json members naming each number
        refusal.extra["malformed"] = malformed
        raise refusal
    return [pn for _, pn in found if pn is not None]


def corpus_number(search: SearchService, typed: str) -> str | None:
    """``typed`` as the corpus numbers it (US 7,654,321 B2 is US7654321B2), or None when it is no
    document of the corpus: what a page may name and link to after a link or a form typed it."""
    try:
        return search.held_number(typed)
    except InvalidInput:
        return None


def add_items(w: Writer, search: SearchService, collection_id: int, body: ItemsIn) -> AddedOut:
    """Add documents of the corpus; an unknown number refuses the whole request."""
    coll = get_editable(w.session, w.actor, collection_id)
    numbers = _in_corpus(search, body.pns)
    added = _add_items(w.session, coll, numbers)
    w.audit(AuditAction.collection_items_add, OBJECT, coll.id, pns=added)
    w.commit()
    return AddedOut(added=added, numbers=numbers)


def _items_of_number(session: Session, coll: Collection, typed: str, removed: bool = False) -> list[str]:
    """The items ``typed`` names: the number itself, or, typed without its kind (EP1000000, as
    adding takes it), the collection's publications of that number (with ``removed``, those removed
    from it too)."""
    number = parse_publication_number(normalise_pn(typed))
    if number.kind:
        return [number.normalised]
    base = number.country + number.number
    return [pn for pn in item_pns(session, coll, include_excluded=removed)
            if pn.startswith(base) and not pn[len(base):len(base) + 1].isdigit()] or [number.normalised]


def remove_items(w: Writer, collection_id: int, body: ItemsIn) -> RemovedOut:
    coll = get_editable(w.session, w.actor, collection_id)
    pns = list(dict.fromkeys(pn for typed in body.pns for pn in _items_of_number(w.session, coll, typed)))
    removed = _remove_items(w.session, coll, pns)
    w.audit(AuditAction.collection_items_remove, OBJECT, coll.id, pns=pns)
    w.commit()
    return RemovedOut(removed=removed)


def restore_items(w: Writer, collection_id: int, body: ItemsIn) -> RestoredOut:
    """Undo a removal: the documents come back exactly as they were, with how and when they first
    came (a refresh's find stays one), their tags and their notes, which a removal keeps. A number
    that was never in the collection is refused, naming each; one that is in it already is left as
    it is (an undo sent twice)."""
    coll = get_editable(w.session, w.actor, collection_id)
    pns = list(dict.fromkeys(pn for typed in body.pns
                             for pn in _items_of_number(w.session, coll, typed, removed=True)))
    ever = set(item_pns(w.session, coll, include_excluded=True))
    if unknown := [pn for pn in pns if pn not in ever]:
        raise InvalidInput.said("nothing was put back: never in the collection: %(pns)s", pns=Listed(unknown))
    restored = _restore_items(w.session, coll, pns)
    if restored:  # put back twice: nothing changed, nothing recorded
        w.audit(AuditAction.collection_items_restore, OBJECT, coll.id, pns=restored)
        w.commit()
    return RestoredOut(restored=restored)


def removed_item(session: Session, user: User, collection_id: int, typed: str) -> str | None:
    """``typed`` as the collection numbers it, if it is a document removed from the collection that
    ``user`` may put back; else None: what the page after a removal may name, with its undo (a
    link cannot put its own words in the page)."""
    coll = get_visible(session, user, collection_id)
    try:
        pn = normalise_pn(typed)
    except InvalidInput:
        return None
    excluded = session.scalar(select(CollectionItem.excluded).where(CollectionItem.collection_id == coll.id,
                                                                    CollectionItem.pn == pn))
    return pn if excluded and may_edit(session, user, coll) else None


def _item_of(session: Session, coll: Collection, typed: str) -> str:
    """The normalised number of a document of ``coll`` (tags and notes belong to its items); one
    typed without its kind names its publication in the collection, if there is one only."""
    named = _items_of_number(session, coll, typed)
    if len(named) > 1:
        raise InvalidInput.said("the collection holds %(pns)s: say which, with its kind", pns=Listed(named))
    if named[0] not in set(item_pns(session, coll)):
        raise InvalidInput.said("%(pn)s is not in the collection", pn=named[0])
    return named[0]


def add_tag(w: Writer, collection_id: int, body: TagIn) -> TagOut:
    """Tag (标引) a document of the collection; the same tag twice is one tag."""
    coll = get_editable(w.session, w.actor, collection_id)
    pn, tag = _item_of(w.session, coll, body.pn), body.tag.strip()
    if not tag:
        raise InvalidInput("a tag needs at least one character besides spaces")
    exists = w.session.scalar(select(CollectionTag.id).where(
        CollectionTag.collection_id == coll.id, CollectionTag.pn == pn, CollectionTag.tag == tag))
    if exists is None:
        w.session.add(CollectionTag(collection_id=coll.id, pn=pn, tag=tag))
    w.audit(AuditAction.collection_tag, OBJECT, coll.id, pn=pn, tag=tag)
    w.commit()
    return TagOut(pn=pn, tag=tag)


def add_note(w: Writer, collection_id: int, body: NoteIn) -> NoteCreated:
    coll = get_editable(w.session, w.actor, collection_id)
    if not body.text.strip():
        raise InvalidInput("a note needs at least one character besides spaces")
    note = CollectionNote(collection_id=coll.id, pn=_item_of(w.session, coll, body.pn), author_id=w.actor.id,
                          text=body.text.strip())
    w.session.add(note)
    w.session.flush()
    w.audit(AuditAction.collection_note, OBJECT, coll.id, note_id=note.id, pn=note.pn)
    w.commit()
    return NoteCreated.model_validate(note)


def remove_tag(w: Writer, collection_id: int, body: TagIn) -> RemovedOut:
    """Take a tag off a document (a typo, a tag no longer wanted); removing a tag it lacks removes nothing."""
    coll = get_editable(w.session, w.actor, collection_id)
    pn, tag = normalise_pn(body.pn), body.tag.strip()
    rows = list(w.session.scalars(select(CollectionTag).where(
        CollectionTag.collection_id == coll.id, CollectionTag.pn == pn, CollectionTag.tag == tag)))
    for row in rows:
        w.session.delete(row)
    w.audit(AuditAction.collection_untag, OBJECT, coll.id, pn=pn, tag=tag)
    w.commit()
    return RemovedOut(removed=len(rows))


def delete_note(w: Writer, collection_id: int, note_id: int) -> NoteDeletion:
    """Its author, the collection's owner or an admin deletes a note; other members may not. A note
    the collection no longer has (deleted in another tab, or by another member) is ``already_gone``,
    nothing changed or audited, so the page can say so instead of a dead end. Only someone who may
    change the collection learns that, and the same for an id of another collection's note as for
    one that never was: nothing is said of other collections."""
    coll = get_editable(w.session, w.actor, collection_id)
    note = w.session.get(CollectionNote, note_id)
    if note is None or note.collection_id != coll.id:
        return NoteDeletion.already_gone
    if note.author_id != w.actor.id:
        require_owner_or_admin(w.actor, coll.owner_id, "another member's note")
    w.audit(AuditAction.collection_note_delete, OBJECT, coll.id, note_id=note.id, pn=note.pn)
    w.session.delete(note)
    w.commit()
    return NoteDeletion.deleted


def notes(session: Session, user: User | None, collection_id: int) -> list[NoteOut]:
    """The notes on the collection's documents; a removed document's are kept for an undo, unshown."""
    coll = get_visible(session, user, collection_id)
    shown = select(CollectionItem.pn).where(CollectionItem.collection_id == coll.id, CollectionItem.excluded.is_(False))
    rows = session.scalars(select(CollectionNote).where(CollectionNote.collection_id == coll.id,
                                                        CollectionNote.pn.in_(shown)).order_by(CollectionNote.id))
    return [NoteOut.model_validate(n) for n in rows]


# --- statistics and export -------------------------------------------------------------------

def statistics(session: Session, user: User | None, search: SearchService, collection_id: int) -> StatsOut:
    """Counts by publication year, IPC subclass and applicant over the collection's documents.
    Applicants are counted by harmonised name and shown as printed (the most frequent spelling)."""
    pns = item_pns(session, get_visible(session, user, collection_id))
    years: Counter[str] = Counter()
    ipcs: Counter[str] = Counter()
    applicants: Counter[str] = Counter()
    printed: dict[str, Counter[str]] = {}
    for pn in pns:
        record = search.backend.get(pn)
        if record is None:
            continue
        if record.get("publication_year"):
            years[str(record["publication_year"])] += 1
        ipcs.update(record.get("ipc_subclass") or [])
        names = {harmonise_name(name): name for name in record.get("owners") or []}
        applicants.update(names.keys())
        for key, name in names.items():
            printed.setdefault(key, Counter())[name] += 1
    if years:  # every year between the first and the last, so a chart's axis keeps its scale
        first, last = min(map(int, years)), max(map(int, years))
        years.update({str(y): 0 for y in range(first, last + 1) if str(y) not in years})
    return StatsOut(documents=len(pns), by_year=dict(sorted(years.items())),
                    by_ipc_subclass=dict(ipcs.most_common(TOP_STATS)),
                    by_applicant={printed[key].most_common(1)[0][0]: n for key, n in applicants.most_common(TOP_STATS)})


EXPORT_COLUMNS = [*SEARCH_EXPORT_COLUMNS, "tags", "notes"]


def _export_row(pn: str, record: dict[str, Any] | None, tags: list[str], notes: list[str],
                lang: str | None) -> dict[str, Any]:
    """A document as a row of the search export plus its tags and notes, titled in ``lang`` where
    it has a title in it; a document no longer in the corpus keeps its number and leaves the
    bibliographic columns empty."""
    r = record or {}
    return {"pn": pn, "title": _title(r, lang), "publication_date": r.get("publication_date"),
            "filing_date": r.get("filing_date"), "country": r.get("country"), "kind": r.get("kind"),
            "applicants": r.get("owners") or [], "ipc": r.get("ipc") or [], "tags": tags, "notes": notes}


def export(session: Session, user: User | None, search: SearchService, collection_id: int,
           fmt: ExportFormat = ExportFormat.csv, lang: str | None = None) -> Iterator[str]:
    """The collection's documents with their tags and notes, in the search export's formats.
    Visibility is checked and the annotations read now, so a refused export fails before the
    first byte is sent."""
    coll = get_visible(session, user, collection_id)
    tags = _tags_by_pn(session, coll)
    texts: dict[str, list[str]] = {}
    for n in session.scalars(select(CollectionNote).where(CollectionNote.collection_id == coll.id)
                             .order_by(CollectionNote.id)):
        texts.setdefault(n.pn, []).append(n.text)
    rows = (_export_row(pn, search.backend.get(pn), tags.get(pn, []), texts.get(pn, []), lang)
            for pn in item_pns(session, coll))
    return export_records(rows, fmt, EXPORT_COLUMNS)


# --- saved queries after a corpus event ------------------------------------------------------------

def _refresh_one(search: SearchService, session: Session, collection_id: int, target: int) -> int | None:
    """New matches of one collection up to event ``target``; None when there was nothing to do.
    The row is locked against a second refresh (FOR NO KEY UPDATE), not against a reader's first
    visit, whose row in collection_visits only needs the collection to stay (FOR KEY SHARE)."""
    coll = session.get(Collection, collection_id, with_for_update={"key_share": True})
    if coll is None or coll.query is None or coll.last_event_id >= target:
        return None
    try:
        matches = search.matching_ids(coll.query, limit=MAX_QUERY_MATCHES)
    except InvalidInput as exc:  # a saved query the language no longer accepts
        log.warning("collection %s: saved query fails: %s", collection_id, exc)
        coll.last_event_id = target
        return None
    return len(refresh(session, coll, matches, target))


def refresh_saved_queries(search: SearchService, database_url: str, event_id: int | None = None) -> dict[str, int]:
    """Bring every saved query up to ``event_id`` (default: the latest corpus event).

    Each collection remembers the last event it handled, so an event is handled once per
    collection however often this runs: owners get one notification per event with new matches.
    One transaction per collection, so one slow or failing query does not hold the others.
    """
    with session_scope(database_url) as session:
        target = event_id or latest_event_id(session)
        ids = list(session.scalars(select(Collection.id).where(Collection.query.is_not(None),
                                                               Collection.last_event_id < target)))
    counts = {"collections": 0, "new_matches": 0}
    for collection_id in ids:
        with session_scope(database_url) as session:
            new = _refresh_one(search, session, collection_id, target)
        if new is not None:
            counts["collections"] += 1
            counts["new_matches"] += new
    return counts
