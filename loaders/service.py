"""Loads started through the API: confined to the load roots, journalled as a queued LoadRun,
run by a Celery worker; progress is read back from the journal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.permissions import require_admin
from core.audit import AuditAction, Writer
from core.celery_app import TaskQueue
from core.db import RowOut, utcnow
from core.errors import InvalidInput, NotFound, Unavailable
from core.i18n import Listed, Quoted
from core.settings import BackendKind, Settings
from loaders.journal import LoadFile, LoadRun, LoadStatus
from loaders.tasks import load_task

MAX_LISTED = 500


class LoadIn(BaseModel):
    paths: list[str] = Field(min_length=1, max_length=100,
                             description="files or folders under the load roots (the shared data folder, then "
                                         "var/incoming); a relative path is read under the first that has it")
    backend: BackendKind | None = Field(default=None, description='"elasticsearch" (or "es") or "embedded"; '
                                                                   "default: the configured backend")
    workers: int = Field(default=1, ge=1, le=16)


class LoadOut(RowOut):
    id: int
    status: LoadStatus
    backend: BackendKind
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
    files_unchanged: int = Field(0, description="files the journal showed loaded already, unchanged: not read "
                                                "again (a run of only those read no document)")


def _with_unchanged(session: Session, runs: list[LoadRun]) -> list[LoadOut]:
    """The runs, each with how many of its files were unchanged (one query for them all)."""
    counts = dict(session.execute(select(LoadFile.run_id, func.count()).where(
        LoadFile.run_id.in_([r.id for r in runs]), LoadFile.status == LoadStatus.unchanged)
        .group_by(LoadFile.run_id)).tuples().all())
    return [LoadOut.model_validate(r).model_copy(update={"files_unchanged": counts.get(r.id, 0)}) for r in runs]


def allowed_path(path_text: str, roots: list[Path]) -> Path:
    """The resolved path if it exists inside one of ``roots``: no NUL bytes, no ``..`` or symbolic
    link leading out (both are resolved before the check). A relative path is read under the first
    root that has it ("patents/uspto" under the shared data), not under the server's working folder."""
    if "\x00" in path_text:
        raise InvalidInput("path contains a NUL byte")
    resolved_roots = [r.resolve() for r in roots]
    try:
        path = _under_a_root(Path(path_text).expanduser(), resolved_roots).resolve()
        exists = path.exists()
    except (OSError, RuntimeError) as exc:  # too long, a symlink loop, an unknown ~user
        raise InvalidInput.said("%(path)s is not a usable path: %(reason)s", path=Quoted(path_text),
                                reason=str(exc)) from exc
    if not any(path == root or root in path.parents for root in resolved_roots):
        raise InvalidInput.said("%(path)s is outside the folders loads may read (%(roots)s)", path=Quoted(path_text),
                                roots=Listed(resolved_roots))
    if not exists:
        raise InvalidInput.said("%(path)s does not exist", path=Quoted(path_text))
    return path


def _under_a_root(path: Path, roots: list[Path]) -> Path:
    """``path`` itself when absolute; else under the one root that has it (else the first root). A
    relative path names something inside a root: not the root itself ("" or "." queued all of it),
    nor a name two roots have (which one would be loaded?)."""
    if path.is_absolute() or not roots:
        return path
    if path == Path("."):
        raise InvalidInput("give a file or folder inside the load roots, not a root itself")
    found = [root / path for root in roots if (root / path).exists()]
    if len(found) > 1:
        raise InvalidInput.said("%(path)s is in more than one load root (%(roots)s): give its full path",
                                path=Quoted(str(path)), roots=Listed(found))
    return found[0] if found else roots[0] / path


def _backend(settings: Settings, requested: BackendKind | None) -> BackendKind:
    backend = requested or settings.search_backend_kind
    if backend is BackendKind.elasticsearch and not settings.elasticsearch_url:
        raise InvalidInput("Elasticsearch is not configured (IPC_ELASTICSEARCH_URL): load into embedded")
    return backend


def start_load(w: Writer, tasks: TaskQueue, settings: Settings, body: LoadIn) -> LoadOut:
    """Queue a load (admins only). Every path is checked first, so a refused request writes nothing."""
    require_admin(w.actor)
    paths = [str(allowed_path(p, settings.load_roots)) for p in body.paths]
    backend = _backend(settings, body.backend)
    run = LoadRun(backend=backend.value, target="(queued)", paths=paths, requested_by=w.actor.id,
                  status=LoadStatus.queued)
    w.session.add(run)
    w.session.flush()
    w.audit(AuditAction.load_start, "load_run", run.id, paths=run.paths, backend=backend.value)
    w.commit()
    _send(w.session, tasks, run, backend, body.workers)
    return LoadOut.model_validate(run)


def _send(session: Session, tasks: TaskQueue, run: LoadRun, backend: BackendKind, workers: int) -> None:
    """Hand the (already committed) run to a worker; a queue that cannot take it fails the run
    rather than leaving it queued for ever."""
    try:
        run.task_id = tasks.send(load_task, run.id, run.paths, backend.value, workers)
    except Exception as exc:
        run.status, run.error, run.finished_at = LoadStatus.failed, f"task queue: {exc}"[:2000], utcnow()
        session.commit()
        raise Unavailable("the task queue cannot take the load now; try again later") from exc
    session.commit()


def list_loads(session: Session, user: User, limit: int = 50) -> list[LoadOut]:
    """The latest runs, newest first (admins only)."""
    require_admin(user)
    runs = session.scalars(select(LoadRun).order_by(LoadRun.id.desc()).limit(min(max(limit, 1), MAX_LISTED)))
    return _with_unchanged(session, list(runs))


def get_load(session: Session, user: User, run_id: int) -> LoadOut:
    require_admin(user)
    run = session.get(LoadRun, run_id)
    if run is None:
        raise NotFound.said("load %(id)s not found", id=run_id)
    return _with_unchanged(session, [run])[0]


# --- the admin console: what may be loaded, and what a run left in quarantine -------------------

QUARANTINE_SHOWN = 200


class IncomingFolder(BaseModel):
    path: str = Field(description="the absolute path, as a load takes it")
    name: str = Field(description="the path under the incoming folder")
    files: int
    bytes: int


class QuarantinedOut(BaseModel):
    """One document a run could not load, as the quarantine report keeps it."""

    file: str
    offset: int | None = None
    number: str | None = None
    error: str


class QuarantineOut(BaseModel):
    entries: list[QuarantinedOut]
    total: int = Field(description="entries in the report; at most QUARANTINE_SHOWN are returned")


def incoming_folders(settings: Settings, user: User) -> list[IncomingFolder]:
    """The folders under the incoming dir holding files (the incoming dir itself first), for the
    console's "start a load" form; each is a path ``start_load`` accepts."""
    require_admin(user)
    root = settings.incoming_dir
    if not root.is_dir():
        return []
    found: list[IncomingFolder] = []
    for folder in [root, *sorted(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())][:MAX_LISTED]:
        files = [f for f in folder.iterdir() if f.is_file() and not f.name.startswith(".")]
        if files:
            found.append(IncomingFolder(path=str(folder.resolve()), name=str(folder.relative_to(root)),
                                        files=len(files), bytes=sum(f.stat().st_size for f in files)))
    return found


def quarantine_report(session: Session, user: User, run_id: int) -> QuarantineOut:
    """The documents the run quarantined (the first ``QUARANTINE_SHOWN``), with the reason."""
    run = get_load(session, user, run_id)
    if not run.quarantine_path:
        return QuarantineOut(entries=[], total=0)
    try:
        return read_quarantine(Path(run.quarantine_path), QUARANTINE_SHOWN)
    except OSError as exc:
        raise Unavailable.said("the quarantine report of load %(id)s cannot be read", id=run_id) from exc


def read_quarantine(path: Path, shown: int) -> QuarantineOut:
    """The first ``shown`` entries of a quarantine report, and how many it holds (OSError unread).
    A line cut short (a full disk, a crash while writing) is counted, not shown."""
    entries: list[QuarantinedOut] = []
    total = 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            total += 1
            if len(entries) < shown:
                try:
                    entries.append(QuarantinedOut.model_validate_json(line))
                except ValidationError:
                    continue
    return QuarantineOut(entries=entries, total=total)


def active_loads(session: Session, user: User) -> int:
    """Runs queued or running now."""
    require_admin(user)
    return len(session.scalars(select(LoadRun.id).where(LoadRun.status.in_((LoadStatus.queued, LoadStatus.running))))
               .all())
