"""Witnessed checkpoints (C2SP tlog-cosignature): a witness with its own key cosigns a checkpoint
that extends what it saw, refuses a forked log (same size, another root) and logs the refusal, and
verifiers require a quorum of known witnesses."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from copyright.checkpoint import Checkpoint, sign
from copyright.keys import key_id, raw_public
from copyright.merkle import consistency_proof, leaf_hash, root
from copyright.witness import (
    BadSubmission,
    ForkedCheckpoint,
    InconsistentCheckpoint,
    NotSignedByLog,
    OldSizeMismatch,
    QuorumNotMet,
    UnknownLog,
    Witness,
    WitnessPolicy,
    WitnessRefused,
    WitnessStateError,
    parse_submission,
    submission,
    verify_quorum,
)
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "ipcommons.example/log"
LOG_KEY = Ed25519PrivateKey.generate()
TRUSTED = {("ipcommons", key_id("ipcommons", raw_public(LOG_KEY.public_key()))): raw_public(LOG_KEY.public_key())}


def leaves(n: int, prefix: str = "entry") -> list[bytes]:
    return [leaf_hash(f"{prefix} {i}".encode()) for i in range(n)]


def note_of(tree: list[bytes], key: Ed25519PrivateKey = LOG_KEY) -> str:
    return sign(Checkpoint(ORIGIN, len(tree), root(tree)), "ipcommons", key)


def policy_of(*witnesses: tuple[str, Ed25519PrivateKey], quorum: int) -> WitnessPolicy:
    return WitnessPolicy.from_json(json.dumps({"quorum": quorum, "witnesses": [
        {"name": name, "public_key": base64.b64encode(raw_public(key.public_key())).decode()}
        for name, key in witnesses]}))


@pytest.fixture
def notary(tmp_path: Path) -> tuple[Witness, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    return Witness("notary.example/w1", key, {ORIGIN: TRUSTED}, tmp_path / "notary-state.json"), key


def test_a_growing_log_is_cosigned_and_a_quorum_of_one_passes(notary: tuple[Witness, Ed25519PrivateKey]) -> None:
    witness, key = notary
    tree = leaves(5)
    first = note_of(tree)
    cosigned = first + witness.cosign(first, [], now=1_700_000_000) + "\n"
    assert verify_quorum(cosigned, policy_of(("notary.example/w1", key), quorum=1)) == ["notary.example/w1"]

    grown = leaves(9)
    second = note_of(grown)
    line = witness.cosign(second, consistency_proof(5, grown), now=1_700_000_100)
    assert verify_quorum(second + line + "\n", policy_of(("notary.example/w1", key), quorum=1))
    state = json.loads(witness.state_file.read_text())
    assert state[ORIGIN]["size"] == 9


def test_a_forked_log_is_refused_logged_and_the_history_kept(notary: tuple[Witness, Ed25519PrivateKey],
                                                             caplog: pytest.LogCaptureFixture) -> None:
    witness, _ = notary
    tree = leaves(5)
    witness.cosign(note_of(tree), [], now=1)
    before = witness.state_file.read_text()
    fork = leaves(5, prefix="other")  # same size, another root: a split view
    with caplog.at_level(logging.WARNING, logger="copyright.witness"), \
            pytest.raises(WitnessRefused, match="different roots"):
        witness.cosign(note_of(fork), [], now=2)
    assert "refused to cosign" in caplog.text
    grown_fork = leaves(8, prefix="other")  # a larger tree that does not extend what was seen
    with pytest.raises(WitnessRefused, match="does not extend"):
        witness.cosign(note_of(grown_fork), consistency_proof(5, grown_fork), now=3)
    with pytest.raises(WitnessRefused, match="older"):
        witness.cosign(note_of(tree[:3]), [], now=4)
    assert witness.state_file.read_text() == before


def test_a_checkpoint_not_signed_by_the_log_is_refused(notary: tuple[Witness, Ed25519PrivateKey]) -> None:
    witness, _ = notary
    with pytest.raises(WitnessRefused, match="signed by the log"):
        witness.cosign(note_of(leaves(3), key=Ed25519PrivateKey.generate()), [], now=1)
    assert not witness.state_file.exists()


def test_quorum_policy(tmp_path: Path) -> None:
    keys = {name: Ed25519PrivateKey.generate() for name in ("w1.example", "w2.example", "w3.example")}
    witnesses = {name: Witness(name, key, {ORIGIN: TRUSTED}, tmp_path / f"{name}.json") for name, key in keys.items()}
    note = note_of(leaves(4))
    lines = [witnesses[name].cosign(note, [], now=10) for name in ("w1.example", "w2.example")]
    cosigned = note + "\n".join(lines) + "\n"
    policy = policy_of(*keys.items(), quorum=2)
    assert verify_quorum(cosigned, policy) == ["w1.example", "w2.example"]
    with pytest.raises(QuorumNotMet, match="1 of the required 2"):
        verify_quorum(note + lines[0] + "\n", policy)
    # a cosignature by a known witness over another checkpoint is refused even with a quorum besides
    other = witnesses["w3.example"].cosign(note_of(leaves(4, prefix="x")), [], now=10)
    with pytest.raises(QuorumNotMet, match="'w3.example' does not verify"):
        verify_quorum(cosigned + other + "\n", policy)
    with pytest.raises(ValueError, match="quorum"):
        policy_of(*keys.items(), quorum=4)


def _cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    return subprocess.run([sys.executable, "-m", "api.cli", "copyright", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=120)


def test_a_witness_is_its_own_command_with_its_own_key(tmp_path: Path) -> None:
    """What a notary office runs: ``witness-init`` once, then ``witness`` for each new checkpoint;
    a fork exits 2 with the reason and leaves its history alone."""
    key_file, state, key_set = tmp_path / "w1.pem", tmp_path / "w1-state.json", tmp_path / "keys.json"
    init = _cli(["witness-init", "--name", "notary.example/w1", "--key-out", str(key_file)])
    assert init.returncode == 0, init.stderr
    entry = json.loads(init.stdout)
    assert key_file.stat().st_mode & 0o077 == 0 and entry["name"] == "notary.example/w1"
    assert _cli(["witness-init", "--name", "x", "--key-out", str(key_file)]).returncode == 2  # never overwritten
    public = raw_public(LOG_KEY.public_key())
    key_set.write_text(json.dumps({"origin": ORIGIN, "keys": [{
        "key_id": key_id("ipcommons", public).hex(), "name": "ipcommons",
        "public_key": base64.b64encode(public).decode(), "created_at": "2026-01-01T00:00:00Z"}]}))
    args = ["--name", "notary.example/w1", "--key", str(key_file), "--state", str(state), "--keys", str(key_set)]

    tree = leaves(6)
    (tmp_path / "cp.txt").write_text(note_of(tree))
    first = _cli(["witness", str(tmp_path / "cp.txt"), *args])
    assert first.returncode == 0, first.stderr
    policy = WitnessPolicy.from_json(json.dumps({"quorum": 1, "witnesses": [entry]}))
    assert verify_quorum(note_of(tree) + first.stdout.strip() + "\n", policy) == ["notary.example/w1"]

    (tmp_path / "fork.txt").write_text(note_of(leaves(6, prefix="fork")))
    refused = _cli(["witness", str(tmp_path / "fork.txt"), *args])
    assert refused.returncode == 2 and "different roots" in refused.stdout + refused.stderr
    grown = leaves(10)
    (tmp_path / "grown.txt").write_text(note_of(grown))
    (tmp_path / "proof.json").write_text(json.dumps([base64.b64encode(h).decode()
                                                     for h in consistency_proof(6, grown)]))
    assert _cli(["witness", str(tmp_path / "grown.txt"), *args, "--proof", str(tmp_path / "proof.json")]
                ).returncode == 0
    assert json.loads(state.read_text())[ORIGIN]["size"] == 10


def test_the_add_checkpoint_protocol_names_each_refusal(notary: tuple[Witness, Ed25519PrivateKey]) -> None:
    """tlog-witness: the old size must be the size last cosigned (0 at first), else OldSizeMismatch
    says which; each refusal is also the platform error it is, so HTTP and the CLI answer by class."""
    witness, _ = notary
    tree, grown = leaves(5), leaves(9)
    assert witness.latest_size(ORIGIN) == 0
    with pytest.raises(BadSubmission, match="proof from old size 0 must be empty"):
        witness.add_checkpoint(submission(0, consistency_proof(5, grown), note_of(grown)), now=1)
    assert witness.add_checkpoint(submission(0, [], note_of(tree)), now=1).endswith("\n")
    assert witness.latest_size(ORIGIN) == 5
    with pytest.raises(OldSizeMismatch) as stale:
        witness.add_checkpoint(submission(0, [], note_of(grown)), now=2)
    assert stale.value.latest_size == 5 and isinstance(stale.value, Conflict)
    with pytest.raises(ForkedCheckpoint):
        witness.add_checkpoint(submission(5, [], note_of(leaves(5, prefix="fork"))), now=3)
    with pytest.raises(InconsistentCheckpoint):
        witness.add_checkpoint(submission(5, consistency_proof(5, grown)[1:], note_of(grown)), now=4)
    with pytest.raises(BadSubmission, match="larger than the checkpoint"):
        witness.add_checkpoint(submission(6, [], note_of(tree)), now=5)
    with pytest.raises(NotSignedByLog) as unsigned:
        witness.add_checkpoint(submission(5, [], note_of(grown, key=Ed25519PrivateKey.generate())), now=6)
    assert isinstance(unsigned.value, PermissionDenied)
    other = sign(Checkpoint("elsewhere.example/log", 1, root(leaves(1))), "ipcommons", LOG_KEY)
    with pytest.raises(UnknownLog) as unknown:
        witness.add_checkpoint(submission(0, [], other), now=7)
    assert isinstance(unknown.value, NotFound)
    witness.add_checkpoint(submission(5, consistency_proof(5, grown), note_of(grown)), now=8)
    assert witness.latest_size(ORIGIN) == 9

    witness.state_file.write_text("{half a histo")
    with pytest.raises(WitnessStateError):
        witness.add_checkpoint(submission(9, [], note_of(grown)), now=9)


@pytest.mark.parametrize("body", ["", "old 1", "old 01\n\nx\n", "old -1\n\nx\n", "new 1\n\nx\n",
                                  "old 1\nnot-base64\n\nx\n", "old 1\nAAAA\n\nx\n",
                                  "old 1\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" * 64 + "\nx\n"])
def test_a_malformed_submission_is_refused(body: str) -> None:
    with pytest.raises(BadSubmission) as info:
        parse_submission(body)
    assert isinstance(info.value, InvalidInput) and isinstance(info.value, WitnessRefused)


def test_a_submission_reads_back() -> None:
    tree = leaves(9)
    proof = consistency_proof(5, tree)
    given = parse_submission(submission(5, proof, note_of(tree)))
    assert (given.old_size, given.proof, given.note) == (5, proof, note_of(tree))


def test_witness_urls_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPC_COPYRIGHT_WITNESSES", "http://127.0.0.1:7380, https://notary.example/w1")
    assert Settings().copyright_witnesses == ["http://127.0.0.1:7380", "https://notary.example/w1"]
    monkeypatch.setenv("IPC_COPYRIGHT_WITNESSES", '["http://127.0.0.1:7380"]')
    assert Settings().copyright_witnesses == ["http://127.0.0.1:7380"]
    monkeypatch.delenv("IPC_COPYRIGHT_WITNESSES")
    assert Settings().copyright_witnesses == []
    with pytest.raises(ValueError, match="http"):
        Settings(copyright_witnesses=["notary.example:7380"])
