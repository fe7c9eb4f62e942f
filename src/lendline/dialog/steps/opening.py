"""The opening: the language, the two consents (PIPL), the caller's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lendline.dialog.nlu.choices import parse_language_choice
from lendline.dialog.nlu.names import read_name
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.turn import Prompt, Reply

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext


def _ask_language(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("choose_language")]


def _accept_language(ctx: DialogContext, text: str, digits: str) -> Reply:
    choice = {"1": "zh", "2": "en"}.get(digits[:1]) if digits else parse_language_choice(text)
    if choice is None and text:
        # A caller who simply starts talking has chosen by the language they speak.
        choice = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else None
    if choice is None:
        return ctx.retry()
    ctx.state.language = choice
    return ctx.go(Step.CONSENT, ctx.say("greeting"))


def _consent(kind: str, next_step: Step) -> StepSpec:
    step = Step.CONSENT if kind == "general" else Step.SENSITIVE_CONSENT
    prompt = "consent" if kind == "general" else "sensitive_consent"

    def ask(ctx: DialogContext) -> list[Prompt]:
        return [ctx.say(prompt)]

    def accept(ctx: DialogContext, text: str, digits: str) -> Reply:
        answer = ctx.yes_no(text, digits)
        if answer is None:
            return ctx.retry(ctx.say("yes_no_help"))
        return record(ctx, answer)

    def record(ctx: DialogContext, answer: bool) -> Reply:
        ctx.desk.record_consent(ctx.state, kind, answer, ctx.book.version)
        if not answer:
            return ctx.end(SessionStatus.REFUSED, ctx.say("consent_refused"))
        return ctx.go(next_step)

    return StepSpec(step, "yes_no", ask=ask, accept=accept)


def refuse_consent(ctx: DialogContext) -> Reply:
    """The caller declines to go on at a consent step: record the refusal and end."""
    kind = "general" if ctx.state.step is Step.CONSENT else "sensitive"
    ctx.desk.record_consent(ctx.state, kind, False, ctx.book.version)
    return ctx.end(SessionStatus.REFUSED, ctx.say("consent_refused"))


def _ask_name(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_name")]


def _accept_name(ctx: DialogContext, text: str, digits: str) -> Reply:
    name = read_name(text)
    if not name:
        return ctx.retry()
    ctx.state.slots["name"] = name
    return ctx.go(Step.ID_NUMBER)


STEPS = (
    StepSpec(Step.LANGUAGE, "free", ask=_ask_language, accept=_accept_language),
    _consent("general", Step.SENSITIVE_CONSENT),
    _consent("sensitive", Step.NAME),
    StepSpec(Step.NAME, "name", ask=_ask_name, accept=_accept_name),
)
