"""The ``ipcommons`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.settings import get_settings

app = typer.Typer(help="IP Commons: open intellectual-property public service platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

console = Console()
err = Console(stderr=True)


def worker_command(concurrency: int = 2) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "core.celery_app:celery_app", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=threads", "--without-gossip",
            "--without-mingle", "--hostname", f"ipcommons-{os.getpid()}@%h"]


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    worker: Annotated[bool | None, typer.Option(help="Also run a local Celery worker "
                                                 "(default: on with the embedded broker).")] = None,
    reload: bool = False,
) -> None:
    """Serve the API and web pages."""
    import uvicorn

    settings = get_settings()
    proc = None
    if worker if worker is not None else settings.broker_kind == "embedded":
        proc = subprocess.Popen(worker_command(1))
        console.print(f"[green]local worker started[/] (pid {proc.pid}, broker: {settings.broker_kind})")
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)


@app.command()
def worker(concurrency: int = 2) -> None:
    """Run a Celery worker for background jobs (loads, reports, certificates)."""
    raise typer.Exit(subprocess.call(worker_command(concurrency)))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations."""
    from core.migrate import upgrade

    upgrade(revision=revision)
    console.print(f"[green]database at {revision}[/]")


@users_app.command("create-admin")
def create_admin(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          envvar="IPC_ADMIN_PASSWORD")],
) -> None:
    """Create an administrator account (or promote an existing one)."""
    from sqlalchemy import select

    from core.accounts.models import Role, User
    from core.accounts.service import create_user, normalise_email
    from core.audit import AuditContext, append
    from core.db import session_scope
    from core.errors import DomainError

    try:
        with session_scope() as session:
            existing = session.scalar(select(User).where(User.email == normalise_email(email)))
            if existing is not None:
                existing.role = Role.admin
                user = existing
            else:
                user = create_user(session, email, password, role=Role.admin)
            append(session, AuditContext(actor_id=None, client_ip="cli"), "user.create_admin", "user", user.id)
    except DomainError as exc:
        err.print(f"[red]error:[/] {exc.detail}")
        raise typer.Exit(2) from exc
    console.print(f"[green]admin {email} ready[/] (id {user.id})")


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
    console.print(f"data dir: {settings.resolved_data_dir}")
    raise typer.Exit(0 if all(s.ok for s in statuses) else 1)


if __name__ == "__main__":
    app()
