"""Corrections in the same breath: the new value is handed back for re-parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lendline.dialog.nlu.correction import split_correction
from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.numbers import parse_amount, parse_term_months


@pytest.mark.parametrize(
    ("said", "remainder"),
    [
        ("不对，是13987654321", "13987654321"),
        ("不对，是13987654321。", "13987654321"),
        ("不對，是一三九八七六五四三二一", "一三九八七六五四三二一"),
        ("不对，是三万", "三万"),
        ("不对不对，是三万", "三万"),
        ("嗯，不对，是十二个月", "十二个月"),
        ("不是，是五万", "五万"),
        ("不是的，是五万", "五万"),
        ("不是五万，是十万", "十万"),
        ("不是五万是十万", "十万"),
        ("不对，不是五万，是三万", "三万"),
        ("错了，应该是二十四个月", "二十四个月"),
        ("说错了，是两年", "两年"),
        ("我说错了，应该是幺三九", "幺三九"),
        ("应该是五万", "五万"),
        ("更正一下，是装修", "装修"),
        ("不，五万", "五万"),
        ("no, it's twenty four months", "twenty four months"),
        ("No, it's 13987654321.", "13987654321"),
        ("No, it is thirty thousand.", "thirty thousand"),
        ("no it's 24 months", "24 months"),
        ("That's wrong, it's 50,000.", "50,000"),
        ("That is wrong. It should be two years.", "two years"),
        ("That's not right, it's one three nine.", "one three nine"),
        ("Actually, twenty four months.", "twenty four months"),
        ("Actually it's for my wedding.", "for my wedding"),
        ("Sorry, I meant thirty thousand.", "thirty thousand"),
        ("I meant 24 months", "24 months"),
        ("No, fifty thousand.", "fifty thousand"),
        ("Oh no, it's 18 months.", "18 months"),
    ],
)
def test_a_correction_hands_back_the_new_value(said: str, remainder: str) -> None:
    assert split_correction(said, "zh") == (True, remainder)
    assert split_correction(said, "en") == (True, remainder)


@pytest.mark.parametrize(
    "said",
    [
        "",
        "对",
        "是的",
        "不对",
        "不对。",
        "不是",
        "不是的",
        "不",
        "no",
        "No.",
        "不，我不同意",
        "不是很同意",
        "不要十二个月",
        "不是，我不是这个意思",
        "No, I do not agree.",
        "No, I don't want that.",
        "Yes, that's correct.",
        "十二个月",
        "家里装修",
        "I would like to borrow thirty thousand yuan.",
    ],
)
def test_answers_that_correct_nothing_come_back_unchanged(said: str) -> None:
    assert split_correction(said, "zh") == (False, said)


def test_the_remainder_parses_as_the_corrected_value() -> None:
    assert parse_digit_string(split_correction("不对，是幺三九八七六五四三二一", "zh")[1]) == (
        "13987654321"
    )
    assert parse_amount(split_correction("不是五万，是三万五", "zh")[1]) == Decimal(35000)
    assert parse_term_months(split_correction("no, it's two years", "en")[1]) == 24
