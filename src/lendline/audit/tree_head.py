"""Signed tree heads: the log's public commitment to everything recorded so far.

A tree head names the log's size, its Merkle root (``merkle.py``) and when it was taken. It is
serialised as RFC 6962 §3.5 ``TreeHeadSignature`` (version v1, signature type tree_hash, a
64-bit millisecond timestamp, the 64-bit tree size and the 32-byte SHA-256 root), and that byte
string is what is signed. The signing key sits behind the ``HeadSigner`` port (a key file, a
KMS/HSM in production); verification takes a ``SignatureCheck`` so that this module stays free
of any crypto library.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from lendline.audit.merkle import HASH_SIZE

#: RFC 6962 §3.5: Version v1 = 0, SignatureType tree_hash = 1.
_V1: Final = 0
_TREE_HASH: Final = 1

#: (public key, message, signature) -> whether the signature is valid.
SignatureCheck = Callable[[bytes, bytes, bytes], bool]


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The log at one moment.

    Parameters:
        size: how many entries the tree holds.
        root: its Merkle root hash.
        timestamp: when the head was taken (UTC, millisecond precision is kept).
    """

    size: int
    root: bytes
    timestamp: datetime

    def __post_init__(self) -> None:
        if not 0 <= self.size < 2**64:
            raise ValueError("tree sizes are 64-bit unsigned integers")
        if len(self.root) != HASH_SIZE:
            raise ValueError("a tree root is a 32-byte SHA-256 hash")
        if self.timestamp.utcoffset() is None:
            raise ValueError("tree head times must be timezone-aware")

    @property
    def timestamp_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        return int(self.timestamp.astimezone(UTC).timestamp() * 1000)

    def signed_bytes(self) -> bytes:
        """The RFC 6962 ``TreeHeadSignature`` structure this head is signed as."""
        return struct.pack(">BBQQ", _V1, _TREE_HASH, self.timestamp_ms, self.size) + self.root


class HeadSigner(Protocol):
    """Signs tree heads with the log's private key."""

    @property
    def key_id(self) -> str:
        """A short id of the key (hex of the public key's SHA-256 prefix)."""
        ...

    @property
    def public_key(self) -> bytes:
        """The raw public key that verifies this signer's signatures."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Sign ``message``."""
        ...


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """A tree head with the log's signature over it.

    Parameters:
        head: the tree head.
        key_id: which key signed it.
        signature: the signature over ``head.signed_bytes()``.
    """

    head: TreeHead
    key_id: str
    signature: bytes

    def verify(self, public_key: bytes, check: SignatureCheck) -> bool:
        """Whether the signature is the key's signature over exactly this head."""
        return check(public_key, self.head.signed_bytes(), self.signature)


def sign_head(head: TreeHead, signer: HeadSigner) -> SignedTreeHead:
    """Sign ``head`` with the log's key."""
    return SignedTreeHead(head, signer.key_id, signer.sign(head.signed_bytes()))


def head_document(head: SignedTreeHead) -> dict[str, object]:
    """A signed head as the JSON document LendLine publishes (file, API, evidence bundle)."""
    return {
        "tree_size": head.head.size,
        "root_hash": head.head.root.hex(),
        "timestamp_ms": head.head.timestamp_ms,
        "timestamp": head.head.timestamp.astimezone(UTC).isoformat(),
        "key_id": head.key_id,
        "signature": head.signature.hex(),
    }


def head_from_document(document: Mapping[str, object]) -> SignedTreeHead:
    """Read a published head back (see ``head_document``).

    Raises:
        ValueError: if a field is missing or malformed.
    """
    try:
        size = int(str(document["tree_size"]))
        millis = int(str(document["timestamp_ms"]))
        root = bytes.fromhex(str(document["root_hash"]))
        signature = bytes.fromhex(str(document["signature"]))
        key_id = str(document["key_id"])
    except (KeyError, ValueError) as exc:
        raise ValueError(f"not a signed tree head: {exc}") from exc
    return SignedTreeHead(TreeHead(size, root, from_millis(millis)), key_id, signature)


def from_millis(millis: int) -> datetime:
    """The UTC time of a head's millisecond timestamp, exactly (no float rounding)."""
    seconds, rest = divmod(millis, 1000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest * 1000)
