"""The repair layer every step shares (the shape of Rasa CALM's conversation repair).

Before a step reads the caller's answer, each turn passes, in order:

1. **confirmation** pending from the last turn ("二十万是月收入吗？"): yes stores the value,
   no with a value corrects it, anything else asks again;
2. **requests about the call**: repeat, help, a person (hand-off), chat, goodbye;
3. **digressions**: a question back (the rate, fees, a robot?, why, is this a scam, early
   repayment, when the money arrives) or about pace (slower: for the rest of the call;
   wait) is answered and the question asked again, without using up a retry;
4. **cancellation**: "算了，不借了" / "I'll think about it" ends at a consent, offer or
   signature step (that is the answer there) and is confirmed elsewhere;
5. **correction of an earlier slot**, at any later step of the application ("期限改成十八
   个月", "can I change the amount to fifteen thousand?"): read back, then back to the
   question the caller was at (their answer to it, if they gave one, is kept too);
6. **correction of the answer just read back** ("不对，是三万" at the next question);
7. the step's own ``accept``; a failed answer there is "cannot handle" (``ctx.retry``:
   say why, offer the keypad on a voice line, a person after the limit).
"""

from __future__ import annotations

import re
from decimal import Decimal

from lendline.dialog.context import DialogContext
from lendline.dialog.corrections import (
    APPLICATION_STEPS,
    CANCEL_DECLINED,
    change_earlier_slot,
    correct_previous,
    on_confirmation,
)
from lendline.dialog.nlu.digressions import (
    Digression,
    asks,
    detect_digression,
    is_question,
    proposes,
    sentences,
    statement_part,
    without_tag_question,
)
from lendline.dialog.nlu.intents import MetaIntent, detect_meta_intent
from lendline.dialog.nlu.numbers import parse_amount
from lendline.dialog.nlu.slot_change import find_slot_change
from lendline.dialog.nlu.text import word_length
from lendline.dialog.nlu.yesno import refuses_in_words
from lendline.dialog.state import SessionStatus, Step
from lendline.dialog.steps.application import SLOTS, pend_confirmation
from lendline.dialog.steps.base import StepSpec
from lendline.dialog.steps.opening import refuse_consent
from lendline.dialog.steps.review import amount_limits
from lendline.dialog.steps.signing import decline_offer
from lendline.dialog.turn import Prompt, Reply
from lendline.lending.offer import OfferOutOfRange, make_offer
from lendline.shared.money import Money

_BYE_WORDS = ("再见", "拜拜", "挂了", "goodbye", "bye")
#: Steps whose answer the desk checks and counts (a code, a security answer, a phrase): an
#: utterance there is never tried as an answer on the side.
_CHECKED_BY_THE_DESK = (Step.SECURITY_QUESTION, Step.LIVENESS, Step.OTP, Step.SIGN_OTP)
#: Steps where a refusal to go on is the answer itself.
_REFUSAL_IS_ANSWER = {
    Step.CONSENT: refuse_consent,
    Step.SENSITIVE_CONSENT: refuse_consent,
    Step.OFFER: decline_offer,
    Step.SIGN_CONSENT: decline_offer,
}


def _only_goodbye(text: str) -> bool:
    """Whether an utterance is just a farewell (so "阿里巴巴" misheard as "阿禮拜拜" is not)."""
    rest = text.lower()
    for word in _BYE_WORDS:
        rest = rest.replace(word, "")
    return len([ch for ch in rest if ch.isalnum()]) <= 2


def on_silence(ctx: DialogContext) -> Reply:
    """A silent timeout: ask again, and end (resumable) after ``max_silences`` in a row."""
    state = ctx.state
    state.silences += 1
    if state.silences >= ctx.max_silences:
        state.status = SessionStatus.DROPPED
        return Reply([ctx.say("silence_end")], end_call=True)
    if state.slots.get("confirm_slot"):
        return Reply([ctx.say("silence"), *state.last_prompts[-1:]])
    return Reply([ctx.say("silence"), *ctx.question()])


def run(ctx: DialogContext, spec: StepSpec, text: str, digits: str) -> Reply:
    """Take one caller turn at ``spec``'s step through the repair patterns, then the step."""
    state = ctx.state
    if state.slots.get("confirm_slot"):
        return on_confirmation(ctx, text, digits)
    if text:
        meta = detect_meta_intent(text, ctx.lang)
        if meta is MetaIntent.AGENT and _asks_if_robot(text) and not _asks_for_a_person(text):
            # "你是机器人吧？不像真人啊" asks about the agent; it asks for nobody.
            meta = None
        if meta is MetaIntent.CANCEL and (
            detect_meta_intent(statement_part(text)) is None
            or state.slots.get(CANCEL_DECLINED) == state.step.value
        ):
            # "If I sign and change my mind tomorrow, can I cancel?" asks; it cancels nothing.
            # "Let me think about it and call you back, okay?" does. Once the caller has said
            # they are not stopping, the same words at the same question are not asked about
            # again ("…it's not amicable. Let's leave it there.").
            meta = None
        if meta is not None:
            reply = _on_meta(ctx, meta, text)
            if reply is not None:
                return reply
        if state.step in APPLICATION_STEPS:
            changed = _change_earlier_slot(ctx, spec, text, meta is MetaIntent.CANCEL)
            if changed is not None:
                return changed
        if meta is MetaIntent.CANCEL:
            return _cancel(ctx)
        if state.language:
            digression = detect_digression(text)
            if digression is Digression.WAIT and _says_more(text):
                # "等一下，刚才说错了，是两万": the caller goes on to say something.
                digression = None
            if digression is not None and _digressions_left(ctx):
                return _digress_or_answer(ctx, spec, digression, text, digits)
        corrected = correct_previous(ctx, spec, text)
        if corrected is not None:
            return corrected
        limits = _asks_beyond_limits(ctx, spec, text)
        if limits is not None:
            return limits
        if (
            is_question(text)
            and state.language
            and state.step not in _CHECKED_BY_THE_DESK
            and _digressions_left(ctx)
        ):
            return _unknown_question(ctx, spec, text, digits)
    return spec.accept(ctx, text, digits)


# ---------------------------------------------------------------------------- requests


def _on_meta(ctx: DialogContext, intent: MetaIntent, text: str) -> Reply | None:
    state = ctx.state
    if intent in (MetaIntent.REPEAT, MetaIntent.HELP) and not _digressions_left(ctx):
        # Asked again and again: the turn is read as an answer (a filler such as "这个怎么说
        # 呢" before the answer must not hold the caller at the question).
        return None
    if intent is MetaIntent.REPEAT:
        # What was said, without "I am assessing your application now" before the offer.
        said = [prompt for prompt in state.last_prompts if prompt[0] not in _NOT_REPEATED]
        return Reply(said or ctx.question())
    if intent is MetaIntent.HELP:
        return Reply([ctx.say("help"), *ctx.question()])
    if intent is MetaIntent.AGENT:
        return ctx.hand_off()
    if intent is MetaIntent.CHAT and state.channel == "voice" and state.language:
        state.status = SessionStatus.MOVED_TO_CHAT
        state.channel = "chat"
        return Reply([ctx.say("chat_switch")], end_call=True)
    farewell = intent is MetaIntent.GOODBYE and state.step is not Step.LANGUAGE
    # Not while a line awaits digits: "八八" is heard as "拜拜" (a leaver hangs up anyway).
    awaiting_digits = ctx.spoken and ctx.specs[state.step].expects == "digits"
    if farewell and _only_goodbye(text) and not awaiting_digits:
        state.status = SessionStatus.DROPPED
        return Reply([ctx.say("goodbye_plain")], end_call=True)
    return None


#: Prompts that announce rather than say anything worth hearing again.
_NOT_REPEATED = frozenset({"decision_wait"})

_REQUEST_VERBS = re.compile(
    r"转|找|接|要|跟|和|换|talk|speak|transfer|connect|put me|get (?:me|a|an|some)\b|want|need"
    r"|give me|help"
)


_ASKS_WHO = re.compile(r"\bam i (?:talking|speaking)\b|\bare you\b|\bis this\b|你是|是不是|真人吗")


def _asks_if_robot(text: str) -> bool:
    if detect_digression(text) is not Digression.ROBOT:
        return False
    return bool(_ASKS_WHO.search(text)) or not _REQUEST_VERBS.search(text)


def _asks_for_a_person(text: str) -> bool:
    """Whether a turn that asks about the agent also asks, in another sentence, for a person.

    "Is this a machine? I don't talk to machines. Give me a real person, please." and "Are
    you a robot? Is there a human I can talk to?" do; "你是机器人吧？不像真人啊" does not.
    """
    return any(
        detect_meta_intent(sentence) is MetaIntent.AGENT
        and _REQUEST_VERBS.search(sentence) is not None
        and not _asks_if_robot(sentence)
        for sentence in sentences(text)
    )


def _change_earlier_slot(
    ctx: DialogContext, spec: StepSpec, text: str, cancelling: bool
) -> Reply | None:
    """A change of an earlier slot; in a turn that also cancels, only one that says a value.

    "先不用这么多，改成三万" changes the amount; "I'm not sure I even want this loan. Let's
    stop." names the loan but changes nothing, so it cancels.
    """
    if not cancelling:
        return change_earlier_slot(ctx, spec, text)
    state = ctx.state
    step, retries, slots, status = state.step, state.retries, dict(state.slots), state.status
    changed = change_earlier_slot(ctx, spec, text)
    earlier = {name: value for name, value in state.slots.items() if name != spec.slot}
    if earlier == {name: value for name, value in slots.items() if name != spec.slot}:
        # No earlier answer changed (answering the current question does not count: "my
        # boss can give me a salary advance, so I don't need this" stops).
        state.step, state.retries, state.slots, state.status = step, retries, slots, status
        return None
    return changed


def _cancel(ctx: DialogContext) -> Reply:
    state = ctx.state
    answer_here = _REFUSAL_IS_ANSWER.get(state.step)
    if answer_here is not None:
        return answer_here(ctx)
    if state.step in (Step.LANGUAGE, Step.DONE):
        return ctx.retry()
    return pend_confirmation(ctx, "cancel", "", ctx.say("confirm_cancel"))


# ---------------------------------------------------------------------------- digressions


#: Questions back answered at one step before an utterance is read as an answer anyway
#: (a caller who keeps asking gets their answer, and the script cannot loop).
_DIGRESSIONS_PER_STEP = 3


def _asks_beyond_limits(ctx: DialogContext, spec: StepSpec, text: str) -> Reply | None:
    """A question beyond the limits ("能借三十万吗？"), answered with them; no retry used."""
    if spec.step not in (Step.AMOUNT, Step.TERM) or spec.slot is None or not is_question(text):
        return None
    reading = SLOTS[spec.slot].read(ctx, text, "")
    if reading.value is not None or reading.problem is None:
        return None
    return ctx.ask_again(_digression_answer(ctx, Digression.LIMITS))


def _unknown_question(ctx: DialogContext, spec: StepSpec, text: str, digits: str) -> Reply:
    """A question the script has no answer for: say so, offer a person, ask again.

    If the turn also answered the step ("Is ten thousand okay?", "My own income? None."), the
    answer stands.
    """
    said = _answer_part(spec, text)
    if said and _may_answer(ctx, said, text, digits):
        answered = ctx.try_answer(spec, said, digits)
        if answered is not None:
            return answered
    if ctx.state.step is Step.OFFER:
        return Reply([ctx.say("digress_unknown"), ctx.say("ask_accept_offer")])
    return ctx.ask_again(ctx.say("digress_unknown"))


def _may_answer(ctx: DialogContext, said: str, text: str, digits: str) -> bool:
    """Whether what a turn states besides its question answers a consent, offer or signature.

    Only a yes or no said outside the question answers: "为什么这个还要单独同意？" agrees to
    nothing, "银行账户也要？那我不同意" refuses. A no that leads up to a closing question is
    the question's context: in "I am not a citizen. Can foreigners borrow?" and "现在骗子太
    多了，我怎么知道不是诈骗" the negation is about something else. Beside a question, a no
    answers only when it refuses in so many words: "合同发哪了？我没收到短信" says what has
    not arrived, and refuses nothing.
    """
    if ctx.state.step not in _REFUSAL_IS_ANSWER:
        return True
    verdict = ctx.yes_no(said, digits)
    last = sentences(without_tag_question(text))[-1:]
    if verdict is not False:
        return verdict is True
    return not (last and asks(last[0])) and refuses_in_words(said)


def _answer_part(spec: StepSpec, text: str) -> str:
    """The part of a turn with a question in it that may answer the step.

    An amount or a term said in a question puts it forward ("能借五万吗？") unless two are
    weighed against each other, and so does a question that asks whether a value will do
    ("装修可以吗？"); otherwise only the sentences that are not questions answer: "你们会不会
    打电话到我单位？" names no job.
    """
    if proposes(text) or (spec.step in (Step.AMOUNT, Step.TERM) and _puts_forward(text)):
        return text
    return statement_part(text)


def _puts_forward(text: str) -> bool:
    """Whether a question with an amount or a term in it asks for that value.

    "能借五万吗？", "If I borrow 50,000, what is the monthly payment?" and a bare "二十四期？"
    do; "一千也要查征信吗？", "If I take twelve months, how much each month?" and a question
    weighing two values do not.
    """
    if _COMPARES.search(text):
        return False
    for sentence in sentences(text):
        if not _FIGURE.search(sentence):
            continue
        if _BORROWS.search(sentence) or word_length(sentence) <= _SHORT_PROPOSAL:
            return True
    return False


#: A question this short with a figure in it is the figure put forward ("二十四期？").
_SHORT_PROPOSAL = 3
_BORROWS = re.compile(r"借|贷|分期|\b(?:borrow|loan|lend)\b")
_FIGURE = re.compile(
    r"\d|[一二两三四五六七八九十百千万]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|eighteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|k|grand)\b"
)
#: A question weighing two values puts neither forward ("What's the difference in total
#: interest between 12 and 24 months?", "借五万还是十万划算？").
_COMPARES = re.compile(
    r"\b(?:difference|compare|between|versus|vs|or)\b|还是|区别|差多少|比较|哪个"
)


def _says_more(text: str) -> bool:
    return parse_amount(text) is not None or find_slot_change(text) is not None


def _digressions_left(ctx: DialogContext) -> bool:
    slots = ctx.state.slots
    key = f"digressions_{ctx.state.step.value}"
    count = int(slots.get(key, "0"))
    slots[key] = str(count + 1)
    return count < _DIGRESSIONS_PER_STEP


def _digress_or_answer(
    ctx: DialogContext, spec: StepSpec, digression: Digression, text: str, digits: str
) -> Reply:
    """Answer the question back; if the same breath also answers the step, keep that too."""
    state = ctx.state
    said = _answer_part(spec, text)
    answers_here = state.step in APPLICATION_STEPS or (
        state.step in _REFUSAL_IS_ANSWER and said and _may_answer(ctx, said, text, digits)
    )
    if answers_here and digression not in (Digression.WAIT, Digression.SLOWER):
        answered = ctx.try_answer(spec, said, digits) if said else None
        if answered is not None:
            answered.prompts.insert(0, _digression_answer(ctx, digression))
            return answered
    return _digress(ctx, digression)


def _digression_answer(ctx: DialogContext, digression: Digression) -> Prompt:
    state = ctx.state
    if digression is Digression.RATE:
        return ctx.say("digress_rate", apr=_apr_from(ctx))
    if digression is Digression.LIMITS:
        terms = ctx.render.term_list(ctx.desk.product.terms_months)
        return ctx.say("digress_limits", **amount_limits(ctx), terms=terms)
    if digression is Digression.WHY:
        identity = state.step in (Step.NAME, Step.ID_NUMBER, Step.MOBILE, Step.SECURITY_QUESTION)
        return ctx.say("digress_why_identity" if identity else "digress_why")
    return ctx.say(f"digress_{digression.value}")


def _digress(ctx: DialogContext, digression: Digression) -> Reply:
    state = ctx.state
    if digression is Digression.WAIT:
        return Reply([ctx.say("digress_wait")])
    if digression is Digression.SLOWER:
        state.slow_speech = True
        return Reply([ctx.say("digress_slower"), *(state.last_prompts or ctx.question())])
    answer = _digression_answer(ctx, digression)
    if state.step is Step.OFFER:
        # The offer is long: after a question, only its closing question is asked again.
        return Reply([answer, ctx.say("ask_accept_offer")])
    return ctx.ask_again(answer)


def _apr_from(ctx: DialogContext) -> str:
    """The product's lowest APR (fees included), for the amount and term given so far."""
    product = ctx.desk.product
    slots = ctx.state.slots
    amount = Decimal(slots.get("amount", "10000"))
    term = int(slots.get("term", "12"))
    if term not in product.terms_months:
        term = product.terms_months[len(product.terms_months) // 2]
    try:
        offer = make_offer(product, Money.of(amount), term)
    except OfferOutOfRange:
        offer = make_offer(product, product.min_amount, term)
    return ctx.render.percent(offer.rates.apr)
