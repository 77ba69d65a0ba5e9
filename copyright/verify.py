"""Offline certificate verification with only the published key set (and, optionally, the file).

Each check is a named step; the first that fails raises ``VerificationFailed(step, reason)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyright import checkpoint, merkle
from copyright.canonical import canonical
from copyright.keys import KeySet, verify_signature
from core.errors import IPCommonsError

STEPS = ("certificate format", "file hash", "statement signature", "registrant signature",
         "checkpoint signature", "inclusion proof", "consistency with older checkpoint")


class VerificationFailed(IPCommonsError):
    """A certificate check failed; ``step`` names the first check that did not pass."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}", failed_step=step)
        self.step = step
        self.reason = reason


@dataclass
class Verified:
    number: str
    sha256: str
    tree_size: int
    steps: list[str] = field(default_factory=list)


def _b64(value: str, step: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise VerificationFailed(step, "not base64") from exc


def verify_certificate(cert: dict[str, Any], keys: KeySet, file: Path | None = None,
                       older_checkpoint: str | None = None, consistency_proof: list[str] | None = None) -> Verified:
    step = "certificate format"
    try:
        statement = cert["statement"]
        sig = cert["signatures"][0]
        entry = cert["log"]
        number, sha = statement["number"], statement["content"]["sha256"]
        index, tree_size = int(entry["index"]), int(entry["tree_size"])
        proof = [_b64(h, "inclusion proof") for h in entry["inclusion_proof"]]
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise VerificationFailed(step, f"missing or malformed field ({exc})") from exc
    done = Verified(number=number, sha256=sha, tree_size=tree_size, steps=[step])

    if file is not None:
        step = "file hash"
        digest = hashlib.sha256()
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            raise VerificationFailed(step, f"the file's SHA-256 {digest.hexdigest()} is not the registered {sha}")
        done.steps.append(step)

    step = "statement signature"
    trusted = {(k.name, bytes.fromhex(k.key_id)): _b64(k.public_key, step) for k in keys.keys}
    by_id = {kid.hex(): pub for (_, kid), pub in trusted.items()}
    public = by_id.get(str(sig.get("key_id")))
    if public is None:
        raise VerificationFailed(step, f"key {sig.get('key_id')} is not in the published key set")
    data = canonical(statement)
    if not verify_signature(public, _b64(sig.get("signature", ""), step), data):
        raise VerificationFailed(step, "the platform signature does not match the statement")
    done.steps.append(step)

    if "registrant" in statement:
        step = "registrant signature"
        claim = {"work": statement["work"], "content": statement["content"]}
        reg = statement["registrant"]
        if not verify_signature(_b64(reg["public_key"], step), _b64(reg["signature"], step), canonical(claim)):
            raise VerificationFailed(step, "the registrant's signature does not match the claim")
        done.steps.append(step)

    step = "checkpoint signature"
    try:
        cp = checkpoint.verify(entry["checkpoint"], trusted, origin=statement.get("origin"))
    except checkpoint.CheckpointError as exc:
        raise VerificationFailed(step, str(exc)) from exc
    if cp.size != tree_size:
        raise VerificationFailed(step, f"the checkpoint is for size {cp.size}, the proof for size {tree_size}")
    done.steps.append(step)

    step = "inclusion proof"
    try:
        merkle.verify_inclusion(merkle.leaf_hash(data), index, tree_size, proof, cp.root)
    except merkle.ProofError as exc:
        raise VerificationFailed(step, str(exc)) from exc
    done.steps.append(step)

    if older_checkpoint is not None:
        step = "consistency with older checkpoint"
        try:
            old = checkpoint.verify(older_checkpoint, trusted, origin=cp.origin)
            merkle.verify_consistency(old.size, cp.size, old.root, cp.root,
                                      [_b64(h, step) for h in consistency_proof or []])
        except (checkpoint.CheckpointError, merkle.ProofError) as exc:
            raise VerificationFailed(step, str(exc)) from exc
        done.steps.append(step)
    return done
