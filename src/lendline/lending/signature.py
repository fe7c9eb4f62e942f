"""The electronic signature of a loan contract (R9): what binds the borrower to one text.

A voice "yes" alone is not a signature. LendLine's signature binds together, by hash:

* the SHA-256 of the contract's canonical text (the exact document the borrower was sent),
* the SHA-256 of the borrower's recorded verbal consent (the transcript of the "yes"),
* the proof that the one-time code sent by SMS to the borrower's registered mobile was
  entered (the code itself is never kept, only the verified challenge),
* the moment of signing (UTC) and the offset of the consent in the call recording, so the
  audio can be played back at the very words.

``binding_sha256`` hashes all of it in one canonical JSON form; the audit log keeps the
binding, and anyone holding the contract text, the recording and the log can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime


class SignatureRefused(ValueError):
    """Raised when a signature is asked for without its evidence (no verified code)."""


@dataclass(frozen=True, slots=True)
class ContractSignature:
    """The evidence that one borrower signed one contract text.

    Parameters:
        reference: the loan's reference.
        contract_sha256: SHA-256 of the canonical contract text signed.
        consent_text_sha256: SHA-256 of the recorded verbal consent's transcript.
        otp_challenge: id of the verified SMS one-time-code challenge (the session's).
        signed_at: when it was signed (UTC).
        audio_offset_ms: where the verbal consent starts in the call recording, if recorded.
    """

    reference: str
    contract_sha256: str
    consent_text_sha256: str
    otp_challenge: str
    signed_at: datetime
    audio_offset_ms: int | None

    def __post_init__(self) -> None:
        for name in ("contract_sha256", "consent_text_sha256"):
            value = getattr(self, name)
            if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
                raise ValueError(f"{name} must be a lower-case hex SHA-256")
        if self.signed_at.utcoffset() is None:
            raise ValueError("signing times must be timezone-aware")
        if self.audio_offset_ms is not None and self.audio_offset_ms < 0:
            raise ValueError("audio offsets cannot be negative")

    def as_record(self) -> dict[str, object]:
        """The signature as JSON-ready data (times in ISO 8601)."""
        data = asdict(self)
        data["signed_at"] = self.signed_at.isoformat()
        return data

    def binding_sha256(self) -> str:
        """SHA-256 over the canonical JSON of every field: the signature's fingerprint."""
        text = json.dumps(self.as_record(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sign(
    *,
    reference: str,
    contract_sha256: str,
    consent_text_sha256: str,
    otp_challenge: str,
    otp_verified: bool,
    signed_at: datetime,
    audio_offset_ms: int | None,
) -> ContractSignature:
    """Make the signature, refusing it unless the SMS code was verified.

    Raises:
        SignatureRefused: if the one-time code was not verified for this session.
    """
    if not otp_verified:
        raise SignatureRefused(f"contract {reference}: the SMS code was not verified")
    return ContractSignature(
        reference=reference,
        contract_sha256=contract_sha256,
        consent_text_sha256=consent_text_sha256,
        otp_challenge=otp_challenge,
        signed_at=signed_at,
        audio_offset_ms=audio_offset_ms,
    )
