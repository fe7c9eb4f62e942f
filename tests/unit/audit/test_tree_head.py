"""Signed tree heads: RFC 6962 serialisation, Ed25519 signatures (RFC 8032 vector), tampering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from lendline.adapters.keys.ed25519 import Ed25519HeadSigner, verify_ed25519
from lendline.audit.merkle import empty_root, leaf_hash
from lendline.audit.tree_head import TreeHead, sign_head

AT = datetime(2026, 11, 29, 2, 30, 0, 123000, tzinfo=UTC)

# RFC 8032 §7.1, TEST 1 (empty message).
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def test_the_signer_reproduces_the_rfc_8032_test_vector() -> None:
    signer = Ed25519HeadSigner(RFC8032_SEED)
    assert signer.public_key == RFC8032_PUBLIC
    assert signer.sign(b"") == RFC8032_SIGNATURE
    assert verify_ed25519(RFC8032_PUBLIC, b"", RFC8032_SIGNATURE)


def test_a_head_is_serialised_as_rfc_6962_tree_head_signature() -> None:
    head = TreeHead(size=7, root=empty_root(), timestamp=AT)
    data = head.signed_bytes()
    assert data[:2] == b"\x00\x01"  # version v1, signature type tree_hash
    assert int.from_bytes(data[2:10], "big") == head.timestamp_ms == 1_795_919_400_123
    assert int.from_bytes(data[10:18], "big") == 7
    assert data[18:] == empty_root() and len(data) == 50


def test_a_signed_head_verifies_and_any_change_to_it_does_not() -> None:
    signer = Ed25519HeadSigner.generate()
    head = TreeHead(size=8, root=leaf_hash(b"x"), timestamp=AT)
    signed = sign_head(head, signer)
    assert signed.key_id == signer.key_id and len(signed.signature) == 64
    assert signed.verify(signer.public_key, verify_ed25519)
    for changed in (
        replace(signed, head=replace(head, size=9)),
        replace(signed, head=replace(head, root=leaf_hash(b"y"))),
        replace(signed, head=replace(head, timestamp=AT.replace(microsecond=124000))),
        replace(signed, signature=bytes([signed.signature[0] ^ 1]) + signed.signature[1:]),
    ):
        assert not changed.verify(signer.public_key, verify_ed25519)
    other = Ed25519HeadSigner.generate()
    assert not signed.verify(other.public_key, verify_ed25519)
    assert not verify_ed25519(b"short", b"", signed.signature)


@pytest.mark.parametrize(
    "bad",
    [
        {"size": -1},
        {"root": b"\x00" * 31},
        {"timestamp": datetime(2026, 11, 29)},
    ],
)
def test_malformed_heads_are_refused(bad: dict[str, object]) -> None:
    values: dict[str, object] = {"size": 1, "root": empty_root(), "timestamp": AT}
    with pytest.raises(ValueError):
        TreeHead(**{**values, **bad})  # type: ignore[arg-type]


def test_seeds_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Ed25519HeadSigner(b"\x00" * 31)
