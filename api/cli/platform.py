"""Running the platform: serve, worker, database, accounts, doctor."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Annotated

import typer
from rich.table import Table

from api.cli.app import app, console, db_app, err, operator_writer, users_app
from core.settings import BrokerKind, get_settings, serve_at


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    worker: Annotated[bool | None, typer.Option(help="Also run a local Celery worker, with the scheduler when "
                                                 "the broker is the embedded one (default: on with the embedded "
                                                 "broker).")] = None,
    reload: bool = False,
) -> None:
    """Serve the API and web pages. Unless IPC_PUBLIC_URL says otherwise, links in mail (a password
    link, a certificate's QR code) point at the address served here."""
    import uvicorn

    from api.worker import beat_schedule, worker_command

    settings = serve_at(host, port)
    console.print(f"links in mail point at {settings.public_url} (IPC_PUBLIC_URL)", highlight=False)
    proc = None
    if worker if worker is not None else settings.broker_kind is BrokerKind.embedded:
        # the embedded broker is one machine's: its worker also runs the schedule (mail, deadline cards,
        # daily rules), which nothing else would; beside a shared broker one beat runs apart
        alone = settings.broker_kind is BrokerKind.embedded
        # a process group of its own: the scheduler Celery forks from the worker is stopped with it
        proc = subprocess.Popen(worker_command(1, schedule=beat_schedule(settings) if alone else None),
                                start_new_session=True)
        console.print(f"[green]local worker started[/] (pid {proc.pid}, broker: {settings.broker_kind}, "
                      f"scheduler: {'on' if alone else 'off: run a single python -m api.worker beat beside it'})",
                      highlight=False)
    # uvicorn stops on SIGTERM, then raises it again at its default handler: the process would end
    # before ``finally`` and leave the worker running. As SystemExit, it unwinds through ``finally``.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    try:  # whom to believe about X-Forwarded-For is the app's to decide (IPC_TRUSTED_PROXIES), not uvicorn's
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, proxy_headers=False)
    finally:
        if proc is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the worker and what it forked (the scheduler): SIGTERM to its group, which lets a running
    job finish within 20 s and the scheduler save its state; then SIGKILL to whatever is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _group_alive(proc.pid):
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@app.command()
def worker(concurrency: int = 2,
           beat: Annotated[bool, typer.Option(help="Also run the scheduler (mail, deadline cards, daily rules): in "
                                                   "one worker only, or run python -m api.worker beat apart.")] = False
           ) -> None:
    """Run a Celery worker for background jobs (loads, reports, certificates)."""
    from api.worker import beat_schedule, worker_command

    schedule = beat_schedule(get_settings()) if beat else None
    raise typer.Exit(subprocess.call(worker_command(concurrency, schedule=schedule)))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    from core.migrate import upgrade

    upgrade(revision=revision)
    console.print(f"[green]database at {revision}[/]")


@users_app.command("create-admin")
def create_admin(
    email: str,
    password: Annotated[str | None, typer.Option(
        hide_input=True, envvar="IPC_ADMIN_PASSWORD",
        help="The new account's password, asked for when not given. An existing account is promoted and keeps "
             "its own (users set-password changes it).")] = None,
) -> None:
    """Create an administrator account (or promote an existing one)."""
    from core.accounts.service import account_by_email, ensure_admin
    from core.db import session_factory

    with session_factory()() as session:
        existed = account_by_email(session, email) is not None
        if not existed and password is None and sys.stdin.isatty():  # without a terminal, ensure_admin refuses
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = ensure_admin(operator_writer(session), email, password)
    if not existed:
        console.print(f"[green]admin {email} ready[/] (id {user.id})")
        return
    kept = "; its password is unchanged" if password is not None else ""
    console.print(f"[green]{email} is an administrator now[/] (id {user.id}): the account existed{kept}. "
                  "users set-password gives it a password of yours to sign in with.")
    if not user.is_active:
        err.print(f"[yellow]{email} is deactivated: it signs in once an administrator reactivates it.[/]")


@users_app.command("set-password")
def set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt="New password", hide_input=True, confirmation_prompt=True,
                                          envvar="IPC_NEW_PASSWORD")],
) -> None:
    """Set an account's password (a site without e-mail sends no password links); signs out its browsers."""
    from core.accounts.password_reset import set_by_operator
    from core.db import session_factory

    with session_factory()() as session:
        user = set_by_operator(operator_writer(session), email, password)
    console.print(f"[green]new password set for {user.email}[/] (id {user.id}); its browsers are signed out")


@app.command()
def doctor() -> None:
    """Check every configured service and print a table."""
    from api.services import service_statuses

    settings = get_settings()
    table = Table(title="IP Commons services")
    for col in ("service", "kind", "reachable", "version", "latency", "where / detail"):
        table.add_column(col)
    statuses = service_statuses(settings)
    for s in statuses:
        table.add_row(s.name, s.kind, "[green]yes[/]" if s.ok else "[red]no[/]", s.version or "-",
                      f"{s.latency_ms:.1f} ms" if s.latency_ms is not None else "-",
                      s.detail if not s.ok else (s.where or ""))
    console.print(table)
    for s in statuses:
        if s.warning:
            console.print(f"[yellow]{s.name}:[/] {s.warning}", highlight=False)
    console.print(f"data dir: {settings.resolved_data_dir}")
    raise typer.Exit(0 if all(s.ok for s in statuses) else 1)
