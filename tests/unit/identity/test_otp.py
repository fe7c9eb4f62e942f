"""One-time codes: issue, check, expiry, send and check limits, hashing, replacement."""

from __future__ import annotations

import random
from dataclasses import astuple
from datetime import UTC, datetime, timedelta, timezone

import pytest

from lendline.identity.otp import (
    OtpOutcome,
    OtpPolicy,
    OtpSendRefused,
    OtpState,
    check_code,
    hash_code,
    issue_code,
)
from lendline.shared.clock import ManualClock

PEPPER = b"test-pepper-not-a-secret"
POLICY = OtpPolicy()


def issued(clock: ManualClock, state: OtpState | None = None) -> tuple[OtpState, str]:
    result = issue_code(state or OtpState(), POLICY, clock.now(), PEPPER)
    assert result.code is not None
    return result.state, result.code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_an_issued_code_has_six_digits_and_verifies_once() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    assert len(code) == 6
    assert code.isdigit()
    assert state.sends == 1
    assert state.expires_at == clock.now() + timedelta(minutes=10)

    result = check_code(state, POLICY, clock.now(), code, PEPPER)
    assert result.outcome is OtpOutcome.VERIFIED
    assert result.state.verified
    assert result.attempts_left == 4


def test_a_used_code_cannot_be_used_again() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    state = check_code(state, POLICY, clock.now(), code, PEPPER).state
    again = check_code(state, POLICY, clock.now(), code, PEPPER)
    assert again.outcome is OtpOutcome.NO_CODE


def test_the_code_is_stored_only_as_a_salted_hmac() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    assert code not in repr(state)
    assert all(code not in str(value) for value in astuple(state))
    assert state.salt is not None
    assert state.code_hash == hash_code(code, state.salt, PEPPER)
    assert state.code_hash != hash_code(code, state.salt, b"another pepper")


def test_the_same_code_issued_twice_is_stored_differently() -> None:
    clock = ManualClock()
    first = issue_code(OtpState(), POLICY, clock.now(), PEPPER, rng=random.Random(7))
    second = issue_code(OtpState(), POLICY, clock.now(), PEPPER, rng=random.Random(7))
    assert first.code == second.code
    assert first.state.code_hash != second.state.code_hash


def test_spaces_dashes_and_full_width_digits_in_the_submitted_code_are_tolerated() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    spaced = " ".join(code[:3]) + " - " + chr(0xFF10 + int(code[3])) + code[4:]
    assert check_code(state, POLICY, clock.now(), spaced, PEPPER).outcome is OtpOutcome.VERIFIED


def test_a_code_is_accepted_until_its_expiry_instant_and_not_after() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    clock.advance(timedelta(minutes=10))
    assert check_code(state, POLICY, clock.now(), code, PEPPER).outcome is OtpOutcome.VERIFIED
    clock.advance(timedelta(seconds=1))
    late = check_code(state, POLICY, clock.now(), code, PEPPER)
    assert late.outcome is OtpOutcome.EXPIRED
    assert late.state.checks == 1
    assert late.attempts_left == 4
    assert late.state.code_hash is None
    assert check_code(late.state, POLICY, clock.now(), code, PEPPER).outcome is OtpOutcome.NO_CODE


def test_every_wrong_check_counts_and_the_fifth_locks_the_challenge() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    lefts = []
    for _ in range(4):
        result = check_code(state, POLICY, clock.now(), wrong(code), PEPPER)
        assert result.outcome is OtpOutcome.WRONG
        lefts.append(result.attempts_left)
        state = result.state
    assert lefts == [4, 3, 2, 1]
    fifth = check_code(state, POLICY, clock.now(), wrong(code), PEPPER)
    assert fifth.outcome is OtpOutcome.LOCKED
    assert fifth.attempts_left == 0
    assert fifth.state.locked
    assert fifth.state.checks == 5
    # Locked means locked: even the right code no longer passes, and nothing is counted.
    after = check_code(fifth.state, POLICY, clock.now(), code, PEPPER)
    assert after.outcome is OtpOutcome.LOCKED
    assert after.state == fifth.state


def test_the_right_code_on_the_last_allowed_check_still_verifies() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    for _ in range(4):
        state = check_code(state, POLICY, clock.now(), wrong(code), PEPPER).state
    last = check_code(state, POLICY, clock.now(), code, PEPPER)
    assert last.outcome is OtpOutcome.VERIFIED
    assert last.attempts_left == 0
    assert not last.state.locked


def test_expired_checks_count_towards_the_lock() -> None:
    clock = ManualClock()
    state, code = issued(clock)
    for _ in range(4):
        state = check_code(state, POLICY, clock.now(), wrong(code), PEPPER).state
    state, code = issued(clock, state)
    clock.advance(timedelta(minutes=11))
    late = check_code(state, POLICY, clock.now(), code, PEPPER)
    assert late.outcome is OtpOutcome.LOCKED
    assert late.state.locked


def test_the_sixth_send_is_refused_and_leaves_the_state_alone() -> None:
    clock = ManualClock()
    state = OtpState()
    for sends in range(1, 6):
        state, _ = issued(clock, state)
        assert state.sends == sends
    sixth = issue_code(state, POLICY, clock.now(), PEPPER)
    assert sixth.code is None
    assert sixth.refused is OtpSendRefused.SEND_LIMIT
    assert sixth.state == state


def test_a_new_code_invalidates_the_old_one_without_resetting_the_checks() -> None:
    clock = ManualClock()
    state, old = issued(clock)
    state = check_code(state, POLICY, clock.now(), wrong(old), PEPPER).state
    state, new = issued(clock, state)
    if new == old:  # one chance in a million; the point is that the old code is gone
        state, new = issued(clock, state)
    assert state.checks == 1
    stale = check_code(state, POLICY, clock.now(), old, PEPPER)
    assert stale.outcome is OtpOutcome.WRONG
    assert stale.attempts_left == 3
    assert check_code(stale.state, POLICY, clock.now(), new, PEPPER).outcome is (
        OtpOutcome.VERIFIED
    )


def test_a_resent_code_gets_a_fresh_validity_window() -> None:
    clock = ManualClock()
    state, _ = issued(clock)
    clock.advance(timedelta(minutes=9))
    state, code = issued(clock, state)
    clock.advance(timedelta(minutes=9))
    assert check_code(state, POLICY, clock.now(), code, PEPPER).outcome is OtpOutcome.VERIFIED


def test_no_code_is_sent_for_a_locked_or_verified_challenge() -> None:
    now = ManualClock().now()
    locked = issue_code(OtpState(locked=True), POLICY, now, PEPPER)
    assert (locked.code, locked.refused) == (None, OtpSendRefused.LOCKED)
    verified = issue_code(OtpState(verified=True), POLICY, now, PEPPER)
    assert (verified.code, verified.refused) == (None, OtpSendRefused.ALREADY_VERIFIED)


def test_checking_before_any_code_was_sent_counts_nothing() -> None:
    result = check_code(OtpState(), POLICY, ManualClock().now(), "123456", PEPPER)
    assert result.outcome is OtpOutcome.NO_CODE
    assert result.state == OtpState()
    assert result.attempts_left == 5


def test_a_seeded_rng_makes_codes_repeatable_and_the_policy_sets_their_length() -> None:
    now = ManualClock().now()
    policy = OtpPolicy(length=8)
    first = issue_code(OtpState(), policy, now, PEPPER, rng=random.Random(1))
    second = issue_code(OtpState(), policy, now, PEPPER, rng=random.Random(1))
    assert first.code == second.code
    assert first.code is not None
    assert len(first.code) == 8


def test_times_must_be_utc_aware() -> None:
    naive = datetime(2026, 11, 28, 9, 0)
    with pytest.raises(ValueError, match="UTC"):
        issue_code(OtpState(), POLICY, naive, PEPPER)
    beijing = datetime(2026, 11, 28, 17, 0, tzinfo=timezone(timedelta(hours=8)))
    with pytest.raises(ValueError, match="UTC"):
        check_code(OtpState(), POLICY, beijing, "123456", PEPPER)
    utc = issue_code(OtpState(), POLICY, datetime(2026, 11, 28, 9, 0, tzinfo=UTC), PEPPER)
    assert utc.code is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ttl": timedelta(0)},
        {"max_sends": 0},
        {"max_checks": 0},
        {"length": 3},
        {"length": 9},
    ],
)
def test_a_policy_that_could_never_verify_anyone_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        OtpPolicy(**kwargs)  # type: ignore[arg-type]
