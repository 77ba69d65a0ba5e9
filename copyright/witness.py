"""Witnessed checkpoints: an independent cosigner vouches that the log only grew (C2SP
tlog-cosignature, Ed25519 ``cosignature/v1``).

A witness -- run by a notary office or a court, with its own Ed25519 key and its own state file --
keeps the largest checkpoint it has seen of each log. It cosigns a new checkpoint only when the
log's key signed it and a consistency proof shows it extends what the witness saw; a checkpoint of
the same size with another root, or a smaller one, is a fork: refused, logged, and the state is
left as it was. Verifiers then require a quorum of known witnesses (``verify_quorum``), so a log
cannot show one history to some people and another to others.

Steps of ``Witness.cosign``: 1. the log's signature, 2. the witness's history for that origin,
3. consistency with it, 4. the cosignature, 5. the new history, written atomically.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ValidationError

from copyright import checkpoint, merkle
from copyright.checkpoint import EM_DASH, Checkpoint, CheckpointError
from copyright.keys import KeySet, raw_public, trusted_keys, verify_signature
from core.errors import Conflict, InvalidInput

log = logging.getLogger(__name__)
HEADER = "cosignature/v1\n"
ED25519_COSIGNATURE = b"\x04"  # the key-ID algorithm byte of Ed25519 cosignatures


class WitnessRefused(Conflict):
    """The witness will not cosign: the checkpoint is not signed by the log, or forks its history."""


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


@dataclass(frozen=True)
class Seen:
    size: int
    root: bytes


class Witness:
    """One witness: its name and key, the log key it trusts, and its history of that log."""

    def __init__(self, name: str, key: Ed25519PrivateKey, trusted_log_keys: dict[tuple[str, bytes], bytes],
                 state_file: Path) -> None:
        self.name, self.key, self.trusted, self.state_file = name, key, trusted_log_keys, state_file

    def cosign(self, note: str, consistency_proof: list[bytes], now: int | None = None) -> str:
        """The cosignature line for ``note``, or WitnessRefused (the history is then unchanged)."""
        new = self._step_1_log_signature(note)
        history = self._step_2_history()
        self._step_3_consistency(new, history.get(new.origin), consistency_proof)  # step 4: the cosignature
        stamp = int(time.time()) if now is None else now
        line = cosignature_line(self.name, self.key, checkpoint.parse(note)[2], stamp)
        self._step_5_remember(history, new)
        return line

    def _step_1_log_signature(self, note: str) -> Checkpoint:
        try:
            return checkpoint.verify(note, self.trusted)
        except CheckpointError as exc:
            raise self._refuse(f"not a checkpoint signed by the log's key: {exc.detail}") from exc

    def _step_2_history(self) -> dict[str, Seen]:
        if not self.state_file.exists():
            return {}
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        return {origin: Seen(v["size"], base64.b64decode(v["root"])) for origin, v in data.items()}

    def _step_3_consistency(self, new: Checkpoint, seen: Seen | None, proof: list[bytes]) -> None:
        if seen is None:
            return  # the first checkpoint of a log this witness follows
        if new.size < seen.size:
            raise self._refuse(f"{new.origin}: size {new.size} is older than the size {seen.size} already cosigned")
        try:
            merkle.verify_consistency(seen.size, new.size, seen.root, new.root, proof)
        except merkle.ProofError as exc:
            raise self._refuse(f"{new.origin}: size {new.size} does not extend size {seen.size}: {exc.detail}") from exc

    def _step_5_remember(self, history: dict[str, Seen], new: Checkpoint) -> None:
        kept = {**history, new.origin: Seen(new.size, new.root)}
        data = {origin: {"size": s.size, "root": base64.b64encode(s.root).decode()} for origin, s in kept.items()}
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.state_file)  # a crash leaves the old history or the new, never half

    @staticmethod
    def read_proof(text: str) -> list[bytes]:
        """A consistency proof as JSON: a list of base64 hashes."""
        try:
            hashes = json.loads(text)
            return [base64.b64decode(h, validate=True) for h in hashes]
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidInput(f"not a consistency proof (a JSON list of base64 hashes): {exc}") from exc

    def _refuse(self, reason: str) -> WitnessRefused:
        log.warning("witness %s refused to cosign: %s", self.name, reason)
        return WitnessRefused(f"witness {self.name} refused: {reason}")


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


def witness_from_files(name: str, key_file: Path, state_file: Path, key_set_file: Path) -> Witness:
    """A witness from its PEM key, its state file and the log's published key set."""
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        keys = KeySet.model_validate_json(key_set_file.read_text(encoding="utf-8"))
        trusted = trusted_keys(keys)
    except (ValueError, TypeError, ValidationError, binascii.Error) as exc:
        raise InvalidInput(f"cannot read the witness key or the log's key set: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("a witness key is an Ed25519 private key")
    return Witness(name, key, trusted, state_file)

