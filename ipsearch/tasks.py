"""Celery tasks of the search feature: re-run saved queries when the corpus changes."""

from __future__ import annotations

from celery import shared_task

from core.celery_app import on_corpus_updated, periodic
from core.settings import Settings, get_settings
from ipsearch.backends import get_backend
from ipsearch.collections.service import refresh_saved_queries
from ipsearch.service import SearchService


def refresh_collections(settings: Settings, event_id: int | None = None) -> dict[str, int]:
    """Bring every saved query up to ``event_id`` (default: the latest corpus event); an event is
    handled once per collection however often this runs."""
    return refresh_saved_queries(SearchService(get_backend(settings)), settings.effective_database_url, event_id)


@on_corpus_updated
@shared_task(name="ipsearch.corpus_updated")
def corpus_updated(event_id: int) -> dict[str, int]:
    return refresh_collections(get_settings(), event_id)


@periodic(300.0)
@shared_task(name="ipsearch.sweep_corpus_events")
def sweep_corpus_events() -> dict[str, int]:
    """Periodic safety net (Celery beat): handle events whose message never arrived."""
    return refresh_collections(get_settings())
