"""Envelope encryption for personal data (PIPL; DOMAIN-NOTES §2), with ``cryptography``.

* Each data subject (a borrower) has a data key (DEK, 256-bit). Their fields are encrypted with
  AES-256-GCM under it, with associated data naming the subject and the field, so a ciphertext
  moved to another row or column no longer decrypts.
* The DEK is stored only wrapped (AES-256-GCM) by a key-encryption key (KEK) that lives outside
  the database (settings, KMS/HSM). Wrapped keys name their KEK, so KEKs rotate without
  downtime: new keys are wrapped by the current KEK, old ones are re-wrapped at leisure, and
  both stay readable meanwhile.
* Deleting a subject's wrapped DEK makes every field of theirs unreadable at once
  (crypto-shredding), while hashes kept elsewhere (the audit log) still verify.
* Lookups by value (find a customer by ID number) use a keyed hash (HMAC-SHA-256) of the
  normalised value, so the database never holds the value itself.

Ciphertext format: ``version (1 byte, 1) || nonce (12 bytes) || AES-GCM ciphertext+tag``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION: Final = 1
NONCE_SIZE: Final = 12
KEY_SIZE: Final = 32


class DecryptionFailed(ValueError):
    """Raised when a ciphertext is damaged, belongs elsewhere, or its key is gone."""


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_SIZE)
    return bytes([FORMAT_VERSION]) + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < 1 + NONCE_SIZE + 16 or sealed[0] != FORMAT_VERSION:
        raise DecryptionFailed("not a LendLine ciphertext (or an unknown format version)")
    nonce, body = sealed[1 : 1 + NONCE_SIZE], sealed[1 + NONCE_SIZE :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionFailed(
            "ciphertext does not authenticate under this key and context"
        ) from exc


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A data key as stored: encrypted under the KEK named by ``kek_id``."""

    kek_id: str
    sealed: bytes


@dataclass(frozen=True, slots=True)
class Keyring:
    """The key-encryption keys: the current one wraps, any known one unwraps.

    Parameters:
        current: id of the KEK new data keys are wrapped with.
        keks: every KEK still in use, by id (32 bytes each).
    """

    current: str
    keks: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.keks:
            raise ValueError(f"the current KEK {self.current!r} is not in the keyring")
        if any(len(key) != KEY_SIZE for key in self.keks.values()):
            raise ValueError("KEKs are 32 bytes (AES-256)")

    def wrap(self, dek: bytes, subject: str) -> WrappedKey:
        """Encrypt a subject's data key under the current KEK."""
        aad = f"dek:{subject}".encode()
        return WrappedKey(self.current, _seal(self.keks[self.current], dek, aad))

    def unwrap(self, wrapped: WrappedKey, subject: str) -> bytes:
        """Recover a subject's data key.

        Raises:
            DecryptionFailed: if its KEK is unknown or it is not this subject's key.
        """
        kek = self.keks.get(wrapped.kek_id)
        if kek is None:
            raise DecryptionFailed(f"KEK {wrapped.kek_id!r} is not in the keyring")
        return _open(kek, wrapped.sealed, f"dek:{subject}".encode())

    def rewrap(self, wrapped: WrappedKey, subject: str) -> WrappedKey:
        """Re-encrypt a data key under the current KEK (rotation); the data is untouched."""
        if wrapped.kek_id == self.current:
            return wrapped
        return self.wrap(self.unwrap(wrapped, subject), subject)


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


def encrypt_field(dek: bytes, subject: str, field: str, value: bytes) -> bytes:
    """Encrypt one field of one subject; the ciphertext is bound to both."""
    return _seal(dek, value, f"{subject}/{field}".encode())


def decrypt_field(dek: bytes, subject: str, field: str, sealed: bytes) -> bytes:
    """Decrypt one field of one subject.

    Raises:
        DecryptionFailed: if it was tampered with, or belongs to another subject or field.
    """
    return _open(dek, sealed, f"{subject}/{field}".encode())


def blind_index(lookup_key: bytes, kind: str, value: str) -> str:
    """A keyed hash of a normalised value, for equality lookups without storing the value.

    ``kind`` separates the spaces (an ID number and a phone number never collide); values are
    stripped, and upper-cased so an ID's check letter matches either way it was typed.
    """
    normalised = value.strip().upper()
    return hmac.new(lookup_key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
