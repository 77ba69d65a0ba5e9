"""Witnessed checkpoints end to end: the witness runs as its own process (``ipcommons copyright
witness-serve``, C2SP tlog-witness over loopback HTTP) with its own key and state; the platform asks
it to cosign each checkpoint it signs and publishes the cosignatures with the checkpoint; a
certificate verifies with a 1-of-1 witness policy; a forked log (same size, another root) is refused
by the witness, which logs it and keeps its state; a witness that is down blocks nothing."""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from copyright import service
from copyright.checkpoint import EM_DASH, Checkpoint, sign
from copyright.keys import key_id, raw_public
from copyright.merkle import consistency_proof, leaf_hash, root
from copyright.models import WorkType
from copyright.registry import WorkIn, hash_stream, register
from copyright.verify import verify_certificate
from copyright.witness import WitnessPolicy, new_witness_key, submission, verify_quorum
from core.accounts.service import create_user
from core.db import get_engine, session_scope
from core.migrate import upgrade
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.processes import stop
from tests.smtp import free_port

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "ipcommons.test/witnessed-log"
WITNESS = "notary.example/w1"
REFUSED = "refused to cosign"


# --- the witness process -------------------------------------------------------------------------

@dataclass
class WitnessProcess:
    url: str
    state: Path
    output: Path  # what the process logged (stdout and stderr)
    policy_entry: dict[str, str]
    proc: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.output.read_text(errors="replace")

    def post(self, body: str | bytes) -> httpx.Response:
        return httpx.post(f"{self.url}/add-checkpoint", content=body.encode() if isinstance(body, str) else body,
                          timeout=10)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}


@pytest.fixture
def start_witness(tmp_path: Path) -> Iterator[Callable[..., WitnessProcess]]:
    """Start ``ipcommons copyright witness-serve`` on a free loopback port (on ``port`` if given)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(keys_file: Path, port: int | None = None) -> WitnessProcess:
        folder = tmp_path / f"witness-{len(started)}"
        folder.mkdir()
        key_file, state, output = folder / "w1.pem", folder / "w1-state.json", folder / "witness.log"
        entry = new_witness_key(WITNESS, key_file).model_dump()
        port = port or free_port()
        argv = [sys.executable, "-m", "api.cli", "copyright", "witness-serve", "--name", WITNESS, "--key",
                str(key_file), "--state", str(state), "--keys", str(keys_file), "--host", "127.0.0.1",
                "--port", str(port)]
        with output.open("ab") as out:  # a file, not a pipe: a chatty process never blocks on a full pipe
            proc = subprocess.Popen(argv, cwd=REPO, env=_env(), stdout=out, stderr=subprocess.STDOUT)
        started.append(proc)
        witness = WitnessProcess(f"http://127.0.0.1:{port}", state, output, entry, proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if witness.post(b"").status_code == 400:
                    return witness
            except httpx.TransportError:
                time.sleep(0.2)
        pytest.fail(f"the witness did not start: {witness.log_text()[-2000:]}")

    yield start
    for proc in started:
        stop(proc)


# --- registries: each its own PostgreSQL database ------------------------------------------------

@pytest.fixture
def new_database(pg_server_url: str) -> Iterator[Callable[[], str]]:
    """Fresh databases migrated to head, dropped afterwards: one per registry in a test."""
    base = pg_server_url.rpartition("/")[0]
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"ipc_witness_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(f"{base}/{name}")
        upgrade(made[-1])
        return made[-1]

    yield make
    for url in made:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)'))
    admin.dispose()


def registry(tmp_path: Path, database_url: str, witnesses: list[str]) -> Settings:
    return Settings(data_dir=tmp_path / f"var-{uuid.uuid4().hex[:6]}", database_url=database_url,
                    signing_key_passphrase=TEST_SIGNING_PASSPHRASE, copyright_log_origin=ORIGIN,
                    copyright_witnesses=witnesses)


def export_keys(settings: Settings, out: Path) -> Path:
    with session_scope(settings.effective_database_url) as session:
        out.write_text(service.export_keys(session, settings).key_set.model_dump_json())
    return out


def register_work(settings: Settings, data: bytes) -> dict[str, Any]:
    """Register a work (hash only) and return its certificate as the API and the CLI give it."""
    with session_scope(settings.effective_database_url) as session:
        owner = create_user(session, f"artist-{uuid.uuid4().hex[:8]}@example.org", "a long password 123")
        work = WorkIn(title=f"Work {data[:20]!r}", work_type=WorkType.written, authors=["Li Hua"])
        reg = register(session, settings, owner, work, hash_stream(io.BytesIO(data), settings.max_upload_bytes),
                       hash_only=True)
        session.commit()
        return service.certificate_of(session, settings, reg.number).model_dump(mode="json")


def cosigners(note: str) -> list[str]:
    """The names on the signature lines after the log's own."""
    return [line.split(" ")[1] for line in note.rstrip("\n").rpartition("\n\n")[2].split("\n")[1:]]


def policy_file(path: Path, *entries: dict[str, str], quorum: int = 1) -> Path:
    path.write_text(json.dumps({"quorum": quorum, "witnesses": list(entries)}))
    return path


def _cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", "copyright", *args], cwd=REPO, env=_env(), text=True,
                          capture_output=True, timeout=120)


# --- the platform and its witness ----------------------------------------------------------------

def test_a_witness_process_cosigns_and_a_certificate_verifies_with_a_policy_of_one(
        tmp_path: Path, new_database: Callable[[], str], start_witness: Callable[..., WitnessProcess]) -> None:
    database = new_database()
    keys = export_keys(registry(tmp_path, database, []), tmp_path / "keys.json")
    witness = start_witness(keys)
    settings = registry(tmp_path, database, [witness.url])

    first = register_work(settings, b"the first witnessed work")
    note = first["log"]["checkpoint"]
    assert cosigners(note) == [WITNESS] and note.endswith("\n")
    policy = WitnessPolicy.from_json(json.dumps({"quorum": 1, "witnesses": [witness.policy_entry]}))
    assert verify_quorum(note, policy) == [WITNESS]
    state = json.loads(witness.state.read_text())
    assert state[ORIGIN]["size"] == first["log"]["tree_size"] == 1

    # the published checkpoint carries the cosignature too, and a growing log is cosigned with a proof
    second = register_work(settings, b"the second witnessed work")
    assert second["log"]["tree_size"] == 2 and cosigners(second["log"]["checkpoint"]) == [WITNESS]
    assert json.loads(witness.state.read_text())[ORIGIN]["size"] == 2
    with TestClient(create_app(settings)) as client:
        published = client.get("/api/v1/copyright/checkpoint").json()
    assert published["size"] == 2 and published["checkpoint"] == second["log"]["checkpoint"]
    with session_scope(database) as session:
        result = verify_certificate(second, service.published_keys(session, settings), witnesses=policy)
    assert result.steps[-1] == "witness cosignatures" and result.witnesses == [WITNESS]
    assert "cosigned" in witness.log_text()

    # the command line: 1-of-1 passes; a policy naming another witness key fails at that step
    cert = tmp_path / "cert.json"
    cert.write_text(json.dumps(first))
    ok = _cli(["verify", str(cert), "--keys", str(keys), "--witnesses",
               str(policy_file(tmp_path / "policy.json", witness.policy_entry))])
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID" in ok.stdout and "witness cosignatures" in ok.stdout and WITNESS in ok.stdout
    stranger = {"name": WITNESS, "public_key": base64.b64encode(
        raw_public(Ed25519PrivateKey.generate().public_key())).decode()}
    refused = _cli(["verify", str(cert), "--keys", str(keys), "--witnesses",
                    str(policy_file(tmp_path / "other-policy.json", stranger))])
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "failed at step 'witness cosignatures'" in refused.stderr
    without = _cli(["verify", str(cert), "--keys", str(keys)])  # no policy: the step does not run
    assert without.returncode == 0 and "witness cosignatures" not in without.stdout


def test_a_forked_log_is_refused_by_the_witness_and_blocks_nothing(
        tmp_path: Path, new_database: Callable[[], str], start_witness: Callable[..., WitnessProcess],
        caplog: pytest.LogCaptureFixture) -> None:
    """A second registry with the same log key and origin but other entries: its checkpoints of the
    same size have other roots. The witness refuses them (409; a larger one: 422), logs it and keeps
    its state; the forked registry still issues certificates, without the witness's cosignature."""
    honest_db, forked_db = new_database(), new_database()
    keys = export_keys(registry(tmp_path, honest_db, []), tmp_path / "keys.json")
    with session_scope(honest_db) as honest, session_scope(forked_db) as forked:
        for row in honest.execute(text("SELECT * FROM signing_keys")).mappings():
            forked.execute(text("INSERT INTO signing_keys (key_id, name, public_key, encrypted_private_key, "
                                "created_at, retired_at) VALUES (:key_id, :name, :public_key, "
                                ":encrypted_private_key, :created_at, :retired_at)"), dict(row))
    witness = start_witness(keys)
    honest_log = registry(tmp_path, honest_db, [witness.url])
    forked_log = registry(tmp_path, forked_db, [witness.url])

    assert cosigners(register_work(honest_log, b"the honest entry")["log"]["checkpoint"]) == [WITNESS]
    kept = witness.state.read_bytes()

    with caplog.at_level(logging.WARNING, logger="copyright.witnessing"):
        split = register_work(forked_log, b"the entry shown to someone else")
    assert split["log"]["tree_size"] == 1 and cosigners(split["log"]["checkpoint"]) == []
    assert "HTTP 409" in caplog.text and "different roots" in caplog.text
    assert REFUSED in witness.log_text() and "different roots" in witness.log_text()
    assert witness.state.read_bytes() == kept

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="copyright.witnessing"):
        grown = register_work(forked_log, b"and it grows on its own")
    assert grown["log"]["tree_size"] == 2 and cosigners(grown["log"]["checkpoint"]) == []
    assert "HTTP 422" in caplog.text and "does not extend" in witness.log_text()
    assert witness.state.read_bytes() == kept

    # the honest log goes on being witnessed
    assert cosigners(register_work(honest_log, b"the next honest entry")["log"]["checkpoint"]) == [WITNESS]
    assert json.loads(witness.state.read_text())[ORIGIN]["size"] == 2


def test_a_witness_that_is_down_blocks_nothing_and_is_asked_again_with_the_next_checkpoint(
        tmp_path: Path, new_database: Callable[[], str], start_witness: Callable[..., WitnessProcess],
        caplog: pytest.LogCaptureFixture) -> None:
    database = new_database()
    keys = export_keys(registry(tmp_path, database, []), tmp_path / "keys.json")
    port = free_port()
    settings = registry(tmp_path, database, [f"http://127.0.0.1:{port}"])
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="copyright.witnessing"):
        cert = register_work(settings, b"registered while the notary is closed")
    assert time.monotonic() - began < 10
    assert cosigners(cert["log"]["checkpoint"]) == [] and "unreachable" in caplog.text
    with session_scope(database) as session:
        assert verify_certificate(cert, service.published_keys(session, settings)).number

    start_witness(keys, port=port)
    later = register_work(settings, b"registered when it is open again")
    assert later["log"]["tree_size"] == 2 and cosigners(later["log"]["checkpoint"]) == [WITNESS]


# --- the protocol, spoken to the witness process directly ----------------------------------------

def test_the_witness_process_answers_as_tlog_witness_says(
        tmp_path: Path, start_witness: Callable[..., WitnessProcess]) -> None:
    log_key = Ed25519PrivateKey.generate()
    public = raw_public(log_key.public_key())
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"origin": ORIGIN, "keys": [{
        "key_id": key_id(ORIGIN, public).hex(), "name": ORIGIN, "public_key": base64.b64encode(public).decode(),
        "created_at": "2026-01-01T00:00:00Z"}]}))
    witness = start_witness(keys)

    def note(tree: list[bytes], origin: str = ORIGIN, key: Ed25519PrivateKey = log_key) -> str:
        return sign(Checkpoint(origin, len(tree), root(tree)), ORIGIN, key)

    tree = [leaf_hash(f"entry {i}".encode()) for i in range(5)]
    first = witness.post(submission(0, [], note(tree)))
    assert first.status_code == 200 and first.text.startswith(f"{EM_DASH} {WITNESS} ") and first.text.endswith("\n")
    policy = WitnessPolicy.from_json(json.dumps({"quorum": 1, "witnesses": [witness.policy_entry]}))
    assert verify_quorum(note(tree) + first.text, policy) == [WITNESS]
    kept = witness.state.read_bytes()

    grown = tree + [leaf_hash(f"entry {i}".encode()) for i in range(5, 9)]
    stale = witness.post(submission(0, [], note(grown)))  # the client does not know the witness's size
    assert stale.status_code == 409 and stale.headers["content-type"] == "text/x.tlog.size"
    assert stale.text == "5\n"

    fork = [leaf_hash(f"other {i}".encode()) for i in range(5)]
    assert witness.post(submission(5, [], note(fork))).status_code == 409  # same size, another root
    assert "text/x.tlog.size" not in witness.post(submission(5, [], note(fork))).headers["content-type"]
    grown_fork = fork + grown[5:]
    assert witness.post(submission(5, consistency_proof(5, grown_fork), note(grown_fork))).status_code == 422
    assert witness.post(submission(5, [], note(grown))).status_code == 422  # no proof at all
    assert witness.post(submission(7, [], note(tree))).status_code == 400  # old size above the checkpoint's
    assert witness.post(submission(5, [], note(tree, key=Ed25519PrivateKey.generate()))).status_code == 403
    assert witness.post(submission(0, [], note(tree, origin="elsewhere.example/log"))).status_code == 404
    hostile: list[str | bytes] = [
        "", "hello", f"old 05\n\n{note(tree)}", f"old 5\nnot base64!\n\n{note(tree)}",
        f"old 5\n{base64.b64encode(b'short').decode()}\n\n{note(tree)}", f"old 5\n{note(tree)}",
        "old 5\n" + f"{base64.b64encode(bytes(32)).decode()}\n" * 64 + f"\n{note(tree)}",
        f"old 5\n\n{note(tree).replace(chr(10) + chr(10), chr(10))}", b"old 5\n\n\xff\xfe",
    ]
    for body in hostile:
        assert witness.post(body).status_code == 400, body
    assert witness.post(b"old 0\n" + b"A" * 70_000).status_code == 413
    assert httpx.get(f"{witness.url}/add-checkpoint").status_code == 405
    assert witness.state.read_bytes() == kept  # no refusal touched the history
    assert witness.log_text().count(REFUSED) >= 8

    again = witness.post(submission(5, [], note(tree)))  # the same checkpoint: cosigned again
    extended = witness.post(submission(5, consistency_proof(5, grown), note(grown)))
    assert again.status_code == 200 and extended.status_code == 200, extended.text
    assert json.loads(witness.state.read_text())[ORIGIN]["size"] == 9

