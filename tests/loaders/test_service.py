"""loaders.service: an API-started load reads only under the load roots, is journalled, audited
and queued for a worker; a refused request writes nothing and queues nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.models import Role, User
from core.audit import AuditContext, AuditRecord, Writer
from core.celery_app import TaskQueue
from core.db import session_factory
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.settings import BackendKind, Settings
from loaders import service
from loaders.journal import LoadRun, LoadStatus
from loaders.service import LoadIn


@pytest.fixture
def session(embedded_settings: Settings) -> Session:
    return session_factory(embedded_settings.effective_database_url)()


def _user(session: Session, role: Role) -> User:
    user = User(email=f"{role.value}@example.org", display_name=role.value, password_hash="-", role=role)
    session.add(user)
    session.commit()
    return user


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="192.0.2.7"))


def _trace(session: Session) -> tuple[int, int]:
    """(load runs, audit records): what a refused request must leave as it was."""
    runs = session.scalar(select(func.count()).select_from(LoadRun)) or 0
    audits = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    return runs, audits


def _refused(session: Session, exc: type[Exception], call: Callable[[], object]) -> None:
    before = _trace(session)
    with pytest.raises(exc):
        call()
    session.rollback()
    assert _trace(session) == before


def test_paths_outside_the_roots_are_refused_and_nothing_is_written(embedded_settings: Settings,
                                                                    session: Session, tmp_path: Path) -> None:
    admin = _user(session, Role.admin)
    tasks = TaskQueue(embedded_settings)
    patents = embedded_settings.patents_dir
    outside = tmp_path / "outside.xml"
    outside.write_text("<x/>")
    embedded_settings.incoming_dir.mkdir(parents=True, exist_ok=True)
    escape = embedded_settings.incoming_dir / "escape.xml"
    escape.symlink_to(outside)  # inside a root by name, outside once resolved
    for bad in ("/etc/passwd", str(patents / ".." / ".." / ".."), str(outside), str(escape),
                str(patents / "nope.xml"), "a\x00b", str(patents / "epo") + "\x00", "x" * 5000):
        _refused(session, InvalidInput,
                 lambda bad=bad: service.start_load(_writer(session, admin), tasks, embedded_settings,  # type: ignore[misc]
                                                    LoadIn(paths=[str(patents / "epo"), bad])))
    assert session.scalar(select(func.count()).select_from(LoadRun)) == 0


def test_only_admins_start_or_see_loads(embedded_settings: Settings, session: Session) -> None:
    member = _user(session, Role.member)
    moderator = _user(session, Role.moderator)
    body = LoadIn(paths=[str(embedded_settings.patents_dir / "epo")])
    for user in (member, moderator):
        _refused(session, PermissionDenied, lambda user=user: service.start_load(  # type: ignore[misc]
            _writer(session, user), TaskQueue(embedded_settings), embedded_settings, body))
        with pytest.raises(PermissionDenied):
            service.list_loads(session, user)
        with pytest.raises(PermissionDenied):
            service.get_load(session, user, 1)


def test_elasticsearch_is_refused_when_it_is_not_configured(embedded_settings: Settings, session: Session) -> None:
    admin = _user(session, Role.admin)
    body = LoadIn.model_validate({"paths": [str(embedded_settings.patents_dir / "epo")], "backend": "es"})
    assert body.backend is BackendKind.elasticsearch  # the short name people type
    _refused(session, InvalidInput, lambda: service.start_load(_writer(session, admin), TaskQueue(embedded_settings),
                                                               embedded_settings, body))


def test_a_load_is_journalled_audited_and_queued(embedded_settings: Settings, session: Session) -> None:
    admin = _user(session, Role.admin)
    epo = embedded_settings.patents_dir / "epo"
    out = service.start_load(_writer(session, admin), TaskQueue(embedded_settings), embedded_settings,
                             LoadIn(paths=[str(epo / ".." / "epo")], workers=2))
    assert out.status is LoadStatus.queued and out.backend is BackendKind.embedded
    assert out.paths == [str(epo.resolve())]
    run = session.get(LoadRun, out.id)
    assert run is not None and run.backend == "embedded" and run.task_id and run.requested_by == admin.id
    record = session.scalar(select(AuditRecord).where(AuditRecord.action == "load.start"))
    assert record is not None and record.object_id == str(out.id) and record.actor_id == admin.id
    assert record.details == {"paths": out.paths, "backend": "embedded"}
    assert [r.id for r in service.list_loads(session, admin)] == [out.id]
    assert service.get_load(session, admin, out.id) == out
    with pytest.raises(NotFound):
        service.get_load(session, admin, out.id + 1)


def test_a_run_of_files_loaded_already_says_they_were_unchanged(embedded_settings: Settings,
                                                                   session: Session) -> None:
    """The console read "files 52 of 52", then 0 read, 0 loaded, 0 skipped: the files the journal
    showed loaded already, unchanged, are counted (and not read again)."""
    from loaders.pipeline import run_load

    admin = _user(session, Role.admin)
    epo = [embedded_settings.patents_dir / "epo"]
    first = run_load(embedded_settings, epo, backend=BackendKind.embedded)
    again = run_load(embedded_settings, epo, backend=BackendKind.embedded)
    assert first.files_unchanged == 0 and again.files_unchanged > 0 and again.loaded == 0
    runs = {r.id: r for r in service.list_loads(session, admin)}
    latest, earlier = sorted(runs, reverse=True)[:2]
    assert (runs[latest].files_unchanged, runs[latest].seen) == (again.files_unchanged, 0)
    assert runs[earlier].files_unchanged == 0
    assert service.get_load(session, admin, latest).files_unchanged == again.files_unchanged


def test_a_quarantine_line_cut_short_is_counted_not_shown(tmp_path: Path) -> None:
    """A report a crash or a full disk cut off mid-line still reads (the CLI printed an error instead
    of the reasons, and the console's report answered 422)."""
    report = tmp_path / "load-1.jsonl"
    whole = {"file": "/in/a.xml", "offset": 0, "number": "US1", "error": "malformed XML: Start tag expected"}
    report.write_text(json.dumps(whole) + "\n" + '{"file": "/in/b.xml", "off' + "\n", encoding="utf-8")
    found = service.read_quarantine(report, shown=5)
    assert found.total == 2 and [e.model_dump() for e in found.entries] == [whole]


def test_a_relative_path_is_read_under_the_load_roots_not_the_servers_folder(tmp_path: Path) -> None:
    shared, incoming = tmp_path / "shared", tmp_path / "incoming"
    (shared / "patents").mkdir(parents=True)
    incoming.mkdir()
    (incoming / "week.xml").write_text("<x/>")
    roots = [shared, incoming]
    assert service.allowed_path("patents", roots) == (shared / "patents").resolve()
    assert service.allowed_path("week.xml", roots) == (incoming / "week.xml").resolve()  # the first root with it
    with pytest.raises(InvalidInput, match="nope.xml. does not exist"):
        service.allowed_path("nope.xml", roots)
    with pytest.raises(InvalidInput, match="outside the folders loads may read"):
        service.allowed_path("../../etc", roots)  # resolved, then checked: no way out
    for whole in ("", ".", "./"):  # a root itself: everything in it would be queued
        with pytest.raises(InvalidInput, match="not a root itself"):
            service.allowed_path(whole, roots)
    (shared / "week.xml").write_text("<x/>")
    with pytest.raises(InvalidInput, match="in more than one load root"):
        service.allowed_path("week.xml", roots)
    assert service.allowed_path(str(incoming / "week.xml"), roots) == (incoming / "week.xml").resolve()
