"""Checkpoints in the C2SP tlog-checkpoint format, signed as C2SP signed notes.

Body::

    <origin>
    <tree size>
    <base64 root hash>

followed by a blank line and one line per signature: ``— <key name> <base64(key id || sig)>``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from copyright.keys import key_id, raw_public, verify_signature
from core.errors import InvalidInput

EM_DASH = "\u2014"


class CheckpointError(InvalidInput):
    """A checkpoint that does not parse or does not carry a valid signature."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def sign(checkpoint: Checkpoint, name: str, key: Ed25519PrivateKey) -> str:
    body = checkpoint.body()
    kid = key_id(name, raw_public(key.public_key()))
    sig = key.sign(body.encode())
    return f"{body}\n{EM_DASH} {name} {base64.b64encode(kid + sig).decode()}\n"


# C2SP tlog-checkpoint: the size is ASCII decimal without leading zeros (not "007", not "٢").
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


def parse(note: str) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]], str]:
    """(checkpoint, [(key name, key id, signature)], signed body text).

    A signed note's signatures follow its *last* blank line (C2SP signed-note), so the text may
    itself hold blank lines; a checkpoint's text is origin, size, root hash, then extension lines."""
    body, sep, sigs = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise CheckpointError("not a signed note: no blank line before the signatures, or no final newline")
    body += "\n"
    lines = body.split("\n")
    if len(lines) < 4 or not lines[0]:
        raise CheckpointError("a checkpoint needs origin, tree size and root hash lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(f"tree size is not a decimal number without leading zeros: {size_text!r}")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as exc:  # binascii.Error, and non-ASCII text
        raise CheckpointError("root hash is not base64") from exc
    if len(root) != 32:
        raise CheckpointError("root hash is not 32 bytes")
    signatures = []
    for line in sigs.splitlines():
        if not line.strip():
            continue
        if not line.startswith(EM_DASH + " "):
            raise CheckpointError(f"not a signature line: {line[:40]!r}")
        parts = line[2:].split(" ")
        if len(parts) != 2:
            raise CheckpointError("a signature line is '— <name> <base64>'")
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except ValueError as exc:
            raise CheckpointError("signature is not base64") from exc
        if len(blob) not in (68, 76):  # key ID + signature; a cosignature adds an 8-byte timestamp
            raise CheckpointError("an Ed25519 signature line carries 4 + 64 bytes (4 + 8 + 64 for a cosignature)")
        signatures.append((parts[0], blob[:4], blob[4:]))
    if not signatures:
        raise CheckpointError("the checkpoint is not signed")
    return Checkpoint(origin, int(size_text), root), signatures, body


def verify(note: str, trusted: dict[tuple[str, bytes], bytes], origin: str | None = None) -> Checkpoint:
    """The checkpoint, if one of its signatures is by a trusted key ((name, key id) -> public key)."""
    checkpoint, signatures, body = parse(note)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    known = [(n, k, s) for n, k, s in signatures if (n, k) in trusted]
    if not known:
        raise CheckpointError("no signature by a key in the published key set")
    for name, kid, sig in known:  # a bad signature by a trusted key is an attack, not noise
        if not verify_signature(trusted[(name, kid)], sig, body.encode()):
            raise CheckpointError(f"the checkpoint signature by {name!r} does not verify")
    return checkpoint
