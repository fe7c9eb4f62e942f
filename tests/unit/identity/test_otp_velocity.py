"""One-time-code velocity across sessions: limits at their edges, lockouts and their reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lendline.identity.otp_velocity import (
    Lockout,
    LockoutReason,
    LockoutScope,
    OtpVelocityPolicy,
    VelocityCounts,
    lockout_for,
    prefix_key,
    velocity_refusal,
)

POLICY = OtpVelocityPolicy()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_defaults_are_the_documented_ones() -> None:
    assert (POLICY.prefix_window, POLICY.prefix_max_sends) == (timedelta(hours=1), 30)
    assert (POLICY.id_window, POLICY.id_max_sends, POLICY.id_max_checks) == (
        timedelta(days=1), 10, 15,
    )  # fmt: skip
    assert POLICY.challenge_lockout == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("counts", "action", "reason"),
    [
        (VelocityCounts(prefix_sends=29), "send", None),
        (VelocityCounts(prefix_sends=30), "send", LockoutReason.PREFIX_VELOCITY),
        (VelocityCounts(id_sends=9), "send", None),
        (VelocityCounts(id_sends=10), "send", LockoutReason.ID_SEND_VELOCITY),
        (VelocityCounts(id_checks=14), "check", None),
        (VelocityCounts(id_checks=15), "check", LockoutReason.ID_CHECK_VELOCITY),
        # Sends do not count against checks and the other way round.
        (VelocityCounts(id_sends=99, prefix_sends=99), "check", None),
        (VelocityCounts(id_checks=99), "send", None),
        # The segment limit is named first when both are reached.
        (VelocityCounts(prefix_sends=30, id_sends=10), "send", LockoutReason.PREFIX_VELOCITY),
    ],
)
def test_a_request_at_the_limit_is_refused_with_its_reason(
    counts: VelocityCounts, action: str, reason: LockoutReason | None
) -> None:
    assert velocity_refusal(counts, POLICY, action) is reason


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        velocity_refusal(VelocityCounts(), POLICY, "resend")


@pytest.mark.parametrize(
    ("reason", "scope", "lasts"),
    [
        (LockoutReason.PREFIX_VELOCITY, LockoutScope.PREFIX, timedelta(hours=1)),
        (LockoutReason.ID_SEND_VELOCITY, LockoutScope.CUSTOMER, timedelta(days=1)),
        (LockoutReason.ID_CHECK_VELOCITY, LockoutScope.CUSTOMER, timedelta(days=1)),
        (LockoutReason.CHALLENGE_CHECKS_EXHAUSTED, LockoutScope.CUSTOMER, timedelta(minutes=30)),
        (LockoutReason.CHALLENGE_SENDS_EXHAUSTED, LockoutScope.CUSTOMER, timedelta(minutes=30)),
    ],
)
def test_each_reason_locks_its_scope_for_its_window(
    reason: LockoutReason, scope: LockoutScope, lasts: timedelta
) -> None:
    lockout = lockout_for(reason, POLICY, NOW)
    assert (lockout.reason, lockout.scope, lockout.until - lockout.locked_at) == (
        reason, scope, lasts,
    )  # fmt: skip


def test_a_lockout_holds_from_its_start_until_just_before_its_end() -> None:
    lockout = Lockout(
        LockoutReason.ID_SEND_VELOCITY, LockoutScope.CUSTOMER, NOW, NOW + timedelta(hours=1)
    )
    assert lockout.active(NOW)
    assert lockout.active(NOW + timedelta(minutes=59, seconds=59))
    assert not lockout.active(NOW + timedelta(hours=1))
    assert not lockout.active(NOW - timedelta(seconds=1))


def test_the_segment_key_is_keyed_and_the_same_for_every_number_of_the_segment() -> None:
    same = prefix_key("13812345678", b"k")
    assert same == prefix_key("13812340000", b"k")
    assert same != prefix_key("13812355678", b"k")
    assert same != prefix_key("13812345678", b"other")
    assert "1381234" not in same


def test_limits_must_allow_something() -> None:
    with pytest.raises(ValueError):
        OtpVelocityPolicy(id_max_sends=0)
    with pytest.raises(ValueError):
        OtpVelocityPolicy(prefix_window=timedelta(0))
