"""SMS one-time codes with Twilio Verify's guardrails: 10-minute validity, 5 sends, 5 checks.

Codes are never stored in clear: only HMAC-SHA256(pepper, salt + code). Every check counts,
wrong or expired; the fifth failed check locks the challenge. A resent code replaces the old
one but does not reset the count of checks. All functions are pure: state in, state out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    """Limits on one-time codes."""

    ttl: timedelta = timedelta(minutes=10)
    max_sends: int = 5
    max_checks: int = 5
    length: int = 6


@dataclass(frozen=True, slots=True)
class OtpState:
    """A challenge as stored: counters and the salted hash of the live code, never the code."""

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
    """A new state and the code to send (None when refused, with the reason)."""

    state: OtpState
    code: str | None
    refused: OtpSendRefused | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A new state, the outcome, and how many checks are left."""

    state: OtpState
    outcome: OtpOutcome
    attempts_left: int


def hash_code(code: str, salt: str, pepper: bytes) -> str:
    """Return the stored form of a code: HMAC-SHA256(pepper, salt + code), hex."""
    return hmac.new(pepper, (salt + code).encode("ascii"), hashlib.sha256).hexdigest()


def _random_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def issue_code(
    state: OtpState,
    policy: OtpPolicy,
    now: datetime,
    pepper: bytes,
    generate: Callable[[int], str] = _random_code,
) -> IssueResult:
    """Issue a fresh code unless the challenge is locked, verified or out of sends."""
    if state.locked:
        return IssueResult(state, None, OtpSendRefused.LOCKED)
    if state.verified:
        return IssueResult(state, None, OtpSendRefused.ALREADY_VERIFIED)
    if state.sends >= policy.max_sends:
        return IssueResult(state, None, OtpSendRefused.SEND_LIMIT)
    code = generate(policy.length)
    salt = secrets.token_hex(8)
    new_state = replace(
        state,
        sends=state.sends + 1,
        code_hash=hash_code(code, salt, pepper),
        salt=salt,
        issued_at=now,
        expires_at=now + policy.ttl,
    )
    return IssueResult(new_state, code, None)


def check_code(
    state: OtpState, policy: OtpPolicy, now: datetime, submitted: str, pepper: bytes
) -> CheckResult:
    """Check ``submitted`` against the live code; every call counts as a check."""
    if state.locked:
        return CheckResult(state, OtpOutcome.LOCKED, 0)
    if state.verified:
        return CheckResult(state, OtpOutcome.VERIFIED, policy.max_checks - state.checks)
    if state.code_hash is None or state.salt is None or state.expires_at is None:
        return CheckResult(state, OtpOutcome.NO_CODE, policy.max_checks - state.checks)
    checks = state.checks + 1
    left = max(0, policy.max_checks - checks)
    candidate = "".join(ch for ch in submitted if ch.isdigit())
    matches = hmac.compare_digest(hash_code(candidate, state.salt, pepper), state.code_hash)
    if now > state.expires_at:
        expired = replace(state, checks=checks, code_hash=None, salt=None, locked=left == 0)
        return CheckResult(expired, OtpOutcome.LOCKED if left == 0 else OtpOutcome.EXPIRED, left)
    if matches:
        # Single use: the hash is dropped once it has served.
        done = replace(state, checks=checks, verified=True, code_hash=None, salt=None)
        return CheckResult(done, OtpOutcome.VERIFIED, left)
    if left == 0:
        return CheckResult(replace(state, checks=checks, locked=True), OtpOutcome.LOCKED, 0)
    return CheckResult(replace(state, checks=checks), OtpOutcome.WRONG, left)
