"""Celery tasks: a load run in the background, its progress readable from the journal."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

from core.settings import BackendKind, get_settings
from loaders.pipeline import LoadInterrupted, run_load


@shared_task(name="loaders.load")
def load_task(run_id: int, paths: list[str], backend: str | None = None,
              workers: int = 1) -> dict[str, object]:
    """``backend`` is a BackendKind value (a task message carries plain JSON)."""
    try:
        summary = run_load(get_settings(), [Path(p) for p in paths], backend=BackendKind(backend) if backend else None,
                           workers=workers, run_id=run_id)
    except LoadInterrupted as exc:
        return {"run_id": run_id, "status": "interrupted", "error": str(exc)}
    return summary.model_dump()
