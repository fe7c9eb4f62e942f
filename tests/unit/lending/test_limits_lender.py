"""Limits per lender type (R7), outstanding credit (R1), banned purposes and penalties."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from lendline.lending.apr import monthly_irr
from lendline.lending.catalog import load_products
from lendline.lending.limits import (
    CRIMINAL_APR_LINE,
    LICENSED_APR_CAP,
    LenderType,
    LimitViolation,
    RegulatoryLimits,
    check_offer_limits,
    worst_early_repayment_apr,
)
from lendline.lending.lpr import LprNotPublished, LprTable
from lendline.lending.offer import Offer, make_offer
from lendline.lending.product import DEFAULT_PRODUCT, EarlyRepayment, LoanProduct
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory
from lendline.lending.schedule import RepaymentMethod
from lendline.shared.money import Money

PRIVATE = LenderType.PRIVATE
LICENSED = LenderType.LICENSED


def cny(value: str | int) -> Money:
    return Money.of(value)


def priced(annual_rate: str, amount: int = 50_000, months: int = 12, **changes: object) -> Offer:
    product = dataclasses.replace(
        DEFAULT_PRODUCT,
        annual_rate=Decimal(annual_rate),
        **changes,  # type: ignore[arg-type]
    )
    return make_offer(product, cny(amount), months)


def private_on(day: date) -> RegulatoryLimits:
    return RegulatoryLimits.for_lender(PRIVATE, day)


# ---------------------------------------------------------------- caps by lender type


def test_lender_types_have_stable_values() -> None:
    assert {kind.value for kind in LenderType} == {"licensed", "private"}


def test_a_licensed_lender_is_capped_at_24_percent_whatever_the_date() -> None:
    for day in (date(2015, 1, 1), date(2025, 6, 1)):
        limits = RegulatoryLimits.for_lender(LICENSED, day)
        assert limits == RegulatoryLimits()
        assert limits.max_apr == LICENSED_APR_CAP == Decimal("0.24")
        assert limits.lender_type is LICENSED


def test_private_lending_on_2025_06_01_is_capped_at_4_times_3_00_percent() -> None:
    limits = private_on(date(2025, 6, 1))
    assert limits.max_apr == Decimal("0.12")
    assert limits.lender_type is PRIVATE
    assert limits.criminal_apr_line == CRIMINAL_APR_LINE == Decimal("0.36")


@pytest.mark.parametrize(
    ("day", "cap"),
    [
        (date(2021, 1, 15), "0.154"),  # LPR 3.85 %
        (date(2023, 9, 1), "0.138"),  # 3.45 %
        (date(2024, 10, 21), "0.124"),  # 3.10 %
        (date(2025, 5, 19), "0.124"),
        (date(2025, 5, 20), "0.12"),  # 3.00 %
    ],
)
def test_the_private_lending_cap_follows_the_lpr_on_the_contract_date(day: date, cap: str) -> None:
    assert private_on(day).max_apr == Decimal(cap)


def test_private_lending_before_the_first_lpr_has_no_cap_to_apply() -> None:
    with pytest.raises(LprNotPublished):
        private_on(date(2019, 8, 1))


def test_a_given_lpr_table_is_used_instead_of_the_packaged_one() -> None:
    table = LprTable(((date(2030, 1, 1), Decimal("0.05")),), "test")
    assert RegulatoryLimits.for_lender(PRIVATE, date(2030, 2, 1), table).max_apr == Decimal("0.20")


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_vector_one_at_12_percent_sits_exactly_at_the_private_cap_and_passes(
    method: RepaymentMethod,
) -> None:
    # DOMAIN-NOTES §4: 50,000 CNY, 12 months, 1 % a month: APR 12.00 % = 4 × LPR 3.00 %.
    offer = priced("0.12", method=method)
    assert offer.schedule.installments[0].interest == cny(500)
    assert check_offer_limits(offer, private_on(date(2025, 6, 1))) == ()


def test_12_5_percent_breaks_the_private_cap_but_not_a_licensed_one() -> None:
    offer = priced("0.125")
    assert check_offer_limits(offer, private_on(date(2025, 6, 1))) == (
        LimitViolation.APR_ABOVE_CAP,
    )
    assert check_offer_limits(offer, RegulatoryLimits.for_lender(LICENSED, date(2025, 6, 1))) == ()
    # The same contract made on 2021-01-15 was within that day's 15.4 % cap.
    assert check_offer_limits(offer, private_on(date(2021, 1, 15))) == ()


@pytest.mark.parametrize("lender", [LICENSED, PRIVATE])
def test_36_percent_is_always_flagged_as_the_criminal_line(lender: LenderType) -> None:
    limits = RegulatoryLimits.for_lender(lender, date(2025, 6, 1))
    assert check_offer_limits(priced("0.36"), limits) == (
        LimitViolation.APR_ABOVE_CAP,
        LimitViolation.APR_AT_CRIMINAL_LINE,
    )


def test_the_flat_fee_product_is_within_a_licensed_cap_and_above_the_private_one() -> None:
    offer = make_offer(load_products().get("PL-FLAT"), cny(12_000), 12)  # APR 13.0342 %
    assert check_offer_limits(offer, RegulatoryLimits()) == ()
    assert check_offer_limits(offer, private_on(date(2025, 6, 1))) == (
        LimitViolation.APR_ABOVE_CAP,
    )


# ---------------------------------------------------------------- R1 with outstanding credit


def test_outstanding_credit_with_the_lender_counts_toward_the_200000_cap() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(60_000), 12)
    limits = RegulatoryLimits()
    assert check_offer_limits(offer, limits) == ()
    assert check_offer_limits(offer, limits, outstanding=cny(140_000)) == ()
    assert check_offer_limits(offer, limits, outstanding=cny("140000.01")) == (
        LimitViolation.CREDIT_ABOVE_CONSUMER_CAP,
    )


def test_an_amount_above_the_cap_alone_is_reported_once_as_such() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, max_amount=cny(300_000))
    offer = make_offer(product, cny(250_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits(), outstanding=cny(10_000)) == (
        LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP,
    )


def test_outstanding_credit_in_another_currency_counts_as_broken() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(10_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits(), outstanding=Money.of(1, "USD")) == (
        LimitViolation.CREDIT_ABOVE_CONSUMER_CAP,
    )


# ---------------------------------------------------------------- bullets through grace


def grace_product(grace: int, terms: tuple[int, ...]) -> LoanProduct:
    return dataclasses.replace(DEFAULT_PRODUCT, terms_months=terms, grace_months=grace)


def test_a_grace_period_up_to_the_last_month_is_a_bullet_limited_to_twelve_months() -> None:
    limits = RegulatoryLimits()
    twelve = make_offer(grace_product(11, (12, 18)), cny(10_000), 12)
    assert check_offer_limits(twelve, limits) == ()
    eighteen = make_offer(grace_product(17, (18,)), cny(10_000), 18)
    assert check_offer_limits(eighteen, limits) == (LimitViolation.BULLET_TERM_TOO_LONG,)
    amortising = make_offer(grace_product(3, (18,)), cny(10_000), 18)
    assert check_offer_limits(amortising, limits) == ()


# ---------------------------------------------------------------- banned purposes, adults


def test_the_statutory_banned_purposes_apply_to_every_lender_type() -> None:
    for lender in LenderType:
        limits = RegulatoryLimits.for_lender(lender, date(2025, 6, 1))
        assert limits.banned_purposes == BANNED_PURPOSES
        assert limits.min_age == 18


def test_a_lender_may_ban_more_purposes_but_not_fewer() -> None:
    stricter = RegulatoryLimits(
        banned_purposes=BANNED_PURPOSES | {PurposeCategory.BUSINESS_WORKING_CAPITAL}
    )
    assert PurposeCategory.BUSINESS_WORKING_CAPITAL in stricter.banned_purposes
    with pytest.raises(ValueError, match="housing_purchase"):
        RegulatoryLimits(banned_purposes=BANNED_PURPOSES - {PurposeCategory.HOUSING_PURCHASE})


# ---------------------------------------------------------------- early-repayment penalty


def with_penalty(rate: str, **terms: object) -> Offer:
    early = EarlyRepayment(penalty_rate=Decimal(rate), **terms)  # type: ignore[arg-type]
    return priced("0.108", early_repayment=early)


def test_no_penalty_means_no_early_repayment_cost_to_check() -> None:
    assert worst_early_repayment_apr(make_offer(DEFAULT_PRODUCT, cny(50_000), 12)) is None
    assert worst_early_repayment_apr(with_penalty("0")) is None
    penalised = dataclasses.replace(
        DEFAULT_PRODUCT,
        terms_months=(1, 3),
        early_repayment=EarlyRepayment(penalty_rate=Decimal("0.01")),
    )
    # A one-month loan cannot be repaid before its only installment date.
    assert worst_early_repayment_apr(make_offer(penalised, cny(50_000), 1)) is None
    assert worst_early_repayment_apr(make_offer(penalised, cny(50_000), 3)) is not None


def test_the_worst_early_repayment_is_in_the_first_month_and_counts_the_penalty() -> None:
    offer = with_penalty("0.005")
    first = offer.schedule.installments[0]
    penalty = (first.balance_after * Decimal("0.005")).rounded()
    by_hand = 12 * monthly_irr(cny(50_000), [first.payment + first.balance_after + penalty])
    worst = worst_early_repayment_apr(offer)
    assert worst == by_hand
    assert Decimal("0.16") < by_hand < Decimal("0.17")


def test_a_penalty_that_takes_the_cost_above_the_cap_is_a_violation() -> None:
    offer = with_penalty("0.005")  # 10.8 % scheduled, about 16.3 % if repaid after a month
    assert check_offer_limits(offer, RegulatoryLimits()) == ()
    assert check_offer_limits(offer, private_on(date(2025, 6, 1))) == (
        LimitViolation.EARLY_REPAYMENT_COST_ABOVE_CAP,
    )
    steep = with_penalty("0.03")
    assert check_offer_limits(steep, RegulatoryLimits()) == (
        LimitViolation.EARLY_REPAYMENT_COST_ABOVE_CAP,
    )


def test_a_penalty_is_not_checked_when_early_repayment_is_not_allowed() -> None:
    offer = priced("0.108", early_repayment=EarlyRepayment(allowed=False))
    assert worst_early_repayment_apr(offer) is None
    assert offer.early_repayment.allowed is False


@pytest.mark.parametrize(
    "terms",
    [
        {"notice_days": -1},
        {"penalty_rate": Decimal("-0.01")},
        {"penalty_rate": Decimal(1)},
        {"allowed": False, "notice_days": 3},
    ],
)
def test_early_repayment_terms_refuse_impossible_values(terms: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        EarlyRepayment(**terms)  # type: ignore[arg-type]
