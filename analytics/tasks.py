"""Celery tasks of analytics: early-warning rules on every corpus-updated event and daily, report
generation, and the monthly reports associations subscribe to."""

from __future__ import annotations

from celery import shared_task

from core.celery_app import on_corpus_updated, periodic
from core.settings import get_settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService


def _run_rules() -> dict[str, int]:
    from analytics.alerts import run_rules

    settings = get_settings()
    return run_rules(SearchService(get_backend(settings)), settings.effective_database_url)


@on_corpus_updated
@shared_task(name="analytics.corpus_updated")
def corpus_updated(event_id: int) -> dict[str, int]:
    """Each subscription remembers the last event it handled, so the id only wakes the rules up."""
    return _run_rules()


@periodic(24 * 3600.0)
@shared_task(name="analytics.run_rules")
def scheduled_rules() -> dict[str, int]:
    """Daily (Celery beat): windows move with the calendar even when nothing is loaded."""
    return _run_rules()


@shared_task(name="analytics.generate_report")
def generate_report(report_id: int) -> str:
    from analytics.reports.service import generate

    return generate(get_settings(), report_id).status.value


@periodic(24 * 3600.0)
@shared_task(name="analytics.monthly_reports")
def monthly_reports() -> list[int]:
    """Daily (Celery beat): queue this month's report for every subscription that has none yet."""
    from analytics.reports.service import queue_monthly

    return queue_monthly(get_settings())
