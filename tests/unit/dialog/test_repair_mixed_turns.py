"""Turns that say two things at once, over chat against the real desk and database.

A question and a refusal in one breath, a cancellation asked about rather than made, a
question about the agent that is not a request for a person, a figure that is not an amount,
and everyday forms of an income, a term and a name.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, prompt_ids, say
from lendline.dialog.state import SessionStatus, Step


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
    dialog = dialog_at(make_app(), Step.CONSENT, language)
    say(dialog, said)
    assert dialog.state.status is SessionStatus.REFUSED


def test_a_question_with_a_no_in_it_refuses_nothing(make_app) -> None:
    dialog = dialog_at(make_app(), Step.CONSENT, "en")
    reply = say(dialog, "I am not a Chinese citizen. Can foreigners borrow with you?")
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.CONSENT
    assert prompt_ids(reply)[0] == "digress_unknown"


def test_asking_whether_one_may_cancel_later_does_not_cancel(make_app) -> None:
    dialog = dialog_at(make_app(), Step.SIGN_CONSENT, "en")
    say(dialog, "If I sign today and change my mind tomorrow, can I cancel?")
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
    dialog = dialog_at(make_app(), Step.SIGN_CONSENT, language)
    say(dialog, said)
    assert dialog.state.status is SessionStatus.CANCELLED


def test_asking_if_the_agent_is_human_is_answered_not_handed_off(make_app) -> None:
    dialog = dialog_at(make_app(), Step.AMOUNT, "en")
    reply = say(dialog, "Am I talking to an actual human?")
    assert dialog.state.status is SessionStatus.ACTIVE and prompt_ids(reply)[0] == "digress_robot"


def test_a_small_number_in_a_purpose_changes_no_amount(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "en")
    amount = dialog.state.slots["amount"]
    say(dialog, "Stock for my Taobao shop before Double 11, phone cases and chargers")
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
    dialog = dialog_at(make_app(), step, language)
    say(dialog, said)
    if dialog.state.slots.get("confirm_slot") == slot:
        # Far from the registry's income: read back explicitly first.
        assert dialog.state.slots["confirm_value"] == value
        say(dialog, "对" if language == "zh" else "yes")
    assert dialog.state.slots.get(slot) == value


def test_a_name_followed_by_a_dash_and_a_remark_is_the_name(make_app) -> None:
    dialog = dialog_at(make_app(), Step.NAME, "en")
    say(dialog, "Li Hua — I took a Chinese name when I arrived.")
    assert dialog.state.slots["name"] == "li hua" and dialog.state.step is Step.ID_NUMBER
