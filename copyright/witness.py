"""Witnessed checkpoints: an independent cosigner vouches that the log only grew (C2SP
tlog-cosignature, Ed25519 ``cosignature/v1``; the HTTP protocol is C2SP tlog-witness).

A witness -- run by a notary office or a court, with its own Ed25519 key and its own state file --
keeps the largest checkpoint it has cosigned of each log it follows. It cosigns a new checkpoint
only when the log's key signed it and a consistency proof shows it extends what the witness saw; a
checkpoint of the same size with another root, or a larger one that does not extend it, is a fork:
refused, logged, and the state is left as it was. Verifiers then require a quorum of known
witnesses (``verify_quorum``), so a log cannot show one history to some people and another to others.

Steps of ``Witness.cosign``: 1. the log's signature, 2. the witness's history for that origin,
3. consistency with it, 4. the cosignature, 5. the new history, written atomically. Steps 2 to 5
hold a lock on the state file, so two submissions can never both extend the same history.

Each refusal is its own class, all ``WitnessRefused`` and each also the platform error it is
(``core.errors``), so the HTTP app (``api.witness_app``) and the CLI answer by class alone::

    WitnessRefused
    ├── BadSubmission          (InvalidInput)     a malformed request; an old size above the checkpoint's
    ├── UnknownLog             (NotFound)         a log (origin) this witness does not follow
    ├── NotSignedByLog         (PermissionDenied) no valid signature by the log's key
    ├── OldSizeMismatch        (Conflict)         the old size is not the size last cosigned: ``latest_size``
    ├── ForkedCheckpoint       (Conflict)         the size last cosigned, with another root
    └── InconsistentCheckpoint (Conflict)         the consistency proof does not verify: a fork
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import logging
import os
import re
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ValidationError

from copyright import checkpoint, merkle
from copyright.checkpoint import EM_DASH, Checkpoint, CheckpointError
from copyright.keys import KeySet, raw_public, trusted_keys, verify_signature
from core.errors import (
    Conflict,
    InvalidInput,
    IPCommonsError,
    NotFound,
    PermissionDenied,
    Unavailable,
)

log = logging.getLogger(__name__)
HEADER = "cosignature/v1\n"
ED25519_COSIGNATURE = b"\x04"  # the key-ID algorithm byte of Ed25519 cosignatures
MAX_PROOF_LINES = 63  # tlog-witness: a client never sends more consistency proof lines
MAX_SUBMISSION_BYTES = 64 * 1024  # an old size line, 63 hashes and a checkpoint fit many times over
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")  # ASCII decimal without leading zeros, as tree sizes

LogKeys = dict[tuple[str, bytes], bytes]  # (key name, key id) -> raw public key, as signed notes look keys up


class WitnessRefused(IPCommonsError):
    """The witness will not cosign (the subclasses say why); its history is unchanged."""


class BadSubmission(WitnessRefused, InvalidInput):
    """A submission that is not ``old <size>``, proof lines, a blank line and a checkpoint, or whose
    old size is above the checkpoint's size."""


class UnknownLog(WitnessRefused, NotFound):
    """A checkpoint of a log (origin) this witness does not follow."""


class NotSignedByLog(WitnessRefused, PermissionDenied):
    """No signature on the checkpoint verifies with the log's key (or one by it does not verify)."""


class OldSizeMismatch(WitnessRefused, Conflict):
    """The submission's old size is not the size this witness last cosigned (``latest_size``)."""

    def __init__(self, detail: str, latest_size: int) -> None:
        super().__init__(detail, latest_size=latest_size)
        self.latest_size = latest_size


class ForkedCheckpoint(WitnessRefused, Conflict):
    """A checkpoint of the size this witness last cosigned, with another root hash: a split view."""


class InconsistentCheckpoint(WitnessRefused, Conflict):
    """The consistency proof does not show the checkpoint extends what this witness cosigned."""


class WitnessStateError(Unavailable):
    """The witness's state file cannot be read: it cosigns nothing until someone looks at it."""


class QuorumNotMet(InvalidInput):
    """Fewer valid cosignatures by known witnesses than the policy requires, or a bad one."""


def cosigner_key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name || "\\n" || 0x04 || public key)[:4], per tlog-cosignature."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_COSIGNATURE + public_key).digest()[:4]


def signed_message(body: str, timestamp: int) -> bytes:
    """What a cosigner signs: the header line, the time line, then the checkpoint's note body."""
    return f"{HEADER}time {timestamp}\n{body}".encode()


def cosignature_line(name: str, key: Ed25519PrivateKey, body: str, timestamp: int) -> str:
    kid = cosigner_key_id(name, raw_public(key.public_key()))
    blob = kid + struct.pack(">Q", timestamp) + key.sign(signed_message(body, timestamp))
    return f"{EM_DASH} {name} {base64.b64encode(blob).decode()}"


# --- the tlog-witness add-checkpoint request body -------------------------------------------------

def submission(old_size: int, proof: list[bytes], note: str) -> str:
    """The body of ``POST <witness>/add-checkpoint``: ``old <size>``, one base64 consistency-proof
    hash per line, a blank line, then the signed checkpoint."""
    hashes = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return f"old {old_size}\n{hashes}\n{note}"


@dataclass(frozen=True)
class Submission:
    old_size: int
    proof: list[bytes]
    note: str


def parse_submission(body: str) -> Submission:
    """The old size, proof and checkpoint of an add-checkpoint body; BadSubmission if malformed."""
    head, sep, note = body.partition("\n\n")
    if not sep:
        raise BadSubmission("not a tlog-witness submission: no blank line before the checkpoint")
    lines = head.split("\n")
    old = _OLD.fullmatch(lines[0])
    if old is None:
        raise BadSubmission("the first line is not 'old <size>' (ASCII decimal without leading zeros)")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise BadSubmission(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            h = base64.b64decode(line, validate=True)
        except binascii.Error:
            h = b""
        if len(h) != merkle.HASH_SIZE:
            raise BadSubmission(f"line {number} is not a base64 SHA-256 hash")
        proof.append(h)
    return Submission(int(old.group(1)), proof, note)


@dataclass(frozen=True)
class Seen:
    size: int
    root: bytes


class Witness:
    """One witness: its name and key, the logs it follows (origin -> the log's keys), and its
    history of them in ``state_file``."""

    def __init__(self, name: str, key: Ed25519PrivateKey, logs: dict[str, LogKeys], state_file: Path) -> None:
        self.name, self.key, self.logs, self.state_file = name, key, logs, state_file

    def add_checkpoint(self, body: str, now: int | None = None) -> str:
        """The tlog-witness ``add-checkpoint`` call: the cosignature line(s) for the submitted
        checkpoint, newline-terminated, or the WitnessRefused subclass that says why not."""
        try:
            given = parse_submission(body)
        except BadSubmission as exc:
            raise self._refuse(BadSubmission, exc.detail) from exc
        return self.cosign(given.note, given.proof, now, old_size=given.old_size) + "\n"

    def cosign(self, note: str, consistency_proof: list[bytes], now: int | None = None,
               old_size: int | None = None) -> str:
        """The cosignature line for ``note``, or WitnessRefused (the history is then unchanged).

        ``old_size`` is the size the proof starts from, as a tlog-witness client says it; without
        it (the ``witness`` command) the proof is from the size this witness last cosigned."""
        new = self._step_1_log_signature(note)
        with self._locked():
            history = self._step_2_history()
            self._step_3_consistency(new, history.get(new.origin), consistency_proof, old_size)
            stamp = int(time.time()) if now is None else now  # step 4: the cosignature
            line = cosignature_line(self.name, self.key, checkpoint.parse(note)[2], stamp)
            self._step_5_remember(history, new)
        log.info("witness %s cosigned %s at size %d", self.name, new.origin, new.size)
        return line

    def latest_size(self, origin: str) -> int:
        """The size of the latest checkpoint of ``origin`` this witness cosigned (0: none yet)."""
        seen = self._step_2_history().get(origin)
        return seen.size if seen else 0

    def _step_1_log_signature(self, note: str) -> Checkpoint:
        try:
            origin = checkpoint.parse(note)[0].origin
        except CheckpointError as exc:
            raise self._refuse(BadSubmission, f"not a signed checkpoint: {exc.detail}") from exc
        keys = self.logs.get(origin)
        if keys is None:
            raise self._refuse(UnknownLog, f"{origin!r} is not a log this witness follows")
        try:
            return checkpoint.verify(note, keys, origin=origin)
        except CheckpointError as exc:
            raise self._refuse(NotSignedByLog, f"not a checkpoint signed by the log's key: {exc.detail}") from exc

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the state file's lock (an advisory lock on ``<state>.lock``): between reading the
        history and writing the new one, no other request or process of this witness runs."""
        lock_file = self.state_file.with_name(self.state_file.name + ".lock")
        with lock_file.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _step_2_history(self) -> dict[str, Seen]:
        if not self.state_file.exists():
            return {}
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return {origin: Seen(int(v["size"]), base64.b64decode(v["root"], validate=True))
                    for origin, v in data.items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError, binascii.Error) as exc:
            log.error("witness %s cannot read its state file %s: %s", self.name, self.state_file, exc)
            raise WitnessStateError(f"witness {self.name} cannot read its state file: {exc}") from exc

    def _step_3_consistency(self, new: Checkpoint, seen: Seen | None, proof: list[bytes],
                            old_size: int | None) -> None:
        latest = seen.size if seen else 0
        if old_size is None:  # the command line: the proof is from what this witness saw
            if new.size < latest:
                raise self._refuse(OldSizeMismatch, f"{new.origin}: size {new.size} is older than the size {latest} "
                                   "already cosigned", latest)
            old_size = latest
        elif old_size > new.size:
            raise self._refuse(BadSubmission, f"{new.origin}: old size {old_size} is larger than the checkpoint's "
                               f"size {new.size}")
        elif old_size != latest:
            raise self._refuse(OldSizeMismatch, f"{new.origin}: old size {old_size} is not the size {latest} this "
                               "witness last cosigned", latest)
        if len(proof) > MAX_PROOF_LINES:
            raise self._refuse(BadSubmission, f"more than {MAX_PROOF_LINES} consistency proof hashes")
        if seen is None:
            if proof:
                raise self._refuse(BadSubmission, f"{new.origin}: a proof from old size 0 must be empty")
            return  # the first checkpoint of a log this witness follows
        if new.size == seen.size and new.root != seen.root:
            raise self._refuse(ForkedCheckpoint, f"{new.origin}: size {new.size} was cosigned with another root: "
                               "two checkpoints of the same size have different roots")
        try:
            merkle.verify_consistency(seen.size, new.size, seen.root, new.root, proof)
        except merkle.ProofError as exc:
            raise self._refuse(InconsistentCheckpoint, f"{new.origin}: size {new.size} does not extend size "
                               f"{seen.size}: {exc.detail}") from exc

    def _step_5_remember(self, history: dict[str, Seen], new: Checkpoint) -> None:
        kept = {**history, new.origin: Seen(new.size, new.root)}
        data = {origin: {"size": s.size, "root": base64.b64encode(s.root).decode()} for origin, s in kept.items()}
        temporary = self.state_file.with_name(self.state_file.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2, sort_keys=True))
            fh.flush()
            os.fsync(fh.fileno())  # on disk before it replaces the old history
        os.replace(temporary, self.state_file)  # a crash leaves the old history or the new, never half
        folder = os.open(self.state_file.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # and the rename itself is durable before the cosignature leaves
        finally:
            os.close(folder)

    @staticmethod
    def read_proof(text: str) -> list[bytes]:
        """A consistency proof as JSON: a list of base64 hashes."""
        try:
            hashes = json.loads(text)
            return [base64.b64decode(h, validate=True) for h in hashes]
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidInput(f"not a consistency proof (a JSON list of base64 hashes): {exc}") from exc

    def _refuse(self, kind: Callable[..., WitnessRefused], reason: str, *args: int) -> WitnessRefused:
        """The refusal of ``kind`` (``args`` after its detail), logged: a refusal may be evidence of a fork."""
        log.warning("witness %s refused to cosign: %s", self.name, reason)
        return kind(f"witness {self.name} refused: {reason}", *args)


@dataclass(frozen=True)
class WitnessPolicy:
    """Known witnesses (name -> Ed25519 public key) and how many of them must have cosigned."""

    witnesses: dict[str, bytes]
    quorum: int

    @classmethod
    def from_json(cls, text: str) -> WitnessPolicy:
        """``{"quorum": 1, "witnesses": [{"name": ..., "public_key": base64}]}``."""
        try:
            data = json.loads(text)
            witnesses = {str(w["name"]): base64.b64decode(w["public_key"], validate=True) for w in data["witnesses"]}
            quorum = int(data["quorum"])
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise InvalidInput(f"not a witness policy: {exc}") from exc
        if not 1 <= quorum <= len(witnesses) or any(len(k) != 32 for k in witnesses.values()):
            raise InvalidInput("a witness policy needs 32-byte keys and a quorum between 1 and their number")
        return cls(witnesses, quorum)


def verify_quorum(note: str, policy: WitnessPolicy) -> list[str]:
    """The names of the known witnesses whose cosignatures of ``note`` verify; QuorumNotMet when
    they are fewer than the quorum or when a known witness's cosignature does not verify."""
    _, signatures, body = checkpoint.parse(note)
    expected = {(name, cosigner_key_id(name, key)): key for name, key in policy.witnesses.items()}
    good = []
    for name, kid, rest in signatures:
        key = expected.get((name, kid))
        if key is None:
            continue  # the log's own signature, or a witness this policy does not know
        timestamp, signature = struct.unpack(">Q", rest[:8])[0], rest[8:]
        if not verify_signature(key, signature, signed_message(body, timestamp)):
            raise QuorumNotMet(f"the cosignature by witness {name!r} does not verify")
        good.append(name)
    if len(set(good)) < policy.quorum:
        raise QuorumNotMet(f"{len(set(good))} of the required {policy.quorum} witness cosignatures")
    return sorted(set(good))


class WitnessEntry(BaseModel):
    """A witness as a policy lists it."""

    name: str
    public_key: str  # base64 of the 32 raw bytes


def new_witness_key(name: str, key_out: Path) -> WitnessEntry:
    """A fresh Ed25519 key for a witness, written as PEM readable by its owner only."""
    if key_out.exists():
        raise InvalidInput(f"{key_out} exists: a witness key is never overwritten")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    key_out.touch(mode=0o600)
    key_out.write_bytes(pem)
    return WitnessEntry(name=name, public_key=base64.b64encode(raw_public(key.public_key())).decode())


def witness_from_files(name: str, key_file: Path, state_file: Path, key_set_files: list[Path]) -> Witness:
    """A witness from its PEM key, its state file and the published key set of each log it follows."""
    logs: dict[str, LogKeys] = {}
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        for key_set_file in key_set_files:
            keys = KeySet.model_validate_json(key_set_file.read_text(encoding="utf-8"))
            logs.setdefault(keys.origin, {}).update(trusted_keys(keys))
    except (OSError, ValueError, TypeError, ValidationError, binascii.Error) as exc:
        raise InvalidInput(f"cannot read the witness key or a log's key set: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("a witness key is an Ed25519 private key")
    if not logs:
        raise InvalidInput("a witness follows at least one log: give its published key set")
    return Witness(name, key, logs, state_file)
