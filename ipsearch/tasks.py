"""Celery tasks of the search feature: re-run saved queries when the corpus changes."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from core.celery_app import on_corpus_updated, periodic
from core.db import session_scope
from core.settings import Settings, get_settings
from ipsearch.backends import get_backend
from ipsearch.collections import MAX_QUERY_MATCHES, Collection, refresh
from ipsearch.events import latest_event_id
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.service import SearchService

log = logging.getLogger(__name__)


def refresh_collections(settings: Settings, event_id: int | None = None) -> dict[str, int]:
    """Bring every saved query up to ``event_id`` (default: the latest corpus event).

    Each collection remembers the last event it handled, so an event is handled once per
    collection however often this runs: owners get one notification per event with new matches.
    """
    service = SearchService(get_backend(settings))
    url = settings.effective_database_url
    with session_scope(url) as session:
        target = event_id or latest_event_id(session)
        ids = list(session.scalars(select(Collection.id).where(Collection.query.is_not(None),
                                                               Collection.last_event_id < target)))
    counts = {"collections": 0, "new_matches": 0}
    for coll_id in ids:
        with session_scope(url) as session:
            coll = session.get(Collection, coll_id, with_for_update=True)
            if coll is None or coll.query is None or coll.last_event_id >= target:
                continue
            try:
                matches = service.matching_ids(coll.query, limit=MAX_QUERY_MATCHES)
            except QuerySyntaxError as exc:  # a saved query the language no longer accepts
                log.warning("collection %s: saved query fails: %s", coll_id, exc)
                coll.last_event_id = target
                continue
            new = refresh(session, coll, matches, target)
            counts["collections"] += 1
            counts["new_matches"] += len(new)
    return counts


@on_corpus_updated
@shared_task(name="ipsearch.corpus_updated")
def corpus_updated(event_id: int) -> dict[str, int]:
    return refresh_collections(get_settings(), event_id)


@periodic(300.0)
@shared_task(name="ipsearch.sweep_corpus_events")
def sweep_corpus_events() -> dict[str, int]:
    """Periodic safety net (Celery beat): handle events whose message never arrived."""
    return refresh_collections(get_settings())
