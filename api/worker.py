"""The worker's composition root: import every feature's tasks, build the Celery app, run it.

``python -m api.worker worker --loglevel=INFO`` runs a worker (``beat`` runs the scheduler); any
``celery`` sub-command works. The app is built here, from the settings, not on import.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from celery import Celery

from core.celery_app import make_celery
from core.settings import Settings, get_settings

TASK_MODULES = ("core.tasks", "loaders.tasks", "ipsearch.tasks", "copyright.tasks", "community.agencies.tasks",
                "analytics.tasks", "servicehall.tasks")


def import_task_modules() -> None:
    """Declare every task and fill the beat and corpus-updated registries of ``core.celery_app``."""
    for name in TASK_MODULES:
        importlib.import_module(name)


def build_celery(settings: Settings) -> Celery:
    import_task_modules()
    return make_celery(settings)


def beat_schedule(settings: Settings) -> Path:
    """Where Celery beat keeps when each periodic job last ran (under the data directory, as all state)."""
    return settings.resolved_data_dir / "beat-schedule"


def worker_command(concurrency: int = 2, pool: str = "threads", schedule: Path | None = None) -> list[str]:
    """The argv of a worker process (``ipcommons serve`` and the tests start it this way). With a
    ``schedule`` file it runs Celery beat too (mail, deadline cards, daily rules): one machine's
    worker doing everything, as ``ipcommons serve`` starts it; a deployment of several workers runs
    one ``python -m api.worker beat`` instead, or each periodic job would run once per worker."""
    argv = [sys.executable, "-m", "api.worker", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--pool={pool}", "--without-gossip", "--without-mingle", "--hostname", f"ipcommons-{os.getpid()}@%h"]
    # with the schedule, a pid file beside it: a second worker with beat on the same data refuses to start
    return argv + (["--beat", f"--schedule={schedule}", f"--pidfile={schedule.parent / 'worker-beat.pid'}"]
                   if schedule is not None else [])


def main(argv: list[str] | None = None) -> None:
    build_celery(get_settings()).start(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
