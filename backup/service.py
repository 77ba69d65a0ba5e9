"""``ipcommons backup`` and ``ipcommons restore``: everything the platform stores, in one folder.

A backup folder holds

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite`` (the embedded database,
  copied with SQLite's online backup API): accounts, collections, the copyright log and the
  encrypted signing keys, reports, the service hall;
- the search index: an Elasticsearch snapshot in a filesystem repository (the folder must be
  listed in Elasticsearch's ``path.repo``; ``scripts/services`` sets it up) or ``search.sqlite``;
- ``files.tar.gz``: registered works' files and service-hall uploads under the data dir;
- ``secrets.enc``: the signing-key passphrase and the session secret, sealed with the backup
  passphrase (``backup.secrets``);
- ``manifest.json``, written last: what is in the backup and the SHA-256 of every file.

Restoring checks the manifest and every checksum, then the passphrase, before it touches
anything, and by default only into empty services: a database without tables and no search
index. Certificates issued before the backup verify after the restore because the log, its
signing keys and the passphrase that decrypts them all come back together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import subprocess
import tarfile
from enum import StrEnum
from pathlib import Path
from typing import Literal

from elasticsearch import Elasticsearch
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from backup import secrets
from copyright import keys
from core.errors import Conflict, InvalidInput, Unavailable
from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend

MANIFEST = "manifest.json"
SECRETS = "secrets.enc"
FILES = "files.tar.gz"
STORED_FOLDERS = ("works", "hall")  # under the data dir; certificates are rendered again on demand
REPOSITORY = "ipcommons-backups"


class DatabaseKind(StrEnum):
    postgresql = "postgresql"
    sqlite = "sqlite"


class Snapshot(BaseModel):
    repository: str = Field(description="the filesystem repository's folder, as Elasticsearch sees it")
    name: str
    indices: list[str]
    alias: str


class Manifest(BaseModel):
    format: Literal[1] = 1
    created_at: dt.datetime
    database: DatabaseKind
    search: BackendKind
    snapshot: Snapshot | None = None
    documents: int = Field(description="documents in the search index when the backup was made")
    files: dict[str, str] = Field(description="file name in the backup folder -> SHA-256")


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _database_kind(settings: Settings) -> DatabaseKind:
    return DatabaseKind.sqlite if settings.effective_database_url.startswith("sqlite") else DatabaseKind.postgresql


def _libpq_url(settings: Settings) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore read it (no ``+psycopg`` driver)."""
    return make_url(settings.effective_database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except FileNotFoundError as exc:
        raise Unavailable.said("%(tool)s is not installed: run scripts/services install", tool=command[0]) from exc
    if done.returncode != 0:
        raise Unavailable.said("%(what)s failed: %(error)s", what=what, error=done.stderr.strip()[-500:])


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API, not a file copy)."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _sqlite_path(settings: Settings) -> Path:
    return Path(make_url(settings.effective_database_url).database or "")


# --- backing up, step by step ---------------------------------------------------------------

def _prepare(dest: Path) -> None:
    if dest.exists() and any(dest.iterdir()):
        raise Conflict.said("%(dest)s is not empty: back up into a new folder", dest=str(dest))
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)  # password hashes and encrypted keys: for the operator only


def _dump_database(settings: Settings, dest: Path) -> str:
    if _database_kind(settings) is DatabaseKind.sqlite:
        _sqlite_copy(_sqlite_path(settings), dest / "database.sqlite")
        return "database.sqlite"
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dest / 'database.dump'}", _libpq_url(settings)],
         "pg_dump")
    return "database.dump"


def _es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url, request_timeout=600)


def _snapshot(settings: Settings, repository: Path | None, name: str) -> Snapshot:
    if repository is None:
        raise InvalidInput("the search index is in Elasticsearch: give --es-repository (a folder in its path.repo; "
                           "scripts/services env sets IPC_ES_SNAPSHOT_DIR)")
    client = _es_client(settings)
    alias = settings.es_index_prefix
    indices = sorted(client.indices.get_alias(name=alias).body) + sorted(
        client.indices.get(index=f"{alias}-vocab-*").body)
    client.snapshot.create_repository(name=REPOSITORY, repository={
        "type": "fs", "settings": {"location": str(repository)}})
    result = client.snapshot.create(repository=REPOSITORY, snapshot=name, indices=",".join(indices),
                                    include_global_state=False, wait_for_completion=True).body
    if result["snapshot"]["state"] != "SUCCESS":
        raise Unavailable.said("the Elasticsearch snapshot ended %(state)s", state=result["snapshot"]["state"])
    return Snapshot(repository=str(repository), name=name, indices=indices, alias=alias)


def _pack_files(settings: Settings, dest: Path) -> str:
    with tarfile.open(dest / FILES, "w:gz") as tar:
        for folder in STORED_FOLDERS:
            path = settings.resolved_data_dir / folder
            if path.is_dir():
                tar.add(path, arcname=folder)
    return FILES


def _platform_secrets(settings: Settings) -> dict[str, str]:
    return {"signing_key_passphrase": keys.passphrase(settings).decode(), "secret_key": settings.jwt_secret()}


def back_up(settings: Settings, dest: Path, passphrase: str, es_repository: Path | None = None) -> Manifest:
    """Write a backup of every store of ``settings`` into the new folder ``dest``."""
    sealed = secrets.seal(_platform_secrets(settings), passphrase)  # a short passphrase fails first
    _prepare(dest)
    created = dt.datetime.now(dt.UTC)
    names = [_dump_database(settings, dest), _pack_files(settings, dest)]
    (dest / SECRETS).write_bytes(sealed)
    names.append(SECRETS)
    kind = settings.search_backend_kind
    snapshot = None
    if kind is BackendKind.elasticsearch:
        snapshot = _snapshot(settings, es_repository, f"ipcommons-{created:%Y%m%d-%H%M%S-%f}")
    else:
        _sqlite_copy(settings.embedded_index_path, dest / "search.sqlite")
        names.append("search.sqlite")
    manifest = Manifest(created_at=created, database=_database_kind(settings), search=kind, snapshot=snapshot,
                        documents=get_backend(settings).count(), files={n: _sha256(dest / n) for n in names})
    (dest / (MANIFEST + ".part")).write_text(manifest.model_dump_json(indent=2))
    (dest / (MANIFEST + ".part")).rename(dest / MANIFEST)  # its presence marks a complete backup
    return manifest


# --- restoring, step by step ----------------------------------------------------------------

def read_manifest(src: Path) -> Manifest:
    """Step 1: the manifest, and every file it lists unchanged."""
    try:
        manifest = Manifest.model_validate_json((src / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise InvalidInput.said("%(src)s has no manifest.json: not a complete backup", src=str(src)) from exc
    except ValidationError as exc:
        raise InvalidInput.said("%(src)s/manifest.json is not a backup manifest", src=str(src)) from exc
    for name, digest in manifest.files.items():
        path = src / name
        if Path(name).name != name or not path.is_file() or _sha256(path) != digest:
            raise InvalidInput.said("the backup's %(name)s is missing or damaged (checksum)", name=name)
    return manifest


def _check_kind(settings: Settings, manifest: Manifest) -> None:
    """Step 3: the target is the same kind of platform."""
    if _database_kind(settings) is not manifest.database or settings.search_backend_kind is not manifest.search:
        raise Conflict.said("this backup holds a %(db)s database and a %(search)s index; the platform is configured "
                            "otherwise", db=manifest.database.value, search=manifest.search.value)


def _check_empty(settings: Settings) -> None:
    """Step 4: nothing would be overwritten."""
    engine = create_engine(settings.effective_database_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise Conflict("the database is not empty: restore into empty services (or pass --force to replace it)")
    if get_backend(settings).count():
        raise Conflict("the search index is not empty: restore into empty services (or pass --force to replace it)")


def _restore_database(settings: Settings, src: Path, manifest: Manifest) -> None:
    if manifest.database is DatabaseKind.sqlite:
        target = _sqlite_path(settings)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(src / "database.sqlite", target)
        return
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={_libpq_url(settings)}", str(src / "database.dump")], "pg_restore")


def _restore_search(settings: Settings, src: Path, manifest: Manifest) -> None:
    if manifest.snapshot is None:
        get_backend(settings).drop()
        _sqlite_copy(src / "search.sqlite", settings.embedded_index_path)
        return
    snap = manifest.snapshot
    client = _es_client(settings)
    client.snapshot.create_repository(name=REPOSITORY, repository={
        "type": "fs", "settings": {"location": snap.repository}})
    for index in snap.indices:
        client.options(ignore_status=404).indices.delete(index=index)
    client.snapshot.restore(repository=REPOSITORY, snapshot=snap.name, indices=",".join(snap.indices),
                            include_aliases=True, include_global_state=False, wait_for_completion=True)
    client.cluster.health(index=",".join(snap.indices), wait_for_status="yellow", timeout="120s")


def _restore_files(settings: Settings, src: Path) -> None:
    with tarfile.open(src / FILES, "r:gz") as tar:
        tar.extractall(settings.resolved_data_dir, filter="data")  # no absolute paths, links or devices


def _restore_secrets(settings: Settings, values: dict[str, str]) -> None:
    """The passphrase of the signing keys and the session secret: as files under the data dir,
    unless settings name them (then they must be the backup's, or the keys would not decrypt)."""
    configured = settings.signing_key_passphrase
    if configured is not None and configured.get_secret_value() != values["signing_key_passphrase"]:
        raise Conflict("IPC_SIGNING_KEY_PASSPHRASE differs from the backed-up one: the signing keys would not decrypt")
    data = settings.resolved_data_dir
    for name in ("signing_key_passphrase", "secret_key"):
        path = data / name
        path.write_text(values[name])
        path.chmod(0o600)


def restore(settings: Settings, src: Path, passphrase: str, force: bool = False) -> Manifest:
    """Restore the backup in ``src`` into the services of ``settings`` (empty ones unless ``force``)."""
    manifest = read_manifest(src)
    values = secrets.unseal((src / SECRETS).read_bytes(), passphrase)  # step 2: the passphrase
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    _check_kind(settings, manifest)
    if not force:
        _check_empty(settings)
    _restore_database(settings, src, manifest)
    _restore_search(settings, src, manifest)
    _restore_files(settings, src)
    _restore_secrets(settings, values)
    return manifest

