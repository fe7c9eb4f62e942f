"""Security questions as choices: distractors, never-repeated sets, answers by name or place."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lendline.identity.choices import (
    BUILT_IN_DISTRACTORS,
    ChoicePolicy,
    ChoiceQuestion,
    QuestionSet,
    QuestionSetsExhausted,
    choice_answer_matches,
    distractor_pool,
    draw_question_set,
    ordinal_choice,
)
from lendline.identity.questions import QuestionKind, SecurityQuestion, answer_matches
from lendline.identity.registry import CustomerRecord

KEY = b"test-key"
ZH = CustomerRecord(
    customer_id="C0001",
    full_name="王小明",
    id_number="330106198803151205",
    mobile="13812345678",
    city="北京",
    employer="中国建设银行",
    bank_name="工商银行",
    account_number="6225880123455678",
    customer_since=date(2018, 6, 1),
    monthly_income=Decimal("15000.00"),
)
EN = replace(
    ZH,
    customer_id="C0002",
    full_name="Li Hua",
    city="Shanghai",
    employer="China Mobile",
    bank_name="Bank of China",
    account_number="6217000012342468",
    customer_since=date(2019, 3, 15),
)
TODAY = date(2026, 12, 1)


def _fingerprint(record: CustomerRecord):  # type: ignore[no-untyped-def]
    return lambda question_set: question_set.fingerprint(KEY, record.customer_id)


def _draw(record: CustomerRecord, rng: random.Random, seen: frozenset[str] = frozenset(), **kw):  # type: ignore[no-untyped-def]
    return draw_question_set(
        record, rng, kw.pop("count", 4), fingerprint=_fingerprint(record), seen=seen,
        today=TODAY, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("record", [ZH, EN], ids=["zh", "en"])
@pytest.mark.parametrize("seed", range(40))
def test_every_question_holds_the_answer_exactly_once_among_2_to_3_distractors(
    record: CustomerRecord, seed: int
) -> None:
    drawn = _draw(record, random.Random(seed))
    assert len(set(drawn.kinds)) == 4
    for question in drawn.questions:
        assert 3 <= len(question.choices) <= 4
        expected = SecurityQuestion(question.kind, question.expected)
        # The answer is offered once, and no other choice would pass for it.
        matching = [c for c in question.choices if answer_matches(expected, c)]
        assert matching == [question.expected]
        # Saying any choice picks exactly that choice.
        for index, choice in enumerate(question.choices):
            picked = replace(question, answer_index=index)
            assert choice_answer_matches(picked, choice)
            assert choice_answer_matches(question, choice) == (index == question.answer_index)


def test_the_same_seed_draws_the_same_kinds_as_the_open_questions_did() -> None:
    from lendline.identity.questions import draw_questions

    for seed in range(20):
        open_kinds = [q.kind for q in draw_questions(ZH, random.Random(seed), count=4)]
        assert list(_draw(ZH, random.Random(seed)).kinds) == open_kinds


def test_distractor_years_are_nearby_and_never_in_the_future() -> None:
    recent = replace(ZH, customer_since=date(2025, 5, 1))
    pool = distractor_pool(recent, QuestionKind.CUSTOMER_SINCE_YEAR, today=TODAY)
    assert set(pool) == {"2021", "2022", "2023", "2024", "2026"}


def test_distractor_last_four_differ_from_the_answer_in_one_digit() -> None:
    pool = distractor_pool(ZH, QuestionKind.ACCOUNT_LAST4)
    assert len(pool) == 36 and "5678" not in pool
    assert all(sum(a != b for a, b in zip(c, "5678", strict=True)) == 1 for c in pool)


def test_names_the_matcher_would_confuse_with_the_answer_are_never_offered() -> None:
    # "Agricultural Bank of China" contains "Bank of China": a caller saying it would
    # match both, so it cannot be a distractor for a Bank of China customer.
    pool = distractor_pool(EN, QuestionKind.BANK_NAME)
    assert "Agricultural Bank of China" not in pool and "Bank of China" not in pool
    assert "ICBC" in pool
    zh_pool = distractor_pool(ZH, QuestionKind.BANK_NAME, peers=["中国工商银行", "宁波银行"])
    assert "工商银行" not in zh_pool and "中国工商银行" not in zh_pool and "宁波银行" in zh_pool


def test_distractors_follow_the_script_of_the_registry() -> None:
    assert set(distractor_pool(ZH, QuestionKind.CITY)) <= set(
        BUILT_IN_DISTRACTORS[QuestionKind.CITY]["zh"]
    )
    assert "Beijing" in distractor_pool(EN, QuestionKind.CITY)


def test_sets_never_repeat_for_one_person_until_the_space_is_exhausted() -> None:
    # Only the city can be asked, with four other cities: C(4,2) + C(4,3) = 10 sets.
    small = ChoicePolicy(use_built_in=False, attempts=3)
    peers = {QuestionKind.CITY: ["上海", "广州", "深圳", "杭州"]}
    others = frozenset(QuestionKind) - {QuestionKind.CITY}
    rng = random.Random(7)
    seen: set[str] = set()
    for _ in range(10):
        drawn = _draw(ZH, rng, frozenset(seen), count=1, peers=peers, exclude=others, policy=small)
        fingerprint = drawn.fingerprint(KEY, ZH.customer_id)
        assert fingerprint not in seen
        seen.add(fingerprint)
    with pytest.raises(QuestionSetsExhausted):
        _draw(ZH, rng, frozenset(seen), count=1, peers=peers, exclude=others, policy=small)


def test_fifty_draws_for_one_person_are_all_different() -> None:
    rng = random.Random(3)
    seen: set[str] = set()
    for _ in range(50):
        seen.add(_draw(ZH, rng, frozenset(seen)).fingerprint(KEY, ZH.customer_id))
    assert len(seen) == 50


def test_fingerprints_ignore_order_but_not_customer_key_or_choices() -> None:
    a = ChoiceQuestion(QuestionKind.CITY, ("北京", "上海", "广州"), 0)
    b = ChoiceQuestion(QuestionKind.CITY, ("广州", "北京", "上海"), 1)
    c = ChoiceQuestion(QuestionKind.CITY, ("北京", "上海", "深圳"), 0)
    year = ChoiceQuestion(QuestionKind.CUSTOMER_SINCE_YEAR, ("2017", "2018", "2019"), 1)
    first = QuestionSet((a, year)).fingerprint(KEY, "C1")
    assert first == QuestionSet((year, b)).fingerprint(KEY, "C1")
    assert first != QuestionSet((c, year)).fingerprint(KEY, "C1")
    assert first != QuestionSet((a, year)).fingerprint(KEY, "C2")
    assert first != QuestionSet((a, year)).fingerprint(b"other", "C1")
    assert "北京" not in repr(a) and "0" not in repr(a).split(",")[0]


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("第二个", 1), ("是第一个吧", 0), ("第3家", 2), ("最后一个", 2), ("2", 1),
        ("the second one", 1), ("The first.", 0), ("number three", 2), ("the last one", 2),
        ("third", 2), ("option 1", 0),
    ],
)  # fmt: skip
def test_a_choice_can_be_picked_by_its_place(answer: str, picked: int) -> None:
    assert ordinal_choice(answer, 3) == picked


@pytest.mark.parametrize("answer", ["第五个", "5", "the fifth", "First Bank", "我住在第二个城市吗"])
def test_only_a_bare_place_within_range_picks_by_place(answer: str) -> None:
    assert ordinal_choice(answer, 3) is None


def test_answers_by_name_or_place_and_naming_two_choices_fails() -> None:
    question = ChoiceQuestion(QuestionKind.BANK_NAME, ("招商银行", "工商银行", "建设银行"), 1)
    assert choice_answer_matches(question, "工商银行")
    assert choice_answer_matches(question, "工行")
    assert choice_answer_matches(question, "第二个")
    assert not choice_answer_matches(question, "第一个")
    assert not choice_answer_matches(question, "招商银行还是工商银行")
    assert not choice_answer_matches(question, "不知道")


def test_numbers_are_picked_by_their_digits_in_words() -> None:
    question = ChoiceQuestion(QuestionKind.ACCOUNT_LAST4, ("5679", "5678", "5178"), 1)
    assert choice_answer_matches(question, "五六七八")
    assert choice_answer_matches(question, "five six seven eight")
    assert not choice_answer_matches(question, "五六七九")
    year = ChoiceQuestion(QuestionKind.CUSTOMER_SINCE_YEAR, ("2019", "2017", "2018"), 2)
    assert choice_answer_matches(year, "二零一八年")
    assert choice_answer_matches(year, "twenty eighteen")


def test_the_happy_personas_answers_still_pass_as_choices() -> None:
    for record, answers in (
        (ZH, {"city": "我住在北京", "employer": "我在中国建设银行上班", "bank_name": "工商银行",
              "account_last4": "五六七八", "customer_since_year": "二零一八年"}),
        (EN, {"city": "I live in Shanghai.", "employer": "I work for China Mobile.",
              "bank_name": "Bank of China.", "account_last4": "two four six eight",
              "customer_since_year": "twenty nineteen"}),
    ):  # fmt: skip
        for seed in range(30):
            for question in _draw(record, random.Random(seed)).questions:
                assert choice_answer_matches(question, answers[question.kind.value]), (
                    question.kind,
                    question.choices,
                )
