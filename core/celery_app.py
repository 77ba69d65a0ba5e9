"""The Celery app, built on request (never on import), and the ``TaskQueue`` services use.

Redis broker in production; embedded default: kombu's SQLAlchemy transport on a SQLite file
under IPC_DATA_DIR, with a real worker process either way.

Feature packages declare their tasks with ``celery.shared_task`` (no app needed at import) and
register them here: ``periodic`` for Celery beat, ``on_corpus_updated`` for the tasks woken by a
corpus-updated event. The composition root (``api.worker``) imports those modules before it
builds an app, so the registries are complete; ``core`` itself imports no feature package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from celery import Celery, Task

from core.settings import Settings

T = TypeVar("T", bound=Task)

# name -> (task, seconds): read by make_celery for Celery beat.
PERIODIC: dict[str, tuple[Task, float]] = {}
# Tasks woken by a corpus-updated event (saved queries, early-warning rules).
CORPUS_UPDATED_LISTENERS: list[Task] = []


def periodic(seconds: float) -> Callable[[T], T]:
    """Run the decorated (already declared) task every ``seconds`` under Celery beat."""

    def register(task: T) -> T:
        PERIODIC[task.name] = (task, seconds)
        return task

    return register


def on_corpus_updated(task: T) -> T:
    """Wake the decorated task, with the event id, whenever a load adds documents."""
    if task not in CORPUS_UPDATED_LISTENERS:
        CORPUS_UPDATED_LISTENERS.append(task)
    return task


def make_celery(settings: Settings) -> Celery:
    app = Celery("ipcommons", broker=settings.effective_broker_url, backend=settings.result_backend_url,
                 set_as_current=False)
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
    app.conf.beat_schedule = {name: {"task": name, "schedule": seconds} for name, (_, seconds) in PERIODIC.items()}
    return app


class TaskQueue:
    """Sends background work to the workers; the Celery app is built on the first send."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._app: Celery | None = None

    @property
    def app(self) -> Celery:
        if self._app is None:
            self._app = make_celery(self.settings)
        return self._app

    def send(self, task: Task, *args: Any) -> str:
        """Queue ``task`` (a task object, never a name typed again) and return the job id."""
        return str(self.app.send_task(task.name, args=list(args)).id)

    def announce_corpus_updated(self, event_id: int) -> None:
        for task in CORPUS_UPDATED_LISTENERS:
            self.send(task, event_id)
