"""The contract as data and as canonical text: disclosures, order, schedule, amounts and hash."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from lendline.lending.contract import (
    ContractDocument,
    ContractParties,
    ContractTable,
    Term,
    build_contract,
    canonical,
    capital_amount,
    contract_sha256,
    render_contract_text,
)
from lendline.lending.offer import Offer, make_offer
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.lending.purpose import PurposeCategory
from lendline.lending.schedule import RepaymentMethod
from lendline.shared.money import Money

PARTIES = ContractParties("示范消费金融", "王小明", "330106********1205", "****5678")
REFERENCE = "LL-20261128-ABCDE"


def offer_of(amount: int = 50_000, months: int = 12, **product_changes: object) -> Offer:
    product = dataclasses.replace(DEFAULT_PRODUCT, **product_changes)
    return make_offer(product, Money.of(amount), months)


def schedule_rows(text: str) -> list[list[str]]:
    """The installment rows of a canonical text: lines of six cells starting with a number."""
    rows = [line.split(" | ") for line in text.splitlines() if line.count(" | ") == 5]
    return [row for row in rows if row[0].isdigit()]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_contract_states_the_apr_before_the_schedule_and_lists_every_installment(
    language: str,
) -> None:
    offer = offer_of()
    text = render_contract_text(REFERENCE, PARTIES, offer, language)
    apr_line = next(line for line in text.splitlines() if "IRR" in line)
    assert f"{offer.rates.apr * 100:.4f}%" in apr_line
    assert text.index(apr_line) < text.index("50,000.00")
    rows = schedule_rows(text)
    assert [int(row[0]) for row in rows] == list(range(1, 13))
    for row, item in zip(rows, offer.schedule.installments, strict=True):
        assert row[1:] == [
            f"{part.amount:,.2f}"
            for part in (item.payment, item.principal, item.interest, item.fee, item.balance_after)
        ]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_apr_comes_before_the_effective_and_the_nominal_rate(language: str) -> None:
    offer = offer_of()
    text = render_contract_text(REFERENCE, PARTIES, offer, language)
    apr = text.index(f"{offer.rates.apr * 100:.4f}%")
    effective = text.index(f"{offer.rates.effective * 100:.4f}%")
    nominal_label = "合同年利率" if language == "zh" else "Contract (nominal) annual"
    assert apr < effective < text.index(nominal_label)
    # Only the headline and the rates section name the APR; it is the first rate in each.
    first_rate_line = next(line for line in text.splitlines() if "%" in line)
    assert "IRR" in first_rate_line


def test_the_hash_binds_the_exact_text_and_ignores_only_canonical_noise() -> None:
    offer = offer_of()
    text = render_contract_text(REFERENCE, PARTIES, offer, "zh")
    digest = contract_sha256(text)
    assert contract_sha256(text.replace("\n", "\r\n")) == digest
    assert contract_sha256(text + "   \n") == digest
    other = offer_of(50_100)
    assert contract_sha256(render_contract_text(REFERENCE, PARTIES, other, "zh")) != digest
    assert contract_sha256(text.replace("王小明", "王小名")) != digest
    assert canonical(text) == text


def test_the_document_is_the_one_source_of_the_text_and_its_hash() -> None:
    offer = offer_of()
    document = build_contract(REFERENCE, PARTIES, offer, "zh")
    assert isinstance(document, ContractDocument)
    assert document.text() == render_contract_text(REFERENCE, PARTIES, offer, "zh")
    assert document.sha256() == contract_sha256(document.text())
    assert len(document.sha256()) == 64
    # Building twice gives the same document: the hash taken when the contract is sent is the
    # one checked when it is signed.
    assert build_contract(REFERENCE, PARTIES, offer, "zh") == document
    tables = [
        block
        for section in document.sections
        for block in section.blocks
        if isinstance(block, ContractTable)
    ]
    assert len(tables) == 1
    assert len(tables[0].rows) == offer.term_months
    assert tables[0].totals[1] == f"{offer.total_repayment.amount:,.2f}"


def test_the_chinese_contract_carries_every_disclosure_of_the_design_list() -> None:
    offer = offer_of(30_000, 12)
    text = render_contract_text(
        REFERENCE,
        dataclasses.replace(
            PARTIES, lender_licence="消费金融公司牌照", lender_contact="400-000-0000"
        ),
        offer,
        "zh",
        purpose=PurposeCategory.HOME_RENOVATION,
        product_name=DEFAULT_PRODUCT.name_zh,
    )
    expected = [
        "个人消费借款合同",
        f"合同编号：{REFERENCE}",
        "个人消费贷款（标准）（PL-STD@2026.11）",
        "贷款人：示范消费金融",
        "贷款人资质：消费金融公司牌照",
        "借款人：王小明",
        "330106********1205",
        "****5678",
        "借款金额：人民币30,000.00元（大写：叁万元整）",
        "借款期限：12个月",
        "还款方式：等额本息",
        "不预先从本金中扣除任何利息",
        "实际年利率（按月复利）：11.35",
        "合同年利率（名义利率）：10.8000%",
        "费用：本借款不收取任何服务费",
        f"利息合计：人民币{offer.total_interest.amount:,.2f}元",
        f"还款总额（本金+利息+费用）：人民币{offer.total_repayment.amount:,.2f}元",
        "罚息利率为合同年利率上浮50%，即年利率16.2000%",
        "合计按年计算不超过24%",
        "利息仅按实际使用期间计算",
        "借款人声明的借款用途：住房装修",
        "不得用于购房或偿还住房抵押贷款",
        "提前收回",
        "查询用途限于：审核本笔借款申请、本合同的贷后管理",
        "个人信息处理者：示范消费金融（400-000-0000）",
        "保存10年",
        "撤回同意",
        "拒绝仅通过自动化决策作出决定",
        "拨打400-000-0000或本借款热线",
        "人工智能语音助手",
        "通话全程录音",
        "短信验证码",
        "签署时间（UTC）",
        "通话录音中的时间位置",
        "SHA-256",
        "仅有口头同意不构成签署",
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing
    assert "equal_installment" not in text


def test_the_english_contract_is_english_and_names_the_method_in_words() -> None:
    text = render_contract_text(REFERENCE, PARTIES, offer_of(), "en")
    for phrase in [
        "Personal Consumer Loan Contract",
        "Amount: CNY 50,000.00",
        "Term: 12 months",
        "Repayment method: equal installments",
        "No interest, fee, deposit or any other amount is deducted from the principal",
        "Fees: none.",
        "never exceed 24% a year",
        "Interest is due only for the time used",
        "Credit Reference Center of the People's Bank of China",
        "10 years after the relationship ends",
        "AI voice agent",
        "SHA-256",
    ]:
        assert phrase in text, phrase
    assert "equal_installment" not in text
    assert "借款合同" not in text


def test_equal_principal_is_named_in_words() -> None:
    offer = offer_of(method=RepaymentMethod.EQUAL_PRINCIPAL)
    assert "还款方式：等额本金" in render_contract_text(REFERENCE, PARTIES, offer, "zh")
    assert "equal principal" in render_contract_text(REFERENCE, PARTIES, offer, "en")


def test_a_periodic_fee_is_stated_per_installment_and_counted_in_the_apr() -> None:
    offer = offer_of(monthly_fee=Money.of(100))
    text = render_contract_text(REFERENCE, PARTIES, offer, "zh")
    assert "服务费（每期）：人民币100.00元" in text
    assert "合计人民币1,200.00元，已计入上述年化利率" in text
    assert "费用合计：人民币1,200.00元" in text
    assert offer.rates.apr > Decimal("0.108")
    assert all(row[4] == "100.00" for row in schedule_rows(text))


def test_the_overdue_rate_never_goes_above_the_cap() -> None:
    offer = offer_of(annual_rate=Decimal("0.20"))
    text = render_contract_text(REFERENCE, PARTIES, offer, "zh")
    assert "即年利率24.0000%" in text


def test_a_banned_purpose_or_an_unknown_language_makes_no_contract() -> None:
    offer = offer_of()
    with pytest.raises(ValueError, match="securities"):
        build_contract(
            REFERENCE, PARTIES, offer, "zh", purpose=PurposeCategory.SECURITIES_INVESTMENT
        )
    with pytest.raises(ValueError, match="fr"):
        build_contract(REFERENCE, PARTIES, offer, "fr")


def test_sections_are_numbered_as_contracts_number_them() -> None:
    zh = build_contract(REFERENCE, PARTIES, offer_of(), "zh")
    en = build_contract(REFERENCE, PARTIES, offer_of(), "en")
    assert [section.heading.split(" ")[0] for section in zh.sections][9:] == [
        "第十条",
        "第十一条",
        "第十二条",
    ]
    assert [section.heading.split(" ")[0] for section in en.sections] == [
        f"{number}." for number in range(1, 13)
    ]
    assert zh.sections[3].heading == "第四条 还款计划表"
    assert isinstance(zh.headline, Term)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("30000", "叁万元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("100005.07", "壹拾万零伍元零柒分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        ("1005", "壹仟零伍元整"),
        ("1050", "壹仟零伍拾元整"),
        ("200000", "贰拾万元整"),
        ("2637.40", "贰仟陆佰叁拾柒元肆角"),
        ("0.50", "伍角"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("100000000.01", "壹亿元零壹分"),
        ("100000005", "壹亿零伍元整"),
        ("10", "壹拾元整"),
    ],
)
def test_amounts_are_written_in_capital_numerals(amount: str, words: str) -> None:
    assert capital_amount(Money.of(amount)) == words


def test_capital_numerals_refuse_other_currencies_and_negative_amounts() -> None:
    with pytest.raises(ValueError):
        capital_amount(Money.of(10, "USD"))
    with pytest.raises(ValueError):
        capital_amount(Money.of(-10))
