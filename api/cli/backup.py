"""Backups: ``ipcommons backup DEST`` and ``ipcommons restore SRC`` (``backup.service``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.app import app, console
from core.errors import InvalidInput
from core.settings import get_settings

PassphraseFile = Annotated[Path | None, typer.Option(
    help="File holding the backup passphrase (default: the IPC_BACKUP_PASSPHRASE environment variable).",
    exists=True, dir_okay=False, readable=True)]
# Read from the environment by the option parser, never typed on a command line others can read.
EnvPassphrase = Annotated[str, typer.Option(envvar="IPC_BACKUP_PASSPHRASE", hidden=True, show_default=False)]
EsRepository = Annotated[Path | None, typer.Option(
    envvar="IPC_ES_SNAPSHOT_DIR", help="Folder of Elasticsearch's snapshot repository (listed in its path.repo).")]


def _passphrase(path: Path | None, from_env: str) -> str:
    value = path.read_text().strip() if path else from_env
    if not value:
        raise InvalidInput("no backup passphrase: give --passphrase-file or set IPC_BACKUP_PASSPHRASE")
    return value


@app.command("backup")
def backup_command(dest: Annotated[Path, typer.Argument(help="A new, empty folder for the backup.")],
                   passphrase_file: PassphraseFile = None, es_repository: EsRepository = None,
                   env_passphrase: EnvPassphrase = "") -> None:
    """Back up the database, the search index, stored files and the (encrypted) secrets."""
    from backup import service

    manifest = service.back_up(get_settings(), dest, _passphrase(passphrase_file, env_passphrase), es_repository)
    console.print(f"[green]backup written[/] to {dest}: {manifest.database.value} database, "
                  f"{manifest.documents:,} documents ({manifest.search.value}), {len(manifest.files)} files")


@app.command("restore")
def restore_command(src: Annotated[Path, typer.Argument(help="A folder written by `ipcommons backup`.")],
                    passphrase_file: PassphraseFile = None,
                    force: Annotated[bool, typer.Option(help="Replace a database and index that are not empty.")]
                    = False, env_passphrase: EnvPassphrase = "") -> None:
    """Restore a backup into empty services (checksums and passphrase checked first)."""
    from backup import service

    manifest = service.restore(get_settings(), src, _passphrase(passphrase_file, env_passphrase), force=force)
    console.print(f"[green]restored[/] the backup of {manifest.created_at:%Y-%m-%d %H:%M} UTC: "
                  f"{manifest.documents:,} documents")
