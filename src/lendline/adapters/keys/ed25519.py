"""Ed25519 tree-head signing with the ``cryptography`` package (Apache-2.0/BSD).

The key comes from a 32-byte seed (hex in the settings or a file; a KMS/HSM adapter would
implement the same ``HeadSigner`` port without ever exposing it).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Ed25519HeadSigner:
    """A ``HeadSigner`` holding an Ed25519 private key.

    Args:
        seed: the 32-byte private key seed (RFC 8032 "secret key").
    """

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self._public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls) -> Ed25519HeadSigner:
        """A signer with a fresh random key (for tests and first start-up)."""
        return cls(Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self._public

    @property
    def key_id(self) -> str:
        """The first 8 bytes of the public key's SHA-256, in hex."""
        return hashlib.sha256(self._public).hexdigest()[:16]

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self._key.sign(message)


def verify_ed25519(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_or_create_signer(path: Path) -> Ed25519HeadSigner:
    """The signer whose seed is kept (hex) in ``path``, creating the file on first use.

    The file is written once, readable by its owner only (0600). A production deployment
    keeps the key in a KMS/HSM behind the ``HeadSigner`` port instead.

    Raises:
        ValueError: if the file exists but does not hold a 32-byte hex seed.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        # O_EXCL: two processes starting at once must not both write a key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(seed.hex() + "\n")
    text = path.read_text(encoding="ascii").strip()
    try:
        seed = bytes.fromhex(text)
    except ValueError as exc:
        raise ValueError(f"{path} does not hold a hex Ed25519 seed") from exc
    return Ed25519HeadSigner(seed)
