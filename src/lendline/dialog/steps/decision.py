"""The decision: the application in the slots goes to the desk; the script acts on it.

The outcome is an offer, a decline or referral with reasons, a step-up, or a person.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from lendline.dialog.ports import ApplicationInput, DecisionView
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.security import step_up
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext


def decide(ctx: DialogContext, *before: Prompt) -> Reply:
    """Submit the application gathered in the slots and act on the decision."""
    slots = ctx.state.slots
    decision = ctx.desk.submit_application(
        ctx.state,
        ApplicationInput(
            amount=Decimal(slots["amount"]),
            term_months=int(slots["term"]),
            purpose=PurposeCategory(slots["purpose"]),
            monthly_income=Decimal(slots["income"]),
            employment=slots["employment"],
        ),
    )
    ctx.state.reference = decision.reference
    return _after_decision(ctx, decision, *before)


def _after_decision(ctx: DialogContext, decision: DecisionView, *wait: Prompt) -> Reply:
    reasons = ("；" if ctx.lang == "zh" else "; ").join(
        reason.zh if ctx.lang == "zh" else reason.en for reason in decision.reasons
    )
    if decision.hand_off:
        # A critical alert: the script stops here and a person takes the call.
        return ctx.hand_off(*wait)
    if decision.outcome == "step_up":
        # The fraud engine wants more assurance before deciding: the step-up runs, and
        # the application is decided again once it is passed (``resumes["decision"]``).
        view = ctx.desk.request_step_up(ctx.state, "medium")
        if view.action in ("phrase_repeat", "call_back"):
            ctx.state.slots["step_up_for"] = "decision"
            return step_up(ctx, view, *wait, ctx.say("step_up_decision"))
        return ctx.end(
            SessionStatus.REFERRED, *wait, ctx.say("referred", reasons=reasons), ctx.goodbye()
        )
    if decision.outcome == "decline":
        return ctx.end(
            SessionStatus.DECLINED, *wait, ctx.say("declined", reasons=reasons), ctx.goodbye()
        )
    if decision.outcome == "refer":
        return ctx.end(
            SessionStatus.REFERRED, *wait, ctx.say("referred", reasons=reasons), ctx.goodbye()
        )
    offer = decision.offer
    assert offer is not None  # an approval always carries its offer
    slots = ctx.state.slots
    slots["offer_amount"] = str(offer.amount.amount)
    slots["offer_term"] = str(offer.term_months)
    slots["offer_apr"] = str(offer.rates.apr)
    slots["offer_monthly_rate"] = str(offer.annual_rate / 12)
    slots["offer_payment"] = str(offer.monthly_payment.amount)
    slots["offer_total"] = str(offer.total_repayment.amount)
    slots["offer_interest"] = str(offer.total_interest.amount)
    slots["offer_effective"] = str(offer.rates.effective)
    slots["offer_method"] = offer.method.value
    slots["offer_last_payment"] = str(offer.schedule.installments[-1].payment.amount)
    slots["offer_fees"] = str(offer.total_fees.amount)
    slots["offer_grace_months"] = str(offer.grace_months)
    slots["offer_regular_payment"] = str(offer.schedule.peak_payment.amount)
    return ctx.go(Step.OFFER, *wait)
