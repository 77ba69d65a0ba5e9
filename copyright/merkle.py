"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.

Proofs are produced by the recursive definitions of RFC 9162 §2.1.3.1 and §2.1.4.1 and checked
by the iterative verification algorithms of §2.1.3.2 and §2.1.4.2, so each side checks the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from core.errors import InvalidInput

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(InvalidInput):
    """A proof that does not verify; the message says which check failed."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (already hashed with ``leaf_hash``)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    level = list(leaves)
    # Bottom-up: pair neighbours; an odd last node is carried up unchanged. This equals the
    # RFC's split at the largest power of two for every n.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return inclusion_proof(index, leaves[:k]) + [root(leaves[k:])]
    return inclusion_proof(index - k, leaves[k:]) + [root(leaves[:k])]


def consistency_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 for 0 < m <= n."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], complete) + [root(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [root(leaves[:k])]


def _sides(fn: int, sn: int, length: int, what: str) -> list[bool]:
    """For each hash of a proof path, whether it is a left sibling, walking up from node ``fn``
    of a level whose last node is ``sn`` (the shared loop of RFC 9162 §2.1.3.2 and §2.1.4.2).
    Raises ProofError when the path's length does not fit the tree."""
    sides = []
    for _ in range(length):
        if sn == 0:
            raise ProofError(f"{what} is longer than the tree sizes allow")
        left = bool(fn & 1) or fn == sn
        if left and not fn & 1:
            while fn & 1 == 0 and fn != 0:
                fn >>= 1
                sn >>= 1
        sides.append(left)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"{what} is shorter than the tree sizes require")
    return sides


HASH_SIZE = 32  # SHA-256


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    """Every hash of a proof, leaf or root is 32 bytes (RFC 9162 verifiers refuse anything else)."""
    for position, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ProofError(f"{what} {position} is {len(h)} bytes, not a {HASH_SIZE}-byte SHA-256 hash")


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    """RFC 9162 §2.1.3.2; raises ProofError unless ``leaf`` is at ``index`` under ``expected_root``."""
    _check_hashes("leaf and root hash", [leaf, expected_root])
    _check_hashes("proof hash", proof)
    if not 0 <= index < tree_size:
        raise ProofError(f"index {index} is outside a tree of size {tree_size}")
    r = leaf
    for p, left in zip(proof, _sides(index, tree_size - 1, len(proof), "inclusion proof"), strict=True):
        r = node_hash(p, r) if left else node_hash(r, p)
    if r != expected_root:
        raise ProofError("inclusion proof does not lead to the checkpoint's root hash")


def verify_consistency(first_size: int, second_size: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2; raises ProofError unless the second tree extends the first."""
    _check_hashes("root hash", [first_root, second_root])
    _check_hashes("proof hash", proof)
    if first_size < 0:
        raise ProofError("a tree size cannot be negative")
    if first_size > second_size:
        raise ProofError("the older checkpoint is larger than the newer one")
    if first_size == second_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("two checkpoints of the same size have different roots")
        return
    if first_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    path = list(proof)
    if first_size & (first_size - 1) == 0:  # a power of two: the old root starts the path
        path.insert(0, first_root)
    if not path:
        raise ProofError("consistency proof is empty")
    fn, sn = first_size - 1, second_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c, left in zip(path[1:], _sides(fn, sn, len(path) - 1, "consistency proof"), strict=True):
        if left:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
    if fr != first_root:
        raise ProofError("consistency proof does not reproduce the older root")
    if sr != second_root:
        raise ProofError("consistency proof does not reproduce the newer root")
