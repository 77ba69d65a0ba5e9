"""A collection's documents: saved-query matches and manual picks. A removed item is kept as
excluded, so the saved query never brings it back; new matches are notified once per event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.notifications import notify
from ipsearch.collections.access import notified_users
from ipsearch.collections.models import Collection, CollectionItem, ItemSource

NOTIFIED_PNS = 200  # a notification lists at most this many new matches


def item_pns(session: Session, coll: Collection, include_excluded: bool = False) -> list[str]:
    stmt = select(CollectionItem.pn).where(CollectionItem.collection_id == coll.id)
    if not include_excluded:
        stmt = stmt.where(CollectionItem.excluded.is_(False))
    return list(session.scalars(stmt.order_by(CollectionItem.pn)))


def newest_first(session: Session, coll: Collection, start: int = 0,
                 limit: int | None = None) -> list[tuple[str, ItemSource, datetime]]:
    """A page of the items (number, how it came, when), the latest added first (what a refresh
    brought stands on top), then by number."""
    rows = session.execute(select(CollectionItem.pn, CollectionItem.source, CollectionItem.added_at).where(
        CollectionItem.collection_id == coll.id, CollectionItem.excluded.is_(False)).order_by(
        CollectionItem.added_at.desc(), CollectionItem.pn).offset(start).limit(limit))
    return [(pn, ItemSource(source), added_at) for pn, source, added_at in rows]


def listed(session: Session, coll: Collection, pn: str) -> tuple[ItemSource, datetime] | None:
    """How and when ``pn`` came into the collection; None when it is not (or no longer) an item."""
    row = session.execute(select(CollectionItem.source, CollectionItem.added_at).where(
        CollectionItem.collection_id == coll.id, CollectionItem.pn == pn, CollectionItem.excluded.is_(False))).first()
    return (ItemSource(row.source), row.added_at) if row is not None else None


def add_items(session: Session, coll: Collection, pns: list[str],
              source: ItemSource = ItemSource.manual) -> list[str]:
    """Add new documents; a manual add brings back one removed by hand. Returns the added ones."""
    existing = {i.pn: i for i in session.scalars(select(CollectionItem).where(
        CollectionItem.collection_id == coll.id, CollectionItem.pn.in_(pns)))}
    added = []
    now = utcnow()  # one time for the whole addition: listed together, by number
    for pn in dict.fromkeys(pns):
        item = existing.get(pn)
        if item is None:
            session.add(CollectionItem(collection_id=coll.id, pn=pn, source=source.value, added_at=now))
            added.append(pn)
        elif source is ItemSource.manual and item.excluded:  # brought back by hand: now a manual item
            item.excluded, item.added_at, item.source = False, now, source.value
            added.append(pn)
    return added


def remove_items(session: Session, coll: Collection, pns: list[str]) -> int:
    """Mark items excluded (kept, so the saved query never brings them back, and an undo restores
    them as they were, with their tags and notes)."""
    items = session.scalars(select(CollectionItem).where(CollectionItem.collection_id == coll.id,
                                                          CollectionItem.pn.in_(pns)))
    count = 0
    for item in items:
        if not item.excluded:
            item.excluded = True
            count += 1
    return count


def restore_items(session: Session, coll: Collection, pns: list[str]) -> list[str]:
    """Bring removed items back as they were: how and when they first came stay, and their tags
    and notes, which a removal keeps, show again. Returns the numbers brought back."""
    items = session.scalars(select(CollectionItem).where(
        CollectionItem.collection_id == coll.id, CollectionItem.pn.in_(pns), CollectionItem.excluded.is_(True)))
    restored = []
    for item in items:
        item.excluded = False
        restored.append(item.pn)
    return sorted(restored)


def item_count(session: Session, coll: Collection) -> int:
    return item_counts(session, [coll.id]).get(coll.id, 0)


def item_counts(session: Session, collection_ids: list[int]) -> dict[int, int]:
    """``item_count`` of many collections in one query (a collection without items is absent)."""
    if not collection_ids:
        return {}
    rows = session.execute(select(CollectionItem.collection_id, func.count()).where(
        CollectionItem.collection_id.in_(collection_ids), CollectionItem.excluded.is_(False))
        .group_by(CollectionItem.collection_id))
    return {int(cid): int(n) for cid, n in rows}


def found_after(session: Session, coll: Collection, after: datetime) -> int:
    """How many items a refresh found after ``after`` and still in the collection: the documents new
    to a reader, over all pages (``visits.new_after`` says since when)."""
    return int(session.scalar(select(func.count()).where(
        CollectionItem.collection_id == coll.id, CollectionItem.excluded.is_(False),
        CollectionItem.source == ItemSource.refresh.value, CollectionItem.added_at > after)) or 0)


NEW_MATCHES = "collection.new_matches"  # the inbox notice of a refresh's new documents


def refresh(session: Session, coll: Collection, matches: set[str], event_id: int | None) -> list[str]:
    """Record new saved-query matches; notify the owners once if there are any."""
    known = set(item_pns(session, coll, include_excluded=True))
    new = sorted(matches - known)
    # after a load (an event), among new documents; else as the query is saved
    add_items(session, coll, new, source=ItemSource.query if event_id is None else ItemSource.refresh)
    coll.last_run_at = utcnow()
    if event_id is not None:
        coll.last_event_id = max(coll.last_event_id, event_id)
    if new and event_id is not None:
        for user_id in notified_users(session, coll):
            notify(session, user_id, NEW_MATCHES,
                   f"{len(new)} new patents match your collection '{coll.name}'",
                   collection_id=coll.id, collection_name=coll.name, event_id=event_id, pns=new[:NOTIFIED_PNS],
                   count=len(new))
    return new
