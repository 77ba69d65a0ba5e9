"""Patent loads as background jobs (admin only); progress comes from the load journal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.deps import AdminUser, AdminWriterDep, SessionDep, get_platform
from core.errors import InvalidInput, NotFound
from loaders.journal import LoadRun, LoadStatus
from loaders.tasks import load_task

router = APIRouter(prefix="/api/v1/loads", tags=["loads"])


class LoadIn(BaseModel):
    paths: list[str] = Field(min_length=1, max_length=100)
    backend: Literal["es", "embedded"] | None = None
    workers: int = Field(default=1, ge=1, le=16)


class LoadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: LoadStatus
    backend: str
    target: str
    paths: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    files_total: int
    files_done: int
    bytes_total: int
    bytes_done: int
    seen: int
    loaded: int
    failed: int
    skipped: int
    quarantine_path: str | None
    error: str | None


def _allowed(path_text: str, roots: list[Path]) -> Path:
    if "\x00" in path_text:
        raise InvalidInput("path contains a NUL byte")
    path = Path(path_text).expanduser().resolve()
    if not any(path == root or root in path.parents for root in roots):
        raise InvalidInput(f"{path_text!r} is outside the folders loads may read ({', '.join(map(str, roots))})")
    if not path.exists():
        raise InvalidInput(f"{path_text!r} does not exist")
    return path


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=LoadOut)
def start_load(body: LoadIn, request: Request, w: AdminWriterDep) -> LoadOut:
    settings = get_platform(request).settings
    paths = [_allowed(p, settings.load_roots) for p in body.paths]
    backend = body.backend or ("es" if settings.search_backend_kind == "elasticsearch" else "embedded")
    run = LoadRun(backend="elasticsearch" if backend == "es" else "embedded", target="(queued)",
                  paths=[str(p) for p in paths], requested_by=w.actor.id, status=LoadStatus.queued)
    w.session.add(run)
    w.session.flush()
    w.audit("load.start", "load_run", run.id, paths=run.paths, backend=backend)
    w.commit()
    run.task_id = get_platform(request).tasks.send(load_task, run.id, run.paths, backend, body.workers)
    w.session.commit()
    return LoadOut.model_validate(run)


@router.get("", response_model=list[LoadOut])
def list_loads(_: AdminUser, session: SessionDep, limit: int = 50) -> list[LoadOut]:
    runs = session.scalars(select(LoadRun).order_by(LoadRun.id.desc()).limit(min(max(limit, 1), 500)))
    return [LoadOut.model_validate(r) for r in runs]


@router.get("/{run_id}", response_model=LoadOut)
def get_load(run_id: int, _: AdminUser, session: SessionDep) -> LoadOut:
    run = session.get(LoadRun, run_id)
    if run is None:
        raise NotFound(f"load {run_id} not found")
    return LoadOut.model_validate(run)
