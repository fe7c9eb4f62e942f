"""Who is calling: the resident ID number and the mobile, each read back, then the registry.

The read-back corrections ("不对，是…" at the read-back) are handled here rather than by the
shared repair layer: a corrected number is read back again, a plain "no" asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lendline.dialog.nlu.correction import split_correction
from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.text import normalize
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.codes import send_code
from lendline.dialog.steps.security import start_questions
from lendline.dialog.turn import Prompt, Reply
from lendline.identity.phone import InvalidMobileNumber, MobileNumber
from lendline.identity.resident_id import InvalidResidentId, ResidentId, ResidentIdProblem

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext


def _read_id(ctx: DialogContext, text: str, digits: str) -> tuple[str | None, Prompt | None]:
    raw = digits.replace("*", "X") if digits else parse_digit_string(text, ctx.lang)
    if not raw:
        return None, None
    try:
        return ResidentId.parse(raw).value, None
    except InvalidResidentId as exc:
        if exc.reason is ResidentIdProblem.LENGTH:
            return None, ctx.say("id_invalid_length", count=ctx.count_words(len(raw)))
        if exc.reason is ResidentIdProblem.CHECK_DIGIT:
            return None, ctx.say("id_invalid_check")
        if exc.reason is ResidentIdProblem.BIRTH_DATE:
            return None, ctx.say("id_invalid_date")
        return None, ctx.say("id_invalid")


def _accept_id(ctx: DialogContext, text: str, digits: str) -> Reply:
    id_number, problem = _read_id(ctx, text, digits)
    if id_number is None:
        return ctx.retry(problem) if problem else ctx.retry()
    ctx.state.slots["id_number"] = id_number
    return ctx.go(Step.CONFIRM_ID)


def _accept_confirm_id(ctx: DialogContext, text: str, digits: str) -> Reply:
    state = ctx.state
    corrected, rest = split_correction(text, ctx.lang) if text else (False, "")
    if corrected and rest:
        id_number, problem = _read_id(ctx, rest, "")
        if id_number:
            state.slots["id_number"] = id_number
            return ctx.go(Step.CONFIRM_ID)
        if problem:
            return ctx.retry(problem)
    answer = ctx.yes_no(text, digits)
    if answer is None and not corrected:
        return ctx.retry(ctx.say("yes_no_help"))
    if not answer:
        state.step = Step.ID_NUMBER
        return Reply([ctx.say("ask_id_again")])
    resident = ResidentId.parse(state.slots["id_number"])
    if not resident.is_adult_on(ctx.clock.now().date()):
        return ctx.end(SessionStatus.DECLINED, ctx.say("under_age"))
    if state.resume_step is not None:
        stored = state.slots.get("verified_id_number")
        if stored and stored != resident.value:
            return ctx.hand_off(ctx.say("not_found"))
    return ctx.go(Step.MOBILE)


def _read_mobile(ctx: DialogContext, text: str, digits: str) -> str | None:
    raw = digits or parse_digit_string(text, ctx.lang)
    if not raw:
        return None
    try:
        return MobileNumber.parse(raw).digits
    except InvalidMobileNumber:
        return None


def _accept_mobile(ctx: DialogContext, text: str, digits: str) -> Reply:
    mobile = _read_mobile(ctx, text, digits)
    if mobile is None:
        return ctx.retry(ctx.say("mobile_invalid"))
    ctx.state.slots["mobile"] = mobile
    return ctx.go(Step.CONFIRM_MOBILE)


def _accept_confirm_mobile(ctx: DialogContext, text: str, digits: str) -> Reply:
    state = ctx.state
    corrected, rest = split_correction(text, ctx.lang) if text else (False, "")
    if corrected and rest:
        mobile = _read_mobile(ctx, rest, "")
        if mobile:
            state.slots["mobile"] = mobile
            return ctx.go(Step.CONFIRM_MOBILE)
    answer = ctx.yes_no(text, digits)
    if answer is None and not corrected:
        return ctx.retry(ctx.say("yes_no_help"))
    if not answer:
        state.step = Step.MOBILE
        return Reply([ctx.say("ask_mobile")])
    record = ctx.desk.find_customer(state.slots["id_number"])
    if record is None or record.mobile != state.slots["mobile"]:
        state.flags.append("registry_mismatch")
        return ctx.hand_off(ctx.say("not_found"))
    state.customer_id = record.customer_id
    if normalize(record.full_name).replace(" ", "") != state.slots.get("name", "").replace(" ", ""):
        state.flags.append("name_differs_from_registry")
    if state.caller_number and state.caller_number[-11:] != record.mobile:
        state.flags.append("caller_id_differs_from_registered_mobile")
    if state.resume_step is not None:
        # Re-verification on a call-back: registry match plus a fresh one-time code.
        return send_code(ctx, Step.OTP, "verify")
    return start_questions(ctx)


def _ask_id(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_id")]


def _ask_confirm_id(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("confirm_id", id=ctx.render.digits(ctx.state.slots["id_number"]))]


def _ask_mobile(ctx: DialogContext) -> list[Prompt]:
    return [ctx.say("ask_mobile")]


def _ask_confirm_mobile(ctx: DialogContext) -> list[Prompt]:
    mobile = ctx.render.digits(ctx.state.slots["mobile"], phone=True)
    return [ctx.say("confirm_mobile", mobile=mobile)]


STEPS = (
    StepSpec(
        Step.ID_NUMBER, "digits", ask=_ask_id, accept=_accept_id, keypad_offer="dtmf_offer_id"
    ),
    StepSpec(Step.CONFIRM_ID, "yes_no", ask=_ask_confirm_id, accept=_accept_confirm_id),
    StepSpec(
        Step.MOBILE,
        "digits",
        ask=_ask_mobile,
        accept=_accept_mobile,
        keypad_offer="dtmf_offer_mobile",
    ),
    StepSpec(Step.CONFIRM_MOBILE, "yes_no", ask=_ask_confirm_mobile, accept=_accept_confirm_mobile),
)
