"""Certificates verify offline with only the key set; each kind of tampering fails at a named step."""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from copyright import log
from copyright.canonical import canonical
from copyright.keys import KeySet, create_key, key_set, raw_public
from copyright.models import WorkType
from copyright.registry import ContentHash, WorkIn, certificate, claim, hash_stream, register, registry_day
from copyright.verify import VerificationFailed, verify_certificate
from core.accounts.service import create_user
from core.db import session_scope
from core.errors import InvalidInput
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(pg_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", database_url=pg_url, signing_key_passphrase=TEST_SIGNING_PASSPHRASE,
                    copyright_log_origin="ipcommons.test/copyright-log")


def _register(settings: Settings, data: bytes, title: str = "Sunrise over Erhai",
              registrant: tuple[bytes, bytes] | None = None) -> tuple[dict[str, Any], KeySet, str]:
    import io

    with session_scope(settings.effective_database_url) as session:
        owner = create_user(session, f"artist-{os.urandom(4).hex()}@example.org", "a long password 123")
        work = WorkIn(title=title, work_type=WorkType.photographic, authors=["Li Hua"])
        content = hash_stream(io.BytesIO(data), settings.max_upload_bytes)
        reg = register(session, settings, owner, work, content, hash_only=True, registrant=registrant)
        session.flush()
        cert = certificate(session, settings, reg)
        return cert, key_set(session, settings.copyright_log_origin), reg.number


def test_certificate_verifies_offline(settings: Settings, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 pretend jpeg " * 100)
    cert, keys, number = _register(settings, photo.read_bytes())
    assert number.startswith("CR-20") and len(number) == len("CR-2026-00000001")
    result = verify_certificate(json.loads(json.dumps(cert)), keys, photo)
    assert result.steps == ["certificate format", "file hash", "statement signature", "checkpoint signature",
                            "inclusion proof"]
    assert cert["statement"]["time"].endswith("Z")  # the event time is inside the logged entry


def _fails_at(step: str, cert: dict[str, Any], keys: KeySet, file: Path | None = None) -> None:
    with pytest.raises(VerificationFailed) as info:
        verify_certificate(cert, keys, file)
    assert info.value.step == step, info.value


def test_tampering_fails_naming_the_step(settings: Settings, tmp_path: Path) -> None:
    data = b"my novel, chapter one" * 50
    cert, keys, number = _register(settings, data)
    original = tmp_path / "novel.txt"
    original.write_bytes(data)
    altered = tmp_path / "altered.txt"
    altered.write_bytes(data + b"!")
    _fails_at("file hash", cert, keys, altered)

    flipped = copy.deepcopy(cert)
    if flipped["log"]["inclusion_proof"]:
        raw = bytearray(base64.b64decode(flipped["log"]["inclusion_proof"][0]))
        raw[0] ^= 1
        flipped["log"]["inclusion_proof"][0] = base64.b64encode(bytes(raw)).decode()
    else:
        flipped["log"]["index"] = flipped["log"]["index"] + 1
    _fails_at("inclusion proof", flipped, keys)

    edited = copy.deepcopy(cert)
    edited["statement"]["work"]["title"] = "Someone else's title"
    _fails_at("statement signature", edited, keys)

    # a rotated-out key: the signer is not in the key set the verifier trusts
    stranger = KeySet(origin=keys.origin, keys=[k for k in keys.keys if k.key_id != cert["signatures"][0]["key_id"]])
    _fails_at("statement signature", cert, stranger)

    # swap in another genuine checkpoint (a later one, after more registrations)
    later, _, _ = _register(settings, b"another work")
    swapped = copy.deepcopy(cert)
    swapped["log"]["checkpoint"] = later["log"]["checkpoint"]
    _fails_at("checkpoint signature", swapped, keys)
    swapped["log"]["tree_size"] = later["log"]["tree_size"]
    _fails_at("inclusion proof", swapped, keys)

    # change the stored row: the certificate the platform now issues no longer verifies
    with session_scope(settings.effective_database_url) as session:
        session.execute(text("UPDATE registrations SET statement = :s WHERE number = :n"),
                        {"s": canonical({**cert["statement"], "owner": {"id": 0, "name": "mallory"}}), "n": number})
    with session_scope(settings.effective_database_url) as session:
        from copyright.registry import get_registration

        reissued = certificate(session, settings, get_registration(session, number))
    _fails_at("statement signature", reissued, keys)
    _fails_at("certificate format", {"statement": {}}, keys)


def test_hostile_values_fail_at_a_named_step_as_the_browser_verifier_does(settings: Settings) -> None:
    """Values a strict JSON verifier refuses, which once crashed this one or slipped through int()."""
    _register(settings, b"an earlier work " * 20)
    cert, keys, _ = _register(settings, b"hostile values " * 20)
    assert cert["log"]["inclusion_proof"]  # index 1 of 2 or more: a proof to spoil
    note = cert["log"]["checkpoint"]
    # 1.0 is read as 1, as JSON.parse reads it in the browser: a wrong size, refused where the size is checked
    cases = [("certificate format", ("log", "index", "0")), ("certificate format", ("log", "tree_size", 1.5)),
             ("checkpoint signature", ("log", "tree_size", 1.0)), ("certificate format", ("log", "index", 2**53)),
             ("certificate format", ("log", "index", True)), ("inclusion proof", ("log", "inclusion_proof", ["密钥"])),
             ("statement signature", ("statement", "beyond_jcs", 2**60)),
             ("statement signature", ("signatures", "signature", "签名")),
             ("checkpoint signature", ("log", "checkpoint", note.replace("\n\n", "\n\n— x 密\n")))]
    for step, (where, key, value) in cases:
        bad = copy.deepcopy(cert)
        (bad["signatures"][0] if where == "signatures" else bad[where])[key] = value
        _fails_at(step, bad, keys)


def test_registrant_signature_and_consistency_with_older_checkpoint(settings: Settings) -> None:
    client_key = Ed25519PrivateKey.generate()
    data = b"source code of my app"
    content = ContentHash(sha256=__import__("hashlib").sha256(data).hexdigest(), size=len(data))
    work = WorkIn(title="Sunrise over Erhai", work_type=WorkType.photographic, authors=["Li Hua"])
    signature = client_key.sign(canonical(claim(work, content)))
    cert, keys, _ = _register(settings, data, registrant=(raw_public(client_key.public_key()), signature))
    assert "registrant signature" in verify_certificate(cert, keys).steps
    forged = copy.deepcopy(cert)
    forged["statement"]["registrant"]["signature"] = base64.b64encode(b"\x00" * 64).decode()
    with pytest.raises(VerificationFailed) as info:
        verify_certificate(forged, keys)
    assert info.value.step in ("statement signature", "registrant signature")
    with pytest.raises(InvalidInput, match="registrant"), session_scope(settings.effective_database_url) as session:
        owner = create_user(session, f"x-{os.urandom(4).hex()}@example.org", "a long password 123")
        register(session, settings, owner, work, content, True, registrant=(raw_public(client_key.public_key()),
                                                                             b"\x01" * 64))
    later, keys, _ = _register(settings, b"a later work")
    with session_scope(settings.effective_database_url) as session:
        proof = [base64.b64encode(h).decode()
                 for h in log.consistency(session, cert["log"]["tree_size"], later["log"]["tree_size"])]
    ok = verify_certificate(later, keys, None, cert["log"]["checkpoint"], proof)
    assert ok.steps[-1] == "consistency with older checkpoint"
    with pytest.raises(VerificationFailed) as info:
        verify_certificate(later, keys, None, cert["log"]["checkpoint"], proof[:-1] if proof else ["AAAA"])
    assert info.value.step == "consistency with older checkpoint"


def test_cli_register_and_verify(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(tmp_path / "var"), IPC_SIGNING_KEY_PASSPHRASE="cli passphrase",
               COLUMNS="400")  # a usage error's box does not wrap the paths it names
    work = tmp_path / "song.mp3"
    work.write_bytes(b"ID3 not really a song" * 20)
    cert, keys = tmp_path / "cert.json", tmp_path / "keys.json"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "api.cli", "copyright", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)

    # an --out the command cannot write is refused before anything is registered (or the work was
    # logged for ever, then a traceback, and registering again was refused as a duplicate)
    nowhere = cli("register", str(work), "--title", "Song", "--type", "music", "--owner", "singer@example.org",
                  "--out", str(tmp_path / "missing" / "cert.json"), "--hash-only")
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr
    r = cli("register", str(work), "--title", "Song", "--type", "music", "--owner", "singer@example.org",
            "--out", str(cert), "--hash-only")
    assert r.returncode == 0, r.stderr
    exported = cli("keys", "--out", str(keys))
    assert exported.returncode == 0 and "had no signing key" not in exported.stderr
    assert str(tmp_path / "var" / "ipcommons.sqlite") in exported.stdout  # which registry's keys these are
    ok = cli("verify", str(cert), str(work), "--keys", str(keys))
    assert ok.returncode == 0 and "VALID" in ok.stdout
    assert "Not checked: whether the registration still stands" in ok.stdout  # genuine is not "not revoked"
    other = tmp_path / "other.mp3"
    other.write_bytes(b"different")
    bad = cli("verify", str(cert), str(other), "--keys", str(keys))
    assert bad.returncode == 1 and "file hash" in bad.stderr
    assert cli("register", str(work), "--title", "x", "--type", "poem", "--owner", "a@example.org",
               "--out", str(cert)).returncode == 2
    # the same bytes again: held for review, says so, exits non-zero, writes no certificate
    again = tmp_path / "again.json"
    held = cli("register", str(work), "--title", "Song", "--type", "music", "--owner", "copycat@example.org",
               "--out", str(again))
    assert held.returncode == 3 and "held for review" in held.stderr and "identical" in held.stderr
    assert not again.exists()
    number = json.loads(cert.read_text())["statement"]["number"]
    today = registry_day().isoformat()  # Beijing's day, as the registry's
    sub = subprocess.run([sys.executable, "-m", "api.cli", "users", "create-admin", "fan@example.org"], cwd=REPO,
                         env={**env, "IPC_ADMIN_PASSWORD": "a long password 456"}, capture_output=True, text=True)
    assert sub.returncode == 0, sub.stderr
    denied = cli("license", number, "--licensor", "fan@example.org", "--licensee", "singer@example.org",
                 "--rights", "reproduction", "--start", today)
    assert denied.returncode == 2 and "rights holder" in denied.stderr  # refused: not allowed (api.cli.errors)
    granted = cli("license", number, "--licensor", "singer@example.org", "--licensee", "fan@example.org",
                  "--rights", "reproduction,distribution", "--start", today, "--cc", "CC-BY-4.0")
    assert granted.returncode == 0, granted.stderr
    moved = cli("transfer", number, "--from", "singer@example.org", "--to", "fan@example.org", "--rights", "all",
                "--effective", today)
    assert moved.returncode == 0, moved.stderr
    assert cli("transfer", number, "--from", "singer@example.org", "--to", "fan@example.org", "--rights",
               "nonsense", "--effective", "2026-06-01").returncode == 2
    # keys set created with the same data dir has the signing key; create another platform: key not trusted
    env2 = {**env, "IPC_DATA_DIR": str(tmp_path / "other-platform")}
    keys2 = tmp_path / "keys2.json"
    fresh = subprocess.run([sys.executable, "-m", "api.cli", "copyright", "keys", "--out", str(keys2)], cwd=REPO,
                           env=env2, capture_output=True, text=True, timeout=120, check=True)
    assert "had no signing key: its first one was made now" in fresh.stderr  # not silently "the" key set
    untrusted = cli("verify", str(cert), "--keys", str(keys2))
    assert untrusted.returncode == 1 and "statement signature" in untrusted.stderr


def test_key_set_is_published(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    with session_scope(settings.effective_database_url) as session:
        create_key(session, settings, settings.copyright_log_origin)
    with TestClient(create_app(settings)) as client:
        body = client.get("/.well-known/ipcommons-keys.json").json()
    assert body["origin"] == "ipcommons.test/copyright-log" and body["keys"]
    assert all(len(base64.b64decode(k["public_key"])) == 32 for k in body["keys"])
    assert "private" not in json.dumps(body).lower()
