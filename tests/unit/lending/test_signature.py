"""The contract signature: refused without a verified code; its binding hash covers every field."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from lendline.lending.signature import ContractSignature, SignatureRefused, sign

AT = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
CONTRACT = hashlib.sha256(b"contract").hexdigest()
CONSENT = hashlib.sha256("我同意".encode()).hexdigest()


def signed(**changes: object) -> ContractSignature:
    values: dict[str, object] = {
        "reference": "LL-1",
        "contract_sha256": CONTRACT,
        "consent_text_sha256": CONSENT,
        "otp_challenge": "s1@2026-11-29T02:59:00+00:00",
        "otp_verified": True,
        "signed_at": AT,
        "audio_offset_ms": 301_250,
    }
    values.update(changes)
    return sign(**values)  # type: ignore[arg-type]


def test_no_signature_without_a_verified_sms_code() -> None:
    with pytest.raises(SignatureRefused, match="not verified"):
        signed(otp_verified=False)


@pytest.mark.parametrize(
    "change",
    [
        {"contract_sha256": hashlib.sha256(b"another contract").hexdigest()},
        {"consent_text_sha256": hashlib.sha256(b"no").hexdigest()},
        {"otp_challenge": "s2@2026-11-29T02:59:00+00:00"},
        {"signed_at": AT.replace(second=1)},
        {"audio_offset_ms": 301_251},
        {"reference": "LL-2"},
    ],
)
def test_changing_any_bound_field_changes_the_binding_hash(change: dict[str, object]) -> None:
    original = signed()
    assert replace(original, **change).binding_sha256() != original.binding_sha256()  # type: ignore[arg-type]


def test_the_binding_is_a_sha256_of_the_canonical_record() -> None:
    record = signed().as_record()
    assert record["signed_at"] == "2026-11-29T03:00:00+00:00"
    assert len(signed().binding_sha256()) == 64
    assert signed().binding_sha256() == signed().binding_sha256()


@pytest.mark.parametrize(
    "change",
    [{"contract_sha256": "abc"}, {"signed_at": datetime(2026, 11, 29)}, {"audio_offset_ms": -1}],
)
def test_malformed_evidence_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        signed(**change)
