"""The application: amount, term, purpose, monthly income and employment.

Each answer is confirmed implicitly (the next question reads it back, and "不对，是…" /
"no, it's…" there corrects it), and any of them can be changed at any later step through
the repair layer, which reads the same slots through :data:`SLOTS`. A value that is
implausible for its slot (an income that is likely yearly, or far from the registry's) is
confirmed explicitly before it is stored; a purpose the classifier cannot place is asked
about once more and then kept as "other" with the caller's words, for the policy and a
reviewer, rather than handed off. After the last answer the whole application is read back
for an explicit yes (``steps.review``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import Ask, StepSpec
from lendline.dialog.steps.review import (
    ASK_WITH_CHOICES,
    REVISING,
    amount_limits,
    purpose_label,
    revised_question,
)
from lendline.dialog.steps.slot_readers import (
    Reading,
    read_amount,
    read_employment,
    read_income,
    read_purpose,
    read_term,
)
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory, is_banned

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext


# ---------------------------------------------------------------------------- moving on


def decline_if_banned(ctx: DialogContext) -> Reply | None:
    """Decline at once when the purpose stored is one the rules forbid, wherever it was said.

    A banned purpose said as a change at a later step ("其实不是装修，是想补仓") ends the call
    as surely as one said when asked.
    """
    purpose = PurposeCategory(ctx.state.slots["purpose"])
    if not is_banned(purpose):
        return None
    decision = ctx.desk.decline_for_purpose(ctx.state, purpose)
    ctx.state.reference = decision.reference
    label = ctx.book.label("purpose", purpose.value)
    return ctx.end(
        SessionStatus.DECLINED,
        ctx.say("decline_banned_purpose", purpose=label),
        ctx.goodbye(),
    )


def _after_purpose(ctx: DialogContext) -> Reply:
    return decline_if_banned(ctx) or ctx.go(Step.INCOME)


def advance_from(ctx: DialogContext, slot_name: str) -> Reply:
    """Go on once ``slot_name`` is filled at its own step.

    Back to the summary when the slot was asked again from there (a banned purpose is still
    declined), else to the next step.
    """
    slots = ctx.state.slots
    banned = slot_name == "purpose" and is_banned(PurposeCategory(slots["purpose"]))
    if slots.get(ASK_WITH_CHOICES) == slot_name:
        del slots[ASK_WITH_CHOICES]
    if slots.get(REVISING) == slot_name and not banned:
        del slots[REVISING]
        return ctx.go(Step.REVIEW)
    return SLOTS[slot_name].advance(ctx)


@dataclass(frozen=True, slots=True)
class Slot:
    """One application slot: where it is asked, how it is read, what follows it.

    Parameters:
        name: the slot's key in ``DialogState.slots``.
        step: the step that asks for it.
        read: reads an answer (text, keyed digits) into a :class:`Reading`.
        advance: what the script does once the slot is filled at its own step.
    """

    name: str
    step: Step
    read: Callable[[DialogContext, str, str], Reading]
    advance: Callable[[DialogContext], Reply]


SLOTS: dict[str, Slot] = {
    "amount": Slot("amount", Step.AMOUNT, read_amount, lambda ctx: ctx.go(Step.TERM)),
    "term": Slot("term", Step.TERM, read_term, lambda ctx: ctx.go(Step.PURPOSE)),
    "purpose": Slot("purpose", Step.PURPOSE, read_purpose, _after_purpose),
    "income": Slot("income", Step.INCOME, read_income, lambda ctx: ctx.go(Step.EMPLOYMENT)),
    "employment": Slot(
        "employment", Step.EMPLOYMENT, read_employment, lambda ctx: ctx.go(Step.REVIEW)
    ),
}
_FAILED = {"amount": "amount_invalid", "income": "income_invalid"}


def pend_confirmation(ctx: DialogContext, slot: str, value: str, prompt: Prompt) -> Reply:
    """Hold ``value`` for ``slot`` until the caller confirms it (asked with ``prompt``)."""
    ctx.state.slots["confirm_slot"] = slot
    ctx.state.slots["confirm_value"] = value
    return Reply([prompt])


def _accept(slot_name: str) -> Callable[[DialogContext, str, str], Reply]:
    slot = SLOTS[slot_name]

    def accept(ctx: DialogContext, text: str, digits: str) -> Reply:
        reading = slot.read(ctx, text, digits)
        if reading.value is None:
            return ctx.retry(reading.problem or ctx.say(_FAILED.get(slot_name, "not_understood")))
        if reading.confirm is not None:
            return pend_confirmation(ctx, slot_name, reading.value, reading.confirm)
        ctx.state.slots[slot_name] = reading.value
        return advance_from(ctx, slot_name)

    return accept


# ---------------------------------------------------------------------------- questions


def _revisable(ask: Ask, slot_name: str) -> Ask:
    """The step's question, or its plain form with choices when the slot is asked again."""

    def question(ctx: DialogContext) -> list[Prompt]:
        if slot_name in (ctx.state.slots.get(REVISING), ctx.state.slots.get(ASK_WITH_CHOICES)):
            return revised_question(ctx, slot_name)
        return ask(ctx)

    return question


def _ask_amount(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_amount", **amount_limits(ctx))]


def _ask_term(ctx: DialogContext) -> list[Prompt]:
    r = ctx.render
    amount = r.amount(Decimal(ctx.state.slots["amount"]))
    return [ctx.say("ask_term", amount=amount, terms=r.term_list(ctx.desk.product.terms_months))]


def _ask_purpose(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_purpose", term=ctx.render.months(int(ctx.state.slots["term"])))]


def _ask_income(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_income", purpose=purpose_label(ctx))]


def _ask_employment(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_employment", income=ctx.render.amount(Decimal(ctx.state.slots["income"])))]


STEPS = (
    StepSpec(
        Step.AMOUNT,
        "amount",
        ask=_revisable(_ask_amount, "amount"),
        accept=_accept("amount"),
        slot="amount",
    ),
    StepSpec(
        Step.TERM,
        "free",
        ask=_revisable(_ask_term, "term"),
        accept=_accept("term"),
        corrects=Step.AMOUNT,
        slot="term",
    ),
    StepSpec(
        Step.PURPOSE,
        "free",
        ask=_revisable(_ask_purpose, "purpose"),
        accept=_accept("purpose"),
        corrects=Step.TERM,
        slot="purpose",
    ),
    StepSpec(
        Step.INCOME,
        "amount",
        ask=_revisable(_ask_income, "income"),
        accept=_accept("income"),
        corrects=Step.PURPOSE,
        slot="income",
    ),
    StepSpec(
        Step.EMPLOYMENT,
        "free",
        ask=_revisable(_ask_employment, "employment"),
        accept=_accept("employment"),
        corrects=Step.INCOME,
        slot="employment",
    ),
)
