"""Answers told as a story, over chat against the real desk and database.

Borrowers explain rather than name: how an income is earned (by the hour, the day, a second
job on top), what was bought before and what the money is for now, a parking space that is
property, a figure they settle on at the end of the turn. And they ask back in passing:
to hear the offer again, about a fee, for a person in the words they know.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from chat_turns import dialog_at, prompt_ids, say
from lendline.dialog.nlu.money_meaning import Period, read_money
from lendline.dialog.nlu.numbers import parse_amount
from lendline.dialog.nlu.purpose import classify_purpose
from lendline.dialog.nlu.self_correction import latest_version
from lendline.dialog.state import SessionStatus, Step
from lendline.lending.purpose import PurposeCategory


def _income_said(dialog, language: str, *turns: str) -> str | None:  # type: ignore[no-untyped-def]
    """The income ``dialog`` stores after ``turns``, a read-back of it confirmed."""
    for turn in turns:
        say(dialog, turn)
    if dialog.state.slots.get("confirm_slot") == "income":
        # Far from the registry's income: read back explicitly first.
        value = dialog.state.slots["confirm_value"]
        say(dialog, "对" if language == "zh" else "yes")
        assert dialog.state.slots.get("income") == value
    return dialog.state.slots.get("income")


def _income_after(language: str, make_app, *turns: str) -> str | None:  # type: ignore[no-untyped-def]
    return _income_said(dialog_at(make_app(), Step.INCOME, language), language, *turns)


@pytest.mark.parametrize(
    ("language", "said", "monthly"),
    [
        # The hour and the day are the visits'; the month is the figure's.
        ("zh", "我做钟点工的，一小时四十，一天跑三四家，一个月挣个五六千", "5500"),
        # 零活 is odd jobs, not a zero; what was earned before is not the income now.
        ("zh", "以前一个月六千，现在老板不给钱，我在别的地方干零活，三千左右。", "3000"),
        ("zh", "工资六千，另外周末兼职再挣两千", "8000"),
        (
            "en",
            "My pension's about six thousand two hundred a month, and I do a spot of "
            "tutoring, perhaps another fifteen hundred on top.",
            "7700",
        ),
        (
            "en",
            "Pigs, you sell once a year. Last year after the costs about seventy thousand.",
            "5833",
        ),
    ],
)
def test_an_income_told_as_a_story_is_its_monthly_figure(
    make_app, language: str, said: str, monthly: str
) -> None:
    assert _income_after(language, make_app, said) == monthly


def test_a_period_said_to_an_income_read_back_as_implausible_reads_it_again(make_app) -> None:
    assert _income_after("en", make_app, "Seventy thousand.", "No, that's per year.") == "5833"


def test_a_day_rate_with_the_days_worked_is_still_a_month() -> None:
    reading = read_money("一天三百，一个月干二十六天")
    assert reading is not None and (reading.value, reading.period) == (7800, Period.MONTH)


@pytest.mark.parametrize(
    ("language", "said", "amount"),
    [
        ("en", "Around nine-ten thousand. Let's say ten.", "10000"),
        ("en", "Twenty-odd thousand. Twenty-two.", "22000"),
        ("zh", "两万多，二十二吧", "22000"),
        (
            "en",
            "It was fourteen thousand I think, for the pair. Shall we say fifteen thousand, "
            "to be on the safe side?",
            "15000",
        ),
        # A term said after the amount is no figure settled on.
        ("en", "Thirty thousand. Twelve months.", "30000"),
    ],
)
def test_the_amount_settled_on_at_the_end_of_the_turn(
    make_app, language: str, said: str, amount: str
) -> None:
    dialog = dialog_at(make_app(), Step.AMOUNT, language)
    say(dialog, said)
    assert dialog.state.slots.get("amount") == amount


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("房子去年买的，首付早付完了，现在要买家具家电。", PurposeCategory.CONSUMER_GOODS),
        # Nothing else named: the down payment is the purpose, however far along it is.
        ("首付已经交了一半了，还差五万", PurposeCategory.HOUSING_PURCHASE),
        ("我们小区在卖产权车位，十几万一个，买了以后还能升值", PurposeCategory.HOUSING_PURCHASE),
        (
            "My friend sells licai, um, wealth product, eight percent a year. I want some.",
            PurposeCategory.ASSET_MANAGEMENT,
        ),
        ("Plane ticket home for Christmas.", PurposeCategory.TRAVEL),
        ("Buy a wheelchair for my husband. The good one, electric.", PurposeCategory.MEDICAL),
        ("New treadmills and racks for my little gym.", PurposeCategory.BUSINESS_WORKING_CAPITAL),
        ("店里周转一下，进点货。", PurposeCategory.BUSINESS_WORKING_CAPITAL),
        # 周转 alone says what the money does, not what it is for: asked about.
        ("我就是周转一下", None),
    ],
)
def test_a_purpose_told_as_a_story(said: str, expected: PurposeCategory | None) -> None:
    assert classify_purpose(said) is expected


@pytest.mark.parametrize(
    "said",
    [
        "Sorry, could you say the monthly payment again? I didn't quite catch it.",
        "刚才的月供没太听清，能再念一遍吗？",
    ],
)
def test_asking_to_hear_the_offer_again_repeats_it_and_declines_nothing(
    make_app, said: str
) -> None:
    language = "en" if said.isascii() else "zh"
    dialog = dialog_at(make_app(), Step.OFFER, language)
    reply = say(dialog, said)
    assert prompt_ids(reply) == ["offer"], prompt_ids(reply)
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.OFFER


def test_a_question_about_a_fee_that_names_the_money_is_answered(make_app) -> None:
    dialog = dialog_at(make_app(), Step.OFFER, "en")
    amount = dialog.state.slots["amount"]
    reply = say(dialog, "Wait, is there any fee I will pay before you send the money?")
    assert prompt_ids(reply) == ["digress_fees", "ask_accept_offer"]
    assert dialog.state.slots["amount"] == amount and dialog.state.retries == 0


@pytest.mark.parametrize(
    ("language", "step", "said"),
    [
        ("en", Step.OFFER, "That's a lot of numbers. Can I speak to an actual agent about this?"),
        ("zh", Step.PURPOSE, "能不能转个 human？我想先问几个问题再说用途。"),
        ("zh", Step.EMPLOYMENT, "我跑车是挂靠在公司的，这个说不清楚，我要跟人说"),
        (
            "en",
            Step.INCOME,
            "I'm paid in dollars into a US account. I think I need a person for this.",
        ),
        ("en", Step.SIGN_CONSENT, "I want a human to read the contract through with me first."),
        ("en", Step.OFFER, "I'd like to discuss this with your loan officer. Please connect me."),
        ("en", Step.INCOME, "I won't tell a machine that. Can you get a real person on the line?"),
    ],
)
def test_a_person_asked_for_in_everyday_words(
    make_app, language: str, step: Step, said: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    say(dialog, said)
    assert dialog.state.status is SessionStatus.HANDED_OFF


@pytest.mark.parametrize(
    ("language", "step", "said"),
    [
        ("zh", Step.TERM, "那每个月还得太多了，算了。"),
        ("en", Step.PURPOSE, "Actually, my wife just text me. She say don't borrow. Sorry, stop."),
    ],
)
def test_giving_up_at_the_end_of_a_turn_is_asked_about(
    make_app, language: str, step: Step, said: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    assert prompt_ids(say(dialog, said)) == ["confirm_cancel"]


def test_rather_not_drag_it_out_is_a_term_not_a_stop(make_app) -> None:
    dialog = dialog_at(make_app(), Step.TERM, "en")
    say(dialog, "Oh, I'd rather not drag it out. Twelve months, I suppose.")
    assert dialog.state.slots.get("term") == "12" and dialog.state.step is Step.PURPOSE


@pytest.mark.parametrize(
    ("language", "said"),
    [
        # "I'd rather not" said as a sentence of its own.
        ("en", "A credit check and my bank account? Hmm, I'd rather not. Maybe some other time."),
        # A yes to the earlier consent, a no to this one.
        ("zh", "前面那个可以，这个单独的不行，银行账户我不想给。"),
    ],
)
def test_the_separate_consent_refused_in_everyday_words(make_app, language: str, said: str) -> None:
    dialog = dialog_at(make_app(), Step.SENSITIVE_CONSENT, language)
    say(dialog, said)
    assert dialog.state.status is SessionStatus.REFUSED


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # A smaller monthly payment is no mortgage.
        ("那个，期限能不能改成二十四个月，月供少点", None),
        ("帮我还房子的月供", PurposeCategory.MORTGAGE_REPAYMENT),
        (
            "We've missed two payments on the flat, I need to catch up the house loan.",
            PurposeCategory.MORTGAGE_REPAYMENT,
        ),
        # A home let already is repaired, not bought to let.
        ("我那套出租的房子，租客走了，要刷刷墙，好再租出去", PurposeCategory.HOME_RENOVATION),
        ("买套小公寓租出去收租", PurposeCategory.EQUITY_OR_FIXED_ASSET_INVESTMENT),
        ("给我家装个空调", PurposeCategory.CONSUMER_GOODS),
        ("一半给孩子交学费，另外一半……世界杯嘛，押几场球", PurposeCategory.GAMBLING),
        ("Why do you need to know what I use it for? That's my business.", None),
        # Repairs said beside a car repair the car.
        ("My car insurance fee is due, and some repairs.", PurposeCategory.VEHICLE),
        ("Repairs to the roof.", PurposeCategory.HOME_RENOVATION),
    ],
)
def test_a_purpose_in_words_that_sound_like_another(
    said: str, expected: PurposeCategory | None
) -> None:
    assert classify_purpose(said) is expected


def test_accepting_the_offer_while_naming_the_purpose_it_had_accepts_it(make_app) -> None:
    dialog = dialog_at(make_app(), Step.PURPOSE, "zh")
    say(dialog, "还信用卡，分期太贵了")
    while dialog.state.step is not Step.OFFER:
        say(
            dialog,
            {Step.INCOME: "八千左右", Step.EMPLOYMENT: "在保险公司上班"}.get(
                dialog.state.step, "对的"
            ),
        )
    say(dialog, "嗯……利息我刚才大概听了一下，一年下来也还行，比信用卡便宜点，我接受")
    assert dialog.state.step is Step.SIGN_CONSENT


@pytest.mark.parametrize(
    ("language", "said", "monthly"),
    [
        # Savings lived on are no income, and "no salary" corrects nothing read back.
        (
            "en",
            "No salary right now. I've got savings, about eighty thousand, I'm living on that.",
            "0",
        ),
        ("zh", "我现在没什么收入了，但是存款还有十来万，够还的", "0"),
        # The interest savings earn is.
        ("zh", "每个月啊？每个月没有固定的，就存款那点利息，几百块吧", "500"),
    ],
)
def test_savings_are_no_income_but_their_interest_is(
    make_app, language: str, said: str, monthly: str
) -> None:
    dialog = dialog_at(make_app(), Step.INCOME, language)
    purpose = dialog.state.slots["purpose"]
    assert _income_said(dialog, language, said) == monthly
    assert dialog.state.slots["purpose"] == purpose


@pytest.mark.parametrize(
    ("language", "turns", "months"),
    [
        ("en", ["Hmm, ten months?", "Oh, not ten. Twelve, then."], "12"),
        ("en", ["As long as possible."], "36"),
        ("zh", ["分十八个月而不是十二个月"], "18"),
    ],
)
def test_a_term_ruled_out_is_no_term_said(
    make_app, language: str, turns: list[str], months: str
) -> None:
    dialog = dialog_at(make_app(), Step.TERM, language)
    for turn in turns:
        say(dialog, turn)
    assert dialog.state.slots.get("term") == months


def test_eighteen_rather_than_twelve_at_the_offer_changes_the_term_to_eighteen(make_app) -> None:
    dialog = dialog_at(make_app(), Step.OFFER, "en")
    say(dialog, "Could it be eighteen months rather than twelve? The monthly payment's a bit high.")
    assert dialog.state.slots["term"] == "18" and dialog.state.step is Step.OFFER


@pytest.mark.parametrize(
    ("language", "step", "said", "ends"),
    [
        (
            "en",
            Step.PURPOSE,
            "It's complicated. Can I just speak to an actual loan officer?",
            SessionStatus.HANDED_OFF,
        ),
        (
            "zh",
            Step.EMPLOYMENT,
            "你这个问题我不回答，你找个懂行的人来，我跟人说",
            SessionStatus.HANDED_OFF,
        ),
        ("zh", Step.PURPOSE, "找个人借钱太麻烦了，所以装修房子", SessionStatus.ACTIVE),
    ],
)
def test_who_asks_for_a_person_and_who_does_not(
    make_app, language: str, step: Step, said: str, ends: SessionStatus
) -> None:
    dialog = dialog_at(make_app(), step, language)
    say(dialog, said)
    assert dialog.state.status is ends


@pytest.mark.parametrize(
    ("language", "step", "said"),
    [
        ("en", Step.PURPOSE, "Fine. I'll go somewhere else then."),
        ("en", Step.AMOUNT, "Actually, I just wanted to know the rates. I'm not applying yet."),
        ("en", Step.INCOME, "Hang on, my wife's shaking her head. Yeah, no. Let's leave it."),
    ],
)
def test_leaving_in_everyday_words_is_asked_about(
    make_app, language: str, step: Step, said: str
) -> None:
    dialog = dialog_at(make_app(), step, language)
    assert prompt_ids(say(dialog, said)) == ["confirm_cancel"]


def test_asking_at_the_offer_for_the_amount_it_already_has_declines_nothing(make_app) -> None:
    dialog = dialog_at(make_app(), Step.OFFER, "zh")
    amount = dialog.state.slots["amount"]
    reply = say(dialog, f"等一下，金额能不能改成{int(amount) // 10000}万？少了不太够。")
    assert prompt_ids(reply) == ["slot_changed", "offer"]
    assert dialog.state.status is SessionStatus.ACTIVE and dialog.state.step is Step.OFFER


@pytest.mark.parametrize(
    ("language", "said"), [("en", "Twelve months — one year."), ("zh", "一年——十二个月吧")]
)
def test_a_term_restated_after_a_dash_is_one_term(make_app, language: str, said: str) -> None:
    dialog = dialog_at(make_app(), Step.TERM, language)
    say(dialog, said)
    assert dialog.state.slots["term"] == "12" and dialog.state.step is Step.PURPOSE


def test_the_longest_one_named_with_its_months_is_that_term(make_app) -> None:
    dialog = dialog_at(make_app(), Step.TERM, "en")
    say(dialog, "The longest one, thirty-six.")
    assert dialog.state.slots["term"] == "36"


def test_an_income_about_so_many_thousand_is_that_many(make_app) -> None:
    assert _income_after("zh", make_app, "一个月搞得到六千把块钱") == "6000"


def test_a_job_changed_at_the_offer_strictly_speaking_is_the_new_one(make_app) -> None:
    dialog = dialog_at(make_app(), Step.OFFER, "en")
    say(
        dialog,
        "Before that, my job: I said employed, but to be precise I'm freelance, paid per project.",
    )
    assert dialog.state.slots["employment"] == "self_employed"


@pytest.mark.parametrize(
    ("said", "monthly", "period"),
    [
        # A pair of tens before 万 counts ten-thousands, not tens.
        ("一年四五十万", Decimal(450000), Period.YEAR),
        ("年薪二三十万", Decimal(250000), Period.YEAR),
        ("十几万一年", Decimal(150000), Period.YEAR),
        ("七八十块", Decimal(75), Period.UNSAID),
    ],
)
def test_paired_and_odd_tens_of_thousands(said: str, monthly: Decimal, period: Period) -> None:
    reading = read_money(said)
    assert reading is not None and (reading.value, reading.period) == (monthly, period)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("The postdoc salary is about thirteen thousand, sorry, eleven.", Decimal(11000)),
        ("Fifty thousand, no, sorry, forty-five.", Decimal(45000)),
        ("三万，不对，四", Decimal(40000)),
        ("一万三，不对，一万一", Decimal(11000)),
    ],
)
def test_a_figure_corrected_bare_keeps_the_unit_of_the_one_it_replaces(
    said: str, meant: Decimal
) -> None:
    assert parse_amount(latest_version(said, lambda part: parse_amount(part) is not None)) == meant


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        # Premises rented for a shop, and works on it, are the shop's running costs.
        ("店要搬到新铺面，交铺租和重新装修", PurposeCategory.BUSINESS_WORKING_CAPITAL),
        (
            "看中一个沿街的小商铺，想买下来收租金。",
            PurposeCategory.EQUITY_OR_FIXED_ASSET_INVESTMENT,
        ),
        # A deposit on a home found is a home bought, whatever the rest goes to later.
        ("看好了一套二手房，交个定金，剩下的以后装修用", PurposeCategory.HOUSING_PURCHASE),
        ("新房装修，先付设计定金", PurposeCategory.HOME_RENOVATION),
        ("Speakers for my gigs.", PurposeCategory.CONSUMER_GOODS),
    ],
)
def test_premises_deposits_and_gear(said: str, expected: PurposeCategory) -> None:
    assert classify_purpose(said) is expected
