"""Closed choices: language, loan purpose (banned ones first) and employment."""

from __future__ import annotations

import pytest

from lendline.dialog.nlu.choices import (
    classify_employment,
    classify_purpose,
    parse_language_choice,
)
from lendline.lending.purpose import PurposeCategory as P
from lendline.lending.purpose import is_banned

# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "lang"),
    [
        ("中文", "zh"),
        ("中文。", "zh"),
        ("说中文吧", "zh"),
        ("普通话", "zh"),
        ("普通話", "zh"),
        ("汉语", "zh"),
        ("国语", "zh"),
        ("國語", "zh"),
        ("1", "zh"),
        ("１", "zh"),
        ("一", "zh"),
        ("按一", "zh"),
        ("我选一", "zh"),
        ("Chinese.", "zh"),
        ("Mandarin, please.", "zh"),
        ("English", "en"),
        ("English, please.", "en"),
        ("英文", "en"),
        ("英语", "en"),
        ("我要说英语", "en"),
        ("英俊", "en"),  # "English, please." as Whisper hears it in Mandarin mode
        ("2", "en"),
        ("二", "en"),
        ("two", "en"),
        ("Option two.", "en"),
        ("Press 2", "en"),
    ],
)
def test_the_language_is_chosen_by_name_or_menu_number(said: str, lang: str) -> None:
    assert parse_language_choice(said) == lang


@pytest.mark.parametrize(
    "said",
    ["", "你好，我想贷款", "嗯", "粤语", "中文或者英文都可以", "Hello?", "说一下", "12"],
)
def test_no_single_language_means_none(said: str) -> None:
    assert parse_language_choice(said) is None


# --- purpose -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        ("家里装修", P.HOME_RENOVATION),
        ("房子装修。", P.HOME_RENOVATION),
        ("裝修房子", P.HOME_RENOVATION),
        ("I want to renovate my kitchen.", P.HOME_RENOVATION),
        ("买房", P.HOUSING_PURCHASE),
        ("付首付", P.HOUSING_PURCHASE),
        ("购房用的", P.HOUSING_PURCHASE),
        ("I want to pay the down payment on a flat.", P.HOUSING_PURCHASE),
        ("还房贷", P.MORTGAGE_REPAYMENT),
        ("每个月房贷压力大，想还房贷", P.MORTGAGE_REPAYMENT),
        ("To pay off my mortgage.", P.MORTGAGE_REPAYMENT),
        ("我想用这笔钱炒股", P.SECURITIES_INVESTMENT),
        ("买股票", P.SECURITIES_INVESTMENT),
        ("I want to buy stocks with it.", P.SECURITIES_INVESTMENT),
        ("Buy some shares.", P.SECURITIES_INVESTMENT),
        ("做期货", P.FUTURES_DERIVATIVES),
        ("炒外汇", P.FUTURES_DERIVATIVES),
        ("Forex trading.", P.FUTURES_DERIVATIVES),
        ("买理财产品", P.ASSET_MANAGEMENT),
        ("买基金", P.ASSET_MANAGEMENT),
        ("For wealth management products.", P.ASSET_MANAGEMENT),
        ("投资房产", P.EQUITY_OR_FIXED_ASSET_INVESTMENT),
        ("入股朋友的公司", P.EQUITY_OR_FIXED_ASSET_INVESTMENT),
        ("买设备", P.BUSINESS_WORKING_CAPITAL),
        ("To buy equity in a startup.", P.EQUITY_OR_FIXED_ASSET_INVESTMENT),
        ("去澳门赌博", P.GAMBLING),
        ("Gambling debts.", P.GAMBLING),
        ("Going to the casino.", P.GAMBLING),
        ("买比特币", P.OTHER_UNLAWFUL),
        ("孩子的学费", P.EDUCATION),
        ("Tuition for my master's degree.", P.EDUCATION),
        ("看病", P.MEDICAL),
        ("我妈要做手术", P.MEDICAL),
        ("Hospital bills.", P.MEDICAL),
        ("去旅游", P.TRAVEL),
        ("坐火车去旅游", P.TRAVEL),
        ("A trip to Japan.", P.TRAVEL),
        ("Of course, it's for a vacation.", P.TRAVEL),
        ("结婚用", P.WEDDING),
        ("办婚礼", P.WEDDING),
        ("For my wedding.", P.WEDDING),
        ("买车", P.VEHICLE),
        ("付车首付", P.VEHICLE),
        ("To buy a car.", P.VEHICLE),
        ("进货", P.BUSINESS_WORKING_CAPITAL),
        ("生意上周转一下", P.BUSINESS_WORKING_CAPITAL),
        ("For my small business inventory.", P.BUSINESS_WORKING_CAPITAL),
        ("买家电", P.CONSUMER_GOODS),
        ("买个手机", P.CONSUMER_GOODS),
        ("买家具", P.CONSUMER_GOODS),
        ("Buying furniture and appliances.", P.CONSUMER_GOODS),
    ],
)
def test_purposes_are_classified_from_keywords_in_both_languages(said: str, purpose: P) -> None:
    assert classify_purpose(said, "zh") is purpose
    assert classify_purpose(said, "en") is purpose


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        ("装修完再炒股", P.SECURITIES_INVESTMENT),
        ("一部分装修，一部分买基金", P.ASSET_MANAGEMENT),
        ("我不光要装修，还想炒股", P.SECURITIES_INVESTMENT),
        ("先旅游，剩下的去赌场玩玩", P.GAMBLING),
        ("For a wedding and some stocks.", P.SECURITIES_INVESTMENT),
        ("Renovation, and the rest for the down payment on a house.", P.HOUSING_PURCHASE),
        ("We put some money on the matches, Pakistan will win this time.", P.GAMBLING),
        (
            "He will give me back with twenty percent interest. I borrow and give him.",
            P.OTHER_UNLAWFUL,
        ),
        ("This investment online, every month they give you ten percent.", P.ASSET_MANAGEMENT),
        ("前阵子在澳门输了点，这次想再去一趟把本捞回来", P.GAMBLING),
        ("一半交学费，另一半投到我朋友的公司里，年底给分红", P.EQUITY_OR_FIXED_ASSET_INVESTMENT),
        ("帮朋友过个桥，一个月后还我还给利息", P.OTHER_UNLAWFUL),
        # A home and a payment that secures its purchase, however the purchase is put.
        ("在县城看中一套房，先交个定金", P.HOUSING_PURCHASE),
        ("We found a flat, I need to pay the earnest money to the seller.", P.HOUSING_PURCHASE),
        ("Still short for the shoufu on the flat in Hangzhou.", P.HOUSING_PURCHASE),
        ("We need to put down the deposit on an apartment in town.", P.HOUSING_PURCHASE),
        ("Not only travel but also stocks.", P.SECURITIES_INVESTMENT),
    ],
)
def test_a_banned_purpose_wins_over_benign_ones_in_the_same_answer(said: str, purpose: P) -> None:
    result = classify_purpose(said, "zh")
    assert result is purpose
    assert is_banned(purpose)


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        ("不是用来炒股的，是装修", P.HOME_RENOVATION),
        ("不炒股，就是买家电", P.CONSUMER_GOODS),
        ("Not for stocks, for my wedding.", P.WEDDING),
    ],
)
def test_a_banned_purpose_ruled_out_by_the_caller_does_not_count(said: str, purpose: P) -> None:
    assert classify_purpose(said, "zh") is purpose


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        ("新房装修，先付设计定金", P.HOME_RENOVATION),
        ("押金和第一个月房租", P.RENT_AND_LIVING),
        ("Moving costs, the deposit on a new apartment plus movers.", P.RENT_AND_LIVING),
    ],
)
def test_a_deposit_for_works_or_a_tenancy_buys_no_home(said: str, purpose: P) -> None:
    assert classify_purpose(said, "zh") is purpose


@pytest.mark.parametrize("said", ["", "我也不知道", "用来花", "Personal reasons.", "嗯", "你好"])
def test_an_unknown_purpose_gives_none(said: str) -> None:
    assert classify_purpose(said, "zh") is None


# --- employment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("我在公司上班", "employed"),
        ("上班族", "employed"),
        ("我是公司员工", "employed"),
        ("在工厂打工", "employed"),
        ("我是公务员", "employed"),
        ("I am employed full time.", "employed"),
        ("I work at a bank.", "employed"),
        ("I work for Acme Trading.", "employed"),
        ("我是个体户", "self_employed"),
        ("个体", "self_employed"),
        ("自己做生意", "self_employed"),
        ("我是老板", "self_employed"),
        ("自由职业", "self_employed"),
        ("我自己开公司", "self_employed"),
        ("I'm self-employed.", "self_employed"),
        ("I run my own business.", "self_employed"),
        ("I work for myself.", "self_employed"),
        ("Freelance designer.", "self_employed"),
        ("退休了", "retired"),
        ("已经退休", "retired"),
        ("退休前在公司上班", "retired"),
        ("I'm retired.", "retired"),
        ("我是学生", "student"),
        ("在读研究生", "student"),
        ("大学生", "student"),
        ("I'm a student.", "student"),
        ("无业", "unemployed"),
        ("失业了", "unemployed"),
        ("现在没工作", "unemployed"),
        ("目前没有工作", "unemployed"),
        ("I'm unemployed.", "unemployed"),
        ("I'm not working right now.", "unemployed"),
        ("I'm between jobs.", "unemployed"),
        ("我不是学生，我在上班", "employed"),
    ],
)
def test_employment_is_classified_in_both_languages(said: str, kind: str) -> None:
    assert classify_employment(said, "zh") == kind
    assert classify_employment(said, "en") == kind


@pytest.mark.parametrize("said", ["", "嗯", "不方便说", "It's complicated."])
def test_an_unknown_employment_gives_none(said: str) -> None:
    assert classify_employment(said, "zh") is None


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        # The caller's business named beside goods or a season: working capital.
        ("给我们面馆换个和面的台子", P.BUSINESS_WORKING_CAPITAL),
        ("快递驿站要加货架", P.BUSINESS_WORKING_CAPITAL),
        ("国庆前要备货，店里卖的是月饼礼盒", P.BUSINESS_WORKING_CAPITAL),
        ("A new fryer for the noodle stall.", P.BUSINESS_WORKING_CAPITAL),
        (
            "Restocking before the holidays, my customers buy a lot of gifts.",
            P.BUSINESS_WORKING_CAPITAL,
        ),
        ("The espresso machine in my café broke.", P.BUSINESS_WORKING_CAPITAL),
        # Without a business, the same goods are the household's.
        ("家里买个大冰柜放肉", P.CONSUMER_GOODS),
        ("A new fridge for home, nothing fancy.", P.CONSUMER_GOODS),
        # Everyday words of care, learning, debts and occasions.
        ("我妈住进ICU了", P.MEDICAL),
        ("My mother's dialysis, three times a week.", P.MEDICAL),
        ("女儿想学画画，报个美术班", P.EDUCATION),
        ("A coding bootcamp, twelve weeks.", P.EDUCATION),
        ("微粒贷下个月到期", P.DEBT_REPAYMENT),
        ("Paying my brother back, he lent me money last year.", P.DEBT_REPAYMENT),
        ("Our son's hundred days party.", P.FAMILY_EVENT),
        ("The rent deposit and the agency fee for a new place.", P.RENT_AND_LIVING),
        ("Two new tyres, the old ones are bald.", P.VEHICLE),
        # Compounds whose parts would mislead.
        ("A car seat and a pram for the baby.", P.CONSUMER_GOODS),
        ("给爸妈买个麻将机，他们天天在家打着玩", P.CONSUMER_GOODS),
        ("An automatic mahjong table as a present.", P.CONSUMER_GOODS),
        ("I'd like to take my parents to Guilin for our wedding anniversary.", P.TRAVEL),
        ("带爸妈去西安看看兵马俑", P.TRAVEL),
        ("The clutch is going, and I drive for a living.", P.VEHICLE),
    ],
)
def test_everyday_words_and_the_callers_business_decide_the_purpose(said: str, purpose: P) -> None:
    assert classify_purpose(said, "zh") is purpose


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("我送外卖的", "employed"),
        ("做自媒体，拍点短视频", "self_employed"),
        ("I'm a content creator on Bilibili.", "self_employed"),
        ("Handyman work, mostly in expats' flats.", "self_employed"),
        ("刚毕业，还在找工作", "unemployed"),
        ("I'm at home with the kids for now.", "unemployed"),
        ("I hurt my back and I've been off work since May.", "unemployed"),
        ("开了个学生托管班", "self_employed"),
        ("还在试用期", "employed"),
    ],
)
def test_everyday_ways_of_saying_a_job_or_none(said: str, kind: str) -> None:
    assert classify_employment(said, "zh") == kind


@pytest.mark.parametrize(
    ("said", "purpose"),
    [
        # A forbidden use buried after a benign one, or said in slang.
        ("先把车修一修，剩下的梭哈到一只票上", P.SECURITIES_INVESTMENT),
        (
            "Groceries, and the rest on a platform a friend uses, it pays ten percent.",
            P.ASSET_MANAGEMENT,
        ),
        ("放到理财平台上，年化有百分之十", P.ASSET_MANAGEMENT),
        ("I owe a few guys from a card game.", P.GAMBLING),
        ("A rough weekend in Macau, I owe a man I met at the tables.", P.GAMBLING),
        ("The tables and chairs for my shop are broken.", P.BUSINESS_WORKING_CAPITAL),
        ("房子断供三个月了，得补上", P.MORTGAGE_REPAYMENT),
        ("A deposit to hold an off-plan unit in Haikou.", P.HOUSING_PURCHASE),
        # Benign uses that only sound like one.
        ("A mahjong set for my grandmother's birthday.", P.FAMILY_EVENT),
        ("Clearing my credit card is the safest bet.", P.DEBT_REPAYMENT),
        ("The down payment for the wedding banquet.", P.WEDDING),
        ("A trip to Macau with my parents, just sightseeing.", P.TRAVEL),
        ("房子早就买了，不是用来付房款的，是买家具", P.CONSUMER_GOODS),
        ("The interest is 5 percent a year, right? It's for tuition.", P.EDUCATION),
        ("年化利率多少？我用来装修", P.HOME_RENOVATION),
    ],
)
def test_forbidden_uses_in_slang_and_benign_ones_that_sound_forbidden(
    said: str, purpose: P
) -> None:
    assert classify_purpose(said, "zh") is purpose
