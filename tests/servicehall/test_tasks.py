"""The warning sweep is on Celery beat's schedule once the worker imports every feature's tasks."""

from __future__ import annotations

from api.worker import import_task_modules
from core.celery_app import PERIODIC, make_celery
from core.settings import Settings
from servicehall.tasks import SWEEP_SECONDS, sweep


def test_the_sweep_runs_under_beat(embedded_settings: Settings) -> None:
    import_task_modules()
    assert PERIODIC[sweep.name] == (sweep, SWEEP_SECONDS)
    schedule = make_celery(embedded_settings).conf.beat_schedule
    assert schedule["servicehall.sweep"] == {"task": "servicehall.sweep", "schedule": SWEEP_SECONDS}
