"""Who sees and who changes a collection, and who hears of its new matches."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import Membership, OrgRole, User
from core.accounts.permissions import is_owner_or_admin
from core.errors import NotFound, PermissionDenied
from ipsearch.collections.models import Collection, Visibility


def get_visible(session: Session, user: User | None, collection_id: int) -> Collection:
    """The collection if ``user`` may see it; NotFound otherwise (a private collection is not revealed)."""
    coll = session.get(Collection, collection_id)
    if coll is None:
        raise NotFound.said("collection %(id)s not found", id=collection_id)
    if coll.visibility == Visibility.public or may_edit(session, user, coll):  # who changes it sees it
        return coll
    raise NotFound.said("collection %(id)s not found", id=collection_id)


def may_edit(session: Session, user: User | None, coll: Collection) -> bool:
    """Owner, members of the organisation of an org collection, and admins change a collection."""
    return coll.id in editable_among(session, user, [coll])


def editable_among(session: Session, user: User | None, colls: list[Collection]) -> set[int]:
    """The ids of ``colls`` that ``user`` may change: ``may_edit`` for a list, with one query for
    the user's organisations instead of one per organisation collection."""
    if user is None:
        return set()
    orgs = set(session.scalars(select(Membership.org_id).where(Membership.user_id == user.id))) if any(
        c.visibility == Visibility.org for c in colls) else set()
    return {c.id for c in colls if is_owner_or_admin(user, c.owner_id)
            or (c.visibility == Visibility.org and c.org_id in orgs)}


def get_editable(session: Session, user: User, collection_id: int) -> Collection:
    """The collection if ``user`` may change it (``may_edit``); PermissionDenied otherwise."""
    coll = get_visible(session, user, collection_id)
    if may_edit(session, user, coll):
        return coll
    raise PermissionDenied("only the collection's owners and members may change it")


def shared_with(session: Session, user: User) -> list[Collection]:
    """Collections of other people that ``user``'s organisations share with them."""
    orgs = select(Membership.org_id).where(Membership.user_id == user.id)
    return list(session.scalars(select(Collection).where(
        Collection.visibility == Visibility.org, Collection.org_id.in_(orgs), Collection.owner_id != user.id)
        .order_by(Collection.id)))


def require_owner(user: User, coll: Collection) -> None:
    """Who sees a collection is its owner's choice alone, not the organisation's."""
    if coll.owner_id != user.id:
        raise PermissionDenied("only the owner may change who sees the collection")


def notified_users(session: Session, coll: Collection) -> list[int]:
    """Who is notified of new matches: the owner and, for org collections, the org's admins."""
    ids = [coll.owner_id]
    if coll.org_id is not None and coll.visibility == Visibility.org:
        ids += list(session.scalars(select(Membership.user_id).where(
            Membership.org_id == coll.org_id, Membership.role == OrgRole.org_admin)))
    return sorted(set(ids))
