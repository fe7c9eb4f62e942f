"""The application read back whole, and confirmed, before the desk decides it.

Every answer is already read back in the next question, where "不对，是…" corrects it; a
borrower who did not catch that read-back still hears the whole application once, and says
yes before it is decided. The lender gets an explicit confirmation of what the borrower
declared (income above all); the borrower gets a last chance to correct a misunderstood
value. "No" with a value ("不对，收入是一万五") is a change of an earlier slot, which the
repair layer reads and this summary repeats; "no" that names a part ("用途不对") asks that
part again in its plain form (a purpose or a job with the choices read out) and comes back
here; a bare "no" asks which part.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from lendline.dialog.nlu.slot_change import named_slot
from lendline.dialog.state import Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.decision import decide
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

#: Set while a slot is asked again from the summary: filling it returns here.
REVISING = "revising"
#: A slot asked again with its choices read out, though not from the summary (a forbidden
#: use read back and denied): the answer goes on to the next question.
ASK_WITH_CHOICES = "ask_with_choices"
#: Changes made from the summary before a person takes over.
MAX_REVISIONS = 4
_REVISIONS = "revisions"


def purpose_label(ctx: DialogContext) -> str:
    """The purpose as read back: the category, or the caller's own words for "other"."""
    slots = ctx.state.slots
    if slots.get("purpose") == PurposeCategory.OTHER.value and slots.get("purpose_words"):
        return slots["purpose_words"]
    return ctx.book.label("purpose", slots["purpose"])


def summary(ctx: DialogContext) -> Prompt:
    """The application as the borrower gave it, asked to be confirmed."""
    slots, r = ctx.state.slots, ctx.render
    return ctx.say(
        "review_application",
        amount=r.amount(Decimal(slots["amount"])),
        term=r.months(int(slots["term"])),
        purpose=purpose_label(ctx),
        income=r.amount(Decimal(slots["income"])),
        employment=ctx.book.label("employment", slots["employment"]),
    )


def too_many_revisions(ctx: DialogContext) -> bool:
    """Count one change made from the summary; whether it is past :data:`MAX_REVISIONS`.

    Past it a person takes over: a caller and a script that keep disagreeing need someone
    who can listen.
    """
    slots = ctx.state.slots
    slots[_REVISIONS] = str(int(slots.get(_REVISIONS, "0")) + 1)
    return int(slots[_REVISIONS]) > MAX_REVISIONS


def revise(ctx: DialogContext, slot: str) -> Reply:
    """Ask ``slot`` again in its plain form; once it is filled the summary is read again."""
    if too_many_revisions(ctx):
        return ctx.hand_off()
    ctx.state.slots[REVISING] = slot
    ctx.state.step = next(spec.step for spec in ctx.specs.values() if spec.slot == slot)
    ctx.state.retries = 0
    return Reply(ctx.question())


def amount_limits(ctx: DialogContext) -> dict[str, str]:
    """The product's smallest and largest amounts as said ("min", "max" of the prompts)."""
    product, r = ctx.desk.product, ctx.render
    return {"min": r.amount(product.min_amount.amount), "max": r.amount(product.max_amount.amount)}


def revised_question(ctx: DialogContext, slot: str) -> list[Prompt]:
    """The question for a slot asked again from the summary (no read-back, choices listed)."""
    if slot == "amount":
        return [ctx.say("revise_amount", **amount_limits(ctx))]
    if slot == "term":
        return [ctx.say("revise_term", terms=ctx.render.term_list(ctx.desk.product.terms_months))]
    if slot in ("purpose", "employment"):
        return [ctx.say(f"revise_{slot}", choices=choice_list(ctx, slot))]
    return [ctx.say(f"revise_{slot}")]


def choice_list(ctx: DialogContext, slot: str) -> str:
    """The categories of ``slot`` read out as choices, in everyday words.

    They are the script's ``choice_<slot>`` labels; banned purposes are never offered.
    """
    prefix = f"choice_{slot}."
    words = [word for key, word in ctx.book.labels.items() if key.startswith(prefix)]
    if ctx.lang == "zh":
        return "、".join(words[:-1]) + "，还是" + words[-1]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _ask(ctx: DialogContext) -> list[Prompt]:
    return [summary(ctx)]


def _accept(ctx: DialogContext, text: str, digits: str) -> Reply:
    slot = named_slot(text) if text else None
    answer = ctx.yes_no(text, digits)
    if slot is not None and not answer:
        return revise(ctx, slot)
    if answer:
        return decide(ctx, ctx.say("decision_wait"))
    if answer is False:
        return Reply([ctx.say("review_which")])
    return ctx.retry(ctx.say("review_help"))


STEPS = (StepSpec(Step.REVIEW, "yes_no", ask=_ask, accept=_accept),)
