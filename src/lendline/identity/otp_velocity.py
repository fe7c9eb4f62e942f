"""Velocity limits on one-time codes across sessions, and the lockouts they lead to.

The per-challenge guardrails of :mod:`lendline.identity.otp` (5 sends, 5 checks, 10 minutes)
stop guessing within one call; these stop it across calls:

* per registered mobile-number prefix (the first 7 digits, the number segment): codes sent
  to one segment in an hour. Many sends into one segment is the shape of SMS pumping (toll
  fraud through premium or colluding numbers), and it also catches a ring working through
  identities registered on consecutive numbers;
* per customer (the ID number): codes sent and codes checked in a day, whichever sessions
  they came from, so calling again does not buy fresh guesses.

A limit reached becomes a :class:`Lockout` with its :class:`LockoutReason`, stored and
logged; the caller hears that no code can be sent now. Exhausting a challenge (its checks or
its sends) also locks the customer out for a while, so a fresh call cannot simply restart the
count. All functions are pure.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

__all__ = [
    "Lockout",
    "LockoutReason",
    "LockoutScope",
    "OtpVelocityPolicy",
    "VelocityCounts",
    "lockout_for",
    "prefix_key",
    "velocity_refusal",
]

#: Digits of a mainland mobile number that name its segment (号段 + HLR code).
PREFIX_DIGITS: Final = 7


class LockoutReason(StrEnum):
    """Why codes were stopped; stored with the lockout and logged in the audit event."""

    CHALLENGE_CHECKS_EXHAUSTED = "challenge_checks_exhausted"
    CHALLENGE_SENDS_EXHAUSTED = "challenge_sends_exhausted"
    PREFIX_VELOCITY = "prefix_velocity"
    ID_SEND_VELOCITY = "id_velocity"
    ID_CHECK_VELOCITY = "id_check_velocity"


class LockoutScope(StrEnum):
    """What a lockout covers: one customer, or every customer in a number segment."""

    CUSTOMER = "customer"
    PREFIX = "prefix"


@dataclass(frozen=True, slots=True)
class OtpVelocityPolicy:
    """Limits across sessions (the per-challenge ones are in ``OtpPolicy``).

    Parameters:
        prefix_window: the window for sends per number segment (default one hour).
        prefix_max_sends: codes sent to one segment within ``prefix_window`` (default 30: a
            segment holds 10,000 numbers, and one lender's genuine traffic to any one of them
            is a handful an hour; raise it for a very large customer base).
        id_window: the window for sends and checks per customer (default one day).
        id_max_sends: codes sent to one customer within ``id_window``, across sessions
            (default 10: two challenges, verify and sign, per application and room to resend).
        id_max_checks: codes checked for one customer within ``id_window`` (default 15: three
            challenges' worth of the 5 checks each).
        challenge_lockout: how long a customer stays locked out after exhausting a challenge
            (default 30 minutes).
    """

    prefix_window: timedelta = timedelta(hours=1)
    prefix_max_sends: int = 30
    id_window: timedelta = timedelta(days=1)
    id_max_sends: int = 10
    id_max_checks: int = 15
    challenge_lockout: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        if min(self.prefix_max_sends, self.id_max_sends, self.id_max_checks) < 1:
            raise ValueError("velocity limits must allow at least one code")
        if min(self.prefix_window, self.id_window, self.challenge_lockout) <= timedelta(0):
            raise ValueError("windows and lockouts must be positive")


@dataclass(frozen=True, slots=True)
class VelocityCounts:
    """What happened within the windows before this request.

    Parameters:
        prefix_sends: codes sent to the number segment within ``prefix_window``.
        id_sends: codes sent to the customer within ``id_window``.
        id_checks: codes checked for the customer within ``id_window``.
    """

    prefix_sends: int = 0
    id_sends: int = 0
    id_checks: int = 0


@dataclass(frozen=True, slots=True)
class Lockout:
    """Codes stopped for a customer or a segment until ``until``.

    Parameters:
        reason: why.
        scope: what it covers.
        locked_at: when it began (UTC).
        until: when it ends (UTC).
    """

    reason: LockoutReason
    scope: LockoutScope
    locked_at: datetime
    until: datetime

    def active(self, now: datetime) -> bool:
        """Whether the lockout still holds at ``now``."""
        return self.locked_at <= now < self.until


def prefix_key(mobile_digits: str, key: bytes) -> str:
    """The stored form of a number's segment: a keyed hash, never the digits.

    Args:
        mobile_digits: the 11-digit mobile number.
        key: the server-side HMAC key.

    Returns:
        64 hex digits, equal for every number of the segment.
    """
    segment = mobile_digits[:PREFIX_DIGITS]
    return hmac.new(key, f"mobile-prefix\x1f{segment}".encode(), hashlib.sha256).hexdigest()


def velocity_refusal(
    counts: VelocityCounts, policy: OtpVelocityPolicy, action: str
) -> LockoutReason | None:
    """Whether one more ``action`` ("send" or "check") would break a limit, and which.

    Args:
        counts: the events already in the windows.
        policy: the limits.
        action: "send" (issue a code) or "check" (check one).

    Returns:
        The reason to refuse, or None when the request is within every limit.

    Raises:
        ValueError: for an unknown action.
    """
    if action == "send":
        if counts.prefix_sends >= policy.prefix_max_sends:
            return LockoutReason.PREFIX_VELOCITY
        if counts.id_sends >= policy.id_max_sends:
            return LockoutReason.ID_SEND_VELOCITY
        return None
    if action == "check":
        if counts.id_checks >= policy.id_max_checks:
            return LockoutReason.ID_CHECK_VELOCITY
        return None
    raise ValueError(f"unknown action {action!r}")


def lockout_for(reason: LockoutReason, policy: OtpVelocityPolicy, now: datetime) -> Lockout:
    """The lockout a reason leads to, starting at ``now``.

    Args:
        reason: why codes stop.
        policy: the limits (their windows set the durations).
        now: the current instant (UTC).

    Returns:
        The lockout: a segment for ``PREFIX_VELOCITY``, the customer otherwise; it lasts the
        limit's window, or the challenge lockout.
    """
    durations = {
        LockoutReason.PREFIX_VELOCITY: policy.prefix_window,
        LockoutReason.ID_SEND_VELOCITY: policy.id_window,
        LockoutReason.ID_CHECK_VELOCITY: policy.id_window,
        LockoutReason.CHALLENGE_CHECKS_EXHAUSTED: policy.challenge_lockout,
        LockoutReason.CHALLENGE_SENDS_EXHAUSTED: policy.challenge_lockout,
    }
    scope = (
        LockoutScope.PREFIX if reason is LockoutReason.PREFIX_VELOCITY else LockoutScope.CUSTOMER
    )
    return Lockout(reason, scope, now, now + durations[reason])
