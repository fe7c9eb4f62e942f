"""Security questions: random distinct draws, and forgiving but exact answer matching."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendline.identity.questions import (
    QuestionKind,
    SecurityQuestion,
    answer_matches,
    draw_questions,
    question_for,
    sounds_unfinished,
)
from lendline.identity.registry import CustomerRecord

RECORD = CustomerRecord(
    customer_id="C0001",
    full_name="王小明",
    id_number="330106198803151205",
    mobile="13812345678",
    city="杭州",
    employer="阿里巴巴",
    bank_name="招商银行",
    account_number="6225880123455678",
    customer_since=date(2018, 6, 1),
    monthly_income=Decimal("15000.00"),
)
ZH_DIGITS = "零一二三四五六七八九"


def test_question_kinds_cover_five_facts_and_never_the_birth_date() -> None:
    assert {kind.value for kind in QuestionKind} == {
        "city",
        "employer",
        "bank_name",
        "account_last4",
        "customer_since_year",
    }
    assert not any("birth" in kind.value for kind in QuestionKind)


def test_each_question_takes_its_answer_from_the_record() -> None:
    expected = {kind: question_for(RECORD, kind).expected for kind in QuestionKind}
    assert expected == {
        QuestionKind.CITY: "杭州",
        QuestionKind.EMPLOYER: "阿里巴巴",
        QuestionKind.BANK_NAME: "招商银行",
        QuestionKind.ACCOUNT_LAST4: "5678",
        QuestionKind.CUSTOMER_SINCE_YEAR: "2018",
    }


def test_a_draw_gives_the_requested_number_of_distinct_kinds() -> None:
    questions = draw_questions(RECORD, random.Random(3), count=3)
    assert len(questions) == 3
    assert len({question.kind for question in questions}) == 3


def test_draws_are_random_and_every_kind_comes_up() -> None:
    rng = random.Random(11)
    draws = {tuple(q.kind for q in draw_questions(RECORD, rng)) for _ in range(200)}
    assert len(draws) > 10  # ordered pairs of 5 kinds: 20 possible
    assert {kind for pair in draws for kind in pair} == set(QuestionKind)


def test_excluded_kinds_are_never_drawn() -> None:
    excluded = frozenset({QuestionKind.CITY, QuestionKind.BANK_NAME})
    rng = random.Random(5)
    for _ in range(50):
        kinds = {q.kind for q in draw_questions(RECORD, rng, count=3, exclude=excluded)}
        assert kinds == set(QuestionKind) - excluded


def test_facts_missing_from_the_record_are_not_asked() -> None:
    record = replace(RECORD, employer=" ", city="")
    rng = random.Random(2)
    for _ in range(50):
        kinds = {q.kind for q in draw_questions(record, rng, count=3)}
        assert kinds == {
            QuestionKind.BANK_NAME,
            QuestionKind.ACCOUNT_LAST4,
            QuestionKind.CUSTOMER_SINCE_YEAR,
        }


def test_asking_for_more_questions_than_kinds_left_is_an_error() -> None:
    with pytest.raises(ValueError, match="only 4"):
        draw_questions(RECORD, random.Random(), count=5, exclude=frozenset({QuestionKind.CITY}))


def test_the_expected_answer_stays_out_of_the_repr() -> None:
    assert "招商" not in repr(question_for(RECORD, QuestionKind.BANK_NAME))


@pytest.mark.parametrize(
    ("kind", "expected", "answer"),
    [
        (QuestionKind.BANK_NAME, "招商银行", "招商银行"),
        (QuestionKind.BANK_NAME, "招商银行", "招商"),
        (QuestionKind.BANK_NAME, "招商银行", "是招商银行吧"),
        (QuestionKind.BANK_NAME, "招商银行", "招行"),
        (QuestionKind.BANK_NAME, "工商银行", "中国工商银行"),
        (QuestionKind.BANK_NAME, "中国建设银行", "建设银行"),
        (QuestionKind.BANK_NAME, "Bank of China", "bank of china"),
        (QuestionKind.BANK_NAME, "Bank of China", "中国银行"),
        (QuestionKind.CITY, "杭州", "杭州市"),
        (QuestionKind.CITY, "杭州市", "杭州"),
        (QuestionKind.CITY, "杭州", "在杭州"),
        (QuestionKind.CITY, "杭州", "我现在在杭州工作"),
        (QuestionKind.CITY, "Shanghai", "SHANGHAI"),
        (QuestionKind.CITY, "Shanghai", "it's Shang-hai."),
        (QuestionKind.CITY, "Shanghai", "Ｓｈａｎｇｈａｉ"),
        (QuestionKind.EMPLOYER, "阿里巴巴（中国）有限公司", "阿里巴巴"),
        (QuestionKind.EMPLOYER, "阿里巴巴", "阿里巴巴集团"),
        (QuestionKind.EMPLOYER, "Acme Trading", "Acme Trading Co., Ltd."),
        (QuestionKind.EMPLOYER, "Acme Trading", "I work at acme trading"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "2018"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "二零一八"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "二〇一八年"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "两千零一十八年"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "２０１８年"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "是2018年，大概六年前"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "twenty eighteen"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "two thousand and eighteen"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "1998", "nineteen ninety-eight"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2005", "twenty oh five"),
        (QuestionKind.ACCOUNT_LAST4, "1234", "幺二三四"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "5 6 7 8"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "尾号是五六七八"),
        (QuestionKind.ACCOUNT_LAST4, "0105", "洞幺洞五"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "five six seven eight"),
    ],
)
def test_forgiving_answers_match(kind: QuestionKind, expected: str, answer: str) -> None:
    assert answer_matches(SecurityQuestion(kind, expected), answer)


@pytest.mark.parametrize(
    ("kind", "expected", "answer"),
    [
        (QuestionKind.CITY, "杭州", "上海"),
        (QuestionKind.CITY, "杭州", "市"),
        (QuestionKind.CITY, "杭州", ""),
        (QuestionKind.BANK_NAME, "中国银行", "中国建设银行"),
        (QuestionKind.BANK_NAME, "中国建设银行", "中国银行"),
        (QuestionKind.BANK_NAME, "招商银行", "银行"),
        (QuestionKind.BANK_NAME, "Bank of China", "China Construction Bank"),
        (QuestionKind.EMPLOYER, "Acme Trading", "Acme"),
        (QuestionKind.EMPLOYER, "Ford", "Oxford"),
        (QuestionKind.EMPLOYER, "阿里巴巴", "腾讯"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "1234"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "五六七"),
        (QuestionKind.ACCOUNT_LAST4, "5678", "不知道"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "2019"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "12018"),
        (QuestionKind.CUSTOMER_SINCE_YEAR, "2018", "twenty nineteen"),
    ],
)
def test_wrong_answers_do_not_match(kind: QuestionKind, expected: str, answer: str) -> None:
    assert not answer_matches(SecurityQuestion(kind, expected), answer)


@given(st.from_regex(r"[0-9]{4}", fullmatch=True), st.from_regex(r"[0-9]{4}", fullmatch=True))
def test_four_digits_read_in_chinese_match_only_themselves(expected: str, other: str) -> None:
    question = SecurityQuestion(QuestionKind.ACCOUNT_LAST4, expected)
    spoken = "".join(ZH_DIGITS[int(digit)] for digit in expected)
    assert answer_matches(question, spoken)
    assert answer_matches(question, f"尾号{spoken}")
    assert answer_matches(question, other) is (other == expected)


@pytest.mark.parametrize(
    "said", ["I work for", "I live in", "it is", "Bank of", "um", "我住在", "我在", "就是", "嗯",
             "", "Let me see.", "Hmm,", "让我想想", "Well"]
)  # fmt: skip
def test_a_lead_in_without_the_answer_sounds_unfinished(said: str) -> None:
    assert sounds_unfinished(said)


@pytest.mark.parametrize(
    "said",
    ["I work for China Mobile.", "Shanghai", "Bank of China.", "我住在北京", "工商银行",
     "二零一八年", "five six seven eight", "我在中国建设银行上班"],
)  # fmt: skip
def test_a_said_answer_does_not_sound_unfinished(said: str) -> None:
    assert not sounds_unfinished(said)
