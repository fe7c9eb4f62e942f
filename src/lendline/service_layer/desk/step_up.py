"""Step-up: choose the extra check a session needs, run the phrase repeat, book a call-back.

What to ask for is ``identity.step_up``'s rule over the session's facts (failed answers,
flags, the fraud engine's risk level); this module feeds it, logs the choice, and runs the
liveness phrase and the call-back it can lead to.

``DialogState`` fields written: ``external_risk`` (``request_step_up``) and the slots
``liveness_style``, ``liveness_tokens`` and ``liveness_attempts`` (``start_liveness``,
``check_liveness``).
"""

from __future__ import annotations

import uuid

from lendline.dialog.ports import CallbackBooked, PhraseChallenge, PhraseChecked, StepUpView
from lendline.dialog.state import DialogState
from lendline.identity import step_up as step_up_rules
from lendline.identity.liveness import (
    LivenessState,
    PhraseStyle,
    check_phrase,
    new_challenge,
    phrase_text,
)
from lendline.identity.phone import MobileNumber
from lendline.identity.ports import CallbackRequest
from lendline.identity.step_up import RiskLevel, StepUpAction, StepUpFacts
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import DeskContext, session_customer


def choose_step_up(desk: DeskContext, state: DialogState) -> StepUpView:
    """Choose the step-up the session needs now (see ``identity.step_up``), and log it."""
    facts = StepUpFacts(
        questions_failed=state.questions_failed,
        flags=frozenset(state.flags),
        external_risk=RiskLevel(state.external_risk) if state.external_risk else None,
        done=frozenset(StepUpAction(action) for action in state.step_ups),
        passed=state.step_up_result == "passed",
        failed=state.step_up_result == "failed",
        questions_left=max(0, len(state.question_kinds) - state.question_index),
        callback_possible=state.customer_id is not None,
    )
    decision = step_up_rules.choose_step_up(facts)
    with SqlUnitOfWork(desk.engine) as uow:
        uow.audit.append(
            "identity.step_up",
            state.session_id,
            {
                "action": decision.action.value,
                "reasons": list(decision.reasons),
                "questions_failed": state.questions_failed,
                "external_risk": state.external_risk,
            },
            desk.clock.now(),
        )
        uow.commit()
    return StepUpView(decision.action.value, decision.reasons)


def request_step_up(desk: DeskContext, state: DialogState, level: str) -> StepUpView:
    """Feed the fraud engine's risk level for the session and choose the step-up.

    The level is kept in the session (``state.external_risk``); the dialog consults the
    step-up again once the security questions are answered, before the one-time code.

    Raises:
        ValueError: for a level other than "low", "medium" or "high".
    """
    state.external_risk = RiskLevel(level).value
    return choose_step_up(desk, state)


def start_liveness(desk: DeskContext, state: DialogState) -> PhraseChallenge:
    """Draw a phrase for the caller to repeat; it is kept in the session's slots."""
    challenge = new_challenge(desk.liveness_policy, desk.rng)
    state.slots["liveness_style"] = challenge.style.value
    state.slots["liveness_tokens"] = ",".join(challenge.tokens)
    state.slots["liveness_attempts"] = "0"
    with SqlUnitOfWork(desk.engine) as uow:
        uow.audit.append(
            "identity.liveness_started",
            state.session_id,
            {"style": challenge.style.value, "length": len(challenge.tokens)},
            desk.clock.now(),
        )
        uow.commit()
    return PhraseChallenge(
        phrase_text(challenge, state.language or "zh"),
        challenge.style is PhraseStyle.DIGITS,
    )


def check_liveness(desk: DeskContext, state: DialogState, said: str) -> PhraseChecked:
    """Check the caller's repeat of the session's phrase (its own attempt limit)."""
    slots = state.slots
    challenge = LivenessState(
        PhraseStyle(slots["liveness_style"]),
        tuple(slots["liveness_tokens"].split(",")),
        attempts=int(slots.get("liveness_attempts", "0")),
    )
    result = check_phrase(challenge, desk.liveness_policy, said)
    slots["liveness_attempts"] = str(result.state.attempts)
    with SqlUnitOfWork(desk.engine) as uow:
        uow.audit.append(
            "identity.liveness_checked",
            state.session_id,
            {"outcome": result.outcome.value, "attempts_left": result.attempts_left},
            desk.clock.now(),
        )
        uow.commit()
    return PhraseChecked(result.outcome.value, result.attempts_left)


def request_callback(desk: DeskContext, state: DialogState, reason: str) -> CallbackBooked:
    """Request a call-back to the registered number: a row, an outbox message, an event."""
    record = session_customer(desk, state)
    now = desk.clock.now()
    request = CallbackRequest(uuid.uuid4().hex, state.session_id, record.customer_id, reason, now)
    with SqlUnitOfWork(desk.engine) as uow:
        uow.identity.callbacks.schedule(request)
        uow.audit.append(
            "identity.callback_requested",
            state.session_id,
            {"request_id": request.request_id, "reason": reason},
            now,
        )
        uow.commit()
    return CallbackBooked(MobileNumber.parse(record.mobile).digits[-4:])
