"""Corrections: of a value being confirmed, of an earlier slot, of the value just read back.

Part of the repair layer (``dialog.repair`` runs them in its order): a confirmation pending
from the last turn is settled; a change of an earlier slot said at a later step is read back
and the current question asked again (at the offer, the application is decided again); "不对，
是…" at the next question re-fills the slot read back in it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lendline.dialog.context import DialogContext
from lendline.dialog.nlu.choices import classify_employment, classify_purpose
from lendline.dialog.nlu.correction import split_correction
from lendline.dialog.nlu.digressions import detect_digression, is_question
from lendline.dialog.nlu.numbers import parse_amount
from lendline.dialog.nlu.self_correction import latest_version
from lendline.dialog.nlu.slot_change import (
    drop_complaint,
    find_slot_change,
    named_slot,
    names_a_slot,
    new_value_part,
)
from lendline.dialog.nlu.text import clauses
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.application import (
    SLOTS,
    advance_from,
    decline_if_banned,
    pend_confirmation,
)
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.decision import decide
from lendline.dialog.steps.lawful_use import (
    LAWFUL_USE,
    WHICH_FORBIDDEN_USE,
    ask_which_forbidden_use,
    banned_read_back,
    denies_every_use,
    forbidden_use_named,
    is_banned_read_back,
    purpose_disputed,
)
from lendline.dialog.steps.review import too_many_revisions
from lendline.dialog.steps.slot_readers import Reading, reread_income
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.purpose import PurposeCategory

#: The step at which the caller said they were not stopping (not asked again there).
CANCEL_DECLINED = "cancel_declined_at"
#: Application steps where an earlier slot can be changed (the offer is decided again).
APPLICATION_STEPS = (
    Step.AMOUNT,
    Step.TERM,
    Step.PURPOSE,
    Step.INCOME,
    Step.EMPLOYMENT,
    Step.REVIEW,
    Step.OFFER,
)


def on_confirmation(ctx: DialogContext, text: str, digits: str) -> Reply:
    """Settle the confirmation asked last turn: yes stores, a new value corrects."""
    slots = ctx.state.slots
    slot = slots.pop("confirm_slot")
    value = slots.pop("confirm_value", "")
    raw = slots.pop("confirm_raw", None)
    answer = ctx.yes_no(text, digits)
    if slot == "cancel":
        if answer:
            return ctx.end(SessionStatus.CANCELLED, ctx.say("cancelled"), ctx.goodbye())
        slots[CANCEL_DECLINED] = ctx.state.step.value
        return ctx.ask_again()
    if is_banned_read_back(slot, value):
        return _settle_banned_read_back(ctx, value, text, digits, answer)
    if slot in (LAWFUL_USE, WHICH_FORBIDDEN_USE):
        return _settle_lawful_use(ctx, slot, text, answer)
    if slot == "income" and raw is not None:
        slots["confirm_raw"] = raw
        reread = reread_income(ctx, text)
        slots.pop("confirm_raw", None)
        if reread is not None:
            return _store(ctx, slot, reread)
    if answer:
        return _store(ctx, slot, value)
    rest = split_correction(text, ctx.lang)[1] if text else ""
    reading = SLOTS[slot].read(ctx, rest, digits) if rest else None
    if reading is not None and reading.value is not None:
        # A value said in answer to the confirmation is what the caller means.
        return _store(ctx, slot, reading.value)
    # Not confirmed and no new value: ask for the slot again (no retry is used).
    if ctx.state.step is SLOTS[slot].step:
        return ctx.ask_again()
    return ctx.ask_again(ctx.say("slot_unchanged"))


def _settle_banned_read_back(
    ctx: DialogContext, value: str, text: str, digits: str, answer: bool | None
) -> Reply:
    """The caller's answer to the forbidden use read back: yes declines; a use said stands."""
    if answer:
        return _store(ctx, "purpose", value)
    rest = split_correction(text, ctx.lang)[1] if text else ""
    reading = SLOTS["purpose"].read(ctx, rest, digits) if rest else None
    if reading is not None and reading.value not in (None, PurposeCategory.OTHER.value):
        # "不是，是交铺租" names the purpose meant; "不对，是炒期货" owns up to another
        # forbidden use, declined at once.
        assert reading.value is not None
        return _store(ctx, "purpose", reading.value)
    return purpose_disputed(ctx, at_its_step=ctx.state.step is Step.PURPOSE)


def _settle_lawful_use(ctx: DialogContext, slot: str, text: str, answer: bool | None) -> Reply:
    """The caller's answer to the lawful-use promise, or to which forbidden use it is."""
    named = forbidden_use_named(text)
    if named is not None:
        # "会，买房交定金" names the use: declined at once, wherever the purpose was said.
        ctx.state.slots["purpose"] = named.value
        return decline_if_banned(ctx) or ctx.hand_off()
    promised = answer is True if slot == LAWFUL_USE else answer is False
    if promised or denies_every_use(text):
        return _store(ctx, "purpose", PurposeCategory.OTHER.value)
    if slot == LAWFUL_USE:
        return ask_which_forbidden_use(ctx)
    # Neither a use nor "none of these": a person sorts it out.
    return ctx.hand_off()


def _store(ctx: DialogContext, slot: str, value: str) -> Reply:
    ctx.state.slots[slot] = value
    if ctx.state.step is SLOTS[slot].step:
        return advance_from(ctx, slot)
    declined = decline_if_banned(ctx) if slot == "purpose" else None
    return declined or ctx.ask_again(_changed(ctx, slot, value))


def _changed(ctx: DialogContext, slot: str, value: str) -> Prompt:
    r = ctx.render
    if slot in ("amount", "income"):
        said = r.amount(Decimal(value))
    elif slot == "term":
        said = r.months(int(value))
    else:
        said = ctx.book.label(slot, value)
    return ctx.say("slot_changed", slot=ctx.book.label("slot", slot), value=said)


def change_earlier_slot(ctx: DialogContext, spec: StepSpec, text: str) -> Reply | None:
    """Apply a change of an earlier slot said at a later step, then return to the step."""
    state = ctx.state
    slot_name = find_slot_change(text, ctx.lang, spec.slot)
    if slot_name is None and state.step is Step.REVIEW and ctx.yes_no(text, "") is False:
        # At the summary a plain "no" is enough to say a change: "No, my income is 18,000."
        slot_name = named_slot(text)
    if slot_name is None or slot_name == spec.slot:
        return None
    if spec.slot == "employment" and not names_a_slot(text) and classify_employment(text):
        # "不对，今年开始我自己接活了" answers the question asked; it changes no purpose.
        return None
    previous = ctx.specs[spec.corrects].slot if spec.corrects else None
    if slot_name == previous and split_correction(text, ctx.lang)[0]:
        # "不对，是三万" at the next question: the read-back correction below handles it.
        return None
    slot = SLOTS[slot_name]
    if APPLICATION_STEPS.index(slot.step) >= APPLICATION_STEPS.index(state.step):
        return None
    reading = _read_first_clause(ctx, slot_name, drop_complaint(new_value_part(text)))
    if reading.value is None and state.step is Step.REVIEW:
        # "用途不对" at the summary names the part to ask again: the summary step does it.
        return None
    if reading.value is None:
        # A change that says no usable value: the turn may still answer the question asked
        # ("A bigger roaster. And before you ask, I make …"); if not, it is a failed attempt,
        # counted like any other so the call cannot go round in circles.
        answered = ctx.try_answer(spec, text)
        if answered is not None:
            return answered
        if parse_amount(text) is None and (detect_digression(text) or is_question(text)):
            # "Wait, is there any fee before you send the money?" names the money but says
            # no figure and asks a question: the repair layer answers it.
            return None
        return ctx.retry(*(p for p in (reading.problem,) if p is not None))
    if state.slots.get(slot_name) == reading.value:
        # The value it already has (said again, or already put right at the summary):
        # nothing changes. Before the summary the turn may answer the question asked;
        # otherwise the value is read back (a change said twice is never an answer: "期限
        # 改成十八个月" is no purpose). At the offer a turn that also accepts is read as the
        # answer ("利息…比信用卡便宜点，我接受" names the purpose it had, and accepts).
        if state.step is Step.OFFER and ctx.yes_no(text, "") is True:
            return None
        answered = None
        if state.step not in (Step.REVIEW, Step.OFFER):
            answered = ctx.try_answer(spec, text)
        return answered or ctx.ask_again(_changed(ctx, slot_name, reading.value))
    if reading.confirm is not None:
        return pend_confirmation(ctx, slot_name, reading.value, reading.confirm)
    state.slots[slot_name] = reading.value
    declined = decline_if_banned(ctx) if slot_name == "purpose" else None
    if declined is not None:
        return declined
    readback = _changed(ctx, slot_name, reading.value)
    if state.step is Step.OFFER:
        # The offer was made on the old value: the application is decided again.
        return decide(ctx, readback)
    if state.step is Step.REVIEW:
        # The summary is read again with the new value, to be confirmed.
        return ctx.hand_off() if too_many_revisions(ctx) else ctx.ask_again(readback)
    if {slot_name, spec.slot} == {"amount", "income"}:
        # Both are sums of money: the figure said belongs to the slot being changed.
        return ctx.ask_again(readback)
    # The same breath may also answer the current question ("改成三万，用来装修").
    answered = ctx.try_answer(spec, text)
    if answered is not None:
        answered.prompts.insert(0, readback)
        return answered
    return ctx.ask_again(readback)


def _correct_previous_loosely(ctx: DialogContext, spec: StepSpec, text: str) -> Reply | None:
    """A correction said in passing ("等一下，刚才说错了，是两万不是二十万" at the term question).

    Taken only when the caller says they are correcting something, the answer does not fit
    the current question and does fit the one read back.
    """
    state = ctx.state
    previous = ctx.specs[spec.corrects] if spec.corrects else None
    if previous is None or previous.slot is None or not _CORRECTING.search(text):
        return None
    answered = ctx.try_answer(spec, text)
    if answered is not None:
        return answered
    reading = _read_first_clause(ctx, previous.slot, text)
    if reading.value is not None and is_banned_read_back(previous.slot, reading.value):
        assert reading.confirm is not None
        return pend_confirmation(ctx, previous.slot, reading.value, reading.confirm)
    if reading.value is None or reading.confirm is not None:
        return None
    state.slots[previous.slot] = reading.value
    declined = decline_if_banned(ctx) if previous.slot == "purpose" else None
    return declined or Reply(ctx.question())


_SHORTHAND = 1000
_CORRECTING = re.compile(r"说错|搞错|不对|不是|\bi meant\b|\bnot\b|\bsorry\b|\bmistake\b|\bwrong\b")


def _read_first_clause(ctx: DialogContext, slot_name: str, text: str) -> Reading:
    """Read a changed slot from the first clause that gives it a value (the new value)."""
    slot = SLOTS[slot_name]
    if slot_name == "income":
        # The income reader weighs the whole change (after tax, averages, periods).
        return slot.read(ctx, text, "")
    if slot_name in ("purpose", "employment"):
        # Categories are read from the whole change, never kept as "other" here.
        classify = classify_purpose if slot_name == "purpose" else classify_employment
        kind = classify(latest_version(text, lambda part: classify(part) is not None))
        if kind is None:
            return Reading(problem=ctx.say(f"{slot_name}_unclear"))
        if isinstance(kind, PurposeCategory):
            return Reading(kind.value, confirm=banned_read_back(ctx, kind))
        return Reading(str(kind))
    first = Reading()
    parts = clauses(text)
    figures = [parse_amount(part) for part in parts]
    large = [f for f in figures if f is not None and f >= _SHORTHAND]
    for clause, small in zip(parts, figures, strict=True):
        reading = slot.read(ctx, clause, "")
        if reading.value is None and slot_name == "amount" and small and large:
            # "can the thirty thousand become thirty-five?": the same unit as before.
            reading = slot.read(ctx, str(small * 1000), "")
        if reading.value is not None:
            return reading
        first = first if first.problem else reading
    return first if first.problem else slot.read(ctx, text, "")


def correct_previous(ctx: DialogContext, spec: StepSpec, text: str) -> Reply | None:
    """Apply "不对，是…" / "no, it's…" to the answer read back in the current question.

    If the corrected value does not fit the previous question ("不是十二个月，是二十四个月"
    said when asked for the term corrects nothing before it), the remainder is taken as
    the answer to the current question instead.
    """
    state = ctx.state
    previous = spec.corrects
    if previous is None:
        return None
    corrected, rest = split_correction(text, ctx.lang)
    if not corrected or not rest:
        return _correct_previous_loosely(ctx, spec, text)
    current, retries, slots, status = state.step, state.retries, dict(state.slots), state.status
    state.step = previous
    reread = ctx.specs[previous].accept(ctx, rest, "")
    if state.status is not status:
        # The corrected answer ended the call (a banned purpose owned up to is declined).
        return reread
    pending = state.slots.get("confirm_slot", "")
    if is_banned_read_back(pending, state.slots.get("confirm_value", "")):
        # A forbidden use heard in the correction is read back before anything is decided.
        state.step, state.retries = current, retries
        return reread
    if state.step is not previous and not state.slots.get("confirm_slot"):
        # The earlier answer was corrected: ask the current question again.
        state.step, state.retries = current, 0
        return Reply(ctx.question())
    state.step, state.retries, state.slots, state.status = current, retries, slots, status
    return spec.accept(ctx, rest, "")
