"""The application read back whole before the decision, over chat, in both languages.

Against the real loan desk and database: the summary names every answer; yes decides; a
change said with its value is read back in a new summary; a part said to be wrong is asked
again in its plain form (a purpose or a job with the choices read out) and the summary comes
back; a banned purpose chosen there is still declined; a caller and script that keep
disagreeing reach a person.
"""

from __future__ import annotations

import pytest

from chat_turns import dialog_at, owned_up, prompt_ids, say
from lendline.dialog.state import SessionStatus, Step


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh", ["50,000元", "12个月", "装修", "15,000元", "上班"]),
        ("en", ["30,000", "12 months", "education", "20,000", "Employed"]),
    ],
)
def test_the_summary_names_every_answer_and_yes_decides(
    make_app, language: str, words: list[str]
) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, language)
    summary = dialog.state.last_prompts[-1]
    assert summary[0] == "review_application"
    for word in words:
        assert word in summary[1], (word, summary[1])
    reply = say(dialog, "对的" if language == "zh" else "Yes, that's all correct.")
    assert dialog.state.step is Step.OFFER and prompt_ids(reply) == ["decision_wait", "offer"]


@pytest.mark.parametrize(
    ("language", "said", "slot", "value"),
    [
        ("zh", "不对，借款金额是四万", "amount", "40000"),
        ("zh", "收入说错了，是一万二", "income", "12000"),
        ("en", "No, my income is 18,000 a month.", "income", "18000"),
        ("en", "The term is wrong, I wanted 24 months.", "term", "24"),
    ],
)
def test_a_change_said_with_its_value_is_read_back_in_a_new_summary(
    make_app, language: str, said: str, slot: str, value: str
) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, language)
    reply = say(dialog, said)
    assert dialog.state.slots[slot] == value
    assert dialog.state.step is Step.REVIEW
    assert prompt_ids(reply) == ["slot_changed", "review_application"]


@pytest.mark.parametrize(
    ("language", "complaint", "asked", "choice", "slot", "value"),
    [
        ("zh", "用途不对", "revise_purpose", "结婚", "purpose", "wedding"),
        ("zh", "工作情况不对", "revise_employment", "个体经营", "employment", "self_employed"),
        ("en", "No, the purpose is wrong.", "revise_purpose", "a car", "purpose", "vehicle"),
        ("en", "the job is wrong", "revise_employment", "retired", "employment", "retired"),
        ("zh", "期限不对", "revise_term", "二十四个月", "term", "24"),
    ],
)
def test_a_part_said_to_be_wrong_is_asked_again_with_its_choices(
    make_app,
    language: str,
    complaint: str,
    asked: str,
    choice: str,
    slot: str,
    value: str,
) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, language)
    reply = say(dialog, complaint)
    assert prompt_ids(reply) == [asked]
    if slot in ("purpose", "employment"):
        # The choices are read out in the words a borrower can say back.
        assert choice in reply.prompts[0][1]
    reply = say(dialog, choice)
    assert dialog.state.slots[slot] == value
    assert dialog.state.step is Step.REVIEW and prompt_ids(reply) == ["review_application"]


def test_a_bare_no_asks_which_part(make_app) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, "zh")
    assert prompt_ids(say(dialog, "不对")) == ["review_which"]
    assert prompt_ids(say(dialog, "收入")) == ["revise_income"]
    reply = say(dialog, "一万八")
    assert dialog.state.slots["income"] == "18000" and prompt_ids(reply) == ["review_application"]


def test_a_banned_purpose_chosen_from_the_summary_is_still_declined(make_app) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, "zh")
    say(dialog, "用途不对")
    reply = owned_up(dialog, "其实是拿去炒股", "zh")
    assert dialog.state.status is SessionStatus.DECLINED
    assert "decline_banned_purpose" in prompt_ids(reply)


def test_a_caller_who_keeps_disagreeing_reaches_a_person(make_app) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, "en")
    for _ in range(4):
        say(dialog, "No, the purpose is wrong.")
        say(dialog, "travel")
    reply = say(dialog, "No, the purpose is wrong.")
    assert dialog.state.status is SessionStatus.HANDED_OFF, prompt_ids(reply)


def _choices() -> list[tuple[str, str, str, str]]:
    """(language, slot, category, word) for every choice the script reads out."""
    from lendline.dialog.prompt_book import load_prompts

    found = []
    for language in ("zh", "en"):
        for key, word in load_prompts(language).labels.items():
            group, _, category = key.partition(".")
            if group in ("choice_purpose", "choice_employment"):
                found.append((language, group.removeprefix("choice_"), category, word))
    return found


_SAID_WRONG = {
    ("zh", "purpose"): "用途不对",
    ("zh", "employment"): "工作情况不对",
    ("en", "purpose"): "No, the purpose is wrong.",
    ("en", "employment"): "No, the job is wrong.",
}


@pytest.mark.parametrize(("language", "slot", "category", "word"), _choices())
def test_every_choice_read_out_is_understood_as_its_own_category(
    make_app, language: str, slot: str, category: str, word: str
) -> None:
    dialog = dialog_at(make_app(), Step.REVIEW, language)
    say(dialog, _SAID_WRONG[language, slot])
    reply = say(dialog, word)
    if category == "other":
        # "Other" is kept only once the caller promises no forbidden use.
        assert [prompt_id for prompt_id, _ in reply.prompts] == ["confirm_purpose_lawful"]
        say(dialog, "对" if language == "zh" else "Yes.")
    assert dialog.state.slots[slot] == category
    assert dialog.state.step is Step.REVIEW
