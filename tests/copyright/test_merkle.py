"""RFC 6962/9162 Merkle proofs: every proof verifies, every mutated proof fails; the root matches
an independent reference computation written straight from the RFC's definition."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copyright.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def reference_mth(entries: list[bytes]) -> bytes:
    """RFC 6962 §2.1, word for word: MTH({}) = SHA-256(), MTH({d0}) = SHA-256(0x00 || d0),
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) with k the largest power of 2 < n."""
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(entries[:k]) + reference_mth(entries[k:])).digest()


def entries_of(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


def test_known_values() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


@given(st.integers(0, 300))
def test_root_matches_reference(n: int) -> None:
    entries = entries_of(n)
    assert root([leaf_hash(e) for e in entries]) == reference_mth(entries)


def _flip(proof: list[bytes], which: int, byte: int) -> list[bytes]:
    out = list(proof)
    item = bytearray(out[which])
    item[byte % 32] ^= 0x01
    out[which] = bytes(item)
    return out


@given(st.integers(1, 130).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))), st.integers(0, 31))
@settings(max_examples=300, deadline=None)
def test_inclusion_proofs_verify_and_mutations_fail(case: tuple[int, int], byte: int) -> None:
    n, i = case
    leaves = [leaf_hash(e) for e in entries_of(n)]
    r = root(leaves)
    proof = inclusion_proof(i, leaves)
    verify_inclusion(leaves[i], i, n, proof, r)
    if proof:
        with pytest.raises(ProofError):
            verify_inclusion(leaves[i], i, n, _flip(proof, byte % len(proof), byte), r)
        with pytest.raises(ProofError):
            verify_inclusion(leaves[i], i, n, proof[:-1], r)
    with pytest.raises(ProofError):
        verify_inclusion(leaf_hash(b"forged"), i, n, proof, r)
    if n > 1:
        with pytest.raises(ProofError):
            verify_inclusion(leaves[i], (i + 1) % n, n, proof, r)


@given(st.integers(1, 130).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), st.integers(0, 31))
@settings(max_examples=300, deadline=None)
def test_consistency_proofs_verify_and_mutations_fail(case: tuple[int, int], byte: int) -> None:
    m, n = case
    leaves = [leaf_hash(e) for e in entries_of(n)]
    old, new = root(leaves[:m]), root(leaves)
    proof = consistency_proof(m, leaves)
    verify_consistency(m, n, old, new, proof)
    if proof:
        with pytest.raises(ProofError):
            verify_consistency(m, n, old, new, _flip(proof, byte % len(proof), byte))
    if m < n:
        with pytest.raises(ProofError):
            verify_consistency(m, n, root(leaves[: m - 1]) if m > 1 else leaf_hash(b"x"), new, proof)
        forked = [leaf_hash(b"fork")] + leaves[1:]
        with pytest.raises(ProofError):
            verify_consistency(m, n, old, root(forked), proof)


def test_bad_arguments() -> None:
    leaves = [leaf_hash(e) for e in entries_of(5)]
    with pytest.raises(ValueError):
        inclusion_proof(5, leaves)
    with pytest.raises(ValueError):
        consistency_proof(0, leaves)
    with pytest.raises(ProofError):
        verify_consistency(6, 5, root(leaves), root(leaves), [])
    with pytest.raises(ProofError, match="same size"):
        verify_consistency(5, 5, root(leaves), root(leaves[:4]), [])


def test_strict_about_hash_sizes_and_tree_sizes() -> None:
    """What RFC 9162 verifiers refuse: hashes that are not 32 bytes, proofs of the wrong length, an
    index outside the tree, consistency from size 0 or between equal sizes with a non-empty proof."""
    leaves = [leaf_hash(e) for e in entries_of(7)]
    proof = inclusion_proof(3, leaves)
    tree = root(leaves)
    verify_inclusion(leaves[3], 3, 7, proof, tree)
    for bad in (proof[:-1], [*proof, proof[0]]):
        with pytest.raises(ProofError, match="longer|shorter"):
            verify_inclusion(leaves[3], 3, 7, bad, tree)
    with pytest.raises(ProofError, match="not a 32-byte"):
        verify_inclusion(leaves[3], 3, 7, [proof[0] + b"\0", *proof[1:]], tree)
    with pytest.raises(ProofError, match="not a 32-byte"):
        verify_inclusion(leaves[3][:31], 3, 7, proof, tree)
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(leaves[3], 7, 7, proof, tree)
    with pytest.raises(ProofError, match="outside"):
        verify_inclusion(leaves[3], -1, 7, proof, tree)
    with pytest.raises(ProofError, match="empty tree must be empty"):
        verify_consistency(0, 7, hashlib.sha256(b"").digest(), tree, [leaves[0]])
    with pytest.raises(ProofError, match="equal sizes must be empty"):
        verify_consistency(7, 7, tree, tree, [leaves[0]])
    with pytest.raises(ProofError, match="not a 32-byte"):
        verify_consistency(3, 7, root(leaves[:3]), tree, [b"\0" * 16])
