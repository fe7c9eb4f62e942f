"""The phrase-repeat liveness check: random phrases, forgiving matching, an attempt limit."""

from __future__ import annotations

import random

import pytest

from lendline.identity.liveness import (
    WORDS,
    LivenessOutcome,
    LivenessPolicy,
    LivenessState,
    PhraseStyle,
    check_phrase,
    new_challenge,
    phrase_matches,
    phrase_text,
)

DIGITS = LivenessState(PhraseStyle.DIGITS, ("7", "3", "9", "2"))
WORDY = LivenessState(PhraseStyle.WORDS, ("0", "5", "10", "11"))  # apple tiger coffee panda


def test_phrases_are_random_per_challenge() -> None:
    rng = random.Random(1)
    phrases = {new_challenge(LivenessPolicy(), rng).tokens for _ in range(50)}
    assert len(phrases) > 45
    words = new_challenge(LivenessPolicy(style=PhraseStyle.WORDS), rng)
    assert len(set(words.tokens)) == 4 and all(0 <= int(t) < len(WORDS) for t in words.tokens)


@pytest.mark.parametrize(
    "said",
    ["7392", "七三九二", "七、三、九、二", "seven three nine two", "Seven, three, nine, two.",
     "7 3 9 2", "好的，七三九二", "seven thousand three hundred ninety two"],
)  # fmt: skip
def test_digits_are_accepted_as_digits_or_words_in_either_language(said: str) -> None:
    assert phrase_matches(DIGITS, said)


@pytest.mark.parametrize("said", ["7329", "七三九", "seven three nine", "", "二九三七"])
def test_digits_out_of_order_or_missing_fail(said: str) -> None:
    assert not phrase_matches(DIGITS, said)


def test_words_are_accepted_in_either_language_with_filler() -> None:
    assert phrase_text(WORDY, "zh") == ("苹果", "老虎", "咖啡", "熊猫")
    assert phrase_text(WORDY, "en") == ("apple", "tiger", "coffee", "panda")
    assert phrase_matches(WORDY, "苹果，老虎，咖啡，熊猫")
    assert phrase_matches(WORDY, "嗯 苹果 老虎 咖啡 熊猫 对吧")
    assert phrase_matches(WORDY, "Apple, tiger, coffee, panda.")
    assert phrase_matches(WORDY, "OK: apple tiger um coffee panda")
    assert not phrase_matches(WORDY, "apple tiger panda coffee")
    assert not phrase_matches(WORDY, "苹果 老虎 咖啡")


def test_a_challenge_allows_its_attempts_then_fails_and_stays_spent() -> None:
    policy = LivenessPolicy(max_attempts=2)
    first = check_phrase(DIGITS, policy, "7 3 9 9")
    assert (first.outcome, first.attempts_left) == (LivenessOutcome.RETRY, 1)
    second = check_phrase(first.state, policy, "nope")
    assert (second.outcome, second.attempts_left) == (LivenessOutcome.FAILED, 0)
    again = check_phrase(second.state, policy, "7392")
    assert again.outcome is LivenessOutcome.FAILED


def test_a_right_repeat_passes_on_a_later_attempt() -> None:
    policy = LivenessPolicy(max_attempts=2)
    first = check_phrase(DIGITS, policy, "seven three")
    second = check_phrase(first.state, policy, "seven three nine two")
    assert second.outcome is LivenessOutcome.PASSED and second.state.passed
