"""Security questions (choices read out) and the step-ups.

A step-up is one more question, a phrase to repeat, a call-back to the registered number,
or a person.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from lendline.dialog.ports import AskedQuestion, StepUpView
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.codes import send_code
from lendline.dialog.turn import Prompt, Reply
from lendline.dialog.verbalize import say_integer

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

QUESTIONS_NEEDED = 2
#: Questions drawn beyond those needed: spares for a step-up ("one more question").
_QUESTIONS_FAILED_MAX = 2


def start_questions(ctx: DialogContext) -> Reply:
    """Draw the security questions and ask the first."""
    state = ctx.state
    questions = ctx.desk.draw_questions(state, QUESTIONS_NEEDED + _QUESTIONS_FAILED_MAX)
    if not questions:
        return ctx.hand_off(ctx.say("security_failed"))
    state.question_kinds = [question.kind for question in questions]
    state.question_choices = [list(question.choices) for question in questions]
    state.question_index = 0
    state.questions_failed = 0
    state.step_ups = []
    state.step_up_result = None
    return ctx.go(Step.SECURITY_QUESTION, ctx.say("security_intro"))


def _choice_list(ctx: DialogContext, kind: str, choices: list[str]) -> str:
    """The choices as read out: "北京、上海还是广州" / "Beijing, Shanghai or Guangzhou"."""
    r = ctx.render
    zh = ctx.lang == "zh"
    if kind == "account_last4":
        items = [r.digits(choice) for choice in choices]
    elif kind == "customer_since_year":
        items = [
            (r.digits(choice) + "年" if zh else say_integer(int(choice), "en"))
            if ctx.spoken
            else (choice + "年" if zh else choice)
            for choice in choices
        ]
    else:
        items = list(choices)
    if len(items) < 2:
        return "".join(items)
    if zh:
        return "、".join(items[:-1]) + "还是" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _ask_question(ctx: DialogContext) -> list[Prompt]:
    state = ctx.state
    kind = state.question_kinds[state.question_index]
    choices = (
        state.question_choices[state.question_index]
        if state.question_index < len(state.question_choices)
        else []
    )
    # The answer time runs from the last reading of the question.
    state.question_asked_at = ctx.clock.now().isoformat()
    return [ctx.say(f"q_{kind}", choices=_choice_list(ctx, kind, choices))]


def _answer_secs(ctx: DialogContext) -> float | None:
    asked = ctx.state.question_asked_at
    if not asked:
        return None
    return max(0.0, (ctx.clock.now() - datetime.fromisoformat(asked)).total_seconds())


def _accept_answer(ctx: DialogContext, text: str, digits: str) -> Reply:
    state = ctx.state
    answer = text or digits
    if not answer:
        return ctx.retry()
    index = state.question_index
    choices = state.question_choices[index] if index < len(state.question_choices) else []
    question = AskedQuestion(state.question_kinds[index], tuple(choices))
    ok = ctx.desk.check_answer(state, question, answer, _answer_secs(ctx))
    state.question_index += 1
    state.retries = 0
    if not ok:
        state.questions_failed += 1
        if state.step_ups:
            # A wrong answer during a step-up fails it.
            return step_up_failed(ctx, ctx.say("answer_wrong"))
        return step_up(ctx, ctx.desk.choose_step_up(state), ctx.say("answer_wrong"))
    passed = state.question_index - state.questions_failed
    if passed < QUESTIONS_NEEDED:
        return Reply(ctx.question())
    if state.step_ups and state.step_up_result is None:
        state.step_up_result = "passed"
    elif not state.step_ups:
        # Questions passed: an external risk level or the flags may still ask for more.
        chosen = ctx.desk.choose_step_up(state)
        if chosen.action != "none":
            return step_up(ctx, chosen)
    return send_code(ctx, Step.OTP, "verify")


def step_up(ctx: DialogContext, chosen: StepUpView, *before: Prompt) -> Reply:
    """Start the step-up chosen by the desk (or end the identity check)."""
    state = ctx.state
    action = chosen.action
    if action == "none":
        return Reply([*before, *ctx.question()])
    if action == "hand_off":
        return step_up_failed(ctx, *before)
    state.step_ups.append(action)
    if action == "more_questions":
        state.step = Step.SECURITY_QUESTION
        return Reply([*before, ctx.say("step_up_question"), *ctx.question()])
    if action == "call_back":
        booked = ctx.desk.request_callback(state, ",".join(chosen.reasons) or action)
        state.step_up_result = "pending"
        return ctx.end(
            SessionStatus.CALLBACK,
            *before,
            ctx.say("callback_scheduled", last4=ctx.render.digits(booked.mobile_last4)),
        )
    challenge = ctx.desk.start_liveness(state)
    state.slots["liveness_phrase"] = " ".join(challenge.tokens)
    state.slots["liveness_digits"] = "1" if challenge.digits else ""
    return ctx.go(Step.LIVENESS, *before)


def step_up_failed(ctx: DialogContext, *before: Prompt) -> Reply:
    """The step-up (or the questions) failed: a person takes over."""
    if ctx.state.step_ups:
        ctx.state.step_up_result = "failed"
    return ctx.hand_off(*before, ctx.say("security_failed"))


def _phrase(ctx: DialogContext) -> str:
    """The liveness phrase as read out (digits one by one on a voice line)."""
    slots = ctx.state.slots
    phrase = slots.get("liveness_phrase", "")
    if slots.get("liveness_digits"):
        return ctx.render.digits(phrase.replace(" ", ""))
    return ("，" if ctx.lang == "zh" else ", ").join(phrase.split())


def _ask_liveness(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("liveness_repeat", phrase=_phrase(ctx))]


def _accept_liveness(ctx: DialogContext, text: str, digits: str) -> Reply:
    state = ctx.state
    said = text or digits
    if not said:
        return ctx.retry()
    checked = ctx.desk.check_liveness(state, said)
    if checked.outcome == "retry":
        return Reply([ctx.say("liveness_retry", phrase=_phrase(ctx))])
    if checked.outcome != "passed":
        return step_up_failed(ctx)
    state.step_up_result = "passed"
    resume = ctx.resumes.get(state.slots.pop("step_up_for", ""))
    if resume is not None:
        return resume(ctx, ctx.say("verified"))
    if state.question_index - state.questions_failed >= QUESTIONS_NEEDED:
        return send_code(ctx, Step.OTP, "verify")
    if state.question_index >= len(state.question_kinds):
        return step_up_failed(ctx)
    return ctx.go(Step.SECURITY_QUESTION)


STEPS = (
    StepSpec(Step.SECURITY_QUESTION, "free", ask=_ask_question, accept=_accept_answer),
    StepSpec(Step.LIVENESS, "free", ask=_ask_liveness, accept=_accept_liveness),
)
