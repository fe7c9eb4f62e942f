"""One-time codes: sending (with the lender's SMS text), checking, resending, lockouts.

A code is recognised blind: the script parses what the caller said or keyed and the desk
compares it with the hash of the code sent; nothing here knows the code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lendline.dialog.context import DTMF_AFTER_FAILURES
from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.turn import Prompt, Reply

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

_RESEND_WORDS = ("重新发", "重发", "再发", "没收到", "resend", "send again", "new code")
#: Lockout reasons of the velocity limits across sessions (see ``identity.otp_velocity``).
_VELOCITY_LOCKOUTS = ("prefix_velocity", "id_velocity", "id_check_velocity")


def send_code(ctx: DialogContext, step: Step, purpose: str, *before: Prompt) -> Reply:
    """Send a code for ``purpose`` ("verify" or "sign") and wait for it at ``step``."""
    state = ctx.state
    template = (
        ctx.book.sms["otp"]
        .replace("{lender}", ctx.lender["lender"])
        .replace("{lender_en}", ctx.lender["lender_en"])
    )
    sent = ctx.desk.send_code(state, purpose, template)
    if not sent.sent:
        if sent.lockout in _VELOCITY_LOCKOUTS:
            return ctx.end(SessionStatus.LOCKED, *before, ctx.say("otp_velocity"))
        if sent.refused == "locked" or sent.lockout == "challenge_checks_exhausted":
            return ctx.end(SessionStatus.LOCKED, *before, ctx.say("otp_locked"))
        return ctx.end(SessionStatus.LOCKED, *before, ctx.say("otp_send_limit"))
    state.step = step
    state.retries = 0
    # The keypad is offered after the first misheard code of each new challenge.
    state.slots["spoken_code_failures"] = "0"
    prompt = "sign_otp" if step is Step.SIGN_OTP else "otp_sent"
    return Reply([*before, ctx.say(prompt, last4=sent.mobile_last4)])


def check_code(ctx: DialogContext, text: str, digits: str, step: Step) -> Reply | None:
    """Check a spoken or keyed code; return a reply unless the code was verified."""
    state = ctx.state
    purpose = "sign" if step is Step.SIGN_OTP else "verify"
    if any(word in text.lower() for word in _RESEND_WORDS):
        return send_code(ctx, step, purpose, ctx.say("otp_resent"))
    code = digits.strip("#") if digits else parse_digit_string(text, ctx.lang)
    if not code:
        return ctx.retry()
    checked = ctx.desk.check_code(state, code)
    if checked.outcome == "verified":
        return None
    if checked.outcome == "locked":
        if checked.lockout in _VELOCITY_LOCKOUTS:
            return ctx.end(SessionStatus.LOCKED, ctx.say("otp_velocity"))
        return ctx.end(SessionStatus.LOCKED, ctx.say("otp_locked"))
    if checked.outcome in ("expired", "no_code"):
        return send_code(ctx, step, purpose, ctx.say("otp_expired"))
    reply = Reply([ctx.say("otp_wrong", left=ctx.count_words(checked.attempts_left))])
    if not digits and ctx.spoken:
        failures = int(state.slots.get("spoken_code_failures", "0")) + 1
        state.slots["spoken_code_failures"] = str(failures)
        if failures == DTMF_AFTER_FAILURES:
            reply.prompts.append(ctx.say("dtmf_offer_code"))
    return reply


def ask_code(ctx: DialogContext) -> list[Prompt]:
    """The code question of the current step (identity or signature)."""
    prompt = "sign_otp" if ctx.state.step is Step.SIGN_OTP else "otp_sent"
    return [ctx.say(prompt, last4=ctx.state.slots.get("mobile", "")[-4:])]


def _accept_otp(ctx: DialogContext, text: str, digits: str) -> Reply:
    reply = check_code(ctx, text, digits, Step.OTP)
    if reply is not None:
        return reply
    state = ctx.state
    state.verified = True
    state.slots["verified_id_number"] = state.slots["id_number"]
    if state.resume_step is not None:
        step, state.resume_step = state.resume_step, None
        return ctx.go(step, ctx.say("verified"), ctx.say("resume_at"))
    return ctx.go(Step.AMOUNT, ctx.say("verified"))


STEPS = (
    StepSpec(Step.OTP, "digits", ask=ask_code, accept=_accept_otp, keypad_offer="dtmf_offer_code"),
)
