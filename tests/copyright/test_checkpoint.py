"""Checkpoints as C2SP signed notes, read strictly: the size is ASCII decimal without leading
zeros, signatures follow the last blank line, and a bad signature by a trusted key is refused even
when another trusted signature verifies."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from copyright.checkpoint import EM_DASH, Checkpoint, CheckpointError, parse, sign, verify
from copyright.keys import key_id, raw_public

ORIGIN = "ipcommons.example/log"
ROOT = bytes(range(32))


def trusted_keys(*named: tuple[str, Ed25519PrivateKey]) -> dict[tuple[str, bytes], bytes]:
    return {(name, key_id(name, raw_public(key.public_key()))): raw_public(key.public_key()) for name, key in named}


def test_a_signed_checkpoint_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    note = sign(Checkpoint(ORIGIN, 7, ROOT), "platform", key)
    assert verify(note, trusted_keys(("platform", key)), origin=ORIGIN) == Checkpoint(ORIGIN, 7, ROOT)


@pytest.mark.parametrize("size", ["007", "٢", "7 ", "+7", "-1", "", "0x7", "1" * 21])
def test_tree_size_is_plain_ascii_decimal(size: str) -> None:
    key = Ed25519PrivateKey.generate()
    note = sign(Checkpoint(ORIGIN, 7, ROOT), "platform", key).replace("\n7\n", f"\n{size}\n", 1)
    with pytest.raises(CheckpointError, match="tree size|origin, tree size"):
        parse(note)


def test_signatures_follow_the_last_blank_line() -> None:
    """A note whose text holds a blank line: the first blank line is not the signature block."""
    key = Ed25519PrivateKey.generate()
    body = f"{ORIGIN}\n7\n{base64.b64encode(ROOT).decode()}\nextension\n\nmore text\n"
    kid = key_id("platform", raw_public(key.public_key()))
    note = f"{body}\n{EM_DASH} platform {base64.b64encode(kid + key.sign(body.encode())).decode()}\n"
    checkpoint, signatures, signed = parse(note)
    assert signed == body and checkpoint.size == 7 and [s[0] for s in signatures] == ["platform"]
    assert verify(note, trusted_keys(("platform", key))).root == ROOT


def test_a_bad_signature_by_a_trusted_key_is_refused_even_next_to_a_good_one() -> None:
    platform, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    checkpoint = Checkpoint(ORIGIN, 7, ROOT)
    good = sign(checkpoint, "platform", platform)
    forged = sign(Checkpoint(ORIGIN, 8, ROOT), "witness", witness).splitlines()[-1]  # signs another body
    note = good + forged + "\n"
    with pytest.raises(CheckpointError, match="'witness' does not verify"):
        verify(note, trusted_keys(("platform", platform), ("witness", witness)))
    # an unknown key's signature is ignored, as C2SP verifiers do
    assert verify(note, trusted_keys(("platform", platform))) == checkpoint


def test_a_note_without_its_final_newline_or_signature_block_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    note = sign(Checkpoint(ORIGIN, 7, ROOT), "platform", key)
    for broken in (note.rstrip("\n"), note.split("\n\n")[0] + "\n"):
        with pytest.raises(CheckpointError):
            parse(broken)
