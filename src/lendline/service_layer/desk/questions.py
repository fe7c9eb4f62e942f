"""Security questions: draw a set never asked of the customer before, and check answers.

The answers never leave this module: the dialog gets the choices to read out and a yes or
no, and the audit log gets the outcome and timing.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

from lendline.dialog.ports import AskedQuestion
from lendline.dialog.state import DialogState
from lendline.identity.choices import (
    ChoiceQuestion,
    QuestionSetsExhausted,
    choice_answer_matches,
    draw_question_set,
    ordinal_choice,
)
from lendline.identity.questions import QuestionKind, answer_matches, question_for
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import DeskContext, session_customer
from lendline.shared.clock import business_day

#: A bank name is offered as a distractor only if at least this many customers share it.
_PEER_MIN_CUSTOMERS = 3


def draw_questions(desk: DeskContext, state: DialogState, count: int) -> list[AskedQuestion]:
    """Draw security questions as choices, a set never drawn for this customer before.

    Distractors come from the built-in lists and from bank names several customers
    share. The set's keyed fingerprint is stored; an empty list means every set the
    customer's data allows was drawn before.
    """
    record = session_customer(desk, state)
    now = desk.clock.now()
    with SqlUnitOfWork(desk.engine) as uow:
        seen = uow.identity.seen_question_sets(record.customer_id)
        peers = {QuestionKind.BANK_NAME: uow.identity.shared_bank_names(_PEER_MIN_CUSTOMERS)}
        try:
            drawn = draw_question_set(
                record,
                desk.rng,
                count,
                fingerprint=lambda qs: qs.fingerprint(desk.pepper, record.customer_id),
                seen=seen,
                peers=peers,
                today=business_day(now),
                policy=desk.choice_policy,
            )
        except QuestionSetsExhausted:
            uow.audit.append(
                "identity.questions_exhausted",
                state.session_id,
                {"sets_drawn_before": len(seen)},
                now,
            )
            uow.commit()
            return []
        kinds = tuple(kind.value for kind in drawn.kinds)
        uow.identity.add_question_set(
            record.customer_id,
            drawn.fingerprint(desk.pepper, record.customer_id),
            kinds,
            state.session_id,
            now,
        )
        uow.audit.append(
            "identity.questions_drawn",
            state.session_id,
            {
                "kinds": list(kinds),
                "choices": [len(q.choices) for q in drawn.questions],
                "sets_drawn_before": len(seen),
            },
            now,
        )
        uow.commit()
    return [AskedQuestion(q.kind.value, q.choices) for q in drawn.questions]


def check_answer(
    desk: DeskContext,
    state: DialogState,
    question: AskedQuestion,
    answer: str,
    answer_secs: float | None = None,
) -> bool:
    """Check a security answer; the outcome and timing are logged, never the answer."""
    record = session_customer(desk, state)
    kind = QuestionKind(question.kind)
    expected = question_for(record, kind).expected
    by_place = False
    if not question.choices:
        ok = answer_matches(question_for(record, kind), answer)
    elif expected in question.choices:
        asked = ChoiceQuestion(kind, question.choices, question.choices.index(expected))
        ok = choice_answer_matches(asked, answer)
        by_place = ordinal_choice(answer, len(question.choices)) is not None
    else:
        # The registry changed since the question was drawn: no choice is right.
        ok = False
    with SqlUnitOfWork(desk.engine) as uow:
        uow.audit.append(
            "identity.security_question",
            state.session_id,
            {
                "kind": kind.value,
                "passed": ok,
                "choices": len(question.choices),
                "answered_by": "place" if by_place else "name",
                "answer_secs": None if answer_secs is None else round(answer_secs, 2),
                "step_up": state.step_ups[-1] if state.step_ups else None,
            },
            desk.clock.now(),
        )
        uow.commit()
    return ok
