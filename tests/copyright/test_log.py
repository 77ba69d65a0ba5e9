"""The transparency log on PostgreSQL: serialised appends, signed C2SP checkpoints, proofs,
key rotation, and refusal to sign a tree that does not extend the last checkpoint."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr
from sqlalchemy import select, text

from copyright import log, merkle
from copyright.checkpoint import Checkpoint, CheckpointError, parse, sign, verify
from copyright.keys import SigningKey, SigningKeyError, create_key, key_id, key_set, private_key, raw_public
from core.db import session_factory, session_scope, utcnow
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE

ORIGIN = "ipcommons.test/copyright-log"


@pytest.fixture
def settings(pg_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=pg_url, signing_key_passphrase=TEST_SIGNING_PASSPHRASE)


def _trusted(session: object) -> dict[tuple[str, bytes], bytes]:
    ks = key_set(session, ORIGIN)  # type: ignore[arg-type]
    return {(k.name, bytes.fromhex(k.key_id)): base64.b64decode(k.public_key) for k in ks.keys}


def _event(i: int) -> dict[str, object]:
    return {"type": "test-event", "time": utcnow().isoformat(), "number": f"TEST-{i:08d}"}


def test_private_keys_are_encrypted_at_rest_and_need_the_passphrase(settings: Settings) -> None:
    with session_scope(settings.effective_database_url) as session:
        row = create_key(session, settings, ORIGIN)
        assert b"ENCRYPTED PRIVATE KEY" in row.encrypted_private_key
        key = private_key(row, settings)
        assert raw_public(key.public_key()) == row.public_key
        assert row.key_id == key_id(ORIGIN, row.public_key).hex()
        wrong = settings.model_copy(update={"signing_key_passphrase": SecretStr("wrong")})
        with pytest.raises(SigningKeyError, match="passphrase"):
            private_key(row, wrong)


def test_200_concurrent_appends_give_200_consecutive_entries(settings: Settings) -> None:
    url = settings.effective_database_url
    with session_scope(url) as session:
        start = log.size(session)
    errors: list[BaseException] = []

    def register(i: int) -> None:
        session = session_factory(url)()
        try:
            log.append(session, _event(i))
            session.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(url) as session:
        assert log.size(session) == start + 200
        stmt = select(log.LogEntry.idx).where(log.LogEntry.idx >= start).order_by(log.LogEntry.idx)
        idx = list(session.scalars(stmt))
        assert idx == list(range(start, start + 200))
        numbers = set(session.scalars(select(log.LogEntry.entry).where(log.LogEntry.idx >= start)))
        assert len(numbers) == 200


def test_checkpoints_proofs_and_rotation(settings: Settings) -> None:
    url = settings.effective_database_url
    with session_scope(url) as session:
        create_key(session, settings, ORIGIN)
        for i in range(5):
            log.append(session, _event(1000 + i))
        first = log.sign_checkpoint(session, settings, ORIGIN)
    with session_scope(url) as session:
        trusted = _trusted(session)
        cp1 = verify(first.note, trusted, ORIGIN)
        assert cp1.size == first.size and cp1.root == bytes(first.root_hash)
        rows = session.scalars(select(log.LogEntry).where(log.LogEntry.idx < cp1.size).order_by(log.LogEntry.idx))
        for row in rows:
            merkle.verify_inclusion(merkle.leaf_hash(bytes(row.entry)), row.idx, cp1.size,
                                    log.inclusion(session, row.idx, cp1.size), cp1.root)
        create_key(session, settings, ORIGIN)  # rotation: the old key is retired but published
        for i in range(3):
            log.append(session, _event(2000 + i))
        second = log.sign_checkpoint(session, settings, ORIGIN)
    with session_scope(url) as session:
        trusted = _trusted(session)
        assert len(session.scalars(select(SigningKey).where(SigningKey.retired_at.is_not(None))).all()) >= 1
        cp1 = verify(first.note, trusted, ORIGIN)  # signed by the retired key: still verifies
        cp2 = verify(second.note, trusted, ORIGIN)
        merkle.verify_consistency(cp1.size, cp2.size, cp1.root, cp2.root, log.consistency(session, cp1.size, cp2.size))


def test_tampered_checkpoints_fail_with_the_reason(settings: Settings) -> None:
    url = settings.effective_database_url
    with session_scope(url) as session:
        create_key(session, settings, ORIGIN)
        log.append(session, _event(3000))
        signed = log.sign_checkpoint(session, settings, ORIGIN).note
        trusted = _trusted(session)
    cp, _, _ = parse(signed)
    swapped_root = signed.replace(base64.b64encode(cp.root).decode(), base64.b64encode(b"\x00" * 32).decode())
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(swapped_root, trusted, ORIGIN)
    bigger = signed.replace(f"\n{cp.size}\n", f"\n{cp.size + 1}\n", 1)
    with pytest.raises(CheckpointError, match="does not verify"):
        verify(bigger, trusted, ORIGIN)
    outsider = Ed25519PrivateKey.generate()
    with pytest.raises(CheckpointError, match="no signature by a key in the published key set"):
        verify(sign(Checkpoint(ORIGIN, cp.size, cp.root), ORIGIN, outsider), trusted, ORIGIN)
    with pytest.raises(CheckpointError, match="not ipcommons|is for log"):
        verify(signed, trusted, "another.example/log")
    with pytest.raises(CheckpointError, match="not signed|blank line"):
        verify(Checkpoint(ORIGIN, 1, cp.root).body(), trusted, ORIGIN)


def test_the_log_refuses_to_sign_after_a_stored_row_changed(settings: Settings) -> None:
    url = settings.effective_database_url
    with session_scope(url) as session:
        create_key(session, settings, ORIGIN)
        log.append(session, _event(4000))
        log.sign_checkpoint(session, settings, ORIGIN)
        victim = log.size(session) - 1
        log.append(session, _event(4001))
    with session_scope(url) as session:
        session.execute(text("UPDATE log_entries SET leaf_hash = :h WHERE idx = :i"),
                        {"h": merkle.leaf_hash(b"forged"), "i": victim})
    with pytest.raises(CheckpointError, match="no longer match"), session_scope(url) as session:
        log.sign_checkpoint(session, settings, ORIGIN)
    with session_scope(url) as session:  # put it back so later tests see a consistent log
        row = session.get(log.LogEntry, victim)
        assert row is not None
        row.leaf_hash = merkle.leaf_hash(bytes(row.entry))


def test_entries_need_type_and_time(settings: Settings) -> None:
    with pytest.raises(ValueError, match="type"), session_scope(settings.effective_database_url) as session:
        log.append(session, {"number": "CR-1"})
