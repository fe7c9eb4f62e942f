"""A random phrase to repeat: liveness against replayed or pre-made synthetic speech.

A recording made before the call cannot contain a phrase chosen during it. The phrase is
drawn per challenge from a fixed vocabulary (digits by default, which recognisers hear most
reliably in both languages; or short everyday words with a Mandarin and an English form) and
checked forgivingly against the recognised text: digits may come back as digits or as words
("七三九二", "seven three nine two", "7 3 9 2"), words in either script with filler around
them; forgiving never means partial: every token must be there, in order. A challenge has
its own attempt limit. This does not detect a live voice cloner speaking in real time: that
needs the call-back to the registered number or a person. All functions are pure.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from lendline.identity.questions import number_readings

__all__ = [
    "WORDS",
    "LivenessOutcome",
    "LivenessPolicy",
    "LivenessResult",
    "LivenessState",
    "PhraseStyle",
    "check_phrase",
    "new_challenge",
    "phrase_matches",
    "phrase_text",
]

#: The word vocabulary: (Mandarin, English) pairs, chosen to sound unlike each other.
WORDS: Final = (
    ("苹果", "apple"), ("河流", "river"), ("黄色", "yellow"), ("花园", "garden"),
    ("窗户", "window"), ("老虎", "tiger"), ("橙子", "orange"), ("火箭", "rocket"),
    ("铅笔", "pencil"), ("海岛", "island"), ("咖啡", "coffee"), ("熊猫", "panda"),
)  # fmt: skip


class PhraseStyle(StrEnum):
    """What the phrase is made of."""

    DIGITS = "digits"
    WORDS = "words"


@dataclass(frozen=True, slots=True)
class LivenessPolicy:
    """How phrase challenges are made and checked.

    Parameters:
        length: tokens per phrase (4).
        max_attempts: tries the caller gets for one phrase (2: one mishearing is forgiven).
        style: digits (default) or words.
    """

    length: int = 4
    max_attempts: int = 2
    style: PhraseStyle = PhraseStyle.DIGITS

    def __post_init__(self) -> None:
        if not 3 <= self.length <= 8:
            raise ValueError("a phrase has 3 to 8 tokens")
        if self.max_attempts < 1:
            raise ValueError("at least one attempt is needed")


@dataclass(frozen=True, slots=True)
class LivenessState:
    """One phrase challenge as kept between turns.

    Parameters:
        style: digits or words.
        tokens: the phrase: digits ("7", "3") or indexes into :data:`WORDS` as text.
        attempts: tries made so far.
        passed: the phrase was repeated.
        failed: the tries ran out.
    """

    style: PhraseStyle
    tokens: tuple[str, ...]
    attempts: int = 0
    passed: bool = False
    failed: bool = False


class LivenessOutcome(StrEnum):
    """Result of one try."""

    PASSED = "passed"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """The outcome of one try.

    Parameters:
        state: the challenge to keep.
        outcome: passed, retry (tries left) or failed (none left).
        attempts_left: tries still allowed.
    """

    state: LivenessState
    outcome: LivenessOutcome
    attempts_left: int


def new_challenge(policy: LivenessPolicy, rng: random.Random) -> LivenessState:
    """Draw a fresh phrase.

    Args:
        policy: length and style.
        rng: the source of randomness (``random.SystemRandom()`` in production).

    Returns:
        The new challenge; words never repeat within a phrase.
    """
    if policy.style is PhraseStyle.DIGITS:
        tokens = tuple(rng.choice("0123456789") for _ in range(policy.length))
    else:
        tokens = tuple(str(index) for index in rng.sample(range(len(WORDS)), policy.length))
    return LivenessState(policy.style, tokens)


def phrase_text(state: LivenessState, language: str) -> tuple[str, ...]:
    """The phrase's tokens as written in ``language`` (digits stay digits).

    Args:
        state: the challenge.
        language: "zh" or "en".

    Returns:
        The tokens to read out, in order.
    """
    if state.style is PhraseStyle.DIGITS:
        return state.tokens
    column = 0 if language == "zh" else 1
    return tuple(WORDS[int(token)][column] for token in state.tokens)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _in_order(needles: list[str], haystack: list[str]) -> bool:
    """Whether every needle occurs in the haystack, in order (other items may come between)."""
    position = 0
    for needle in needles:
        try:
            position = haystack.index(needle, position) + 1
        except ValueError:
            return False
    return True


def phrase_matches(state: LivenessState, said: str) -> bool:
    """Whether the recognised text repeats the phrase, in either language.

    Args:
        state: the challenge.
        said: what the caller said, as recognised.

    Returns:
        True if every token was said, in order.
    """
    if state.style is PhraseStyle.DIGITS:
        return "".join(state.tokens) in number_readings(said)
    folded = _fold(said)
    english = [WORDS[int(token)][1] for token in state.tokens]
    if _in_order(english, folded.split()):
        return True
    squashed = folded.replace(" ", "")
    position = 0
    for token in state.tokens:
        found = squashed.find(WORDS[int(token)][0], position)
        if found < 0:
            return False
        position = found + len(WORDS[int(token)][0])
    return True


def check_phrase(state: LivenessState, policy: LivenessPolicy, said: str) -> LivenessResult:
    """Check one try; a spent challenge (passed or failed) changes no more.

    Args:
        state: the challenge as kept.
        policy: the attempt limit.
        said: what the caller said, as recognised.

    Returns:
        The new state, the outcome and the tries left.
    """
    if state.passed:
        return LivenessResult(state, LivenessOutcome.PASSED, 0)
    if state.failed:
        return LivenessResult(state, LivenessOutcome.FAILED, 0)
    attempts = state.attempts + 1
    left = max(0, policy.max_attempts - attempts)
    if phrase_matches(state, said):
        return LivenessResult(
            replace(state, attempts=attempts, passed=True), LivenessOutcome.PASSED, left
        )
    if left == 0:
        return LivenessResult(
            replace(state, attempts=attempts, failed=True), LivenessOutcome.FAILED, 0
        )
    return LivenessResult(replace(state, attempts=attempts), LivenessOutcome.RETRY, left)
