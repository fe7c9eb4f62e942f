"""Regulatory limits: APR caps (R7), the consumer credit cap and bullet terms (R1)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from lendline.lending.limits import (
    CONSUMER_CREDIT_CAP,
    LimitViolation,
    RegulatoryLimits,
    check_offer_limits,
    disclosed_apr,
)
from lendline.lending.offer import Offer, make_offer
from lendline.lending.product import DEFAULT_PRODUCT, LoanProduct
from lendline.lending.schedule import Installment, RepaymentMethod, Schedule
from lendline.shared.money import Money


def cny(value: str | int) -> Money:
    return Money.of(value)


def product_at(annual_rate: str, **changes: object) -> LoanProduct:
    return dataclasses.replace(
        DEFAULT_PRODUCT,
        annual_rate=Decimal(annual_rate),
        **changes,  # type: ignore[arg-type]
    )


def test_default_limits_are_24_percent_36_percent_200000_cny_12_months_and_age_18() -> None:
    limits = RegulatoryLimits()
    assert limits.max_apr == Decimal("0.24")
    assert limits.criminal_apr_line == Decimal("0.36")
    assert limits.max_consumer_credit == cny(200_000) == CONSUMER_CREDIT_CAP
    assert limits.max_bullet_term_months == 12
    assert limits.min_age == 18


def test_an_ordinary_offer_breaks_no_limit() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits()) == ()


def test_an_offer_priced_exactly_at_the_cap_is_within_it_despite_fen_rounding() -> None:
    # Equal principal at exactly 12 % gives an IRR a hair above 1 % a month (DOMAIN-NOTES §4).
    product = product_at("0.12", method=RepaymentMethod.EQUAL_PRINCIPAL)
    offer = make_offer(product, cny(50_000), 12)
    assert offer.rates.apr > Decimal("0.12")
    assert disclosed_apr(offer.rates.apr) == Decimal("0.120000")
    assert check_offer_limits(offer, RegulatoryLimits(max_apr=Decimal("0.12"))) == ()


def test_apr_above_the_cap_is_a_violation() -> None:
    offer = make_offer(product_at("0.25"), cny(50_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits()) == (LimitViolation.APR_ABOVE_CAP,)


def test_the_cap_applies_to_the_all_in_apr_including_fees() -> None:
    # 20 % nominal is under the cap; a 100 CNY monthly fee takes the all-in APR above 24 %.
    offer = make_offer(product_at("0.20", monthly_fee=cny(100)), cny(50_000), 12)
    assert Decimal("0.24") < offer.rates.apr < Decimal("0.36")
    assert check_offer_limits(offer, RegulatoryLimits()) == (LimitViolation.APR_ABOVE_CAP,)


def test_apr_at_the_criminal_line_is_reported_on_top_of_the_cap() -> None:
    offer = make_offer(product_at("0.36"), cny(50_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits()) == (
        LimitViolation.APR_ABOVE_CAP,
        LimitViolation.APR_AT_CRIMINAL_LINE,
    )


def test_amount_above_the_consumer_cap_is_a_violation() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, max_amount=cny(300_000))
    offer = make_offer(product, cny(250_000), 12)
    assert check_offer_limits(offer, RegulatoryLimits()) == (
        LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP,
    )
    lower_cap = RegulatoryLimits(max_consumer_credit=cny(100_000))
    assert LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP in check_offer_limits(
        make_offer(DEFAULT_PRODUCT, cny(150_000), 12), lower_cap
    )


def test_a_cap_in_another_currency_counts_as_broken_rather_than_met() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 12)
    limits = RegulatoryLimits(max_consumer_credit=Money.of(30_000, "USD"))
    assert check_offer_limits(offer, limits) == (LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP,)


def bullet_offer(months: int) -> Offer:
    """A hand-built offer repaying all principal at maturity, with interest monthly."""
    principal, interest, zero = cny(12_000), cny(100), cny(0)
    items = [Installment(k, interest, zero, interest, zero, principal) for k in range(1, months)]
    items.append(Installment(months, principal + interest, principal, interest, zero, zero))
    schedule = Schedule(RepaymentMethod.EQUAL_INSTALLMENT, tuple(items))
    ordinary = make_offer(DEFAULT_PRODUCT, principal, 12)
    return dataclasses.replace(ordinary, term_months=months, schedule=schedule)


def test_a_bullet_loan_may_run_twelve_months_but_not_longer() -> None:
    limits = RegulatoryLimits()
    assert check_offer_limits(bullet_offer(12), limits) == ()
    assert check_offer_limits(bullet_offer(18), limits) == (LimitViolation.BULLET_TERM_TOO_LONG,)


def test_amortising_loans_may_run_longer_than_twelve_months() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 36)
    assert check_offer_limits(offer, RegulatoryLimits()) == ()


@pytest.mark.parametrize(
    "changes",
    [
        {"max_apr": Decimal("0.40")},
        {"max_apr": Decimal(0)},
        {"max_consumer_credit": Money.of(0)},
        {"max_bullet_term_months": 0},
        {"min_age": -1},
    ],
)
def test_limits_refuse_impossible_settings(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RegulatoryLimits(**changes)  # type: ignore[arg-type]


def test_disclosed_apr_rounds_half_up_to_a_ten_thousandth_of_a_percent() -> None:
    assert disclosed_apr(Decimal("0.1234565")) == Decimal("0.123457")
    assert disclosed_apr(Decimal("0.1234564999")) == Decimal("0.123456")
