"""The offer (APR said first), the disclosures, the consent, the signing code, the payout.

The disclosures are read verbatim; the goodbye carries the application reference.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.codes import ask_code, check_code, send_code
from lendline.dialog.turn import Prompt, Reply

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext


def offer_values(ctx: DialogContext) -> dict[str, str]:
    """The offer's figures as said in the offer and the disclosures."""
    r = ctx.render
    slots = ctx.state.slots
    book = ctx.book
    payment = r.amount(Decimal(slots["offer_payment"]))
    last = Decimal(slots.get("offer_last_payment", slots["offer_payment"]))
    method = slots.get("offer_method", "equal_installment")
    grace = int(slots.get("offer_grace_months", "0"))
    if grace:
        # Interest-only months first: say them, then the regular payment that follows.
        regular = r.amount(Decimal(slots["offer_regular_payment"]))
        payments = book.text(
            "offer_payments_grace", grace=r.months(grace), payment=payment, regular=regular
        )
    elif method == "equal_principal":
        payments = book.text("offer_payments_falling", payment=payment, last=r.amount(last))
    else:
        payments = book.text("offer_payments_level", payment=payment)
    fees = Decimal(slots.get("offer_fees", "0"))
    return {
        "amount": r.amount(Decimal(slots["offer_amount"])),
        "term": r.months(int(slots["offer_term"])),
        "method": book.text(f"offer_method_{method}"),
        "apr": r.percent(Decimal(slots["offer_apr"])),
        # Older saved sessions have no effective rate; 12 x monthly IRR compounds to it.
        "effective": r.percent(Decimal(slots.get("offer_effective", slots["offer_apr"]))),
        "monthly_rate": r.percent(Decimal(slots["offer_monthly_rate"]), places=2),
        "payment": payment,
        "payments": payments,
        "total": r.amount(Decimal(slots["offer_total"])),
        "interest": r.amount(Decimal(slots["offer_interest"])),
        "fees": (
            book.text("offer_fees", fees=r.amount(fees)) if fees else book.text("offer_fees_none")
        ),
    }


def _ask_offer(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("offer", **offer_values(ctx))]


def _accept_offer(ctx: DialogContext, text: str, digits: str) -> Reply:
    answer = ctx.yes_no(text, digits)
    if answer is None:
        return ctx.retry(ctx.say("yes_no_help"))
    if not answer:
        return decline_offer(ctx)
    ctx.desk.send_contract(ctx.state, ctx.book.sms["contract"])
    disclosures = ctx.say("disclosures", **offer_values(ctx))
    return ctx.go(Step.SIGN_CONSENT, disclosures)


def decline_offer(ctx: DialogContext) -> Reply:
    """The caller turns the offer (or the signature) down: nothing is owed."""
    prompt = "offer_declined" if ctx.state.step is Step.OFFER else "sign_declined"
    return ctx.end(SessionStatus.CANCELLED, ctx.say(prompt), ctx.goodbye())


def _ask_sign(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_sign")]


def _accept_sign_consent(ctx: DialogContext, text: str, digits: str) -> Reply:
    answer = ctx.yes_no(text, digits)
    if answer is None:
        return ctx.retry(ctx.say("yes_no_help"))
    if not answer:
        return decline_offer(ctx)
    ctx.state.slots["sign_consent_text"] = text or f"DTMF {digits}"
    return send_code(ctx, Step.SIGN_OTP, "sign")


def _accept_sign_otp(ctx: DialogContext, text: str, digits: str) -> Reply:
    reply = check_code(ctx, text, digits, Step.SIGN_OTP)
    if reply is not None:
        return reply
    state = ctx.state
    ctx.desk.sign_contract(state, state.slots.get("sign_consent_text", ""))
    payout = ctx.desk.disburse(state)
    r = ctx.render
    if payout.ok:
        paid = ctx.say(
            "disbursed", amount=r.amount(payout.amount), last4=r.digits(payout.account_last4)
        )
        return ctx.end(SessionStatus.COMPLETED, ctx.say("signed"), paid, ctx.goodbye())
    return ctx.end(
        SessionStatus.COMPLETED,
        ctx.say("signed"),
        ctx.say("disbursement_failed"),
        ctx.goodbye(),
    )


def _ask_nothing(ctx: DialogContext) -> list[Prompt]:
    return []


def _accept_done(ctx: DialogContext, text: str, digits: str) -> Reply:
    return Reply([ctx.goodbye()], end_call=True)


STEPS = (
    StepSpec(Step.OFFER, "yes_no", ask=_ask_offer, accept=_accept_offer),
    StepSpec(Step.SIGN_CONSENT, "yes_no", ask=_ask_sign, accept=_accept_sign_consent),
    StepSpec(
        Step.SIGN_OTP,
        "digits",
        ask=ask_code,
        accept=_accept_sign_otp,
        keypad_offer="dtmf_offer_code",
    ),
    StepSpec(Step.DONE, "free", ask=_ask_nothing, accept=_accept_done),
)
