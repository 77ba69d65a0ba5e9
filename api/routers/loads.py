"""Patent loads as background jobs (admin only); progress comes from the load journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AdminUser, AdminWriterDep, SessionDep, SettingsDep, TaskQueueDep
from core.ids import DbId
from loaders import service
from loaders.service import LoadIn, LoadOut

router = APIRouter(prefix="/api/v1/loads", tags=["loads"])


@router.post("",
             summary="Load patent documents into the index (admins)",
             status_code=status.HTTP_202_ACCEPTED, response_model=LoadOut)
def start_load(body: LoadIn, w: AdminWriterDep, tasks: TaskQueueDep, settings: SettingsDep) -> LoadOut:
    """Queues a load for a worker and answers 202 with the run; follow it at `/api/v1/loads/{id}`.
    Paths must lie under the load roots (the shared data folder, then `var/incoming`), each checked
    before anything is queued. A file already loaded to the same backend, unchanged, is not read
    again; an interrupted load resumes where it stopped."""
    return service.start_load(w, tasks, settings, body)


@router.get("", summary="Loads, newest first", response_model=list[LoadOut])
def list_loads(user: AdminUser, session: SessionDep, limit: Annotated[int, Query()] = 50) -> list[LoadOut]:
    return service.list_loads(session, user, limit)


@router.get("/{run_id}", summary="One load's progress and summary", response_model=LoadOut)
def get_load(run_id: DbId, user: AdminUser, session: SessionDep) -> LoadOut:
    """Counts of files and documents done, loaded, failed and skipped, from the load journal; a
    finished run with failures names its quarantine file (one JSON line per refused document)."""
    return service.get_load(session, user, run_id)
