"""The CLI: doctor prints the service table; users create-admin and set-password work and are audited."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from api.worker import beat_schedule, worker_command
from core.settings import Settings
from tests.processes import live_processes, start, stop
from tests.smtp import free_port

REPO = Path(__file__).resolve().parents[2]


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL)  # no terminal to ask on


def test_doctor_prints_each_service(prod_settings: Settings) -> None:
    env = {**os.environ, "IPC_DATA_DIR": str(prod_settings.resolved_data_dir), "COLUMNS": "200"}
    r = _cli(["doctor"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    for word in ("database", "postgresql", "search", "elasticsearch 8.", "broker", "redis"):
        assert word in r.stdout, word


def test_doctor_fails_when_a_service_is_down(tmp_path: Path) -> None:
    env = {**os.environ, "IPC_DATA_DIR": str(tmp_path), "IPC_ELASTICSEARCH_URL": "http://127.0.0.1:1",
           "IPC_DATABASE_URL": "", "COLUMNS": "200"}
    env.pop("IPC_DATABASE_URL")
    r = _cli(["doctor"], env)
    assert r.returncode == 1
    assert "no" in r.stdout and "search" in r.stdout


def test_create_admin(embedded_settings: Settings) -> None:
    from core.accounts.models import Role, User
    from core.accounts.service import authenticate
    from core.audit import AuditRecord
    from core.db import session_scope

    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(embedded_settings.resolved_data_dir), IPC_ADMIN_PASSWORD="a long admin password")
    r = _cli(["users", "create-admin", "root@example.org"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    with session_scope(embedded_settings.effective_database_url) as session:
        user = session.scalar(select(User).where(User.email == "root@example.org"))
        assert user is not None and user.role == Role.admin
        assert session.scalar(select(AuditRecord.action).where(AuditRecord.object_id == str(user.id))) == (
            "user.create_admin")
    bad = _cli(["users", "create-admin", "not-an-email"], env)
    assert bad.returncode == 2 and "not an e-mail" in (bad.stdout + bad.stderr)
    # an existing account is promoted and keeps its password, and says so (it was asked for, then ignored)
    member = _cli(["users", "create-admin", "root@example.org", "--password", "another long password"], env)
    assert member.returncode == 0 and "its password is unchanged" in " ".join(member.stdout.split())
    with session_scope(embedded_settings.effective_database_url) as session:
        assert authenticate(session, "root@example.org", "a long admin password") is not None
        assert authenticate(session, "root@example.org", "another long password") is None
    # a new account without a password and without a terminal to ask on: refused in words, exit 2
    quiet = {k: v for k, v in env.items() if k != "IPC_ADMIN_PASSWORD"}
    nobody = _cli(["users", "create-admin", "new@example.org"], quiet)
    assert nobody.returncode == 2 and "has no account yet" in nobody.stderr


def test_set_password_lets_an_operator_back_in_without_mail(embedded_settings: Settings) -> None:
    from core.accounts import service
    from core.accounts.models import User
    from core.accounts.schemas import RegisterIn
    from core.accounts.sessions import find_session, open_session
    from core.audit import AuditContext, AuditRecord, Writer
    from core.db import session_scope

    with session_scope(embedded_settings.effective_database_url) as session:
        out = service.register(Writer(session, None, AuditContext()), RegisterIn(email="lost@example.org",
                                                                                 password="the old password"))
        user = session.get(User, out.id)
        cookie = open_session(Writer(session, user, AuditContext(actor_id=out.id)), out.id)
    env = {**_embedded_env(embedded_settings), "IPC_NEW_PASSWORD": "the new password 123"}
    r = _cli(["users", "set-password", "Lost@Example.org"], env)
    assert r.returncode == 0 and "lost@example.org" in r.stdout, r.stdout + r.stderr
    with session_scope(embedded_settings.effective_database_url) as session:
        assert service.authenticate(session, "lost@example.org", "the new password 123") is not None
        assert service.authenticate(session, "lost@example.org", "the old password") is None
        assert find_session(session, cookie) is None
        assert session.scalar(select(AuditRecord.action).where(AuditRecord.object_id == str(out.id))
                              .order_by(AuditRecord.id.desc()).limit(1)) == "user.password.reset"
    unknown = _cli(["users", "set-password", "nobody@example.org"], env)
    assert unknown.returncode != 0 and "no account uses the e-mail" in unknown.stderr
    short = _cli(["users", "set-password", "lost@example.org"], {**env, "IPC_NEW_PASSWORD": "short"})
    assert short.returncode == 2 and "at least 10" in short.stderr


def _embedded_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(settings.resolved_data_dir))
    return env


def test_one_exit_code_per_error_class(embedded_settings: Settings, tmp_path: Path) -> None:
    """The same kind of error exits with the same documented code, whichever command raised it."""
    env = _embedded_env(embedded_settings)
    query = _cli(["search", "TI=(led"], env)
    assert query.returncode == 2 and "error:" in query.stderr and "^" in query.stderr, query.stderr
    missing = _cli(["load", str(tmp_path / "no-such-file.xml")], env)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr, missing.stderr
    backend = _cli(["search", "led", "--backend", "solr"], env)
    assert backend.returncode == 2 and "solr" in backend.stderr
    scope = _cli(["report", "no-such-scope", "--format", "json", "--out", str(tmp_path / "r.json")], env)
    assert scope.returncode == 2 and "no-such-scope" in scope.stderr and not (tmp_path / "r.json").exists()
    for result in (query, missing, scope):
        assert "Traceback" not in result.stderr


def test_exit_code_table_follows_the_error_family() -> None:
    from pydantic import BaseModel, ValidationError

    from api.cli.errors import ExitCode, exit_code_of
    from copyright.verify import VerificationFailed
    from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unavailable
    from ipsearch.query.parser import QuerySyntaxError
    from loaders.pipeline import LoadInterrupted

    class Model(BaseModel):
        n: int

    try:
        Model.model_validate({"n": "x"})
    except ValidationError as exc:
        validation = exc
    assert exit_code_of(QuerySyntaxError("bad", 3)) is ExitCode.refused
    assert {exit_code_of(e("x")) for e in (InvalidInput, NotFound, PermissionDenied, Conflict)} == {ExitCode.refused}
    assert exit_code_of(validation) is ExitCode.refused
    assert exit_code_of(LoadInterrupted("gone")) is exit_code_of(Unavailable("down")) is ExitCode.unfinished
    assert exit_code_of(VerificationFailed("inclusion proof", "root differs")) is ExitCode.negative
    assert exit_code_of(KeyError("unexpected")) is None  # a bug: a traceback, not a made-up exit code


def test_a_load_from_the_command_line_refreshes_saved_queries(embedded_settings: Settings,
                                                              shared_data_dir: Path) -> None:
    """`ipcommons load` wakes the corpus-updated listeners as the loads API does: a worker (no
    beat) picks up the refresh and the owner of a matching saved query gets one notification."""
    from core.accounts.models import User
    from core.audit import AuditContext, Writer
    from core.db import session_scope
    from core.notifications import Notification
    from ipsearch.backends import get_backend
    from ipsearch.collections import service
    from ipsearch.collections.schemas import CollectionIn
    from ipsearch.service import SearchService

    search = SearchService(get_backend(embedded_settings))
    search.backend.ensure_index()
    with session_scope(embedded_settings.effective_database_url) as session:
        owner = User(email="lamps@example.org", display_name="lamps", password_hash="-")
        session.add(owner)
        session.commit()
        service.create(Writer(session, owner, AuditContext(actor_id=owner.id)), search,
                       CollectionIn(name="Lamps", query="TI=lamp"))
        owner_id = owner.id
    env = _embedded_env(embedded_settings)
    r = _cli(["load", str(shared_data_dir / "patents" / "uspto" / "ipg110104.small.xml")], env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unchanged:" not in r.stdout
    # the same file copied elsewhere (as a tour tried, to make new documents arrive) is the file loaded
    copy = embedded_settings.incoming_dir / "batch1" / "copy.xml"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes((shared_data_dir / "patents" / "uspto" / "ipg110104.small.xml").read_bytes())
    again = _cli(["load", str(copy)], env | {"COLUMNS": "200"})
    assert again.returncode == 0 and "1 unchanged: files already loaded into embedded with the same content" \
        in again.stdout, again.stdout + again.stderr
    worker = subprocess.Popen([sys.executable, "-m", "api.worker", "worker", "--pool=solo", "--loglevel=WARNING"],
                              cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, payloads = time.time() + 90, []
        while time.time() < deadline and not payloads:
            time.sleep(1)
            with session_scope(embedded_settings.effective_database_url) as session:
                payloads = [n.payload for n in session.scalars(select(Notification).where(
                    Notification.user_id == owner_id))]
        assert [p["pns"] for p in payloads] == [["USD630349S1"]]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_explain_prints_the_query_as_typed_not_as_markup(embedded_settings: Settings) -> None:
    """A query's own square brackets are printed, and the heading's markup is not."""
    explained = _cli(["explain", "TI=(lamp [x]) OR led"], _embedded_env(embedded_settings))
    assert explained.returncode == 0, explained.stderr
    assert "normalised  ((TI=lamp AND TI=[x]) OR led)" in explained.stdout and "[bold]" not in explained.stdout


def test_stopping_serve_stops_its_local_worker(embedded_settings: Settings, tmp_path: Path) -> None:
    """SIGTERM (what a process manager or ``pkill`` sends) ends ``serve`` and the Celery worker it
    started; uvicorn re-raises the signal after its shutdown, which used to skip the cleanup. The
    worker runs the scheduler too: without it ``make run`` mailed nothing (mail is sent by a periodic
    job), nor fired a deadline card."""
    port = free_port()
    log = tmp_path / "serve.log"
    server = start([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], _embedded_env(embedded_settings),
                   log)
    try:
        deadline = time.monotonic() + 90
        while "local worker started" not in log.read_text() or not _answers(port):
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        worker_pid = int(log.read_text().split("local worker started (pid ", 1)[1].split(",", 1)[0])
        # a password link mailed from here opens here (IPC_PUBLIC_URL unset: the served address)
        assert f"links in mail point at http://127.0.0.1:{port} " in log.read_text()
        assert "scheduler: on" in log.read_text()
        schedule = beat_schedule(embedded_settings)  # a shelve: its file name may take a suffix
        while "beat: Starting..." not in log.read_text() or not any(schedule.parent.glob(f"{schedule.name}*")):
            assert time.monotonic() < deadline and server.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        scheduler = [pid for pid in live_processes(group=worker_pid) if pid != worker_pid]
        assert scheduler, "the worker forked no scheduler"  # Celery's beat runs as the worker's child
        # a second worker with beat on the same data refuses to start (one scheduler a machine)
        second = subprocess.run(worker_command(1, schedule=beat_schedule(embedded_settings)), cwd=REPO,
                                env=_embedded_env(embedded_settings), capture_output=True, text=True, timeout=60)
        assert "already exists" in second.stdout + second.stderr  # Celery says so, and ends (with status 0)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 30
        while live_processes(group=worker_pid):  # the worker and its scheduler: none is left to run jobs
            assert time.monotonic() < deadline, f"still running: {live_processes(group=worker_pid)}"
            time.sleep(0.3)
    finally:
        if server.poll() is None:
            stop(server)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_hall_duties_switches_a_department_and_refuses_bad_input(embedded_settings: Settings) -> None:
    """``ipcommons hall duties DEPARTMENT separate|shared``: the department's 审批分离, audited as the CLI's."""
    from core.audit import AuditRecord
    from core.db import session_scope
    from servicehall.models import Department

    env = _embedded_env(embedded_settings)
    assert _cli(["hall", "seed"], env).returncode == 0
    shared = _cli(["hall", "duties", "protection", "shared"], env)
    assert shared.returncode == 0 and "protection lets one person take every step" in shared.stdout, shared.stderr
    with session_scope(embedded_settings.effective_database_url) as session:
        assert session.scalar(select(Department.separate_duties).where(Department.code == "protection")) is False
        assert session.scalar(select(AuditRecord.details).where(AuditRecord.object_id == "protection")
                              .order_by(AuditRecord.id.desc()).limit(1)) == {"separate_duties": False}
    nowhere = _cli(["hall", "duties", "nowhere", "separate"], env)
    assert nowhere.returncode == 2 and "no department nowhere" in nowhere.stderr
    assert "the departments are copyright, protection" in " ".join(nowhere.stderr.split())  # what to type instead
    vague = _cli(["hall", "duties", "protection", "maybe"], env)
    assert vague.returncode == 2 and "separate" in vague.stderr and "shared" in vague.stderr
    for result in (nowhere, vague):
        assert "Traceback" not in result.stderr


def test_hall_staff_gives_and_takes_away_a_role(embedded_settings: Settings) -> None:
    """``ipcommons hall staff EMAIL --department D --role R [--remove]``: each change audited as the CLI's;
    taking away a role the person does not hold is refused by name, with nothing changed."""
    from core.audit import AuditAction, AuditRecord
    from core.db import session_scope
    from servicehall.models import Staff

    env = _embedded_env(embedded_settings)
    assert _cli(["hall", "seed"], env).returncode == 0
    email = "officer@example.org"
    assert _cli(["users", "create-admin", email, "--password", "officer-pass-92xz"], env).returncode == 0
    given = _cli(["hall", "staff", email, "--department", "protection", "--role", "handler", "--role", "reviewer"], env)
    assert given.returncode == 0 and f"{email} is reviewer in protection" in given.stdout, given.stderr
    taken = _cli(["hall", "staff", email, "--department", "protection", "--role", "handler", "--remove"], env)
    assert taken.returncode == 0 and f"{email} is no longer handler in protection" in taken.stdout, taken.stderr
    again = _cli(["hall", "staff", email, "--department", "protection", "--role", "handler", "--remove"], env)
    assert again.returncode == 2 and "is not" in again.stderr and "Traceback" not in again.stderr
    with session_scope(embedded_settings.effective_database_url) as session:
        assert sorted(r.value for r in session.scalars(select(Staff.role))) == ["reviewer"]
        added = [d["added"] for d in session.scalars(select(AuditRecord.details).where(
            AuditRecord.action == AuditAction.hall_staff).order_by(AuditRecord.id))]
        assert added == [True, True, False]
