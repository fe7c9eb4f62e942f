"""The call script: a deterministic state machine over the loan steps, in Mandarin or English.

Each caller turn (recognised speech, typed text, DTMF keys, or a silent timeout) goes in;
the agent's turn (prompt ids and texts, whether to hang up or hand off) comes out. The
script confirms identifiers by reading them back, confirms the application answers
implicitly (each question repeats the previous answer, and "不对，是…" / "no, it's…" at the
next turn corrects it), re-prompts on silence, caps retries and then hands off. State is
saved through the loan desk after every turn, so a caller who hangs up can call back and
resume after re-verification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from lendline.dialog.nlu.choices import (
    classify_employment,
    classify_purpose,
    parse_language_choice,
)
from lendline.dialog.nlu.correction import split_correction
from lendline.dialog.nlu.intents import MetaIntent, detect_meta_intent
from lendline.dialog.nlu.numbers import parse_amount, parse_digit_string, parse_term_months
from lendline.dialog.nlu.text import normalize
from lendline.dialog.nlu.yesno import parse_yes_no
from lendline.dialog.ports import (
    ApplicationInput,
    AskedQuestion,
    DecisionView,
    LoanDesk,
    StepUpView,
)
from lendline.dialog.prompt_book import PromptBook, load_prompts
from lendline.dialog.render import Renderer
from lendline.dialog.state import RESUMABLE_STEPS, DialogState, SessionStatus, Step
from lendline.dialog.verbalize import say_integer
from lendline.identity.phone import InvalidMobileNumber, MobileNumber
from lendline.identity.resident_id import InvalidResidentId, ResidentId, ResidentIdProblem
from lendline.lending.purpose import PurposeCategory, is_banned
from lendline.risk.fraud.call_signals import CUE_COUNTERS
from lendline.risk.fraud.lexicon import CueKind
from lendline.risk.fraud.lexicon import scan as scan_cues
from lendline.shared.clock import Clock

#: Kinds of answer the script expects, passed to the recogniser as a hint.
EXPECTS: dict[Step, str] = {
    Step.LANGUAGE: "free",
    Step.CONSENT: "yes_no",
    Step.SENSITIVE_CONSENT: "yes_no",
    Step.NAME: "name",
    Step.ID_NUMBER: "digits",
    Step.CONFIRM_ID: "yes_no",
    Step.MOBILE: "digits",
    Step.CONFIRM_MOBILE: "yes_no",
    Step.SECURITY_QUESTION: "free",
    Step.LIVENESS: "free",
    Step.OTP: "digits",
    Step.AMOUNT: "amount",
    Step.TERM: "free",
    Step.PURPOSE: "free",
    Step.INCOME: "amount",
    Step.EMPLOYMENT: "free",
    Step.OFFER: "yes_no",
    Step.SIGN_CONSENT: "yes_no",
    Step.SIGN_OTP: "digits",
    Step.DONE: "free",
}

#: With implicit confirmation, a correction at a step re-fills the slot asked just before.
_PREVIOUS_SLOT: dict[Step, Step] = {
    Step.TERM: Step.AMOUNT,
    Step.PURPOSE: Step.TERM,
    Step.INCOME: Step.PURPOSE,
    Step.EMPLOYMENT: Step.INCOME,
}

#: Digit steps where the keypad is offered after failed spoken attempts.
_DTMF_OFFERS: dict[Step, str] = {
    Step.ID_NUMBER: "dtmf_offer_id",
    Step.MOBILE: "dtmf_offer_mobile",
    Step.OTP: "dtmf_offer_code",
    Step.SIGN_OTP: "dtmf_offer_code",
}
_DTMF_AFTER_FAILURES = 2

_RESEND_WORDS = ("重新发", "重发", "再发", "没收到", "resend", "send again", "new code")
_QUESTIONS_NEEDED = 2
#: Questions drawn beyond those needed: spares for a step-up ("one more question").
_QUESTIONS_FAILED_MAX = 2
#: Lockout reasons of the velocity limits across sessions (see ``identity.otp_velocity``).
_VELOCITY_LOCKOUTS = ("prefix_velocity", "id_velocity", "id_check_velocity")


#: Word cues worth a reviewer's note (urgency and fillers are only counted).
_FLAGGED = frozenset({CueKind.SCAM, CueKind.COACHING, CueKind.GUARANTOR})

_BYE_WORDS = ("再见", "拜拜", "挂了", "goodbye", "bye")


def _only_goodbye(text: str) -> bool:
    """Whether an utterance is just a farewell (so "阿里巴巴" misheard as "阿禮拜拜" is not)."""
    rest = text.lower()
    for word in _BYE_WORDS:
        rest = rest.replace(word, "")
    return len([ch for ch in rest if ch.isalnum()]) <= 2


@dataclass(frozen=True, slots=True)
class CallerInput:
    """One caller turn.

    Parameters:
        text: what the caller said (recognised) or typed.
        digits: DTMF keys pressed for this turn.
        audio_sha256: hash of the caller's audio for the audit log.
        silence: True when the caller said nothing before the timeout.
    """

    text: str | None = None
    digits: str | None = None
    audio_sha256: str | None = None
    silence: bool = False


@dataclass
class Reply:
    """The agent's turn.

    Parameters:
        prompts: (prompt id, text) pairs to say in order.
        end_call: hang up after speaking.
        hand_off: transfer to a human after speaking.
        expects: what kind of answer comes next (a recognition hint).
    """

    prompts: list[tuple[str, str]] = field(default_factory=list)
    end_call: bool = False
    hand_off: bool = False
    expects: str = "free"

    @property
    def text(self) -> str:
        """All prompts as one text."""
        return " ".join(text for _, text in self.prompts)


class Dialog:
    """Runs the script for one session over one channel.

    Args:
        desk: the loan desk the script sends its requests to.
        state: the session's state (new, or loaded for a call-back).
        clock: tells today's date for the age check.
        spoken: True on voice lines (numbers spelled out), False in chat.
        lender: placeholder values for the greeting (name and licence in both languages).
        max_retries: failed attempts at one step before handing off.
        max_silences: silent timeouts in a row before ending the call.
    """

    def __init__(
        self,
        desk: LoanDesk,
        state: DialogState,
        clock: Clock,
        *,
        spoken: bool,
        lender: dict[str, str],
        max_retries: int = 3,
        max_silences: int = 3,
    ) -> None:
        self.desk = desk
        self.state = state
        self.clock = clock
        self.spoken = spoken
        self.lender = lender
        self.max_retries = max_retries
        self.max_silences = max_silences
        # The scam warning is played once per call (a call-back hears it again).
        self._scam_warned = False

    # ------------------------------------------------------------------ entry points

    @property
    def book(self) -> PromptBook:
        """The prompt book of the call's language (Mandarin until one is chosen)."""
        return load_prompts(self.state.language or "zh")

    @property
    def render(self) -> Renderer:
        """Value formatting for this call's language and channel."""
        return Renderer(self.state.language or "zh", self.spoken)

    def start(self) -> Reply:
        """Open the call: choose a language, or welcome a caller back to their session."""
        state = self.state
        if state.step in RESUMABLE_STEPS and state.language:
            # A call-back: re-verify (ID, mobile, one-time code), then return to the step.
            state.resume_step = state.step
            state.verified = False
            state.retries = 0
            reply = self._go(Step.ID_NUMBER, self._say("welcome_back"))
        else:
            reply = self._go(Step.LANGUAGE)
        self._finish_turn(None, reply, "call_started")
        return reply

    def handle(self, caller: CallerInput) -> Reply:
        """Take one caller turn and return the agent's answer."""
        state = self.state
        state.turn += 1
        if caller.silence:
            reply = self._on_silence()
        else:
            state.silences = 0
            reply = self._on_input(caller)
            # Word cues of fraud: the first scam cue of a call is answered with the scam
            # warning and raised as a critical alert (the call goes to a person); the first
            # coaching cue goes to the review queue.
            reply = self._after_cues(reply, self._note_cues(caller.text or ""))
        self._finish_turn(caller, reply, "turn")
        return reply

    def _after_cues(self, reply: Reply, warning: list[tuple[str, str]]) -> Reply:
        state = self.state
        if "coaching_cue" in state.flags and "coaching_alert" not in state.flags:
            state.flags.append("coaching_alert")
            self.desk.raise_call_alert(state, "coaching_cue", "warn", ("coaching_cue",))
        if not warning:
            return reply
        route = self.desk.raise_call_alert(state, "scam_cue", "critical", ("scam_cue",))
        if route == "pause_and_hand_off" and state.status is SessionStatus.ACTIVE:
            return self._hand_off(*warning)
        reply.prompts[:0] = warning
        return reply

    def _note_cues(self, text: str) -> list[tuple[str, str]]:
        """Count the caller's word cues in ``state.signals``; flag them (kind, never words)."""
        state = self.state
        cues = scan_cues(normalize(text), state.language) if text else ()
        if not cues:
            return []
        signals = dict(state.signals)
        for cue in cues:
            counter = CUE_COUNTERS.get(cue.kind)
            if counter is not None:
                signals[counter] = signals.get(counter, 0.0) + 1.0
        state.signals = signals
        for flag in sorted({f"{cue.kind.value}_cue" for cue in cues if cue.kind in _FLAGGED}):
            if flag not in state.flags:
                state.flags.append(flag)
        if any(cue.kind is CueKind.SCAM for cue in cues) and not self._scam_warned:
            self._scam_warned = True
            return [self._say("scam_warning")]
        return []

    def hang_up(self) -> None:
        """The caller hung up: keep the session resumable unless it had already ended."""
        if self.state.status is SessionStatus.ACTIVE:
            self.state.status = SessionStatus.DROPPED
        self.desk.record_turn(self.state, None, None, [], self.book.version, "caller_hung_up")
        self.desk.close(self.state)

    # ------------------------------------------------------------------ plumbing

    def _finish_turn(self, caller: CallerInput | None, reply: Reply, event: str) -> None:
        state = self.state
        reply.expects = EXPECTS.get(state.step, "free")
        if reply.prompts:
            state.last_prompts = list(reply.prompts)
        text = caller.text if caller else None
        if caller and caller.digits:
            text = f"{text or ''} [DTMF {caller.digits}]".strip()
        self.desk.record_turn(
            state,
            text,
            caller.audio_sha256 if caller else None,
            reply.prompts,
            self.book.version,
            event,
        )
        if reply.end_call or reply.hand_off:
            self.desk.close(state)
        else:
            self.desk.checkpoint(state)

    def _say(self, prompt_id: str, **values: str) -> tuple[str, str]:
        merged = {**self.lender, **values}
        return prompt_id, self.book.text(prompt_id, **merged)

    def _on_silence(self) -> Reply:
        state = self.state
        state.silences += 1
        if state.silences >= self.max_silences:
            state.status = SessionStatus.DROPPED
            return Reply([self._say("silence_end")], end_call=True)
        return Reply([self._say("silence"), *self._question()])

    def _on_input(self, caller: CallerInput) -> Reply:
        state = self.state
        text = normalize(caller.text or "")
        lang = state.language or "zh"
        if text:
            intent = detect_meta_intent(text, lang)
            if intent is not None:
                meta = self._on_meta(intent, text)
                if meta is not None:
                    return meta
        handler = self._handlers()[state.step]
        return handler(text, caller.digits or "")

    def _on_meta(self, intent: MetaIntent, text: str) -> Reply | None:
        state = self.state
        if intent is MetaIntent.REPEAT:
            return Reply(list(state.last_prompts) or self._question())
        if intent is MetaIntent.HELP:
            return Reply([self._say("help"), *self._question()])
        if intent is MetaIntent.AGENT:
            return self._hand_off()
        if intent is MetaIntent.CHAT and state.channel == "voice" and state.language:
            state.status = SessionStatus.MOVED_TO_CHAT
            state.channel = "chat"
            return Reply([self._say("chat_switch")], end_call=True)
        if intent is MetaIntent.GOODBYE and state.step is not Step.LANGUAGE and _only_goodbye(text):
            state.status = SessionStatus.DROPPED
            return Reply([self._say("goodbye_plain")], end_call=True)
        return None

    def _hand_off(self, *before: tuple[str, str]) -> Reply:
        self.state.status = SessionStatus.HANDED_OFF
        return Reply([*before, self._say("hand_off")], hand_off=True, end_call=True)

    def _retry(self, *why: tuple[str, str]) -> Reply:
        state = self.state
        state.retries += 1
        if state.retries >= self.max_retries:
            return self._hand_off(self._say("too_many_retries"))
        reply = Reply([*(why or (self._say("not_understood"),)), *self._question()])
        offer = _DTMF_OFFERS.get(state.step)
        if offer and self.spoken and state.retries == _DTMF_AFTER_FAILURES:
            # Two failed spoken attempts at a number: offer the keypad.
            reply.prompts.append(self._say(offer))
        return reply

    def _go(self, step: Step, *prompts: tuple[str, str]) -> Reply:
        """Move to ``step`` and ask its question after ``prompts``."""
        self.state.step = step
        self.state.retries = 0
        return Reply([*prompts, *self._question()])

    def _end(self, status: SessionStatus, *prompts: tuple[str, str]) -> Reply:
        self.state.status = status
        self.state.step = Step.DONE
        return Reply(list(prompts), end_call=True)

    def _goodbye(self) -> tuple[str, str]:
        if self.state.reference:
            return self._say("goodbye", reference=self._reference_words())
        return self._say("goodbye_plain")

    def _reference_words(self) -> str:
        reference = self.state.reference or ""
        if not self.spoken:
            return reference
        # Read the reference symbol by symbol so it can be written down.
        return " ".join(reference.replace("-", " "))

    # ------------------------------------------------------------------ questions

    def _question(self) -> list[tuple[str, str]]:
        """The question of the current step, with the implicit read-back of the last answer."""
        state = self.state
        step = state.step
        r = self.render
        product = self.desk.product
        slots = state.slots
        if step is Step.LANGUAGE:
            return [self._say("choose_language")]
        if step is Step.CONSENT:
            return [self._say("consent")]
        if step is Step.SENSITIVE_CONSENT:
            return [self._say("sensitive_consent")]
        if step is Step.NAME:
            return [self._say("ask_name")]
        if step is Step.ID_NUMBER:
            return [self._say("ask_id")]
        if step is Step.CONFIRM_ID:
            return [self._say("confirm_id", id=r.digits(slots["id_number"]))]
        if step is Step.MOBILE:
            return [self._say("ask_mobile")]
        if step is Step.CONFIRM_MOBILE:
            return [self._say("confirm_mobile", mobile=r.digits(slots["mobile"], phone=True))]
        if step is Step.SECURITY_QUESTION:
            kind = state.question_kinds[state.question_index]
            choices = (
                state.question_choices[state.question_index]
                if state.question_index < len(state.question_choices)
                else []
            )
            # The answer time runs from the last reading of the question.
            state.question_asked_at = self.clock.now().isoformat()
            return [self._say(f"q_{kind}", choices=self._choice_list(kind, choices))]
        if step is Step.LIVENESS:
            return [self._say("liveness_repeat", phrase=self._phrase())]
        if step in (Step.OTP, Step.SIGN_OTP):
            prompt = "sign_otp" if step is Step.SIGN_OTP else "otp_sent"
            return [self._say(prompt, last4=slots.get("mobile", "")[-4:])]
        if step is Step.AMOUNT:
            return [
                self._say(
                    "ask_amount",
                    min=r.amount(product.min_amount.amount),
                    max=r.amount(product.max_amount.amount),
                )
            ]
        if step is Step.TERM:
            return [
                self._say(
                    "ask_term",
                    amount=r.amount(Decimal(slots["amount"])),
                    terms=r.term_list(product.terms_months),
                )
            ]
        if step is Step.PURPOSE:
            return [self._say("ask_purpose", term=r.months(int(slots["term"])))]
        if step is Step.INCOME:
            purpose = self.book.label("purpose", slots["purpose"])
            return [self._say("ask_income", purpose=purpose)]
        if step is Step.EMPLOYMENT:
            return [self._say("ask_employment", income=r.amount(Decimal(slots["income"])))]
        if step is Step.OFFER:
            return [self._say("offer", **self._offer_values())]
        if step is Step.SIGN_CONSENT:
            return [self._say("ask_sign")]
        return []

    def _offer_values(self) -> dict[str, str]:
        r = self.render
        slots = self.state.slots
        book = self.book
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
                book.text("offer_fees", fees=r.amount(fees))
                if fees
                else book.text("offer_fees_none")
            ),
        }

    # ------------------------------------------------------------------ step handlers

    def _handlers(self) -> dict[Step, Callable[[str, str], Reply]]:
        return {
            Step.LANGUAGE: self._on_language,
            Step.CONSENT: self._on_consent,
            Step.SENSITIVE_CONSENT: self._on_sensitive_consent,
            Step.NAME: self._on_name,
            Step.ID_NUMBER: self._on_id_number,
            Step.CONFIRM_ID: self._on_confirm_id,
            Step.MOBILE: self._on_mobile,
            Step.CONFIRM_MOBILE: self._on_confirm_mobile,
            Step.SECURITY_QUESTION: self._on_security_answer,
            Step.LIVENESS: self._on_liveness,
            Step.OTP: self._on_otp,
            Step.AMOUNT: self._on_amount,
            Step.TERM: self._on_term,
            Step.PURPOSE: self._on_purpose,
            Step.INCOME: self._on_income,
            Step.EMPLOYMENT: self._on_employment,
            Step.OFFER: self._on_offer,
            Step.SIGN_CONSENT: self._on_sign_consent,
            Step.SIGN_OTP: self._on_sign_otp,
            Step.DONE: lambda _text, _digits: Reply([self._goodbye()], end_call=True),
        }

    def _yes_no(self, text: str, digits: str) -> bool | None:
        if digits:
            return {"1": True, "2": False}.get(digits[:1])
        return parse_yes_no(text, self.state.language or "zh") if text else None

    def _on_language(self, text: str, digits: str) -> Reply:
        choice = {"1": "zh", "2": "en"}.get(digits[:1]) if digits else parse_language_choice(text)
        if choice is None and text:
            # A caller who simply starts talking has chosen by the language they speak.
            choice = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else None
        if choice is None:
            return self._retry()
        self.state.language = choice
        return self._go(Step.CONSENT, self._say("greeting"))

    def _on_consent(self, text: str, digits: str) -> Reply:
        answer = self._yes_no(text, digits)
        if answer is None:
            return self._retry(self._say("yes_no_help"))
        self.desk.record_consent(self.state, "general", answer, self.book.version)
        if not answer:
            return self._end(SessionStatus.REFUSED, self._say("consent_refused"))
        return self._go(Step.SENSITIVE_CONSENT)

    def _on_sensitive_consent(self, text: str, digits: str) -> Reply:
        answer = self._yes_no(text, digits)
        if answer is None:
            return self._retry(self._say("yes_no_help"))
        self.desk.record_consent(self.state, "sensitive", answer, self.book.version)
        if not answer:
            return self._end(SessionStatus.REFUSED, self._say("consent_refused"))
        return self._go(Step.NAME)

    def _on_name(self, text: str, digits: str) -> Reply:
        name = text.strip(" 。.,，")
        for prefix in (
            "我叫",
            "我是",
            "我的名字是",
            "名字是",
            "my name is",
            "this is",
            "i am",
            "i'm",
        ):
            if name.startswith(prefix):
                name = name[len(prefix) :].strip()
        if not name:
            return self._retry()
        self.state.slots["name"] = name
        return self._go(Step.ID_NUMBER)

    def _read_id(self, text: str, digits: str) -> tuple[str | None, tuple[str, str] | None]:
        raw = (
            digits.replace("*", "X")
            if digits
            else parse_digit_string(text, self.state.language or "zh")
        )
        if not raw:
            return None, None
        try:
            return ResidentId.parse(raw).value, None
        except InvalidResidentId as exc:
            if exc.reason is ResidentIdProblem.LENGTH:
                return None, self._say("id_invalid_length", count=self._count_words(len(raw)))
            if exc.reason is ResidentIdProblem.CHECK_DIGIT:
                return None, self._say("id_invalid_check")
            if exc.reason is ResidentIdProblem.BIRTH_DATE:
                return None, self._say("id_invalid_date")
            return None, self._say("id_invalid")

    def _count_words(self, count: int) -> str:
        return say_integer(count, self.state.language or "zh") if self.spoken else str(count)

    def _on_id_number(self, text: str, digits: str) -> Reply:
        id_number, problem = self._read_id(text, digits)
        if id_number is None:
            return self._retry(problem) if problem else self._retry()
        self.state.slots["id_number"] = id_number
        return self._go(Step.CONFIRM_ID)

    def _on_confirm_id(self, text: str, digits: str) -> Reply:
        corrected, rest = (
            split_correction(text, self.state.language or "zh") if text else (False, "")
        )
        if corrected and rest:
            id_number, problem = self._read_id(rest, "")
            if id_number:
                self.state.slots["id_number"] = id_number
                return self._go(Step.CONFIRM_ID)
            if problem:
                return self._retry(problem)
        answer = self._yes_no(text, digits)
        if answer is None and not corrected:
            return self._retry(self._say("yes_no_help"))
        if not answer:
            self.state.step = Step.ID_NUMBER
            return Reply([self._say("ask_id_again")])
        resident = ResidentId.parse(self.state.slots["id_number"])
        if not resident.is_adult_on(self.clock.now().date()):
            return self._end(SessionStatus.DECLINED, self._say("under_age"))
        if self.state.resume_step is not None:
            stored = self.state.slots.get("verified_id_number")
            if stored and stored != resident.value:
                return self._hand_off(self._say("not_found"))
        return self._go(Step.MOBILE)

    def _read_mobile(self, text: str, digits: str) -> str | None:
        raw = digits or parse_digit_string(text, self.state.language or "zh")
        if not raw:
            return None
        try:
            return MobileNumber.parse(raw).digits
        except InvalidMobileNumber:
            return None

    def _on_mobile(self, text: str, digits: str) -> Reply:
        mobile = self._read_mobile(text, digits)
        if mobile is None:
            return self._retry(self._say("mobile_invalid"))
        self.state.slots["mobile"] = mobile
        return self._go(Step.CONFIRM_MOBILE)

    def _on_confirm_mobile(self, text: str, digits: str) -> Reply:
        state = self.state
        corrected, rest = split_correction(text, state.language or "zh") if text else (False, "")
        if corrected and rest:
            mobile = self._read_mobile(rest, "")
            if mobile:
                state.slots["mobile"] = mobile
                return self._go(Step.CONFIRM_MOBILE)
        answer = self._yes_no(text, digits)
        if answer is None and not corrected:
            return self._retry(self._say("yes_no_help"))
        if not answer:
            state.step = Step.MOBILE
            return Reply([self._say("ask_mobile")])
        record = self.desk.find_customer(state.slots["id_number"])
        if record is None or record.mobile != state.slots["mobile"]:
            state.flags.append("registry_mismatch")
            return self._hand_off(self._say("not_found"))
        state.customer_id = record.customer_id
        if normalize(record.full_name).replace(" ", "") != state.slots.get("name", "").replace(
            " ", ""
        ):
            state.flags.append("name_differs_from_registry")
        if state.caller_number and state.caller_number[-11:] != record.mobile:
            state.flags.append("caller_id_differs_from_registered_mobile")
        if state.resume_step is not None:
            # Re-verification on a call-back: registry match plus a fresh one-time code.
            return self._send_code(Step.OTP, "verify")
        questions = self.desk.draw_questions(state, _QUESTIONS_NEEDED + _QUESTIONS_FAILED_MAX)
        if not questions:
            return self._hand_off(self._say("security_failed"))
        state.question_kinds = [question.kind for question in questions]
        state.question_choices = [list(question.choices) for question in questions]
        state.question_index = 0
        state.questions_failed = 0
        state.step_ups = []
        state.step_up_result = None
        return self._go(Step.SECURITY_QUESTION, self._say("security_intro"))

    def _choice_list(self, kind: str, choices: list[str]) -> str:
        """The choices as read out: "北京、上海还是广州" / "Beijing, Shanghai or Guangzhou"."""
        r = self.render
        zh = (self.state.language or "zh") == "zh"
        if kind == "account_last4":
            items = [r.digits(choice) for choice in choices]
        elif kind == "customer_since_year":
            items = [
                (r.digits(choice) + "年" if zh else say_integer(int(choice), "en"))
                if self.spoken
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

    def _answer_secs(self) -> float | None:
        asked = self.state.question_asked_at
        if not asked:
            return None
        return max(0.0, (self.clock.now() - datetime.fromisoformat(asked)).total_seconds())

    def _on_security_answer(self, text: str, digits: str) -> Reply:
        state = self.state
        answer = text or digits
        if not answer:
            return self._retry()
        index = state.question_index
        choices = state.question_choices[index] if index < len(state.question_choices) else []
        question = AskedQuestion(state.question_kinds[index], tuple(choices))
        ok = self.desk.check_answer(state, question, answer, self._answer_secs())
        state.question_index += 1
        state.retries = 0
        if not ok:
            state.questions_failed += 1
            if state.step_ups:
                # A wrong answer during a step-up fails it.
                return self._step_up_failed(self._say("answer_wrong"))
            return self._step_up(self.desk.choose_step_up(state), self._say("answer_wrong"))
        passed = state.question_index - state.questions_failed
        if passed < _QUESTIONS_NEEDED:
            return Reply(self._question())
        if state.step_ups and state.step_up_result is None:
            state.step_up_result = "passed"
        elif not state.step_ups:
            # Questions passed: an external risk level or the flags may still ask for more.
            step_up = self.desk.choose_step_up(state)
            if step_up.action != "none":
                return self._step_up(step_up)
        return self._send_code(Step.OTP, "verify")

    def _step_up(self, step_up: StepUpView, *before: tuple[str, str]) -> Reply:
        """Start the step-up chosen by the desk (or end the identity check)."""
        state = self.state
        action = step_up.action
        if action == "none":
            return Reply([*before, *self._question()])
        if action == "hand_off":
            return self._step_up_failed(*before)
        state.step_ups.append(action)
        if action == "more_questions":
            state.step = Step.SECURITY_QUESTION
            return Reply([*before, self._say("step_up_question"), *self._question()])
        if action == "call_back":
            booked = self.desk.request_callback(state, ",".join(step_up.reasons) or action)
            state.step_up_result = "pending"
            return self._end(
                SessionStatus.CALLBACK,
                *before,
                self._say("callback_scheduled", last4=self.render.digits(booked.mobile_last4)),
            )
        challenge = self.desk.start_liveness(state)
        state.slots["liveness_phrase"] = " ".join(challenge.tokens)
        state.slots["liveness_digits"] = "1" if challenge.digits else ""
        return self._go(Step.LIVENESS, *before)

    def _step_up_failed(self, *before: tuple[str, str]) -> Reply:
        if self.state.step_ups:
            self.state.step_up_result = "failed"
        return self._hand_off(*before, self._say("security_failed"))

    def _phrase(self) -> str:
        """The liveness phrase as read out (digits one by one on a voice line)."""
        slots = self.state.slots
        phrase = slots.get("liveness_phrase", "")
        if slots.get("liveness_digits"):
            return self.render.digits(phrase.replace(" ", ""))
        return ("，" if (self.state.language or "zh") == "zh" else ", ").join(phrase.split())

    def _on_liveness(self, text: str, digits: str) -> Reply:
        state = self.state
        said = text or digits
        if not said:
            return self._retry()
        checked = self.desk.check_liveness(state, said)
        if checked.outcome == "retry":
            return Reply([self._say("liveness_retry", phrase=self._phrase())])
        if checked.outcome != "passed":
            return self._step_up_failed()
        state.step_up_result = "passed"
        if state.slots.pop("step_up_for", None) == "decision":
            return self._decide(self._say("verified"))
        if state.question_index - state.questions_failed >= _QUESTIONS_NEEDED:
            return self._send_code(Step.OTP, "verify")
        if state.question_index >= len(state.question_kinds):
            return self._step_up_failed()
        return self._go(Step.SECURITY_QUESTION)

    def _send_code(self, step: Step, purpose: str, *before: tuple[str, str]) -> Reply:
        state = self.state
        template = (
            self.book.sms["otp"]
            .replace("{lender}", self.lender["lender"])
            .replace("{lender_en}", self.lender["lender_en"])
        )
        sent = self.desk.send_code(state, purpose, template)
        if not sent.sent:
            if sent.lockout in _VELOCITY_LOCKOUTS:
                return self._end(SessionStatus.LOCKED, *before, self._say("otp_velocity"))
            if sent.refused == "locked" or sent.lockout == "challenge_checks_exhausted":
                return self._end(SessionStatus.LOCKED, *before, self._say("otp_locked"))
            return self._end(SessionStatus.LOCKED, *before, self._say("otp_send_limit"))
        state.step = step
        state.retries = 0
        # The keypad is offered after two misheard codes of each new challenge.
        state.slots["spoken_code_failures"] = "0"
        prompt = "sign_otp" if step is Step.SIGN_OTP else "otp_sent"
        return Reply([*before, self._say(prompt, last4=sent.mobile_last4)])

    def _on_code(self, text: str, digits: str, step: Step) -> Reply | None:
        """Check a spoken or keyed code; return a reply unless the code was verified."""
        state = self.state
        lowered = text.lower()
        if any(word in lowered for word in _RESEND_WORDS):
            return self._send_code(
                step, "sign" if step is Step.SIGN_OTP else "verify", self._say("otp_resent")
            )
        code = digits.strip("#") if digits else parse_digit_string(text, state.language or "zh")
        if not code:
            return self._retry()
        checked = self.desk.check_code(state, code)
        if checked.outcome == "verified":
            return None
        if checked.outcome == "locked":
            if checked.lockout in _VELOCITY_LOCKOUTS:
                return self._end(SessionStatus.LOCKED, self._say("otp_velocity"))
            return self._end(SessionStatus.LOCKED, self._say("otp_locked"))
        if checked.outcome in ("expired", "no_code"):
            return self._send_code(
                step, "sign" if step is Step.SIGN_OTP else "verify", self._say("otp_expired")
            )
        reply = Reply([self._say("otp_wrong", left=self._count_words(checked.attempts_left))])
        if not digits and self.spoken:
            failures = int(state.slots.get("spoken_code_failures", "0")) + 1
            state.slots["spoken_code_failures"] = str(failures)
            if failures == _DTMF_AFTER_FAILURES:
                reply.prompts.append(self._say("dtmf_offer_code"))
        return reply

    def _on_otp(self, text: str, digits: str) -> Reply:
        reply = self._on_code(text, digits, Step.OTP)
        if reply is not None:
            return reply
        state = self.state
        state.verified = True
        state.slots["verified_id_number"] = state.slots["id_number"]
        if state.resume_step is not None:
            step, state.resume_step = state.resume_step, None
            return self._go(step, self._say("verified"), self._say("resume_at"))
        return self._go(Step.AMOUNT, self._say("verified"))

    def _correct_previous(self, text: str) -> Reply | None:
        """Apply "不对，是…" / "no, it's…" to the answer read back in the current question.

        If the corrected value does not fit the previous question ("不是十二个月，是二十四个月"
        said when asked for the term corrects nothing before it), the remainder is taken as
        the answer to the current question instead.
        """
        state = self.state
        previous = _PREVIOUS_SLOT.get(state.step)
        if previous is None or not text:
            return None
        corrected, rest = split_correction(text, state.language or "zh")
        if not corrected or not rest:
            return None
        current, retries, slots, status = state.step, state.retries, dict(state.slots), state.status
        state.step = previous
        self._handlers()[previous](rest, "")
        if state.step is not previous:
            # The earlier answer was corrected: ask the current question again.
            state.step, state.retries = current, 0
            return Reply(self._question())
        state.step, state.retries, state.slots, state.status = current, retries, slots, status
        return self._handlers()[current](rest, "")

    def _on_amount(self, text: str, digits: str) -> Reply:
        amount = (
            Decimal(digits) if digits.isdigit() else parse_amount(text, self.state.language or "zh")
        )
        if amount is None or amount <= 0:
            return self._retry(self._say("amount_invalid"))
        product = self.desk.product
        if not product.min_amount.amount <= amount <= product.max_amount.amount:
            r = self.render
            return self._retry(
                self._say(
                    "amount_out_of_range",
                    min=r.amount(product.min_amount.amount),
                    max=r.amount(product.max_amount.amount),
                )
            )
        self.state.slots["amount"] = str(amount)
        return self._go(Step.TERM)

    def _on_term(self, text: str, digits: str) -> Reply:
        corrected = self._correct_previous(text)
        if corrected is not None:
            return corrected
        months = (
            int(digits)
            if digits.isdigit()
            else parse_term_months(text, self.state.language or "zh")
        )
        terms = self.desk.product.terms_months
        if months is None or months not in terms:
            return self._retry(self._say("term_invalid", terms=self.render.term_list(terms)))
        self.state.slots["term"] = str(months)
        return self._go(Step.PURPOSE)

    def _on_purpose(self, text: str, digits: str) -> Reply:
        corrected = self._correct_previous(text)
        if corrected is not None:
            return corrected
        purpose = classify_purpose(text, self.state.language or "zh") if text else None
        if purpose is None:
            return self._retry(self._say("purpose_unclear"))
        self.state.slots["purpose"] = purpose.value
        if is_banned(purpose):
            decision = self.desk.decline_for_purpose(self.state, purpose)
            self.state.reference = decision.reference
            label = self.book.label("purpose", purpose.value)
            return self._end(
                SessionStatus.DECLINED,
                self._say("decline_banned_purpose", purpose=label),
                self._goodbye(),
            )
        return self._go(Step.INCOME)

    def _on_income(self, text: str, digits: str) -> Reply:
        corrected = self._correct_previous(text)
        if corrected is not None:
            return corrected
        income = (
            Decimal(digits) if digits.isdigit() else parse_amount(text, self.state.language or "zh")
        )
        if income is None or income <= 0:
            return self._retry(self._say("income_invalid"))
        self.state.slots["income"] = str(income)
        return self._go(Step.EMPLOYMENT)

    def _on_employment(self, text: str, digits: str) -> Reply:
        corrected = self._correct_previous(text)
        if corrected is not None:
            return corrected
        employment = classify_employment(text, self.state.language or "zh") if text else None
        if employment is None:
            return self._retry(self._say("employment_unclear"))
        self.state.slots["employment"] = employment
        wait = self._say("decision_wait", employment=self.book.label("employment", employment))
        return self._decide(wait)

    def _decide(self, *before: tuple[str, str]) -> Reply:
        """Submit the application gathered in the slots and act on the decision."""
        slots = self.state.slots
        decision = self.desk.submit_application(
            self.state,
            ApplicationInput(
                amount=Decimal(slots["amount"]),
                term_months=int(slots["term"]),
                purpose=PurposeCategory(slots["purpose"]),
                monthly_income=Decimal(slots["income"]),
                employment=slots["employment"],
            ),
        )
        self.state.reference = decision.reference
        return self._after_decision(decision, *before)

    def _after_decision(self, decision: DecisionView, *wait: tuple[str, str]) -> Reply:
        lang = self.state.language or "zh"
        reasons = ("；" if lang == "zh" else "; ").join(
            reason.zh if lang == "zh" else reason.en for reason in decision.reasons
        )
        if decision.hand_off:
            # A critical alert: the script stops here and a person takes the call.
            return self._hand_off(*wait)
        if decision.outcome == "step_up":
            # The fraud engine wants more assurance before deciding: the step-up runs, and
            # the application is decided again once it is passed (see _on_liveness).
            view = self.desk.request_step_up(self.state, "medium")
            if view.action in ("phrase_repeat", "call_back"):
                self.state.slots["step_up_for"] = "decision"
                return self._step_up(view, *wait, self._say("step_up_decision"))
            return self._end(
                SessionStatus.REFERRED,
                *wait,
                self._say("referred", reasons=reasons),
                self._goodbye(),
            )
        if decision.outcome == "decline":
            return self._end(
                SessionStatus.DECLINED,
                *wait,
                self._say("declined", reasons=reasons),
                self._goodbye(),
            )
        if decision.outcome == "refer":
            return self._end(
                SessionStatus.REFERRED,
                *wait,
                self._say("referred", reasons=reasons),
                self._goodbye(),
            )
        offer = decision.offer
        assert offer is not None  # an approval always carries its offer
        slots = self.state.slots
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
        return self._go(Step.OFFER, *wait)

    def _on_offer(self, text: str, digits: str) -> Reply:
        answer = self._yes_no(text, digits)
        if answer is None:
            return self._retry(self._say("yes_no_help"))
        if not answer:
            return self._end(SessionStatus.CANCELLED, self._say("offer_declined"), self._goodbye())
        book = self.book
        values = self._offer_values()
        template = book.sms["contract"]
        self.desk.send_contract(self.state, template)
        disclosures = self._say("disclosures", **values)
        return self._go(Step.SIGN_CONSENT, disclosures)

    def _on_sign_consent(self, text: str, digits: str) -> Reply:
        answer = self._yes_no(text, digits)
        if answer is None:
            return self._retry(self._say("yes_no_help"))
        if not answer:
            return self._end(SessionStatus.CANCELLED, self._say("sign_declined"), self._goodbye())
        self.state.slots["sign_consent_text"] = text or f"DTMF {digits}"
        return self._send_code(Step.SIGN_OTP, "sign")

    def _on_sign_otp(self, text: str, digits: str) -> Reply:
        reply = self._on_code(text, digits, Step.SIGN_OTP)
        if reply is not None:
            return reply
        state = self.state
        self.desk.sign_contract(state, state.slots.get("sign_consent_text", ""))
        payout = self.desk.disburse(state)
        r = self.render
        if payout.ok:
            paid = self._say(
                "disbursed", amount=r.amount(payout.amount), last4=r.digits(payout.account_last4)
            )
            return self._end(SessionStatus.COMPLETED, self._say("signed"), paid, self._goodbye())
        return self._end(
            SessionStatus.COMPLETED,
            self._say("signed"),
            self._say("disbursement_failed"),
            self._goodbye(),
        )
