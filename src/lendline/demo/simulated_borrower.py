"""A simulated borrower for measuring how well the script understands people.

A *written persona* (JSON, see ``tests/fixtures/dialog/``) says, per step, what a borrower
says each time the agent asks that step's question, the kind of each line (an answer, a
question back, a correction of an earlier answer, a request, a refusal, small talk), and
what the borrower meant: the outcome and the values. The personas are written by people
who have not read the NLU rules; this module only plays them.

The simulator plays the persona over text chat against a real LendLine (real desk, real
database). Identity steps (ID number, mobile, security questions, codes) are answered as
the demo's registered borrower answers them. When the agent asks an explicit confirmation
("二十万是月收入吗？") or reads the whole application back, the simulator answers truthfully
from what the persona meant, and picks a purpose or a job from the choices read out as the
persona meant it: that is what a borrower who knows their own mind does, and no persona
author can foresee the agent's wording.

It then judges the conversation (``demo.persona_judge``): did it end as intended, were the
stored values the ones meant, and was any question back counted as a failed answer.
"""

from __future__ import annotations

from decimal import Decimal

from lendline.bootstrap import App
from lendline.channels.chat import ChatSession
from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import resolve_answer
from lendline.demo.persona_judge import Verdict, WrittenPersona, judge, wrong_values
from lendline.dialog.prompt_book import load_prompts
from lendline.dialog.state import DialogState, Step
from lendline.dialog.steps.lawful_use import (
    LAWFUL_USE,
    WHICH_FORBIDDEN_USE,
    is_banned_read_back,
)
from lendline.dialog.steps.review import ASK_WITH_CHOICES, REVISING
from lendline.lending.purpose import PurposeCategory, is_banned

#: The persona's step names and the script's steps they answer.
PERSONA_STEPS: dict[Step, str] = {
    Step.CONSENT: "consent",
    Step.SENSITIVE_CONSENT: "sensitive_consent",
    Step.NAME: "name",
    Step.AMOUNT: "amount",
    Step.TERM: "term",
    Step.PURPOSE: "purpose",
    Step.INCOME: "income",
    Step.EMPLOYMENT: "employment",
    Step.OFFER: "offer",
    Step.SIGN_CONSENT: "sign",
}
_DEFAULTS = {
    "zh": {
        "consent": "同意",
        "sensitive_consent": "同意",
        "name": "王小明",
        "offer": "接受",
        "sign": "同意",
    },
    "en": {
        "consent": "Yes, I agree.",
        "sensitive_consent": "Yes, I agree.",
        "name": "Li Hua",
        "offer": "Yes, I accept.",
        "sign": "Yes, I agree.",
    },
}
_YES = {"zh": "对的", "en": "Yes, that's right."}
_NO = {"zh": "不对", "en": "No."}
#: Prompts that tell the caller the last answer did not count.
FAILED_ANSWER_PROMPTS = frozenset(
    {
        "not_understood",
        "amount_invalid",
        "term_invalid",
        "purpose_unclear",
        "income_invalid",
        "employment_unclear",
        "yes_no_help",
        "too_many_retries",
        "mobile_invalid",
        "id_invalid",
        "id_invalid_length",
        "id_invalid_check",
        "id_invalid_date",
    }
)
_MAX_TURNS = 80


class _Borrower:
    """Chooses the persona's next line for the step the agent is at."""

    def __init__(self, persona: WrittenPersona) -> None:
        self.persona = persona
        self.queues = {step: list(lines) for step, lines in persona.turns.items()}
        self.last_answer: dict[str, str] = {}

    def line(self, step_name: str) -> tuple[str, str]:
        queue = self.queues.get(step_name)
        if queue:
            text, kind = queue.pop(0)
            if kind == "answer":
                self.last_answer[step_name] = text
            return text, kind
        if step_name in self.last_answer:
            # Asked again after the last line: a person says their answer again.
            return self.last_answer[step_name], "answer"
        default = _DEFAULTS[self.persona.lang].get(step_name)
        if default is not None:
            return default, "answer"
        return "", "silence"


def _confirmation_answer(persona: WrittenPersona, state: DialogState) -> str:
    """Answer an explicit confirmation truthfully, from what the persona meant."""
    lang = persona.lang
    slot = state.slots.get("confirm_slot", "")
    value = state.slots.get("confirm_value", "")
    expected = persona.expected
    if slot == "cancel":
        return _YES[lang] if expected.get("outcome") == "cancelled" else _NO[lang]
    if slot in (LAWFUL_USE, WHICH_FORBIDDEN_USE) and value == PurposeCategory.OTHER.value:
        return _lawful_use_answer(persona, slot)
    if is_banned_read_back(slot, value):
        # Every forbidden use has the same effect: yes if the persona meant any of them.
        meant = persona.expected.get("purpose") or []
        return _YES[lang] if any(is_banned(PurposeCategory(p)) for p in meant) else _NO[lang]
    if slot == "income":
        low, high = (Decimal(str(v)) for v in expected.get("monthly_income") or (0, 0))
        proposed = Decimal(value or "0")
        if low <= proposed <= high:
            return _YES[lang]
        if low <= proposed / 12 <= high:
            return "不对，是年薪" if lang == "zh" else "No, that's per year."
        meant = (low + high) / 2
        return f"不对，月收入{meant:.0f}元" if lang == "zh" else f"No, {meant:.0f} a month."
    meant_value = expected.get(slot)
    if isinstance(meant_value, list):
        meant_ok = value in [str(v) for v in meant_value]
    else:
        meant_ok = value == str(meant_value)
    if meant_ok:
        return _YES[lang]
    if slot in ("amount", "term") and meant_value is not None:
        unit = (
            ("元" if slot == "amount" else "个月")
            if lang == "zh"
            else (" yuan" if slot == "amount" else " months")
        )
        return f"不对，是{meant_value}{unit}" if lang == "zh" else f"No, {meant_value}{unit}."
    return _NO[lang]


def _lawful_use_answer(persona: WrittenPersona, slot: str) -> str:
    """Promise a lawful use, or name the forbidden one meant (in the words read out)."""
    lang = persona.lang
    forbidden = [p for p in persona.expected.get("purpose") or [] if is_banned(PurposeCategory(p))]
    if slot == LAWFUL_USE:
        return _NO[lang] if forbidden else _YES[lang]
    book = load_prompts(lang)
    return book.labels[f"choice_forbidden.{forbidden[0] if forbidden else 'none'}"]


#: The order in which a borrower hearing the summary corrects what is wrong in it.
_SUMMARY_ORDER = ("amount", "term", "purpose", "income", "employment")
_SLOT_WORDS = {
    "zh": {"purpose": "用途", "employment": "工作情况"},
    "en": {"purpose": "the purpose", "employment": "my work situation"},
}


def _review_answer(persona: WrittenPersona, state: DialogState) -> tuple[str, str | None]:
    """Answer the summary truthfully: yes, or "no" with the first wrong part and its value.

    Returns the line and the slot it corrects (None for yes). A purpose or a job is said to
    be wrong without a value: the agent then reads out the choices.
    """
    lang = persona.lang
    wrong = wrong_values(persona, state.slots)
    slot = next((slot for slot in _SUMMARY_ORDER if slot in wrong), None)
    if slot is None:
        return _YES[lang], None
    if slot in ("purpose", "employment"):
        words = _SLOT_WORDS[lang][slot]
        return (f"不对，{words}不对" if lang == "zh" else f"No, {words} is wrong."), slot
    value = _meant_value(persona, slot)
    if lang == "zh":
        unit = {"amount": "借款金额是{}元", "term": "期限是{}个月", "income": "月收入是{}元"}
        return "不对，" + unit[slot].format(value), slot
    unit = {
        "amount": "the amount is {} yuan",
        "term": "the term is {} months",
        "income": "my income is {} a month",
    }
    return "No, " + unit[slot].format(value) + ".", slot


def _meant_value(persona: WrittenPersona, slot: str) -> str:
    expected = persona.expected
    if slot == "income":
        low, high = (Decimal(str(v)) for v in expected["monthly_income"])
        return f"{(low + high) / 2:.0f}"
    return str(expected[slot])


def _choice_answer(persona: WrittenPersona, slot: str, borrower: _Borrower) -> str:
    """Answer a question asked again from the summary, as the borrower meant it.

    A purpose or a job is picked from the choices read out (by the words they were read out
    in); a banned purpose is never among them, so the borrower says their own words again.
    """
    if slot not in ("purpose", "employment"):
        value = _meant_value(persona, slot)
        if persona.lang == "zh":
            return value + {"amount": "元", "term": "个月", "income": "元"}[slot]
        return value + {"amount": " yuan", "term": " months", "income": " a month"}[slot]
    meant = persona.expected.get(slot) or []
    book = load_prompts(persona.lang)
    for value in meant if isinstance(meant, list) else [meant]:
        key = f"choice_{slot}.{value}"
        if key in book.labels:
            return book.labels[key]
    return borrower.line(slot)[0]


def converse(app: App, persona: WrittenPersona) -> tuple[DialogState, Verdict]:
    """Play ``persona`` over chat against ``app`` and judge the conversation."""
    registered = happy_borrower(persona.lang)
    borrower = _Borrower(persona)
    dialog = app.open_call(registered.caller_number, "chat")
    session = ChatSession(dialog)
    transcript: list[tuple[str, str]] = []
    reply = session.open()
    transcript.extend(("agent", text) for _, text in reply.prompts)
    questions_failed: list[str] = []
    corrected: list[str] = []
    state = dialog.state
    for _ in range(_MAX_TURNS):
        if session.ended:
            break
        kind = "answer"
        if state.step is Step.LANGUAGE:
            text = "中文" if persona.lang == "zh" else "English"
        elif state.slots.get("confirm_slot"):
            text = _confirmation_answer(persona, state)
        elif state.step is Step.REVIEW:
            text, corrects = _review_answer(persona, state)
            if corrects is not None:
                corrected.append(corrects)
        elif (choices := state.slots.get(REVISING) or state.slots.get(ASK_WITH_CHOICES)) and (
            state.step in PERSONA_STEPS
        ):
            text = _choice_answer(persona, choices, borrower)
        elif state.step in PERSONA_STEPS:
            text, kind = borrower.line(PERSONA_STEPS[state.step])
        else:
            prompt = state.last_prompts[-1][0] if state.last_prompts else ""
            planned = registered.answer(prompt)
            if planned is None:
                break
            text = resolve_answer(app, registered, planned, spoken=False, state=state)
        transcript.append(("caller", text))
        retries_before = state.retries
        step_before = state.step
        reply = session.send(text)
        transcript.extend(("agent", said) for _, said in reply.prompts)
        ids = {prompt_id for prompt_id, _ in reply.prompts}
        if kind == "question" and (
            ids & FAILED_ANSWER_PROMPTS
            or (state.step is step_before and state.retries > retries_before)
        ):
            questions_failed.append(text)
    if not session.ended:
        session.leave()
    verdict = judge(app, persona, state, questions_failed, transcript)
    verdict.corrected_at_review = corrected
    return state, verdict
