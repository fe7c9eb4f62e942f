"""Identity assurance in the script: choice questions, step-up after a wrong answer, liveness,
call-back, and the one-time-code velocity limits, against the real loan desk and database."""

from __future__ import annotations

import json

from sqlalchemy import select

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import resolve_answer
from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.state import SessionStatus, Step
from lendline.identity.otp_velocity import OtpVelocityPolicy
from lendline.identity.questions import QuestionKind, question_for
from lendline.persistence import tables as t
from lendline.persistence.uow import SqlUnitOfWork


def _open(app, caller: str | None = None) -> Dialog:  # type: ignore[no-untyped-def]
    persona = happy_borrower("zh")
    dialog = app.open_call(caller or persona.caller_number, "voice")
    dialog.start()
    return dialog


def _advance_to(app, dialog: Dialog, step: Step) -> Reply:  # type: ignore[no-untyped-def]
    persona = happy_borrower("zh")
    reply = Reply()
    while dialog.state.step is not step:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None, dialog.state.last_prompts
        said = resolve_answer(app, persona, answer, spoken=False, state=dialog.state)
        reply = dialog.handle(CallerInput(text=said))
        assert not reply.end_call, reply.prompts
    return reply


def _ids(reply: Reply) -> list[str]:
    return [prompt_id for prompt_id, _ in reply.prompts]


def _wrong_choice(app, dialog: Dialog) -> str:  # type: ignore[no-untyped-def]
    state = dialog.state
    record = app.desk.find_customer(state.slots["id_number"])
    kind = QuestionKind(state.question_kinds[state.question_index])
    expected = question_for(record, kind).expected
    return next(c for c in state.question_choices[state.question_index] if c != expected)


def _right_answer(dialog: Dialog) -> str:
    return happy_borrower("zh").answers[
        f"q_{dialog.state.question_kinds[dialog.state.question_index]}"
    ][0]


def _audit(app, kind: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(app.desk.engine, read_only=True) as uow:
        rows = uow.connection.execute(
            select(t.audit_log.c.payload)
            .where(t.audit_log.c.kind == kind)
            .order_by(t.audit_log.c.seq)
        ).scalars()
        return [json.loads(row) for row in rows]


def test_questions_are_read_out_with_their_choices(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    reply = _advance_to(app, dialog, Step.SECURITY_QUESTION)
    prompt_id, text = reply.prompts[-1]
    choices = dialog.state.question_choices[0]
    assert prompt_id == f"q_{dialog.state.question_kinds[0]}"
    assert 3 <= len(choices) <= 4 and "还是" in text
    assert len(dialog.state.question_kinds) == len(dialog.state.question_choices) == 4


def test_a_wrong_answer_steps_up_to_one_more_question_and_passing_it_goes_on(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    reply = dialog.handle(CallerInput(text=_wrong_choice(app, dialog)))
    assert _ids(reply)[:2] == ["answer_wrong", "step_up_question"]
    assert dialog.state.step_ups == ["more_questions"]
    dialog.handle(CallerInput(text=_right_answer(dialog)))
    reply = dialog.handle(CallerInput(text=_right_answer(dialog)))
    assert dialog.state.step is Step.OTP and _ids(reply) == ["otp_sent"]
    assert dialog.state.step_up_result == "passed"
    assert [e["action"] for e in _audit(app, "identity.step_up")] == ["more_questions"]
    answers = _audit(app, "identity.security_question")
    assert [a["passed"] for a in answers] == [False, True, True]
    assert all(isinstance(a["answer_secs"], float) for a in answers)
    assert answers[1]["step_up"] == "more_questions"
    # The made-good answer does not refer the application, and the verification carries it.
    reply = _advance_to(app, dialog, Step.OFFER)
    verified = [e for e in _audit(app, "identity.otp_checked") if e["outcome"] == "verified"]
    assert verified[0]["step_up_result"] == "passed" and verified[0]["questions_failed"] == 1


def test_a_wrong_answer_during_the_step_up_hands_off(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    dialog.handle(CallerInput(text=_wrong_choice(app, dialog)))
    reply = dialog.handle(CallerInput(text=_wrong_choice(app, dialog)))
    assert reply.hand_off and _ids(reply) == ["answer_wrong", "security_failed", "hand_off"]
    assert dialog.state.step_up_result == "failed"
    assert dialog.state.status is SessionStatus.HANDED_OFF


def test_a_choice_can_be_named_by_its_place(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    state = dialog.state
    record = app.desk.find_customer(state.slots["id_number"])
    expected = question_for(record, QuestionKind(state.question_kinds[0])).expected
    place = state.question_choices[0].index(expected) + 1
    dialog.handle(CallerInput(text=f"第{'一二三四'[place - 1]}个"))
    assert state.questions_failed == 0 and state.question_index == 1
    assert _audit(app, "identity.security_question")[0]["answered_by"] == "place"


def test_a_wrong_answer_from_another_number_books_a_call_back(make_app) -> None:
    app = make_app()
    dialog = _open(app, caller="13700009999")
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    assert "caller_id_differs_from_registered_mobile" in dialog.state.flags
    reply = dialog.handle(CallerInput(text=_wrong_choice(app, dialog)))
    assert reply.end_call and _ids(reply) == ["answer_wrong", "callback_scheduled"]
    assert "五六七八" in reply.prompts[-1][1]
    assert dialog.state.status is SessionStatus.CALLBACK
    with SqlUnitOfWork(app.desk.engine, read_only=True) as uow:
        pending = uow.identity.callbacks.pending(dialog.state.customer_id or "")
    assert [(p.session_id, p.reason) for p in pending] == [
        (
            dialog.state.session_id,
            "security_question_failed,caller_id_differs_from_registered_mobile",
        )
    ]
    assert _audit(app, "identity.callback_requested")[0]["request_id"] == pending[0].request_id


def test_medium_external_risk_asks_for_the_phrase_before_the_code(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    assert app.desk.request_step_up(dialog.state, "medium").action == "phrase_repeat"
    dialog.handle(CallerInput(text=_right_answer(dialog)))
    reply = dialog.handle(CallerInput(text=_right_answer(dialog)))
    assert dialog.state.step is Step.LIVENESS and _ids(reply) == ["liveness_repeat"]
    phrase = dialog.state.slots["liveness_phrase"]
    assert len(phrase.split()) == 4
    _advance_to(app, dialog, Step.OTP)
    assert dialog.state.step_up_result == "passed"
    assert [e["outcome"] for e in _audit(app, "identity.liveness_checked")] == ["passed"]


def test_a_phrase_not_repeated_twice_hands_off(make_app) -> None:
    app = make_app()
    dialog = _open(app)
    _advance_to(app, dialog, Step.SECURITY_QUESTION)
    app.desk.request_step_up(dialog.state, "medium")
    dialog.handle(CallerInput(text=_right_answer(dialog)))
    dialog.handle(CallerInput(text=_right_answer(dialog)))
    first = dialog.handle(CallerInput(text="一二"))
    assert _ids(first) == ["liveness_retry"]
    second = dialog.handle(CallerInput(text="一二"))
    assert second.hand_off and dialog.state.step_up_result == "failed"


def test_the_daily_code_limit_ends_the_call_with_its_own_prompt(make_app) -> None:
    app = make_app()
    app.desk.velocity_policy = OtpVelocityPolicy(id_max_sends=1)
    dialog = _open(app)
    _advance_to(app, dialog, Step.SIGN_CONSENT)
    reply = dialog.handle(CallerInput(text="是的我同意"))
    assert reply.end_call and _ids(reply) == ["otp_velocity"]
    assert dialog.state.status is SessionStatus.LOCKED
    assert _audit(app, "identity.otp_lockout")[0]["reason"] == "id_velocity"
