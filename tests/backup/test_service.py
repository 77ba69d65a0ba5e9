"""Backups that restore (backup.service), on the real servers: back up PostgreSQL, an
Elasticsearch index and the stored files, wipe them all, restore into the empty services, and
compare: the same search results, the same log root, an old certificate that still verifies, a
stored work's file and the same secrets. A damaged backup, a wrong passphrase or a target that
is not empty are refused before anything is touched; the embedded platform round-trips too."""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from backup import service
from copyright import log, merkle
from copyright.keys import key_set
from copyright.models import WorkType
from copyright.registry import WorkIn, certificate, hash_stream, register
from copyright.verify import verify_certificate
from core.accounts.service import create_user
from core.db import reset_engines, session_scope
from core.errors import Conflict, InvalidInput
from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.databases import migrated

PASSPHRASE = "correct horse battery staple"
QUERIES = ["led", "申请人=三星", "CC=EP AND PD>=2010", "RG=广东", "FAM=19768124"]


@pytest.fixture
def pg_database(pg_server_url: str) -> Iterator[str]:
    """A database of its own: the test wipes it."""
    name = f"ipc_backup_{uuid.uuid4().hex[:10]}"
    base, _, _ = pg_server_url.rpartition("/")
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    reset_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def repository() -> Path:
    root = os.environ.get("IPC_ES_SNAPSHOT_DIR")
    if not root:
        pytest.fail("IPC_ES_SNAPSHOT_DIR is not set: start the services with scripts/services")
    return Path(root) / f"test-{uuid.uuid4().hex[:8]}"


def _state(settings: Settings) -> dict[str, Any]:
    """What must survive: search results, the log root, documents, users."""
    search = SearchService(get_backend(settings))
    with session_scope(settings.effective_database_url) as session:
        size = log.size(session)
        root = merkle.root(log.leaves(session, size)).hex()
        users = session.scalar(text("SELECT count(*) FROM users"))
    return {"results": {q: sorted(search.matching_ids(q)) for q in QUERIES}, "log": (size, root),
            "documents": search.backend.count(), "users": users}


def _populate(settings: Settings, shared_data_dir: Path) -> tuple[dict[str, Any], bytes]:
    migrated(settings.effective_database_url)
    assert run_load(settings, [shared_data_dir / "patents"]).loaded > 100
    data = b"a photograph of Erhai at dawn " * 200
    with session_scope(settings.effective_database_url) as session:
        owner = create_user(session, "artist@example.org", "a long password 123")
        for title in ("Erhai at dawn", "Cangshan in snow"):
            content = hash_stream(io.BytesIO(data + title.encode()), settings.max_upload_bytes)
            reg = register(session, settings, owner, WorkIn(title=title, work_type=WorkType.photographic,
                                                            authors=["Li Hua"]), content, hash_only=True)
        session.flush()
        cert = certificate(session, settings, reg)
    works = settings.resolved_data_dir / "works"
    works.mkdir(parents=True, exist_ok=True)
    (works / "kept.bin").write_bytes(b"an uploaded work")
    return cert, data + b"Cangshan in snow"


def _wipe(settings: Settings) -> None:
    """Empty services: no tables, no index, no data dir."""
    get_backend(settings).drop()
    reset_engines()
    engine = create_engine(settings.effective_database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    for path in sorted(settings.resolved_data_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


def test_back_up_wipe_restore_compare(pg_database: str, es_url: str, repository: Path, shared_data_dir: Path,
                                      tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", database_url=pg_database, elasticsearch_url=es_url,
                        shared_data_dir=shared_data_dir, es_index_prefix=f"patents-backup-{uuid.uuid4().hex[:8]}",
                        signing_key_passphrase=TEST_SIGNING_PASSPHRASE)
    cert, photo = _populate(settings, shared_data_dir)
    before = _state(settings)
    secret = settings.jwt_secret()
    manifest = service.back_up(settings, tmp_path / "backup", PASSPHRASE, repository)
    assert manifest.documents == before["documents"] and manifest.snapshot is not None
    assert (tmp_path / "backup").stat().st_mode & 0o077 == 0
    assert "secret" not in (tmp_path / "backup" / "secrets.enc").read_bytes().decode(errors="replace")

    _wipe(settings)
    assert get_backend(settings).count() == 0
    with pytest.raises(InvalidInput):  # the wrong passphrase: refused before anything is written
        service.restore(settings, tmp_path / "backup", "not the passphrase!")
    service.restore(settings, tmp_path / "backup", PASSPHRASE)

    assert _state(settings) == before
    assert settings.jwt_secret() == secret
    assert (settings.resolved_data_dir / "works" / "kept.bin").read_bytes() == b"an uploaded work"
    photo_file = tmp_path / "photo.jpg"
    photo_file.write_bytes(photo)
    with session_scope(settings.effective_database_url) as session:
        keys = key_set(session, settings.copyright_log_origin)
    verify_certificate(json.loads(json.dumps(cert)), keys, photo_file)  # issued before the backup
    with pytest.raises(Conflict):  # into services that are not empty
        service.restore(settings, tmp_path / "backup", PASSPHRASE)
    get_backend(settings).drop()


def test_the_embedded_platform_round_trips(embedded_settings: Settings, tmp_path: Path) -> None:
    settings = embedded_settings
    assert run_load(settings, [settings.shared_data_dir / "patents" / "cnipa"],
                    backend=BackendKind.embedded).loaded >= 5
    before = _state(settings)
    service.back_up(settings, tmp_path / "backup", PASSPHRASE)
    for name in ("ipcommons.sqlite", "search.sqlite", "secret_key"):
        (settings.resolved_data_dir / name).unlink(missing_ok=True)
    reset_engines()
    service.restore(settings, tmp_path / "backup", PASSPHRASE)
    reset_engines()
    assert _state(settings) == before


def test_a_damaged_or_partial_backup_is_refused(embedded_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    service.back_up(embedded_settings, folder, PASSPHRASE)
    with pytest.raises(Conflict):  # never into a folder that holds something
        service.back_up(embedded_settings, folder, PASSPHRASE)
    with pytest.raises(InvalidInput):  # a short passphrase
        service.back_up(embedded_settings, tmp_path / "other", "short")
    manifest = json.loads((folder / "manifest.json").read_text())
    escaping = tmp_path / "escaping"
    escaping.mkdir()
    (tmp_path / "outside").write_text("x")
    (escaping / "manifest.json").write_text(json.dumps({**manifest, "files": {"../outside": "0" * 64}}))
    with pytest.raises(InvalidInput, match="damaged"):  # a name that leaves the folder is not read
        service.restore(embedded_settings, escaping, PASSPHRASE, force=True)
    with (folder / "database.sqlite").open("ab") as fh:
        fh.write(b"!")
    with pytest.raises(InvalidInput, match="damaged"):
        service.restore(embedded_settings, folder, PASSPHRASE, force=True)
    (folder / "manifest.json").unlink()
    with pytest.raises(InvalidInput, match="not a complete backup"):
        service.restore(embedded_settings, folder, PASSPHRASE, force=True)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text(json.dumps({"format": 1, "files": {"../../etc/passwd": "0" * 64}}))
    with pytest.raises(InvalidInput):
        service.restore(embedded_settings, bad, PASSPHRASE, force=True)
