"""RFC 6962 / RFC 9162 Merkle hashing and proofs against the published test vectors.

The vectors are those of the Certificate Transparency reference implementations, as published
in github.com/transparency-dev/merkle (``testonly/constants.go`` for the leaves, node and root
hashes; ``proof/verify_test.go`` for the inclusion and consistency proofs), originally from
Google's certificate-transparency C++ log. Leaf indexes there are 1-based in the proof tables;
here they are converted to the 0-based indexes of RFC 9162.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.audit.merkle import (
    consistency_proof,
    empty_root,
    inclusion_proof,
    leaf_hash,
    root,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
LEAVES = [leaf_hash(data) for data in LEAF_INPUTS]

LEAF_HASHES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]

#: Root hashes by tree size, 0 to 8.
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

#: (0-based leaf index, tree size, audit path).
INCLUSION = [
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
#: (old size, new size, proof).
CONSISTENCY = [
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]


def test_leaf_hashes_match_the_vectors() -> None:
    assert [h.hex() for h in LEAVES] == LEAF_HASHES


@pytest.mark.parametrize("size", range(9))
def test_root_of_every_tree_size_matches_the_vectors(size: int) -> None:
    assert root(LEAVES[:size]).hex() == ROOTS[size]
    assert empty_root().hex() == ROOTS[0]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_vectors_and_verify(
    index: int, size: int, path: list[str]
) -> None:
    proof = inclusion_proof(index, LEAVES[:size])
    assert [node.hex()[:8] for node in proof] == path
    tree_root = bytes.fromhex(ROOTS[size])
    assert verify_inclusion(index, size, LEAVES[index], proof, tree_root)


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_vectors_and_verify(
    old: int, new: int, path: list[str]
) -> None:
    proof = consistency_proof(old, LEAVES[:new])
    assert [node.hex()[:8] for node in proof] == path
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


def _inclusion_corruptions(index: int, size: int, proof: list[bytes], tree_root: bytes):  # type: ignore[no-untyped-def]
    some = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    yield "index - 1", (index - 1, size, LEAVES[index], proof, tree_root)
    yield "index + 1", (index + 1, size, LEAVES[index], proof, tree_root)
    yield "index ^ 2", (index ^ 2, size, LEAVES[index], proof, tree_root)
    yield "size * 2", (index, size * 2, LEAVES[index], proof, tree_root)
    yield "size / 2", (index, size // 2, LEAVES[index], proof, tree_root)
    yield "wrong leaf", (index, size, some, proof, tree_root)
    yield "empty root", (index, size, LEAVES[index], proof, empty_root())
    yield "trailing node", (index, size, LEAVES[index], [*proof, tree_root], tree_root)
    yield "preceding node", (index, size, LEAVES[index], [tree_root, *proof], tree_root)
    yield "removed node", (index, size, LEAVES[index], proof[:-1], tree_root)
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        yield f"bit flipped in node {i}", (index, size, LEAVES[index], flipped, tree_root)


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_every_corruption_of_an_inclusion_proof_fails(
    index: int, size: int, path: list[str]
) -> None:
    proof = inclusion_proof(index, LEAVES[:size])
    tree_root = bytes.fromhex(ROOTS[size])
    for name, probe in _inclusion_corruptions(index, size, proof, tree_root):
        assert not verify_inclusion(*probe), name


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_every_corruption_of_a_consistency_proof_fails(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(old, LEAVES[:new])
    r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
    probes = {
        "old - 1": (old - 1, new, r1, r2, proof),
        "old + 1": (old + 1, new, r1, r2, proof),
        "new * 2": (old, new * 2, r1, r2, proof),
        "new / 2": (old, new // 2, r1, r2, proof),
        "swapped roots": (old, new, r2, r1, proof),
        "empty proof": (old, new, r1, r2, []),
        "trailing root": (old, new, r1, r2, [*proof, r2]),
        "preceding root": (old, new, r1, r2, [r1, *proof]),
        "truncated": (old, new, r1, r2, proof[:-1]),
    }
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes[f"bit flipped in node {i}"] = (old, new, r1, r2, flipped)
    for name, probe in probes.items():
        assert not verify_consistency(*probe), name


def test_edge_sizes_follow_rfc_9162() -> None:
    r1 = bytes.fromhex(ROOTS[1])
    assert verify_consistency(0, 5, empty_root(), bytes.fromhex(ROOTS[5]), [])
    assert verify_consistency(3, 3, bytes.fromhex(ROOTS[3]), bytes.fromhex(ROOTS[3]), [])
    assert not verify_consistency(3, 3, bytes.fromhex(ROOTS[3]), r1, [])
    assert not verify_consistency(2, 1, r1, r1, [])
    assert root_from_inclusion(0, 0, LEAVES[0], []) is None
    assert verify_inclusion(0, 1, LEAVES[0], [], r1)
    with pytest.raises(IndexError):
        inclusion_proof(8, LEAVES)
    with pytest.raises(ValueError):
        consistency_proof(9, LEAVES)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_generated_proofs_verify_for_any_tree(size: int, seed: int) -> None:
    rng = random.Random(seed)
    leaves = [leaf_hash(rng.randbytes(rng.randint(0, 40))) for _ in range(size)]
    tree_root = root(leaves)
    index = rng.randrange(size)
    assert verify_inclusion(index, size, leaves[index], inclusion_proof(index, leaves), tree_root)
    old = rng.randint(0, size)
    proof = consistency_proof(old, leaves)
    assert verify_consistency(old, size, root(leaves[:old]), tree_root, proof)
    if 0 < old < size:
        # A rewritten old entry breaks the consistency with what was published before.
        rewritten = [*leaves]
        rewritten[rng.randrange(old)] = leaf_hash(b"rewritten")
        assert not verify_consistency(old, size, root(leaves[:old]), root(rewritten), proof)
