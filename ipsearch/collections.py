"""Topic collections (专题库): a saved query plus manual additions and removals, tags (标引),
notes, statistics; re-run on every ``corpus-updated`` event with the new matches notified."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

import core.accounts.models  # noqa: F401 - registers "users"/"organisations" for the foreign keys
from core.accounts.models import Membership, OrgRole, Role, User
from core.db import Base, UTCDateTime, utcnow
from core.errors import NotFound, PermissionDenied
from core.notifications import notify

MAX_QUERY_MATCHES = 50_000


class Visibility(enum.StrEnum):
    private = "private"  # the owner (and admins)
    org = "org"  # members of the organisation
    public = "public"  # anyone may read


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(Enum(Visibility, native_enum=False, length=10),
                                                   default=Visibility.private)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollectionItem(Base):
    __tablename__ = "collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "pn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # "query" or "manual"
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # removed by hand: never re-added
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CollectionTag(Base):
    __tablename__ = "collection_tags"
    __table_args__ = (UniqueConstraint("collection_id", "pn", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    tag: Mapped[str] = mapped_column(String(100))


class CollectionNote(Base):
    __tablename__ = "collection_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    pn: Mapped[str] = mapped_column(String(40))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- access ------------------------------------------------------------------------------

def _org_role(session: Session, user: User, org_id: int | None) -> OrgRole | None:
    if org_id is None:
        return None
    return session.scalar(select(Membership.role).where(Membership.user_id == user.id,
                                                        Membership.org_id == org_id))


def get_visible(session: Session, user: User | None, collection_id: int) -> Collection:
    """The collection if ``user`` may see it; 404 otherwise (a private collection is not revealed)."""
    coll = session.get(Collection, collection_id)
    if coll is None:
        raise NotFound(f"collection {collection_id} not found")
    if coll.visibility == Visibility.public:
        return coll
    if user is not None and (user.role == Role.admin or coll.owner_id == user.id or (
            coll.visibility == Visibility.org and _org_role(session, user, coll.org_id) is not None)):
        return coll
    raise NotFound(f"collection {collection_id} not found")


def get_editable(session: Session, user: User, collection_id: int) -> Collection:
    """The collection if ``user`` may change it: owner, org members of an org collection, admins."""
    coll = get_visible(session, user, collection_id)
    if user.role == Role.admin or coll.owner_id == user.id:
        return coll
    if coll.visibility == Visibility.org and _org_role(session, user, coll.org_id) is not None:
        return coll
    raise PermissionDenied("only the collection's owners and members may change it")


def owners(session: Session, coll: Collection) -> list[int]:
    """Who is notified of new matches: the owner and, for org collections, the org's admins."""
    ids = [coll.owner_id]
    if coll.org_id is not None and coll.visibility == Visibility.org:
        ids += list(session.scalars(select(Membership.user_id).where(
            Membership.org_id == coll.org_id, Membership.role == OrgRole.org_admin)))
    return sorted(set(ids))


# --- items -------------------------------------------------------------------------------

def item_pns(session: Session, coll: Collection, include_excluded: bool = False) -> list[str]:
    stmt = select(CollectionItem.pn).where(CollectionItem.collection_id == coll.id)
    if not include_excluded:
        stmt = stmt.where(CollectionItem.excluded.is_(False))
    return list(session.scalars(stmt.order_by(CollectionItem.pn)))


def add_items(session: Session, coll: Collection, pns: list[str], source: str = "manual") -> list[str]:
    existing = {i.pn: i for i in session.scalars(select(CollectionItem).where(
        CollectionItem.collection_id == coll.id, CollectionItem.pn.in_(pns)))}
    added = []
    for pn in dict.fromkeys(pns):
        item = existing.get(pn)
        if item is None:
            session.add(CollectionItem(collection_id=coll.id, pn=pn, source=source))
            added.append(pn)
        elif source == "manual" and item.excluded:
            item.excluded = False
            added.append(pn)
    return added


def remove_items(session: Session, coll: Collection, pns: list[str]) -> int:
    """Mark items excluded (kept, so the saved query never brings them back)."""
    items = session.scalars(select(CollectionItem).where(CollectionItem.collection_id == coll.id,
                                                          CollectionItem.pn.in_(pns)))
    count = 0
    for item in items:
        if not item.excluded:
            item.excluded = True
            count += 1
    return count


def item_count(session: Session, coll: Collection) -> int:
    return int(session.scalar(select(func.count()).select_from(CollectionItem).where(
        CollectionItem.collection_id == coll.id, CollectionItem.excluded.is_(False))) or 0)


def refresh(session: Session, coll: Collection, matches: set[str], event_id: int | None) -> list[str]:
    """Record new saved-query matches; notify the owners once if there are any."""
    known = set(item_pns(session, coll, include_excluded=True))
    new = sorted(matches - known)
    add_items(session, coll, new, source="query")
    coll.last_run_at = utcnow()
    if event_id is not None:
        coll.last_event_id = max(coll.last_event_id, event_id)
    if new and event_id is not None:
        for user_id in owners(session, coll):
            notify(session, user_id, "collection.new_matches",
                   f"{len(new)} new patents match your collection '{coll.name}'",
                   collection_id=coll.id, event_id=event_id, pns=new[:200], count=len(new))
    return new
