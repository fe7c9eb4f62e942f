"""How the voice says numbers, and that what it says parses back to the same value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.dialog.nlu.digit_strings import parse_digit_string
from lendline.dialog.nlu.numbers import parse_amount, parse_integer, parse_term_months
from lendline.dialog.verbalize import (
    say_amount,
    say_date,
    say_digits,
    say_integer,
    say_months,
    say_percent,
)

# --- integers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    [
        (0, "零", "zero"),
        (1, "一", "one"),
        (2, "二", "two"),
        (10, "十", "ten"),
        (12, "十二", "twelve"),
        (20, "二十", "twenty"),
        (21, "二十一", "twenty-one"),
        (100, "一百", "one hundred"),
        (101, "一百零一", "one hundred one"),
        (110, "一百一十", "one hundred ten"),
        (115, "一百一十五", "one hundred fifteen"),
        (1000, "一千", "one thousand"),
        (1001, "一千零一", "one thousand one"),
        (1010, "一千零一十", "one thousand ten"),
        (1100, "一千一百", "one thousand one hundred"),
        (4442, "四千四百四十二", "four thousand four hundred forty-two"),
        (10050, "一万零五十", "ten thousand fifty"),
        (10010, "一万零一十", "ten thousand ten"),
        (100000, "十万", "one hundred thousand"),
        (110000, "十一万", "one hundred ten thousand"),
        (200000, "二十万", "two hundred thousand"),
        (2000000, "二百万", "two million"),
        (10000001, "一千万零一", "ten million one"),
        (10001000, "一千万一千", "ten million one thousand"),
        (100000000, "一亿", "one hundred million"),
        (100010000, "一亿零一万", "one hundred million ten thousand"),
        (1000000000, "十亿", "one billion"),
        (
            999999999,
            "九亿九千九百九十九万九千九百九十九",
            "nine hundred ninety-nine million nine hundred ninety-nine thousand"
            " nine hundred ninety-nine",
        ),
        (-5, "负五", "minus five"),
    ],
)
def test_integers_follow_the_reading_rules_of_each_language(n: int, zh: str, en: str) -> None:
    assert say_integer(n, "zh") == zh
    assert say_integer(n, "en") == en


def test_the_leading_yi_of_yi_shi_is_dropped_only_at_the_start() -> None:
    assert say_integer(15, "zh") == "十五"
    assert say_integer(150000, "zh") == "十五万"
    assert say_integer(1015, "zh") == "一千零一十五"


def test_quantities_say_er_not_liang() -> None:
    assert "两" not in "".join(say_integer(n, "zh") for n in (2, 22, 200, 2000, 22222, 2000000))


@pytest.mark.parametrize("lang", ["fr", "", "ZH"])
def test_an_unsupported_language_is_refused(lang: str) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        say_integer(1, lang)


# --- digits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "lang", "phone", "spoken"),
    [
        ("11010519491231002X", "zh", False, "一一零一零五，一九四九，一二三一，零零二叉"),
        ("11010519491231002x", "zh", False, "一一零一零五，一九四九，一二三一，零零二叉"),
        (
            "11010519491231002X",
            "en",
            False,
            "one one zero one zero five, one nine four nine, one two three one, zero zero two X",
        ),
        ("13800138000", "zh", True, "幺三八，零零幺三，八零零零"),
        ("13800138000", "zh", False, "一三八，零零一三，八零零零"),
        ("13800138000", "en", True, "one three eight, zero zero one three, eight zero zero zero"),
        ("138-0013-8000", "zh", True, "幺三八，零零幺三，八零零零"),
        ("654321", "zh", False, "六五四，三二一"),
        ("654321", "en", False, "six five four, three two one"),
        ("5678", "zh", False, "五六七八"),
        ("5678", "en", False, "five six seven eight"),
        ("", "zh", False, ""),
    ],
)
def test_digits_are_read_one_by_one_in_groups(
    digits: str, lang: str, phone: bool, spoken: str
) -> None:
    assert say_digits(digits, lang, phone_style=phone) == spoken


@pytest.mark.parametrize(
    ("length", "groups"),
    [(4, [4]), (6, [3, 3]), (7, [3, 4]), (8, [4, 4]), (11, [3, 4, 4]), (18, [6, 4, 4, 4])],
)
def test_group_sizes_fit_the_kind_of_number(length: int, groups: list[int]) -> None:
    spoken = say_digits("7" * length, "zh")
    assert [len(group) for group in spoken.split("，")] == groups


# --- amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("50000", "五万元", "fifty thousand yuan"),
        ("35000", "三万五千元", "thirty-five thousand yuan"),
        ("200000", "二十万元", "two hundred thousand yuan"),
        ("10050", "一万零五十元", "ten thousand fifty yuan"),
        (
            "4442.44",
            "四千四百四十二元四角四分",
            "four thousand four hundred forty-two yuan and forty-four fen",
        ),
        ("10.05", "十元零五分", "ten yuan and five fen"),
        ("10.50", "十元五角", "ten yuan and fifty fen"),
        ("0.44", "四角四分", "forty-four fen"),
        ("0.05", "五分", "five fen"),
        ("1", "一元", "one yuan"),
        ("0", "零元", "zero yuan"),
        (
            "1234.565",
            "一千二百三十四元五角七分",
            "one thousand two hundred thirty-four yuan and fifty-seven fen",
        ),
    ],
)
def test_amounts_are_said_with_their_currency(amount: str, zh: str, en: str) -> None:
    assert say_amount(Decimal(amount), "zh") == zh
    assert say_amount(Decimal(amount), "en") == en


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        ("50000", "五万", "fifty thousand"),
        ("4442.44", "四千四百四十二点四四", "four thousand four hundred forty-two point four four"),
        ("1.5", "一点五", "one point five"),
        ("0.05", "零点零五", "zero point zero five"),
    ],
)
def test_amounts_without_the_currency_read_the_fraction_as_decimals(
    amount: str, zh: str, en: str
) -> None:
    assert say_amount(Decimal(amount), "zh", currency_word=False) == zh
    assert say_amount(Decimal(amount), "en", currency_word=False) == en


# --- rates, dates, terms -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "places", "zh", "en"),
    [
        ("0.108", 2, "百分之十点八零", "ten point eight zero percent"),
        ("0.24", 2, "百分之二十四点零零", "twenty-four point zero zero percent"),
        ("0.0365", 2, "百分之三点六五", "three point six five percent"),
        ("0.005", 1, "百分之零点五", "zero point five percent"),
        ("0.2399", 0, "百分之二十四", "twenty-four percent"),
        ("0.12", 0, "百分之十二", "twelve percent"),
    ],
)
def test_rates_are_said_as_percentages_with_fixed_decimals(
    rate: str, places: int, zh: str, en: str
) -> None:
    assert say_percent(Decimal(rate), "zh", places=places) == zh
    assert say_percent(Decimal(rate), "en", places=places) == en


@pytest.mark.parametrize(
    ("day", "zh", "en"),
    [
        (
            date(2026, 11, 28),
            "二零二六年十一月二十八日",
            "November twenty-eighth, twenty twenty-six",
        ),
        (date(2027, 1, 1), "二零二七年一月一日", "January first, twenty twenty-seven"),
        (date(2026, 3, 2), "二零二六年三月二日", "March second, twenty twenty-six"),
        (date(2026, 5, 3), "二零二六年五月三日", "May third, twenty twenty-six"),
        (date(2026, 12, 12), "二零二六年十二月十二日", "December twelfth, twenty twenty-six"),
        (date(2026, 6, 20), "二零二六年六月二十日", "June twentieth, twenty twenty-six"),
        (date(2026, 7, 31), "二零二六年七月三十一日", "July thirty-first, twenty twenty-six"),
        (date(2005, 8, 9), "二零零五年八月九日", "August ninth, two thousand five"),
        (date(2000, 2, 29), "二零零零年二月二十九日", "February twenty-ninth, two thousand"),
        (date(1999, 10, 15), "一九九九年十月十五日", "October fifteenth, nineteen ninety-nine"),
        (date(1905, 4, 8), "一九零五年四月八日", "April eighth, nineteen oh five"),
    ],
)
def test_dates_are_spelled_out(day: date, zh: str, en: str) -> None:
    assert say_date(day, "zh") == zh
    assert say_date(day, "en") == en


@pytest.mark.parametrize(
    ("n", "zh", "en"),
    [
        (1, "一个月", "one month"),
        (2, "两个月", "two months"),
        (3, "三个月", "three months"),
        (12, "十二个月", "twelve months"),
        (24, "二十四个月", "twenty-four months"),
        (36, "三十六个月", "thirty-six months"),
    ],
)
def test_terms_are_said_in_months_with_liang_before_the_measure_word(
    n: int, zh: str, en: str
) -> None:
    assert say_months(n, "zh") == zh
    assert say_months(n, "en") == en


# --- round trips: what the voice says, the parser reads back -----------------------------

_YUAN = st.integers(min_value=0, max_value=999_999_999)
_FEN = st.integers(min_value=0, max_value=99)


@settings(max_examples=300, deadline=None)
@given(n=_YUAN, lang=st.sampled_from(["zh", "en"]))
def test_every_whole_amount_said_parses_back_to_itself(n: int, lang: str) -> None:
    amount = Decimal(n)
    assert parse_amount(say_amount(amount, lang), lang) == amount
    assert parse_amount(say_amount(amount, lang, currency_word=False), lang) == amount


@settings(max_examples=300, deadline=None)
@given(n=_YUAN, fen=_FEN, lang=st.sampled_from(["zh", "en"]))
def test_every_amount_with_fen_said_parses_back_to_itself(n: int, fen: int, lang: str) -> None:
    amount = Decimal(n) + Decimal(fen) / 100
    assert parse_amount(say_amount(amount, lang), lang) == amount
    assert parse_amount(say_amount(amount, lang, currency_word=False), lang) == amount


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=999_999_999), lang=st.sampled_from(["zh", "en"]))
def test_every_integer_said_parses_back_to_itself(n: int, lang: str) -> None:
    assert parse_integer(say_integer(n, lang), lang) == n


@settings(max_examples=300, deadline=None)
@given(
    digits=st.text(alphabet="0123456789", min_size=1, max_size=20),
    check_x=st.booleans(),
    phone=st.booleans(),
    lang=st.sampled_from(["zh", "en"]),
)
def test_every_digit_string_said_parses_back_to_itself(
    digits: str, check_x: bool, phone: bool, lang: str
) -> None:
    value = digits + ("X" if check_x else "")
    assert parse_digit_string(say_digits(value, lang, phone_style=phone), lang) == value


@pytest.mark.parametrize("n", [1, 2, 3, 6, 9, 12, 18, 24, 36, 48, 60])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_term_said_parses_back_to_itself(n: int, lang: str) -> None:
    assert parse_term_months(say_months(n, lang), lang) == n
