"""Turns that say two things at once, over chat against the real desk and database.

A question and a refusal in one breath, a cancellation asked about rather than made, a
question about the agent that is not a request for a person, a figure that is not an amount,
and everyday forms of an income, a term and a name.
"""

from __future__ import annotations

import pytest

from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import resolve_answer
from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.state import SessionStatus, Step


def _at(app, step: Step, language: str) -> Dialog:  # type: ignore[no-untyped-def]
    persona = happy_borrower(language)
    dialog = app.open_call(persona.caller_number, "chat")
    dialog.start()
    while dialog.state.step is not step:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None
        reply = dialog.handle(CallerInput(text=resolve_answer(app, persona, answer, spoken=False)))
        assert not reply.end_call, reply.prompts
    return dialog


def _say(dialog: Dialog, text: str) -> Reply:
    return dialog.handle(CallerInput(text=text))


def _ids(reply: Reply) -> list[str]:
    return [prompt_id for prompt_id, _ in reply.prompts]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh", "身份证号、银行卡还要查征信？电话里弄这些我不放心，就不弄了"),
        ("en", "My income too? No, I'd rather not get into that. Let's leave it."),
    ],
)
def test_a_refusal_said_after_a_question_refuses_the_consent(
    make_app, language: str, said: str
) -> None:
    dialog = _at(make_app(), Step.CONSENT, language)
    _say(dialog, said)
    assert dialog.state.status is SessionStatus.REFUSED


def test_a_question_with_a_no_in_it_refuses_nothing(make_app) -> None:
    dialog = _at(make_app(), Step.CONSENT, "en")
    reply = _say(dialog, "I am not a Chinese citizen. Can foreigners borrow with you?")
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.CONSENT
    assert _ids(reply)[0] == "digress_unknown"


def test_asking_whether_one_may_cancel_later_does_not_cancel(make_app) -> None:
    dialog = _at(make_app(), Step.SIGN_CONSENT, "en")
    _say(dialog, "If I sign today and change my mind tomorrow, can I cancel?")
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.SIGN_CONSENT


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Hmm... I'll hold off on signing, want to talk to my wife first"),
        ("zh", "我回去跟老婆商量一下"),
    ],
)
def test_putting_off_the_signature_to_ask_family_declines_it(
    make_app, language: str, said: str
) -> None:
    dialog = _at(make_app(), Step.SIGN_CONSENT, language)
    _say(dialog, said)
    assert dialog.state.status is SessionStatus.CANCELLED


def test_asking_if_the_agent_is_human_is_answered_not_handed_off(make_app) -> None:
    dialog = _at(make_app(), Step.AMOUNT, "en")
    reply = _say(dialog, "Am I talking to an actual human?")
    assert dialog.state.status is SessionStatus.ACTIVE and _ids(reply)[0] == "digress_robot"


def test_a_small_number_in_a_purpose_changes_no_amount(make_app) -> None:
    dialog = _at(make_app(), Step.PURPOSE, "en")
    amount = dialog.state.slots["amount"]
    _say(dialog, "Stock for my Taobao shop before Double 11, phone cases and chargers")
    assert dialog.state.slots["amount"] == amount
    assert dialog.state.slots["purpose"] == "business_working_capital"


@pytest.mark.parametrize(
    ("step", "language", "said", "slot", "value"),
    [
        (Step.INCOME, "zh", "四千五一个月", "income", "4500"),
        (Step.INCOME, "zh", "一个月万零蚊", "income", "10500"),
        (Step.TERM, "en", "The shortest one is fine.", "term", "3"),
        (Step.TERM, "en", "Let's say 1 year.", "term", "12"),
    ],
)
def test_everyday_forms_of_an_income_and_a_term(
    make_app, step: Step, language: str, said: str, slot: str, value: str
) -> None:
    dialog = _at(make_app(), step, language)
    _say(dialog, said)
    if dialog.state.slots.get("confirm_slot") == slot:
        # Far from the registry's income: read back explicitly first.
        assert dialog.state.slots["confirm_value"] == value
        _say(dialog, "对" if language == "zh" else "yes")
    assert dialog.state.slots.get(slot) == value


def test_a_name_followed_by_a_dash_and_a_remark_is_the_name(make_app) -> None:
    dialog = _at(make_app(), Step.NAME, "en")
    _say(dialog, "Li Hua — I took a Chinese name when I arrived.")
    assert dialog.state.slots["name"] == "li hua" and dialog.state.step is Step.ID_NUMBER
