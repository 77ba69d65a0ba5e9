"""When each reader opened a collection's page: a document its saved query found on a refresh is
new to a reader (the "new match" badge) until they have opened the collection after it was found.

It is decided per reader, not per owner: every member of an organisation collection, and every
signed-in reader of a public one, has their own visits, so one member's look does not hide from
another what they have not seen. A visit is page views less than half an hour apart: the pages
after a form sent without JavaScript (a tag, a removal, an undo), the next page of the list or a
reload keep showing what was new when the visit began; the visit after it does not, nor what a
refresh found during it and the reader saw (it ended at their last view).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.db import utcnow
from ipsearch.collections.models import Collection, CollectionVisit

VISIT = timedelta(minutes=30)  # page views closer than this to the last one are the same visit
NOTHING_SEEN = datetime.min.replace(tzinfo=UTC)  # a reader's first visit: everything found since is new
NOTHING_NEW = datetime.max.replace(tzinfo=UTC)  # a visitor not signed in: nothing is new to them


def record_visit(session: Session, coll: Collection, user_id: int) -> None:
    """The reader opened the collection's page: a new visit begins when their last view was
    ``VISIT`` ago or more (what they saw then is no longer new), else this view is part of it."""
    visit = session.scalar(select(CollectionVisit).where(CollectionVisit.collection_id == coll.id,
                                                         CollectionVisit.user_id == user_id))
    now = utcnow()
    if visit is None:
        try:
            with session.begin_nested():  # two first views at once: the other one's row stands
                session.add(CollectionVisit(collection_id=coll.id, user_id=user_id, last_seen_at=now, seen_before=None))
        except IntegrityError:
            pass
    else:
        if now - visit.last_seen_at >= VISIT:
            visit.seen_before = visit.last_seen_at
        visit.last_seen_at = now


def new_after(session: Session, coll: Collection, user: User | None) -> datetime:
    """The moment after which a document a refresh found is new to ``user``: the last view of the
    visit before their current one (``NOTHING_SEEN`` before their first visit ends)."""
    if user is None:
        return NOTHING_NEW
    seen = session.scalar(select(CollectionVisit.seen_before).where(CollectionVisit.collection_id == coll.id,
                                                                    CollectionVisit.user_id == user.id))
    return seen or NOTHING_SEEN
