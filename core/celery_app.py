"""The one Celery app. Redis broker in production; embedded default: kombu's SQLAlchemy
transport on a SQLite file under IPC_DATA_DIR, with a real worker process either way."""

from __future__ import annotations

from celery import Celery

from core.settings import Settings, get_settings

# Feature packages whose ``tasks`` modules the worker imports.
TASK_PACKAGES = ["core", "loaders", "ipsearch", "copyright", "community.agencies", "analytics"]
# Tasks woken by a corpus-updated event (saved queries, early-warning rules).
CORPUS_UPDATED_LISTENERS = ("ipsearch.corpus_updated", "analytics.corpus_updated")


def make_celery(settings: Settings) -> Celery:
    app = Celery("ipcommons", broker=settings.effective_broker_url, backend=settings.result_backend_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        result_expires=7 * 24 * 3600,
        timezone="UTC",
    )
    app.autodiscover_tasks(TASK_PACKAGES, related_name="tasks")
    app.conf.beat_schedule = {
        "sweep-corpus-events": {"task": "ipsearch.sweep_corpus_events", "schedule": 300.0},
        "recompute-agency-tiers": {"task": "community.recompute_tiers", "schedule": 24 * 3600.0},
        "early-warning-rules": {"task": "analytics.run_rules", "schedule": 24 * 3600.0},
        "monthly-reports": {"task": "analytics.monthly_reports", "schedule": 24 * 3600.0},
    }
    return app


celery_app = make_celery(get_settings())
