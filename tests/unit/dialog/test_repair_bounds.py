"""What keeps a caller from being held at one question, and refusals said around other words.

Over chat against the real desk and database: however a turn is answered without moving on
(changes read back, questions back, requests to repeat), a person takes over after a bounded
number of turns at one step; a "no" to "are you stopping?" is not asked about again at the
same question; a bare figure settled on after an amount with its unit takes that unit; a
refusal said with a question back, in Cantonese, or against a yes to
something else in the same turn refuses.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, prompt_ids, say
from lendline.dialog.flow import MAX_TURNS_AT_STEP
from lendline.dialog.state import SessionStatus, Step


def test_changes_said_again_and_again_at_one_question_reach_a_person(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    terms = ("期限改成十八个月", "期限改成二十四个月")
    for turn in range(MAX_TURNS_AT_STEP - 1):
        reply = say(dialog, terms[turn % 2])
        assert dialog.state.status is SessionStatus.ACTIVE, turn
        assert dialog.state.retries == 0
    assert dialog.state.step is Step.PURPOSE
    reply = say(dialog, terms[0])
    assert dialog.state.status is SessionStatus.HANDED_OFF
    assert "too_many_retries" in prompt_ids(reply)


def test_the_turn_count_starts_again_at_the_next_question(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    for _ in range(MAX_TURNS_AT_STEP - 1):
        say(dialog, "期限改成十八个月")
    say(dialog, "装修房子")
    assert dialog.state.step is Step.INCOME and dialog.state.turns_at_step == 0
    say(dialog, "期限改成二十四个月")
    assert dialog.state.status is SessionStatus.ACTIVE


@pytest.mark.parametrize(
    ("language", "again", "answer", "purpose"),
    [
        ("zh", "再说一遍", "再说一遍，装修房子", "home_renovation"),
        ("en", "Say that again?", "Say that again? Medical bills.", "medical"),
    ],
)
def test_a_request_to_repeat_said_with_the_answer_once_too_often_is_read_as_the_answer(
    make_app, language: str, again: str, answer: str, purpose: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    for _ in range(3):
        reply = say(dialog, again)
        assert prompt_ids(reply) == ["ask_purpose"]
    say(dialog, answer)
    assert dialog.state.slots.get("purpose") == purpose


def test_a_caller_who_said_they_are_not_stopping_is_not_asked_again(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "en")
    assert prompt_ids(say(dialog, "I'll think about it.")) == ["confirm_cancel"]
    say(dialog, "No, go on.")
    reply = say(dialog, "Hmm, I'll think about it... it's for my daughter's tuition.")
    assert "confirm_cancel" not in prompt_ids(reply)
    assert dialog.state.slots.get("purpose") == "education"


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (Step.SENSITIVE_CONSENT, "银行账户也要查？为什么要查这个？我不同意。"),
        (Step.CONSENT, "唔同意，我唔想俾你哋查。"),
        (Step.SENSITIVE_CONSENT, "The first part okay, but ID number and bank, no. I don't agree."),
    ],
)
def test_a_refusal_said_around_other_words_refuses(make_app, step: Step, said: str) -> None:
    language = "en" if said.isascii() else "zh"
    dialog = dialog_at(make_app(), step, language)
    say(dialog, said)
    assert dialog.state.status is SessionStatus.REFUSED


def test_a_cantonese_thank_you_is_no_refusal(make_app) -> None:
    dialog = dialog_at(make_app(), Step.CONSENT, "zh")
    say(dialog, "好，同意，唔该。")
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is not Step.CONSENT


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Hello? Is this a machine? I don't talk to machines. Give me a real person, please.",
        ),
        ("en", "Are you a robot? Is there a human I can talk to?"),
        ("zh", "你是真人吗？我要找真人"),
    ],
)
def test_a_person_asked_for_after_asking_about_the_agent_takes_the_call(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    reply = say(dialog, said)
    assert reply.hand_off and dialog.state.status is SessionStatus.HANDED_OFF


def test_asking_whether_the_agent_is_a_person_asks_for_nobody(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    reply = say(dialog, "你是机器人吧？不像真人啊")
    assert prompt_ids(reply) == ["digress_robot", "ask_purpose"]
    assert dialog.state.status is SessionStatus.ACTIVE


@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("Twenty or twenty-five thousand. Let's say twenty-five.", "25000"),
        ("Twenty thousand. Maybe twenty-five... no, twenty.", "20000"),
    ],
)
def test_a_bare_figure_settled_on_takes_the_unit_said_before(
    make_app, said: str, amount: str
) -> None:
    dialog = dialog_at(make_app(), Step.AMOUNT, "en")
    say(dialog, said)
    assert dialog.state.slots.get("amount") == amount and dialog.state.step is Step.TERM
