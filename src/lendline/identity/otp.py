"""SMS one-time codes with Twilio Verify's guardrails: 10-minute validity, 5 sends, 5 checks.

Codes are never stored in clear: only HMAC-SHA256(pepper, salt + code), so a leaked table
alone does not give the codes away and the salt stops two equal codes from looking equal.
Every check counts, wrong or expired; when the checks run out without a match the challenge
locks. A resent code replaces the old one but does not reset the count of checks, so
resending cannot buy extra guesses. All functions are pure: state in, state out.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

_MIN_LENGTH: Final = 4
_MAX_LENGTH: Final = 8
_SALT_BYTES: Final = 16


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    """Limits on one-time codes.

    Parameters:
        ttl: how long a code stays valid after it is issued.
        max_sends: codes that may be issued for one challenge.
        max_checks: checks allowed for one challenge, across all its codes.
        length: digits per code (4-8, the range an SMS reader looks for).
    """

    ttl: timedelta = timedelta(minutes=10)
    max_sends: int = 5
    max_checks: int = 5
    length: int = 6

    def __post_init__(self) -> None:
        if self.ttl <= timedelta(0):
            raise ValueError("a code must be valid for some time")
        if self.max_sends < 1 or self.max_checks < 1:
            raise ValueError("at least one send and one check are needed")
        if not _MIN_LENGTH <= self.length <= _MAX_LENGTH:
            raise ValueError(f"codes have {_MIN_LENGTH} to {_MAX_LENGTH} digits")


@dataclass(frozen=True, slots=True)
class OtpState:
    """A challenge as stored: counters and the salted hash of the live code, never the code.

    Parameters:
        sends: codes issued so far.
        checks: checks made so far (right, wrong or expired).
        code_hash: hex HMAC of the live code; None when no code is live.
        salt: the live code's random salt (hex); None when no code is live.
        issued_at: when the live code was issued (UTC).
        expires_at: when the live code stops being accepted (UTC).
        verified: a code was matched; the challenge is spent.
        locked: the checks ran out; no more codes are sent or checked.
    """

    sends: int = 0
    checks: int = 0
    code_hash: str | None = None
    salt: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    verified: bool = False
    locked: bool = False


class OtpOutcome(StrEnum):
    """Result of checking a code."""

    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    NO_CODE = "no_code"


class OtpSendRefused(StrEnum):
    """Why no code was sent."""

    SEND_LIMIT = "send_limit"
    LOCKED = "locked"
    ALREADY_VERIFIED = "already_verified"


@dataclass(frozen=True, slots=True)
class IssueResult:
    """The outcome of asking for a code.

    Parameters:
        state: the state to store.
        code: the code to send, in clear; None when refused. Send it, never store it.
        refused: why no code was issued, or None.
    """

    state: OtpState
    code: str | None
    refused: OtpSendRefused | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking a code.

    Parameters:
        state: the state to store.
        outcome: what the check found.
        attempts_left: checks still allowed for this challenge.
    """

    state: OtpState
    outcome: OtpOutcome
    attempts_left: int


def hash_code(code: str, salt: str, pepper: bytes) -> str:
    """Return the stored form of a code: HMAC-SHA256(pepper, salt + code), hex.

    Args:
        code: the code's digits.
        salt: the code's random salt.
        pepper: the server-side secret key, kept outside the database.
    """
    return hmac.new(pepper, (salt + code).encode("utf-8"), hashlib.sha256).hexdigest()


def _require_utc(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("OTP times must be UTC-aware")


def _new_code(length: int, rng: random.Random | None) -> str:
    if rng is None:
        return "".join(secrets.choice("0123456789") for _ in range(length))
    return "".join(rng.choice("0123456789") for _ in range(length))


def issue_code(
    state: OtpState,
    policy: OtpPolicy,
    now: datetime,
    pepper: bytes,
    rng: random.Random | None = None,
) -> IssueResult:
    """Issue a fresh code unless the challenge is locked, verified or out of sends.

    The new code replaces any live one, so an older code stops working.

    Args:
        state: the challenge as stored.
        policy: the limits to apply.
        now: the current instant (UTC).
        pepper: the server-side HMAC key.
        rng: where code digits come from; None (the default) uses :mod:`secrets`. Pass a
            seeded ``random.Random`` only in tests. Salts always come from :mod:`secrets`.

    Returns:
        The new state and the code to send, or the unchanged state and the refusal.

    Raises:
        ValueError: if ``now`` is not UTC-aware.
    """
    _require_utc(now)
    if state.locked:
        return IssueResult(state, None, OtpSendRefused.LOCKED)
    if state.verified:
        return IssueResult(state, None, OtpSendRefused.ALREADY_VERIFIED)
    if state.sends >= policy.max_sends:
        return IssueResult(state, None, OtpSendRefused.SEND_LIMIT)
    code = _new_code(policy.length, rng)
    salt = secrets.token_hex(_SALT_BYTES)
    new_state = replace(
        state,
        sends=state.sends + 1,
        code_hash=hash_code(code, salt, pepper),
        salt=salt,
        issued_at=now,
        expires_at=now + policy.ttl,
    )
    return IssueResult(new_state, code, None)


def _submitted_digits(submitted: str) -> str:
    # Full-width and other compatibility digits become ASCII; spaces and dashes drop out.
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", submitted))


def check_code(
    state: OtpState, policy: OtpPolicy, now: datetime, submitted: str, pepper: bytes
) -> CheckResult:
    """Check ``submitted`` against the live code.

    Every check of a live code counts, whether it is right, wrong or late. A code is
    accepted up to and including its ``expires_at``. Once the checks are used up without
    a match the state locks. Checks against a locked, spent or empty challenge change
    nothing.

    Args:
        state: the challenge as stored.
        policy: the limits to apply.
        now: the current instant (UTC).
        submitted: the code as the caller gave it (spaces, dashes and full-width digits
            are tolerated).
        pepper: the server-side HMAC key the code was issued with.

    Returns:
        The new state, the outcome and the checks left.

    Raises:
        ValueError: if ``now`` is not UTC-aware.
    """
    _require_utc(now)
    if state.locked:
        return CheckResult(state, OtpOutcome.LOCKED, 0)
    left_before = max(0, policy.max_checks - state.checks)
    if state.code_hash is None or state.salt is None or state.expires_at is None:
        # Nothing live: never issued, already used, or dropped on expiry.
        return CheckResult(state, OtpOutcome.NO_CODE, left_before)
    checks = state.checks + 1
    left = max(0, policy.max_checks - checks)
    # Hash first and compare in constant time, so timing says nothing about the code.
    candidate = hash_code(_submitted_digits(submitted), state.salt, pepper)
    matches = hmac.compare_digest(candidate, state.code_hash)
    if now > state.expires_at:
        # A late code is dropped even if it was right; the caller needs a new one.
        expired = replace(state, checks=checks, code_hash=None, salt=None, locked=left == 0)
        return CheckResult(expired, OtpOutcome.LOCKED if left == 0 else OtpOutcome.EXPIRED, left)
    if matches:
        # Single use: the hash is dropped once it has served.
        done = replace(state, checks=checks, verified=True, code_hash=None, salt=None)
        return CheckResult(done, OtpOutcome.VERIFIED, left)
    if left == 0:
        locked = replace(state, checks=checks, code_hash=None, salt=None, locked=True)
        return CheckResult(locked, OtpOutcome.LOCKED, 0)
    return CheckResult(replace(state, checks=checks), OtpOutcome.WRONG, left)
