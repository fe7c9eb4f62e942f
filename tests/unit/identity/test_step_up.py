"""The step-up decision table."""

from __future__ import annotations

import pytest

from lendline.identity.step_up import (
    CALLER_ID_DIFFERS,
    NAME_DIFFERS,
    REGISTRY_MISMATCH,
    RiskLevel,
    StepUpAction,
    StepUpFacts,
    choose_step_up,
)

A = StepUpAction
DIFFERS = frozenset({CALLER_ID_DIFFERS})


@pytest.mark.parametrize(
    ("facts", "action"),
    [
        # Nothing wrong: nothing more to ask.
        (StepUpFacts(questions_left=2), A.NONE),
        (StepUpFacts(flags=DIFFERS, questions_left=2), A.NONE),
        # One wrong answer: one more question, or the phrase when none is left.
        (StepUpFacts(questions_failed=1, questions_left=2), A.MORE_QUESTIONS),
        (StepUpFacts(questions_failed=1, questions_left=0), A.PHRASE_REPEAT),
        # ... from another number: call back the registered one (phrase if impossible).
        (StepUpFacts(questions_failed=1, flags=DIFFERS, questions_left=2), A.CALL_BACK),
        (
            StepUpFacts(questions_failed=1, flags=DIFFERS, callback_possible=False),
            A.PHRASE_REPEAT,
        ),
        # ... with medium risk or a differing name: the phrase first.
        (
            StepUpFacts(questions_failed=1, external_risk=RiskLevel.MEDIUM, questions_left=2),
            A.PHRASE_REPEAT,
        ),
        (
            StepUpFacts(questions_failed=1, flags=frozenset({NAME_DIFFERS}), questions_left=2),
            A.PHRASE_REPEAT,
        ),
        # External risk alone.
        (StepUpFacts(external_risk=RiskLevel.LOW), A.NONE),
        (StepUpFacts(external_risk=RiskLevel.MEDIUM), A.PHRASE_REPEAT),
        (StepUpFacts(external_risk=RiskLevel.HIGH), A.CALL_BACK),
        (StepUpFacts(external_risk=RiskLevel.HIGH, callback_possible=False), A.HAND_OFF),
        (StepUpFacts(flags=DIFFERS | {NAME_DIFFERS}), A.PHRASE_REPEAT),
        # Ends of the road.
        (StepUpFacts(questions_failed=2, questions_left=2), A.HAND_OFF),
        (StepUpFacts(flags=frozenset({REGISTRY_MISMATCH})), A.HAND_OFF),
        (StepUpFacts(questions_failed=1, failed=True, questions_left=2), A.HAND_OFF),
        # A step-up is taken once: passed, the risk was answered; used up, hand off.
        (StepUpFacts(questions_failed=1, passed=True, done=frozenset({A.MORE_QUESTIONS})), A.NONE),
        (
            StepUpFacts(external_risk=RiskLevel.HIGH, passed=True, done=frozenset({A.CALL_BACK})),
            A.NONE,
        ),
        (
            StepUpFacts(
                questions_failed=1,
                questions_left=2,
                done=frozenset({A.MORE_QUESTIONS, A.PHRASE_REPEAT}),
            ),
            A.HAND_OFF,
        ),
        (StepUpFacts(external_risk=RiskLevel.MEDIUM, done=frozenset({A.PHRASE_REPEAT})), A.NONE),
    ],
)
def test_the_step_up_table(facts: StepUpFacts, action: StepUpAction) -> None:
    assert choose_step_up(facts).action is action


def test_reasons_name_what_led_to_the_step_up() -> None:
    decision = choose_step_up(StepUpFacts(questions_failed=1, flags=DIFFERS, questions_left=1))
    assert decision.reasons == ("security_question_failed", CALLER_ID_DIFFERS)
    assert choose_step_up(StepUpFacts(external_risk=RiskLevel.HIGH)).reasons == (
        "external_risk_high",
    )


def test_counts_cannot_be_negative() -> None:
    with pytest.raises(ValueError):
        StepUpFacts(questions_failed=-1)
