"""The Typer application and its consoles, shared by the command modules."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.audit import AuditContext, Writer

app = typer.Typer(help="IP Commons: open intellectual-property public service platform.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
copyright_app = typer.Typer(help="Copyright registry: register works, verify certificates.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(copyright_app, name="copyright")

console = Console()
err = Console(stderr=True)


def output_file(path: Path | None) -> Path | None:
    """An ``--out`` file checked before the command does anything: a certificate or a report
    computed, a work logged for ever, then a traceback for a missing folder helped no one."""
    if path is None:
        return None
    if path.is_dir():
        raise typer.BadParameter(f"{path} is a folder; name the file to write")
    if not path.parent.is_dir():
        raise typer.BadParameter(f"the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise typer.BadParameter(f"{path} cannot be written here (permissions)")
    return path


def operator_writer(session: Session) -> Writer:
    """The audited write of the console's operator (an administrator's rights, no account); the
    trail records ``cli`` as where it came from."""
    return Writer(session, None, AuditContext(client_ip="cli"), operator=True)


def cli_writer(session: Session, user: User) -> Writer:
    """The audited write of a command acting as ``user``, with that account's rights alone."""
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="cli"))
