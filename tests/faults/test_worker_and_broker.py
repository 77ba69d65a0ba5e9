"""Faults with real processes (no mocks): a Celery worker's process killed in the middle of a
report, and Redis killed (SIGKILL) while report jobs wait in the queue. Jobs are acknowledged
late and report generation is idempotent, so every job is picked up again and runs to the end,
none is lost, and none is done twice (one report row, one version, each done)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from pydantic import SecretStr
from sqlalchemy import select

from analytics.models import Report, ReportStatus
from analytics.reports import service as reports
from copyright.models import WorkType
from copyright.registry import WorkIn, hash_stream, register
from copyright.schemas import RenderingOut
from copyright.service import certificate_pdf
from copyright.tasks import pdf_path
from core.accounts.models import Role, User
from core.audit import AuditContext, Writer
from core.celery_app import TaskQueue
from core.db import session_scope
from core.settings import Settings
from ipsearch.backends import get_backend
from loaders.journal import LoadRun, LoadStatus
from loaders.service import LoadIn, start_load
from loaders.synthetic import SyntheticOptions, write_weekly_files
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.processes import REPO, live_processes, start, stop

pytestmark = pytest.mark.serial  # kills a shared server: run alone (see the Makefile)

DEADLINE = 180.0


def _worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(settings.resolved_data_dir), IPC_DATABASE_URL=settings.effective_database_url,
               IPC_ELASTICSEARCH_URL=settings.elasticsearch_url or "", IPC_ES_INDEX_PREFIX=settings.es_index_prefix,
               IPC_BROKER_URL=settings.effective_broker_url, IPC_REDIS_URL=settings.redis_url or "",
               IPC_SHARED_DATA_DIR=str(settings.shared_data_dir), IPC_SIGNING_KEY_PASSPHRASE=TEST_SIGNING_PASSPHRASE)
    return env


@pytest.fixture
def settings(corpus_settings: Settings, tmp_path: Path) -> Settings:
    """The real corpus in Elasticsearch and PostgreSQL, an empty Redis queue."""
    redis.Redis.from_url(corpus_settings.effective_broker_url).flushdb()
    return corpus_settings.model_copy(update={"data_dir": tmp_path / "var",  # the session's signing keys
                                              "signing_key_passphrase": SecretStr(TEST_SIGNING_PASSPHRASE)})


def _worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    return start([sys.executable, "-m", "api.worker", "worker", "--pool=prefork", "--concurrency=1",
                  "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                 _worker_env(settings), log)


@pytest.fixture
def analyst(settings: Settings) -> int:
    with session_scope(settings.effective_database_url) as session:
        user = User(email=f"analyst-{time.monotonic_ns()}@example.org", display_name="analyst", password_hash="-",
                    role=Role.admin)
        session.add(user)
        session.flush()
        return user.id


def _request(settings: Settings, user_id: int, lang: str = "zh") -> int:
    with session_scope(settings.effective_database_url) as session:
        user = session.get(User, user_id)
        writer = Writer(session, user, AuditContext(actor_id=user_id, client_ip="127.0.0.1"))
        return reports.request_report(writer, TaskQueue(settings), reports.ReportRequest(scope="led", lang=lang)).id


def _status(settings: Settings, report_id: int) -> ReportStatus:
    with session_scope(settings.effective_database_url) as session:
        report = session.get(Report, report_id)
        assert report is not None
        return report.status


def _wait_for(settings: Settings, report_id: int, wanted: set[ReportStatus], poll: float = 0.02) -> ReportStatus:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        status = _status(settings, report_id)
        if status in wanted:
            return status
        time.sleep(poll)
    pytest.fail(f"report {report_id} stayed {_status(settings, report_id)}")


def _reports_done_once(settings: Settings, ids: list[int]) -> None:
    with session_scope(settings.effective_database_url) as session:
        rows = session.scalars(select(Report).where(Report.id.in_(ids))).all()
        assert sorted(r.id for r in rows) == sorted(ids)
        assert all(r.status is ReportStatus.done and r.pdf and r.pdf.startswith(b"%PDF") for r in rows)
        assert len({(r.lang, r.version) for r in rows}) == len(ids)  # no version written twice


def test_a_worker_process_killed_in_the_middle_of_a_report_is_replaced_and_the_report_completes(
        settings: Settings, analyst: int, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    worker = _worker(settings, log)
    try:
        report_id = _request(settings, analyst)
        assert _wait_for(settings, report_id, {ReportStatus.running, ReportStatus.done}) is ReportStatus.running
        children = live_processes(parent=worker.pid)
        assert children, "the prefork worker has no pool process"
        for child in children:
            os.kill(child, 9)  # in the middle of the report
        assert _wait_for(settings, report_id, {ReportStatus.done, ReportStatus.failed}, 0.2) is ReportStatus.done
    finally:
        stop(worker)
    text = log.read_text(errors="replace")
    assert "WorkerLostError" in text or "signal 9" in text, text[-3000:]  # it really died mid-task
    _reports_done_once(settings, [report_id])


def _queue_certificates(settings: Settings, user_id: int, n: int) -> list[Path]:
    """Register ``n`` works and queue the rendering of their PDF certificates; where each will be."""
    queue = TaskQueue(settings)
    paths = []
    with session_scope(settings.effective_database_url) as session:
        owner = session.get(User, user_id)
        assert owner is not None
        for i in range(n):
            content = hash_stream(io.BytesIO(f"a photograph {uuid.uuid4()}".encode()), settings.max_upload_bytes)
            reg = register(session, settings, owner, WorkIn(title=f"Erhai {i}", work_type=WorkType.photographic,
                                                            authors=["Li Hua"]), content, hash_only=True)
            session.flush()
            assert isinstance(certificate_pdf(session, settings, queue, reg.number), RenderingOut)
            paths.append(pdf_path(settings, reg.number, reg.status.value))
    return paths


def test_jobs_queued_while_redis_is_killed_run_exactly_once(settings: Settings, analyst: int,
                                                            tmp_path: Path) -> None:
    ids = [_request(settings, analyst, lang) for lang in ("zh", "en", "zh")]  # no worker yet: they wait
    certificates = _queue_certificates(settings, analyst, 2)
    subprocess.run([str(REPO / "scripts" / "services"), "crash-redis"], check=True, capture_output=True)
    log = tmp_path / "worker.log"
    worker = _worker(settings, log)
    try:
        for report_id in ids:
            _wait_for(settings, report_id, {ReportStatus.done, ReportStatus.failed}, 0.2)
        deadline = time.monotonic() + DEADLINE
        while not all(p.is_file() for p in certificates) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(worker)
    _reports_done_once(settings, ids)
    assert all(p.read_bytes().startswith(b"%PDF") for p in certificates)
    text = log.read_text(errors="replace")
    assert text.count("analytics.generate_report[") >= len(ids)
    succeeded = text.count("succeeded in")
    assert succeeded == len(ids) + len(certificates), text[-3000:]  # each job ran once


def test_a_worker_process_killed_in_the_middle_of_a_load_is_replaced_and_the_load_completes(
        settings: Settings, analyst: int, tmp_path: Path) -> None:
    """The load's task is requeued; the run resumes from its journal and every document is there once."""
    load_settings = settings.model_copy(update={"es_index_prefix": f"patents-killed-{uuid.uuid4().hex[:8]}"})
    folder = load_settings.incoming_dir / "killed"
    write_weekly_files(folder, SyntheticOptions(docs=2400, seed=31), docs_per_file=300)
    backend = get_backend(load_settings, "es")
    log = tmp_path / "worker.log"
    worker = _worker(load_settings, log)
    try:
        with session_scope(load_settings.effective_database_url) as session:
            user = session.get(User, analyst)
            writer = Writer(session, user, AuditContext(actor_id=analyst, client_ip="127.0.0.1"))
            run_id = start_load(writer, TaskQueue(load_settings), load_settings, LoadIn(paths=[str(folder)])).id
        deadline = time.monotonic() + DEADLINE
        while backend.count() < 300 and time.monotonic() < deadline:  # well into the load
            time.sleep(0.1)
        for child in live_processes(parent=worker.pid):
            os.kill(child, 9)
        while time.monotonic() < deadline:
            with session_scope(load_settings.effective_database_url) as session:
                run = session.get(LoadRun, run_id)
                assert run is not None
                if run.status in (LoadStatus.done, LoadStatus.failed):
                    break
            time.sleep(0.5)
        assert run.status is LoadStatus.done, run.error
    finally:
        stop(worker)
    text = log.read_text(errors="replace")
    assert "WorkerLostError" in text or "signal 9" in text, text[-3000:]
    backend.refresh()
    assert backend.count() == len(backend.ids()) == 2400
    backend.drop()
