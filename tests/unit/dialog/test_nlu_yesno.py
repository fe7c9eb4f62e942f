"""Yes or no from recogniser output, with Whisper-style punctuation, in both languages."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.yesno import parse_yes_no

YES = [
    "是",
    "是的",
    "是的。",
    "是。",
    "对",
    "对的",
    "对。",
    "對的",
    "好",
    "好的",
    "好的，谢谢。",
    "可以",
    "可以的",
    "同意",
    "我同意",
    "我同意。",
    "我同意签署",
    "没问题",
    "没问题。",
    "没错",
    "嗯",
    "嗯嗯",
    "恩",
    "行",
    "行啊",
    "确认",
    "确认无误",
    "愿意",
    "是的，我接受",
    "当然可以",
    "嗯，对的",
    "OK",
    "ok的",
    "Yes.",
    "yes",
    "Yeah.",
    "Yep.",
    "Correct.",
    "That's right.",
    "That’s right.",
    "Yes, that's correct.",
    "Yes, I agree.",
    "I agree.",
    "Sure.",
    "OK.",
    "Okay.",
    "I do.",
    "Right.",
    "Yes, I accept.",
    "Absolutely.",
    "Of course.",
    "No problem.",
    "Uh-huh.",
    "Yes please.",
    "就这个方案吧",
    "成，就这么办",
    "不用抵押就好，那我接受",
]

NO = [
    "不",
    "不。",
    "不是",
    "不是的",
    "不对",
    "不对。",
    "不同意",
    "我不同意。",
    "不要",
    "不行",
    "不用了",
    "拒绝",
    "没有",
    "我不是很同意",
    "我不太同意",
    "對不起，我不同意",
    "嗯，不是",
    "算了吧",
    "No.",
    "no",
    "Nope.",
    "Not really.",
    "Don't.",
    "I disagree.",
    "I refuse.",
    "Wrong.",
    "That's wrong.",
    "Incorrect.",
    "That's not right.",
    "No, I do not agree.",
    "I don't agree.",
    "No thanks.",
    "I won't.",
]

UNCLEAR = [
    "",
    "啊",
    "不知道",
    "我不知道",
    "我想想",
    "我考虑一下",
    "可能吧",
    "是不是要签字？",
    "这个利率高吗？",
    "no, I agree",
    "好的，不对",
    "Maybe.",
    "I'm not sure.",
    "I don't know.",
    "Let me think about it.",
    "Hello?",
    "Um.",
    "招商银行",
    "去旅行",
]


@pytest.mark.parametrize("said", YES)
def test_yes_in_either_language_is_true(said: str) -> None:
    assert parse_yes_no(said, "zh") is True
    assert parse_yes_no(said, "en") is True


@pytest.mark.parametrize("said", NO)
def test_no_in_either_language_is_false(said: str) -> None:
    assert parse_yes_no(said, "zh") is False
    assert parse_yes_no(said, "en") is False


@pytest.mark.parametrize("said", UNCLEAR)
def test_hedges_questions_and_contradictions_are_unclear(said: str) -> None:
    assert parse_yes_no(said, "zh") is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("同意", True),
        ("不同意", False),
        ("愿意", True),
        ("不愿意", False),
        ("可以", True),
        ("不可以", False),
        ("I agree.", True),
        ("I disagree.", False),
        ("That's correct.", True),
        ("That's incorrect.", False),
        ("That is right.", True),
        ("That isn't right.", False),
    ],
)
def test_a_negation_wins_over_the_yes_word_it_contains(said: str, expected: bool) -> None:
    assert parse_yes_no(said, "zh") is expected


@pytest.mark.parametrize(
    "said", ["没问题", "不错", "没错", "No problem.", "Why not.", "I don't mind."]
)
def test_yes_phrases_built_from_negative_words_are_yes(said: str) -> None:
    assert parse_yes_no(said, "en") is True


def test_a_lone_hum_is_yes_but_a_hum_before_a_no_is_no() -> None:
    assert parse_yes_no("嗯。", "zh") is True
    assert parse_yes_no("嗯，不是这个号码。", "zh") is False


@pytest.mark.parametrize(
    ("said", "expected"),
    [("唔同意", False), ("唔得", False), ("好唔好？", None), ("好，唔该。", True)],
)
def test_cantonese_no_thanks_and_tag_questions(said: str, expected: bool | None) -> None:
    assert parse_yes_no(said, "zh") is expected


@pytest.mark.parametrize(
    "said",
    [
        "The first part okay, but the bank account, no. I don't agree to this.",
        "前面的可以，银行流水不行，我不同意。",
    ],
)
def test_a_refusal_in_so_many_words_stands_against_a_yes_to_something_else(said: str) -> None:
    assert parse_yes_no(said, "en") is False
