"""The lawful-use promise asked before a purpose is kept as "other", over chat.

Against the real desk and database: a purpose no category fits is stored only once the
caller confirms the money goes to none of the uses consumer credit may not pay for; a "no"
(whichever way it was meant) is asked as a choice among those uses with "none of these"
last; a use named is declined at once; a caller who names neither goes to a person.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, prompt_ids, say
from lendline.dialog.flow import Dialog
from lendline.dialog.state import SessionStatus, Step

UNPLACED = {"zh": "办签证和公证", "en": "Visa paperwork and notary fees."}


def _promise_asked(make_app, language: str) -> Dialog:  # type: ignore[no-untyped-def]
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    say(dialog, UNPLACED[language])
    assert prompt_ids(say(dialog, UNPLACED[language])) == ["confirm_purpose_lawful"]
    assert "purpose" not in dialog.state.slots
    return dialog


@pytest.mark.parametrize(
    ("language", "promise"),
    [("zh", "对"), ("zh", "不会，放心"), ("en", "Yes, I confirm."), ("en", "No, it won't.")],
)
def test_a_promise_either_way_round_keeps_the_words_as_other(
    make_app, language: str, promise: str
) -> None:
    dialog = _promise_asked(make_app, language)
    say(dialog, promise)
    assert dialog.state.slots["purpose"] == "other" and dialog.state.step is Step.INCOME


@pytest.mark.parametrize(("language", "no"), [("zh", "不对"), ("en", "No.")])
def test_a_plain_no_is_asked_as_a_choice_and_none_of_these_keeps_other(
    make_app, language: str, no: str
) -> None:
    dialog = _promise_asked(make_app, language)
    assert prompt_ids(say(dialog, no)) == ["ask_forbidden_use"]
    say(dialog, "都不是" if language == "zh" else "None of these.")
    assert dialog.state.slots["purpose"] == "other" and dialog.state.step is Step.INCOME


@pytest.mark.parametrize(
    ("language", "answers", "purpose"),
    [
        ("en", ["No.", "Gambling."], "gambling"),
        ("zh", ["不对", "炒股"], "securities_investment"),
        ("zh", ["会的，其实是买房交定金"], "housing_purchase"),
    ],
)
def test_a_forbidden_use_owned_up_to_is_declined_at_once(
    make_app, language: str, answers: list[str], purpose: str
) -> None:
    dialog = _promise_asked(make_app, language)
    for answer in answers:
        reply = say(dialog, answer)
    assert reply.end_call and dialog.state.status is SessionStatus.DECLINED
    assert dialog.state.slots["purpose"] == purpose


def test_a_caller_who_names_neither_a_use_nor_none_goes_to_a_person(make_app) -> None:
    dialog = _promise_asked(make_app, "zh")
    say(dialog, "不对")
    reply = say(dialog, "这个嘛，说不好")
    assert reply.hand_off and dialog.state.status is SessionStatus.HANDED_OFF
    assert "purpose" not in dialog.state.slots
