"""Merkle tree hashing and proofs of RFC 6962 / RFC 9162 §2.1 (Certificate Transparency).

The audit log becomes a verifiable transparency log on top of these functions: a leaf is the
hash of one log entry, the tree head commits to every entry so far, an *inclusion proof*
shows one entry is in a tree of a given size, and a *consistency proof* shows a bigger tree
extends a smaller one without rewriting it.

Hashing (RFC 9162 §2.1.1), with SHA-256:

* the empty tree: ``SHA-256()``;
* a leaf: ``SHA-256(0x00 || entry)``;
* an inner node: ``SHA-256(0x01 || left || right)``, where a tree of ``n`` leaves splits at
  ``k``, the largest power of two smaller than ``n``.

Proof generation follows the RFC's recursive ``PATH`` and ``PROOF``/``SUBPROOF`` definitions;
verification follows its iterative algorithms (§2.1.3.2 and §2.1.4.2), so a verifier needs only
the proof, the sizes and the hashes. This module is the product's own code and imports nothing
but the standard library, so the standalone evidence verifier can use the same algorithms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Final

LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"
HASH_SIZE: Final = 32

#: Looks up a *perfect* subtree by ``(level, index)``: the root of the ``2**level`` leaves
#: starting at leaf ``index << level``. A stored log keeps exactly these nodes (each is written
#: once, when its last leaf arrives, and never changes), so proofs for a tree of any size
#: need only O(log n) of them instead of every leaf.
SubtreeLookup = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one log entry as a leaf."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node from its two children."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def empty_root() -> bytes:
    """The root hash of the tree with no leaves."""
    return hashlib.sha256(b"").digest()


def _split(size: int) -> int:
    """The largest power of two strictly smaller than ``size`` (``size`` > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of a list of leaf hashes."""
    if not leaves:
        return empty_root()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 9162 §2.1.3.1).

    Raises:
        IndexError: if ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root(leaves[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are a prefix of ``leaves`` (§2.1.4.1).

    Raises:
        ValueError: if ``old_size`` is not between 0 and the tree's size.
    """
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"no tree of {old_size} inside a tree of {len(leaves)}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, complete=True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root(leaves[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or ``None`` if the proof is malformed (§2.1.3.2)."""
    if not 0 <= index < size or len(leaf) != HASH_SIZE:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0 or len(sibling) != HASH_SIZE:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` with hash ``leaf`` in the tree ``expected_root``."""
    return root_from_inclusion(index, size, leaf, proof) == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``new_root`` extends the tree ``old_root`` (§2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof or any(len(node) != HASH_SIZE for node in proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and first == old_root and second == new_root


def range_root(start: int, end: int, lookup: SubtreeLookup) -> bytes:
    """MTH(D[start:end]) from perfect subtrees, for the ranges the RFC's recursion produces.

    ``start`` must be a multiple of the largest power of two not above ``end - start`` (true of
    every range reached by splitting a tree at ``_split``), so the range decomposes into
    aligned perfect subtrees.
    """
    size = end - start
    if size <= 0:
        return empty_root()
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return lookup(level, start >> level)
    k = _split(size)
    return node_hash(range_root(start, start + k, lookup), range_root(start + k, end, lookup))


def inclusion_path(index: int, size: int, lookup: SubtreeLookup) -> list[bytes]:
    """``inclusion_proof`` for a tree of ``size`` leaves, read from perfect subtrees.

    Raises:
        IndexError: if ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < size:
        raise IndexError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk down from the root, collecting the sibling of each subtree on the way; the proof
    # lists them from the leaf upwards, hence the reversal.
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_root(start + k, end, lookup))
            end = start + k
        else:
            path.append(range_root(start, start + k, lookup))
            start += k
    path.reverse()
    return path


def consistency_path(old_size: int, size: int, lookup: SubtreeLookup) -> list[bytes]:
    """``consistency_proof`` between trees of ``old_size`` and ``size``, from perfect subtrees.

    Raises:
        ValueError: if ``old_size`` is not between 0 and ``size``.
    """
    if not 0 <= old_size <= size:
        raise ValueError(f"no tree of {old_size} inside a tree of {size}")
    if old_size in (0, size):
        return []
    path: list[bytes] = []
    start, end, m, complete = 0, size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(range_root(start + k, end, lookup))
            end = start + k
        else:
            path.append(range_root(start, start + k, lookup))
            start, m, complete = start + k, m - k, False
    if not complete:
        path.append(range_root(start, end, lookup))
    path.reverse()
    return path


def subtrees_needed(walk: Callable[[SubtreeLookup], object]) -> set[tuple[int, int]]:
    """The ``(level, index)`` keys ``walk`` looks up, so a store can fetch them in one query.

    ``walk`` is run once against a lookup that records keys and answers a placeholder hash.
    """
    keys: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        keys.add((level, index))
        return bytes(HASH_SIZE)

    walk(record)
    return keys


def perfect_subtrees(leaves: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
    """Every perfect subtree of the tree over ``leaves``, as a store keeps them."""
    nodes: dict[tuple[int, int], bytes] = {(0, i): leaf for i, leaf in enumerate(leaves)}
    level, width = 0, len(leaves)
    while width > 1:
        for i in range(width // 2):
            nodes[(level + 1, i)] = node_hash(nodes[(level, 2 * i)], nodes[(level, 2 * i + 1)])
        level, width = level + 1, width // 2
    return nodes
