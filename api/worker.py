"""The worker's composition root: import every feature's tasks, build the Celery app, run it.

``python -m api.worker worker --loglevel=INFO`` runs a worker (``beat`` runs the scheduler); any
``celery`` sub-command works. The app is built here, from the settings, not on import.
"""

from __future__ import annotations

import importlib
import os
import sys

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


def worker_command(concurrency: int = 2, pool: str = "threads") -> list[str]:
    """The argv of a worker process (``ipcommons serve`` and the tests start it this way)."""
    return [sys.executable, "-m", "api.worker", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            f"--pool={pool}", "--without-gossip", "--without-mingle", "--hostname", f"ipcommons-{os.getpid()}@%h"]


def main(argv: list[str] | None = None) -> None:
    build_celery(get_settings()).start(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
