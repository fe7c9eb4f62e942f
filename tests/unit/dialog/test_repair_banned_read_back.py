"""A forbidden use is read back before the application is declined on it.

Over chat against the real desk and database. A purpose heard as a forbidden use ("the
deposit on a flat", a tenant's as often as a buyer's) is no decision the caller could
otherwise correct: yes declines; no asks the purpose again with the choices, flags the
session for a reviewer and raises a warning; a forbidden use heard again is declined at once.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, owned_up, prompt_ids, say
from lendline.dialog.state import SessionStatus, Step

NO = {"zh": "不对", "en": "No."}
#: A tenant's deposit and moving costs, heard as a home bought.
TENANT = {
    "zh": "搬家的钱，还有新房子的定金",
    "en": "Moving costs, and the deposit on a flat near campus.",
}
RENT_CHOICE = {"zh": "房租和生活费", "en": "rent and living costs"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_forbidden_use_said_is_declined_once_the_caller_confirms_it(
    make_app, language: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    read_back = say(dialog, TENANT[language])
    assert prompt_ids(read_back) == ["confirm_banned_purpose"]
    assert dialog.state.status is SessionStatus.ACTIVE and "purpose" not in dialog.state.slots
    reply = say(dialog, {"zh": "是的", "en": "Yes, that's right."}[language])
    assert dialog.state.status is SessionStatus.DECLINED
    assert "decline_banned_purpose" in prompt_ids(reply)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_misheard_forbidden_use_is_asked_again_with_the_choices_and_flagged(
    make_app, language: str
) -> None:
    app = make_app()
    dialog = dialog_at(app, Step.PURPOSE, language)
    say(dialog, TENANT[language])
    choices = say(dialog, NO[language])
    assert prompt_ids(choices) == ["revise_purpose"]
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.PURPOSE
    reply = say(dialog, RENT_CHOICE[language])
    assert dialog.state.slots["purpose"] == "rent_and_living"
    # The answer goes on to the next question, not to a summary not yet reached.
    assert dialog.state.step is Step.INCOME, prompt_ids(reply)
    assert "purpose_disputed" in dialog.state.flags
    (alert,) = app.desk.alerts.queue()
    assert (alert.alert.code, alert.alert.level.value) == ("purpose_disputed", "warn")


def test_a_no_that_names_the_purpose_meant_stores_it(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    say(dialog, TENANT["zh"])
    say(dialog, "不是买房，是租房子交押金和房租")
    assert dialog.state.slots["purpose"] == "rent_and_living"
    assert dialog.state.step is Step.INCOME


def test_a_forbidden_use_heard_again_after_a_denial_is_declined_without_asking(
    make_app,
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "en")
    say(dialog, TENANT["en"])
    say(dialog, NO["en"])
    reply = say(dialog, "Well, it's to put into the stock market, really.")
    assert dialog.state.status is SessionStatus.DECLINED
    assert prompt_ids(reply)[0] == "decline_banned_purpose"


def test_a_forbidden_use_heard_at_a_later_question_and_denied_changes_nothing(make_app) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, "en")
    purpose = dialog.state.slots["purpose"]
    read_back = say(dialog, "Actually, to be honest, I want to buy Bitcoin with it.")
    assert prompt_ids(read_back) == ["confirm_banned_purpose"]
    reply = say(dialog, "No, no, that was a joke.")
    assert prompt_ids(reply)[0] == "slot_unchanged"
    assert dialog.state.slots["purpose"] == purpose and dialog.state.step is Step.INCOME
    assert dialog.state.status is SessionStatus.ACTIVE


def test_half_the_money_owned_up_to_later_as_a_forbidden_use_is_declined(make_app) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, "en")
    reply = owned_up(
        dialog,
        "Oh, I should say, only half is for the fees, the other half goes into my stock "
        "trading account.",
        "en",
    )
    assert dialog.state.status is SessionStatus.DECLINED
    assert "decline_banned_purpose" in prompt_ids(reply)
