"""Step-up: what further assurance to ask for when the identity risk is high.

Knowledge questions and a one-time code verify most callers. Some signals call for more:
a wrong security answer, a call from a number other than the registered mobile, a stated
name that differs from the registry, or a risk level fed in from the fraud engine. The
decision is a value (:class:`StepUp`), taken from the table below; the first row that applies
wins.

======================================================  ================================
situation                                               step-up
======================================================  ================================
a step-up already failed                                hand-off
registry mismatch, or two security answers wrong        hand-off
a step-up already passed                                none (the risk was answered)
external risk ``high``                                  call-back (else hand-off)
one answer wrong, call from another number              call-back (else phrase repeat)
one answer wrong, external ``medium`` or name differs   phrase repeat (else more questions)
one answer wrong                                        one more question (else phrase)
external ``medium``                                     phrase repeat
call from another number and name differs               phrase repeat
otherwise                                               none
======================================================  ================================

"else" applies when the first choice was already used in the session or is not available
(no question left to ask, no call-back possible). A step-up is taken once per session:
passing it makes good the one wrong answer before it, so the credit policy no longer refers
for it (``PolicyConfig.refer_failed_questions`` counts answers "not made good by a passed
step-up"); failing it ends the identity check with a hand-off to a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

__all__ = [
    "CALLER_ID_DIFFERS",
    "NAME_DIFFERS",
    "REGISTRY_MISMATCH",
    "RiskLevel",
    "StepUp",
    "StepUpAction",
    "StepUpFacts",
    "choose_step_up",
]

#: Reviewer flags the dialog sets (``DialogState.flags``) that the table reads.
CALLER_ID_DIFFERS: Final = "caller_id_differs_from_registered_mobile"
REGISTRY_MISMATCH: Final = "registry_mismatch"
NAME_DIFFERS: Final = "name_differs_from_registry"


class RiskLevel(StrEnum):
    """An external risk level (the fraud engine's view of the session)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class StepUpAction(StrEnum):
    """The further assurance asked for."""

    NONE = "none"
    MORE_QUESTIONS = "more_questions"
    PHRASE_REPEAT = "phrase_repeat"
    CALL_BACK = "call_back"
    HAND_OFF = "hand_off"


@dataclass(frozen=True, slots=True)
class StepUpFacts:
    """What is known when the step-up is decided.

    Parameters:
        questions_failed: security answers wrong so far in the session.
        flags: reviewer flags of the session (see the module constants).
        external_risk: the fraud engine's level, if it gave one.
        done: step-ups already taken in the session.
        passed: a step-up was passed in the session.
        failed: a step-up was failed in the session.
        questions_left: security questions still available to ask.
        callback_possible: a call-back to the registered number can be arranged.
    """

    questions_failed: int = 0
    flags: frozenset[str] = frozenset()
    external_risk: RiskLevel | None = None
    done: frozenset[StepUpAction] = frozenset()
    passed: bool = False
    failed: bool = False
    questions_left: int = 0
    callback_possible: bool = True

    def __post_init__(self) -> None:
        if self.questions_failed < 0 or self.questions_left < 0:
            raise ValueError("counts cannot be negative")


@dataclass(frozen=True, slots=True)
class StepUp:
    """The step-up decided, with the reasons (stable codes for the audit log).

    Parameters:
        action: what to do.
        reasons: why, in table order.
    """

    action: StepUpAction
    reasons: tuple[str, ...] = ()


def _first_available(facts: StepUpFacts, *actions: StepUpAction) -> StepUpAction:
    for action in actions:
        if action in facts.done:
            continue
        if action is StepUpAction.MORE_QUESTIONS and facts.questions_left < 1:
            continue
        if action is StepUpAction.CALL_BACK and not facts.callback_possible:
            continue
        return action
    return StepUpAction.HAND_OFF


def choose_step_up(facts: StepUpFacts) -> StepUp:
    """Choose the step-up for the situation, by the table in the module docs.

    Args:
        facts: what is known about the session.

    Returns:
        The step-up (``NONE`` when no further assurance is needed).
    """
    failed_one = facts.questions_failed == 1
    differs = CALLER_ID_DIFFERS in facts.flags
    name_differs = NAME_DIFFERS in facts.flags
    medium = facts.external_risk is RiskLevel.MEDIUM
    if facts.failed:
        return StepUp(StepUpAction.HAND_OFF, ("step_up_failed",))
    if REGISTRY_MISMATCH in facts.flags:
        return StepUp(StepUpAction.HAND_OFF, ("registry_mismatch",))
    if facts.questions_failed >= 2:
        return StepUp(StepUpAction.HAND_OFF, ("security_questions_failed",))
    if facts.passed:
        return StepUp(StepUpAction.NONE, ("step_up_passed",))
    if facts.external_risk is RiskLevel.HIGH:
        action = _first_available(facts, StepUpAction.CALL_BACK)
        return StepUp(action, ("external_risk_high",))
    if failed_one and differs:
        action = _first_available(facts, StepUpAction.CALL_BACK, StepUpAction.PHRASE_REPEAT)
        return StepUp(action, ("security_question_failed", CALLER_ID_DIFFERS))
    if failed_one and (medium or name_differs):
        reasons = ("security_question_failed",) + (
            ("external_risk_medium",) if medium else (NAME_DIFFERS,)
        )
        action = _first_available(facts, StepUpAction.PHRASE_REPEAT, StepUpAction.MORE_QUESTIONS)
        return StepUp(action, reasons)
    if failed_one:
        action = _first_available(facts, StepUpAction.MORE_QUESTIONS, StepUpAction.PHRASE_REPEAT)
        return StepUp(action, ("security_question_failed",))
    if medium and not facts.done:
        return StepUp(StepUpAction.PHRASE_REPEAT, ("external_risk_medium",))
    if differs and name_differs and not facts.done:
        return StepUp(StepUpAction.PHRASE_REPEAT, (CALLER_ID_DIFFERS, NAME_DIFFERS))
    return StepUp(StepUpAction.NONE)
