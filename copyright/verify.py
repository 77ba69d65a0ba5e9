"""Offline certificate verification with only the published key set (and, optionally, the file).

The checks are the numbered steps of ``STEPS``, run in order; each fills in what the later ones
read. The first step that fails raises ``VerificationFailed(step, reason)`` naming it; a step that
does not apply (no file given, no registrant signature, no older checkpoint, no witness policy) is
skipped.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copyright import checkpoint, merkle
from copyright.canonical import canonical
from copyright.checkpoint import Checkpoint
from copyright.keys import KeySet, PublishedKey, trusted_keys, verify_signature
from copyright.witness import WitnessPolicy, verify_quorum
from core.errors import InvalidInput, IPCommonsError

CERTIFICATE_FORMAT = "ipcommons-certificate/1"  # what this verifier reads (registry.certificate writes it)


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
    witnesses: list[str] = field(default_factory=list)  # the known witnesses whose cosignatures verified


@dataclass
class Evidence:
    """What the verifier brings besides the certificate: the file or its SHA-256, an older
    checkpoint with a consistency proof from it, and the witnesses it trusts."""

    file: Path | None = None
    sha256: str | None = None
    older_checkpoint: str | None = None
    consistency_proof: list[str] | None = None
    witnesses: WitnessPolicy | None = None


class _Refused(InvalidInput):
    """A step's check did not pass; the loop turns it into VerificationFailed naming the step."""


@dataclass
class _Check:
    """The certificate under check and what the steps have learned from it so far."""

    cert: dict[str, Any]
    keys: KeySet
    evidence: Evidence
    statement: dict[str, Any] = field(default_factory=dict)
    signature: dict[str, Any] = field(default_factory=dict)
    number: str = ""
    sha256: str = ""
    index: int = 0
    tree_size: int = 0
    inclusion_proof: list[str] = field(default_factory=list)
    note: str = ""
    data: bytes = b""  # the canonical statement: what the platform signed and logged
    trusted: dict[tuple[str, bytes], bytes] = field(default_factory=dict)  # (name, key id) -> public key
    verified_checkpoint: Checkpoint | None = None  # set by step 5
    cosigners: list[str] = field(default_factory=list)  # set by step 8

    def signed_checkpoint(self) -> Checkpoint:
        if self.verified_checkpoint is None:
            raise _Refused("no verified checkpoint")
        return self.verified_checkpoint


def _b64(value: Any) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError; so is non-ASCII text
        raise _Refused("not base64") from exc


MAX_SAFE_INTEGER = 2**53 - 1  # what JavaScript's numbers hold exactly: verify.js's limit too


def _is_integer(value: Any) -> bool:
    """A JSON integer as verify.js reads one (``Number.isSafeInteger``): not a string, not a fraction,
    within ±(2^53 − 1); ``5.0`` is one (``JSON.parse`` makes it 5), ``2**53`` is not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value).is_integer() and abs(value) <= MAX_SAFE_INTEGER


def _text(value: Any) -> str:
    """A field read as text, as verify.js reads it: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _missing(field_name: str) -> _Refused:
    return _Refused(f"missing or malformed field ({field_name})")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def step_1_certificate_format(c: _Check) -> bool:
    """A certificate of this format, with every field the later steps read, of the right type."""
    if (found := c.cert.get("format")) != CERTIFICATE_FORMAT:
        raise _Refused(f"the certificate's format is {json.dumps(found)}, not {json.dumps(CERTIFICATE_FORMAT)}")
    cert = c.cert
    signatures = cert.get("signatures")
    statement, entry = cert.get("statement"), cert.get("log")
    # The fields in the order verify.js checks them, named as it names them.
    if not isinstance(statement, dict):
        raise _missing("statement")
    if not isinstance(signatures, list) or not signatures or not isinstance(signatures[0], dict):
        raise _missing("signatures")
    if not isinstance(entry, dict):
        raise _missing("log")
    if "number" not in statement:
        raise _missing("statement.number")
    if not isinstance(content := statement.get("content"), dict) or "sha256" not in content:
        raise _missing("statement.content.sha256")
    for name in ("index", "tree_size"):
        if not _is_integer(entry.get(name)):
            raise _missing(f"log.{name} is not an integer")
    if not isinstance(proof := entry.get("inclusion_proof"), list):
        raise _missing("log.inclusion_proof is not a list")
    if "checkpoint" not in entry:
        raise _missing("log.checkpoint")
    c.statement, c.signature = statement, signatures[0]
    c.number, c.sha256 = _text(statement["number"]), _text(content["sha256"])
    c.index, c.tree_size, c.inclusion_proof = int(entry["index"]), int(entry["tree_size"]), proof
    c.note = _text(entry["checkpoint"])
    return True


def step_2_file_hash(c: _Check) -> bool:
    """The file (or the SHA-256 the caller computed) is the registered content."""
    given = c.evidence
    hashes = [h for h in (given.sha256, _file_sha256(given.file) if given.file else None) if h is not None]
    for actual in hashes:
        if actual != c.sha256:
            raise _Refused(f"the file's SHA-256 {actual} is not the registered {c.sha256}")
    return bool(hashes)


def step_3_statement_signature(c: _Check) -> bool:
    """The platform signed this statement with a key of the published key set: the set of this
    statement's log, and a key not yet retired at the statement's time."""
    if c.keys.origin != (origin := c.statement.get("origin")):
        raise _Refused(f"the key set is for log {json.dumps(c.keys.origin)}, the certificate's is {json.dumps(origin)}")
    try:
        c.trusted = trusted_keys(c.keys)
    except ValueError as exc:
        raise _Refused(str(exc)) from exc
    by_id = {kid.hex(): public for (_, kid), public in c.trusted.items()}
    public = by_id.get(str(c.signature.get("key_id")))
    if public is None:
        raise _Refused(f"key {c.signature.get('key_id')} is not in the published key set")
    # trusted_keys checked every listed id is its key's own: the signer is listed under its id
    _check_key_in_service(c, next(k for k in c.keys.keys if k.key_id.lower() == c.signature["key_id"]))
    c.data = canonical(c.statement)
    if not verify_signature(public, _b64(c.signature.get("signature", "")), c.data):
        raise _Refused("the platform signature does not match the statement")
    return True


def _check_key_in_service(c: _Check, key: PublishedKey) -> None:
    """A retired key signs nothing after its retirement: a statement dated later is refused."""
    if key.retired_at is None or not isinstance(when := c.statement.get("time"), str):
        return
    try:
        signed = datetime.fromisoformat(when)
    except ValueError as exc:
        raise _Refused(f"the statement's time {json.dumps(when)} is not a time") from exc
    retired = key.retired_at
    if _utc(signed) > _utc(retired):
        raise _Refused(f"key {key.key_id} was retired at {retired.isoformat()}, before the statement's time {when}")


def _utc(moment: datetime) -> datetime:
    """A time without a zone is UTC, as the registry writes every time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def step_4_registrant_signature(c: _Check) -> bool:
    """The registrant's own key signed the claim (only for registrations that carry one)."""
    if "registrant" not in c.statement:
        return False
    registrant = c.statement["registrant"]
    if not isinstance(registrant, dict):
        raise _Refused("the registrant field is not an object")
    claim = {"work": c.statement.get("work"), "content": c.statement.get("content")}
    if not verify_signature(_b64(registrant.get("public_key")), _b64(registrant.get("signature")),
                            canonical(claim)):
        raise _Refused("the registrant's signature does not match the claim")
    return True


def step_5_checkpoint_signature(c: _Check) -> bool:
    """A trusted key signed the checkpoint of this log, for the tree size the proof is for."""
    cp = c.verified_checkpoint = checkpoint.verify(c.note, c.trusted, origin=c.statement.get("origin"))
    if cp.size != c.tree_size:
        raise _Refused(f"the checkpoint is for size {cp.size}, the proof for size {c.tree_size}")
    return True


def step_6_inclusion_proof(c: _Check) -> bool:
    """The statement is the log entry at its index under the checkpoint's root hash."""
    proof = [_b64(h) for h in c.inclusion_proof]
    merkle.verify_inclusion(merkle.leaf_hash(c.data), c.index, c.tree_size, proof, c.signed_checkpoint().root)
    return True


def step_7_consistency_with_older_checkpoint(c: _Check) -> bool:
    """The log only grew since an older checkpoint the verifier kept (only when one is given)."""
    given = c.evidence
    if given.older_checkpoint is None:
        return False
    new = c.signed_checkpoint()
    old = checkpoint.verify(given.older_checkpoint, c.trusted, origin=new.origin)
    merkle.verify_consistency(old.size, new.size, old.root, new.root,
                              [_b64(h) for h in given.consistency_proof or []])
    return True


def step_8_witness_cosignatures(c: _Check) -> bool:
    """A quorum of the witnesses the verifier trusts cosigned the checkpoint, so the log showed
    them the same history (only when a witness policy is given)."""
    if c.evidence.witnesses is None:
        return False
    c.cosigners = verify_quorum(c.note, c.evidence.witnesses)
    return True


STEPS: tuple[tuple[str, Callable[[_Check], bool]], ...] = (
    ("certificate format", step_1_certificate_format),
    ("file hash", step_2_file_hash),
    ("statement signature", step_3_statement_signature),
    ("registrant signature", step_4_registrant_signature),
    ("checkpoint signature", step_5_checkpoint_signature),
    ("inclusion proof", step_6_inclusion_proof),
    ("consistency with older checkpoint", step_7_consistency_with_older_checkpoint),
    ("witness cosignatures", step_8_witness_cosignatures),
)


def verify_certificate(cert: dict[str, Any], keys: KeySet, file: Path | None = None,
                       older_checkpoint: str | None = None, consistency_proof: list[str] | None = None, *,
                       sha256: str | None = None, witnesses: WitnessPolicy | None = None) -> Verified:
    """Run ``STEPS`` in order; the result lists the steps that ran and passed."""
    check = _Check(cert, keys, Evidence(file, sha256, older_checkpoint, consistency_proof, witnesses))
    passed = []
    for name, step in STEPS:
        try:
            ran = step(check)
        except InvalidInput as exc:  # _Refused, and CheckpointError, ProofError, QuorumNotMet from the steps
            raise VerificationFailed(name, str(exc)) from exc
        if ran:
            passed.append(name)
    return Verified(number=check.number, sha256=check.sha256, tree_size=check.tree_size, steps=passed,
                    witnesses=check.cosigners)
