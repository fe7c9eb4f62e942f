"""Conversation repair over chat, in both languages, against the real loan desk and database.

Each pattern of the shared repair layer: slot meaning (periods, ranges, explicit
confirmation of an implausible value), corrections of any earlier slot at a later step,
self-corrections inside one answer, digressions answered without using a retry, hand-off
and cancellation on request, open categories with "other", banned purposes still caught.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chat_turns import dialog_at, owned_up, prompt_ids, say
from lendline.dialog.state import SessionStatus, Step

# ------------------------------------------------------------------------- slot meaning


@pytest.mark.parametrize(
    ("language", "said", "monthly"),
    [
        ("zh", "年薪二十万左右", "16667"),
        ("en", "about 240k a year", "20000"),
        ("en", "I get paid weekly, around 2,000 a week", "8667"),
        ("zh", "一天三百，一个月干二十六天", "7800"),
        ("en", "One and a half lakh a year", "12500"),
    ],
)
def test_an_income_said_per_year_week_or_day_is_stored_monthly(
    make_app, language: str, said: str, monthly: str
) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    reply = say(dialog, said)
    assert dialog.state.slots["income"] == monthly
    assert dialog.state.step is Step.EMPLOYMENT and prompt_ids(reply) == ["ask_employment"]


@pytest.mark.parametrize(
    ("language", "said", "middle"), [("zh", "七八千", "7500"), ("en", "between 8 and 10k", "9000")]
)
def test_a_range_is_stored_as_its_middle_and_read_back(
    make_app, language: str, said: str, middle: str
) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    reply = say(dialog, said)
    assert dialog.state.slots["income"] == middle
    assert "7,500" in reply.text or "9,000" in reply.text


@pytest.mark.parametrize(
    ("language", "said", "yearly"), [("zh", "二十万", "年薪"), ("en", "240,000", "per year")]
)
def test_an_implausible_income_is_confirmed_explicitly_never_stored_silently(
    make_app, language: str, said: str, yearly: str
) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    reply = say(dialog, said)
    assert prompt_ids(reply) == ["confirm_income_period"]
    assert "income" not in dialog.state.slots and dialog.state.retries == 0
    reply = say(dialog, f"不对，是{yearly}" if language == "zh" else f"no, that's {yearly}")
    expected = Decimal(said.replace(",", "").replace("二十万", "200000")) / 12
    assert Decimal(dialog.state.slots["income"]) == expected.quantize(Decimal(1))
    assert dialog.state.step is Step.EMPLOYMENT


def test_a_confirmed_income_far_from_the_registry_is_kept(make_app) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, "en")
    assert prompt_ids(say(dialog, "3,000 a month")) == ["confirm_income"]
    say(dialog, "yes, that's right")
    assert dialog.state.slots["income"] == "3000" and dialog.state.step is Step.EMPLOYMENT


# ------------------------------------------------------------------------- corrections


@pytest.mark.parametrize(
    ("language", "said"),
    [("zh", "哦不是，我要分二十四期"), ("en", "oh wait, can I change it to 24 months instead?")],
)
def test_a_term_changed_at_the_purpose_question_is_read_back_and_the_question_asked_again(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    reply = say(dialog, said)
    assert dialog.state.slots["term"] == "24"
    assert (
        prompt_ids(reply) == ["slot_changed", "ask_purpose"] and dialog.state.step is Step.PURPOSE
    )
    assert "purpose" not in dialog.state.slots and dialog.state.retries == 0


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh", "不好意思，借款金额能改成一万五吗"),
        ("en", "Sorry, can I change the amount to fifteen thousand?"),
    ],
)
def test_an_amount_changed_at_the_income_question_is_not_taken_as_the_income(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    reply = say(dialog, said)
    assert dialog.state.slots["amount"] == "15000" and "income" not in dialog.state.slots
    assert prompt_ids(reply) == ["slot_changed", "ask_income"]


def test_the_application_and_the_offer_use_the_corrected_value(make_app) -> None:
    app = make_app()
    dialog = dialog_at(app, Step.EMPLOYMENT, "zh")
    say(dialog, "对了，期限改成二十四个月")
    reply = say(dialog, "在公司上班")
    assert dialog.state.step is Step.REVIEW and "24个月" in reply.prompts[-1][1]
    say(dialog, "对的")
    assert dialog.state.step is Step.OFFER
    assert dialog.state.slots["term"] == dialog.state.slots["offer_term"] == "24"
    # At the offer, a change is decided again and a new offer made on the new value.
    reply = say(dialog, "金额能不能改成三万？")
    assert dialog.state.step is Step.OFFER and dialog.state.slots["offer_amount"] == "30000"
    assert prompt_ids(reply)[0] == "slot_changed" and "offer" in prompt_ids(reply)


@pytest.mark.parametrize(
    ("language", "step", "said", "slot", "value"),
    [
        ("zh", Step.TERM, "六个月吧……不对，九个月", "term", "9"),
        ("en", Step.AMOUNT, "twenty, no, twenty-five thousand", "amount", "25000"),
        ("zh", Step.INCOME, "一个月五千？不对，六千，上个月刚涨的工资", "income", "6000"),
    ],
)
def test_a_self_correction_inside_one_answer_keeps_the_last_version(
    make_app, language: str, step: Step, said: str, slot: str, value: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    say(dialog, said)
    if dialog.state.slots.get("confirm_slot"):
        say(dialog, "对" if language == "zh" else "yes")
    assert dialog.state.slots[slot] == value


# ------------------------------------------------------------------------- digressions


@pytest.mark.parametrize(
    ("language", "step", "said", "answer"),
    [
        ("zh", Step.AMOUNT, "利息多少啊？", "digress_rate"),
        ("en", Step.AMOUNT, "What's the interest rate?", "digress_rate"),
        ("zh", Step.TERM, "你是机器人吧？", "digress_robot"),
        ("en", Step.TERM, "Am I talking to a robot?", "digress_robot"),
        ("zh", Step.INCOME, "为什么要问我收入？", "digress_why"),
        ("en", Step.INCOME, "Why do you need that?", "digress_why"),
        ("zh", Step.PURPOSE, "你们是不是骗子啊？", "digress_scam"),
        ("en", Step.PURPOSE, "How do I know you're legit?", "digress_scam"),
        ("zh", Step.EMPLOYMENT, "钱多久能到账？", "digress_payout_time"),
        ("en", Step.EMPLOYMENT, "Can I repay early?", "digress_early_repayment"),
    ],
)
def test_a_question_back_is_answered_then_the_question_asked_again_without_a_retry(
    make_app, language: str, step: Step, said: str, answer: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    before = dict(dialog.state.slots)
    reply = say(dialog, said)
    ids = prompt_ids(reply)
    assert ids[0] == answer and len(ids) == 2 and ids[1].startswith("ask_")
    assert dialog.state.step is step and dialog.state.retries == 0
    assert {k: v for k, v in dialog.state.slots.items() if not k.startswith("digressions_")} == (
        before
    )


def test_the_rate_is_answered_with_the_apr_first(make_app) -> None:
    dialog = dialog_at(make_app(), Step.AMOUNT, "zh")
    text = say(dialog, "年化利率是多少？").prompts[0][1]
    assert text.index("年化利率") < text.index("%")
    assert "百分之二十四" in text


@pytest.mark.parametrize(
    ("language", "said"), [("zh", "你们要我名字干嘛？"), ("en", "Who is this?")]
)
def test_a_question_at_the_name_step_is_never_stored_as_the_name(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.NAME, language)
    say(dialog, said)
    assert "name" not in dialog.state.slots and dialog.state.step is Step.NAME


@pytest.mark.parametrize(
    ("language", "said"),
    [("zh", "等一下，我找找工资条"), ("en", "hold on, let me check my payslip")],
)
def test_wait_holds_the_question_without_a_retry(make_app, language: str, said: str) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    reply = say(dialog, said)
    assert prompt_ids(reply) == ["digress_wait"] and dialog.state.retries == 0
    say(dialog, "一万二" if language == "zh" else "twelve thousand")
    assert dialog.state.slots["income"] == "12000"


# ------------------------------------------------------------------------- hand-off, cancel


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh", "我想跟你们工作人员说"),
        ("zh", "找个真人来"),
        ("en", "let me talk to your manager"),
        ("en", "Is there a human I can talk to?"),
    ],
)
def test_a_person_asked_for_in_many_ways_takes_the_call_at_once(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.TERM, language)
    reply = say(dialog, said)
    assert reply.hand_off and dialog.state.status is SessionStatus.HANDED_OFF


@pytest.mark.parametrize(
    ("language", "said", "yes"),
    [("zh", "算了，不借了", "对"), ("en", "I'll think about it", "yes")],
)
def test_cancelling_is_confirmed_then_ends_at_no_cost(
    make_app, language: str, said: str, yes: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    assert prompt_ids(say(dialog, said)) == ["confirm_cancel"]
    reply = say(dialog, yes)
    assert reply.end_call and dialog.state.status is SessionStatus.CANCELLED


def test_not_cancelling_goes_back_to_the_question(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    say(dialog, "我再考虑考虑")
    reply = say(dialog, "不是，继续吧")
    assert prompt_ids(reply) == ["ask_purpose"] and dialog.state.status is SessionStatus.ACTIVE


def test_how_much_a_month_said_with_the_term_is_no_term(make_app) -> None:
    dialog = dialog_at(make_app(), Step.TERM, "zh")
    say(dialog, "九个月吧，一个月少还点。")
    assert dialog.state.slots["term"] == "9" and dialog.state.step is Step.PURPOSE


def test_a_4k_screen_is_a_purpose_not_an_amount(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    amount = dialog.state.slots["amount"]
    say(dialog, "买个4K显示器，做设计用的。")
    assert dialog.state.slots["amount"] == amount
    assert dialog.state.slots["purpose"] == "consumer_goods"


# ------------------------------------------------------------------------- open categories


@pytest.mark.parametrize(
    ("language", "said", "purpose"),
    [
        ("zh", "还信用卡，利息太高了", "debt_repayment"),
        ("en", "Pay off my credit cards", "debt_repayment"),
        ("zh", "老爷子走了，办后事用", "family_event"),
        ("en", "New roof for my house, it leaks when it rains", "home_renovation"),
        ("zh", "交房租，房东要押一付三", "rent_and_living"),
    ],
)
def test_everyday_purposes_are_understood(make_app, language: str, said: str, purpose: str) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    say(dialog, said)
    assert dialog.state.slots["purpose"] == purpose and dialog.state.step is Step.INCOME


@pytest.mark.parametrize(
    ("language", "said", "kind"),
    [
        ("zh", "跑外卖的，众包，自己接单", "self_employed"),
        ("zh", "在医院当护士", "employed"),
        ("en", "Fisherman, I have my own boat", "self_employed"),
        ("en", "I'm a security guard at a shopping mall", "employed"),
    ],
)
def test_everyday_jobs_are_understood(make_app, language: str, said: str, kind: str) -> None:
    dialog = dialog_at(make_app(), Step.EMPLOYMENT, language)
    say(dialog, said)
    assert dialog.state.slots["employment"] == kind


def test_an_unknown_purpose_is_asked_once_more_then_kept_as_other_with_the_words(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    assert prompt_ids(say(dialog, "办签证和公证"))[0] == "purpose_unclear"
    assert prompt_ids(say(dialog, "办签证和公证")) == ["confirm_purpose_lawful"]
    reply = say(dialog, "对，不会的")
    assert dialog.state.slots["purpose"] == "other"
    assert dialog.state.slots["purpose_words"] == "办签证和公证"
    assert dialog.state.step is Step.INCOME and "办签证和公证" in reply.text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh", "前几天打麻将输了点，得赶紧还上"),
        ("zh", "借出去给朋友周转，他给我两分利，我赚中间那点。"),
        ("zh", "看中一个沿街的小商铺，想买下来收租金。"),
        ("zh", "老家有块宅基地要卖，想把地买下来以后盖房。"),
        ("zh", "手机上那个足球竞猜，充点钱进去，最近手气挺好。"),
        ("en", "put it into the stock market"),
        ("en", "The deposit on our first flat! We finally found one to buy."),
        ("en", "To buy a shop unit in the market. Own it, not rent. Then no more rent."),
    ],
)
def test_banned_purposes_are_still_declined_however_phrased(
    make_app, language: str, said: str
) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, language)
    reply = owned_up(dialog, said, language)
    assert dialog.state.status is SessionStatus.DECLINED
    assert "decline_banned_purpose" in prompt_ids(reply)
