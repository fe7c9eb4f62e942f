"""Ports for personal-data protection at rest (PIPL Art. 47, 51; DOMAIN-NOTES §2).

Every data subject has one data key (DEK). Personal fields, recordings, contract PDFs and call
transcripts are encrypted under their subject's key; destroying that key (crypto-shredding)
makes all of them unreadable at once, while the hash-chained audit log, which holds no
personal data, still verifies.

Subjects are strings:

* ``customer:<customer_id>`` -- one per registry customer;
* ``session:<session_id>`` -- one per call session (the caller's answers, transcript, recording).

Erasing a person shreds their customer key and the keys of their sessions.

The vault is a port: the SQL adapter (``lendline.persistence.subject_keys``) keeps the data
keys wrapped by a KEK from configuration; production puts a KMS/HSM adapter behind the same
protocol. The cipher that seals fields with these keys lives in
``lendline.adapters.crypto.personal_data.PersonalDataCipher`` (the core stays free of crypto
libraries); it raises :class:`SubjectErased` like the vault.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol, runtime_checkable

from lendline.shared.errors import DomainError

CUSTOMER_PREFIX = "customer:"
SESSION_PREFIX = "session:"


def customer_subject(customer_id: str) -> str:
    """The key subject of a registry customer."""
    return f"{CUSTOMER_PREFIX}{customer_id}"


def session_subject(session_id: str) -> str:
    """The key subject of one call session."""
    return f"{SESSION_PREFIX}{session_id}"


def text_commitment(salt_hex: str, text: str) -> str:
    """SHA-256(salt || text) in hex, the audit log's stand-in for what a caller said.

    It proves a transcript against the log without putting the text in it; the random salt
    stops anyone confirming a guess of a short answer (an ID number, a code).
    """
    return hashlib.sha256(bytes.fromhex(salt_hex) + text.encode("utf-8")).hexdigest()


class SubjectErased(DomainError):
    """Data of a subject whose key was destroyed (crypto-shredded) was asked for.

    Parameters:
        subject: the erased subject, e.g. ``customer:C001``.
    """

    def __init__(self, subject: str) -> None:
        super().__init__(f"the personal data of {subject} was erased")
        self.subject = subject


@runtime_checkable
class SubjectKeyVault(Protocol):
    """Per-subject data keys: created on first use, destroyable for erasure."""

    def data_key(self, subject: str) -> bytes:
        """Return the subject's 32-byte data key, creating it on first use.

        Raises:
            SubjectErased: if the subject's key was shredded (it is never re-created).
        """
        ...

    def shred(self, subject: str, at: datetime) -> bool:
        """Destroy the subject's key for good; return True if a key was destroyed now.

        Shredding an unknown subject records it as shredded (so no key is created later) and
        returns False; shredding twice returns False.
        """
        ...

    def is_shredded(self, subject: str) -> bool:
        """Return whether the subject's key was destroyed."""
        ...


class PersonalDataSealer(Protocol):
    """What services need from the cipher: seal and open one subject's field."""

    def seal(self, subject: str, field: str, value: str | bytes) -> bytes:
        """Encrypt ``value`` under the subject's key, bound to subject and field."""
        ...

    def open(self, subject: str, field: str, sealed: bytes) -> bytes:
        """Decrypt a sealed value.

        Raises:
            SubjectErased: if the subject's key was shredded.
        """
        ...
