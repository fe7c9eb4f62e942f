"""Loan products and offers: ranges, steps, terms, the default product and priced offers."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from lendline.lending.offer import (
    Offer,
    OfferOutOfRange,
    OutOfRangeReason,
    check_request,
    make_offer,
    nearest_term,
)
from lendline.lending.product import DEFAULT_PRODUCT, LoanProduct
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.shared.errors import DomainError
from lendline.shared.money import Money


def cny(value: str | int) -> Money:
    return Money.of(value)


def test_default_product_lends_1000_to_200000_cny_in_steps_of_100() -> None:
    product = DEFAULT_PRODUCT
    assert product.code == "PL-STD"
    assert (product.min_amount, product.max_amount, product.amount_step) == (
        cny(1_000),
        cny(200_000),
        cny(100),
    )
    assert product.terms_months == (3, 6, 9, 12, 18, 24, 36)
    assert product.method is RepaymentMethod.EQUAL_INSTALLMENT
    assert product.monthly_fee.is_zero()


def test_default_product_monthly_rate_is_the_annual_rate_over_twelve() -> None:
    assert DEFAULT_PRODUCT.annual_rate == Decimal("0.108")
    assert DEFAULT_PRODUCT.monthly_rate == Decimal("0.009")
    assert DEFAULT_PRODUCT.key == f"PL-STD@{DEFAULT_PRODUCT.version}"


def test_products_have_no_up_front_fee_field_because_r8_forbids_them() -> None:
    names = {field.name for field in dataclasses.fields(LoanProduct)}
    assert not any("upfront" in name or "up_front" in name for name in names)


def test_products_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_PRODUCT.annual_rate = Decimal("0.5")  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"min_amount": Money.of(0)},
        {"min_amount": Money.of(300_000)},
        {"amount_step": Money.of(0)},
        {"terms_months": ()},
        {"terms_months": (12, 6)},
        {"terms_months": (0, 6)},
        {"annual_rate": Decimal("-0.01")},
        {"monthly_fee": Money.of(-1)},
        {"max_amount": Money.of(200_000, "USD")},
    ],
)
def test_product_refuses_inconsistent_terms(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(DEFAULT_PRODUCT, **changes)  # type: ignore[arg-type]


def test_product_refuses_a_float_rate() -> None:
    with pytest.raises(TypeError):
        dataclasses.replace(DEFAULT_PRODUCT, annual_rate=0.108)  # type: ignore[arg-type]


def test_product_offers_amounts_on_its_steps_within_its_range_only() -> None:
    product = DEFAULT_PRODUCT
    assert product.offers_amount(cny(1_000))
    assert product.offers_amount(cny(200_000))
    assert product.offers_amount(cny(12_300))
    assert not product.offers_amount(cny(12_350))
    assert not product.offers_amount(cny(900))
    assert not product.offers_amount(cny(200_100))
    assert not product.offers_amount(Money.of(5_000, "USD"))


def test_offer_prices_the_amount_with_the_products_schedule_and_apr() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 12)
    expected = build_schedule(cny(50_000), Decimal("0.009"), 12, RepaymentMethod.EQUAL_INSTALLMENT)
    assert offer.schedule == expected
    assert (offer.product_code, offer.product_version) == ("PL-STD", DEFAULT_PRODUCT.version)
    assert offer.annual_rate == Decimal("0.108")
    assert offer.monthly_payment == cny("4414.42")
    assert offer.total_repayment == expected.total_payment
    assert offer.total_interest == expected.total_interest
    assert offer.total_fees.is_zero()


def test_offer_apr_equals_the_nominal_rate_when_there_are_no_fees() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 12)
    assert (offer.rates.apr * 100).quantize(Decimal("0.01")) == Decimal("10.80")


def test_offer_apr_counts_a_periodic_fee() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, monthly_fee=cny(100))
    offer = make_offer(product, cny(50_000), 12)
    assert offer.rates.apr > Decimal("0.108")
    assert offer.total_fees == cny(1_200)
    assert offer.monthly_payment == cny("4514.42")


def test_offer_apr_is_computed_on_the_full_amount_paid_out() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(10_000), 6)
    assert offer.schedule.total_principal == offer.amount


@pytest.mark.parametrize(
    ("amount", "months", "reason"),
    [
        (Money.of(900), 12, OutOfRangeReason.AMOUNT_BELOW_MIN),
        (Money.of(200_100), 12, OutOfRangeReason.AMOUNT_ABOVE_MAX),
        (Money.of(12_345), 12, OutOfRangeReason.AMOUNT_NOT_ON_STEP),
        (Money.of(10_000), 7, OutOfRangeReason.TERM_NOT_OFFERED),
        (Money.of(10_000, "USD"), 12, OutOfRangeReason.CURRENCY_NOT_OFFERED),
    ],
)
def test_make_offer_refuses_amounts_and_terms_outside_the_product(
    amount: Money, months: int, reason: OutOfRangeReason
) -> None:
    assert check_request(DEFAULT_PRODUCT, amount, months) is reason
    with pytest.raises(OfferOutOfRange) as caught:
        make_offer(DEFAULT_PRODUCT, amount, months)
    assert caught.value.reason is reason
    assert isinstance(caught.value, DomainError)


def test_offer_refuses_a_schedule_for_another_amount_or_term() -> None:
    offer = make_offer(DEFAULT_PRODUCT, cny(10_000), 6)
    other = build_schedule(cny(20_000), Decimal("0.009"), 6, RepaymentMethod.EQUAL_INSTALLMENT)
    with pytest.raises(ValueError, match="amount"):
        dataclasses.replace(offer, schedule=other)
    with pytest.raises(ValueError, match="term"):
        dataclasses.replace(offer, term_months=12)
    with pytest.raises(ValueError, match="method"):
        dataclasses.replace(offer, method=RepaymentMethod.EQUAL_PRINCIPAL)


def test_an_equal_principal_offer_quotes_its_first_and_largest_payment() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, method=RepaymentMethod.EQUAL_PRINCIPAL)
    offer: Offer = make_offer(product, cny(36_000), 12)
    assert offer.monthly_payment == max(offer.schedule.payments())
    assert offer.monthly_payment == cny(3_324)


@pytest.mark.parametrize(
    ("months", "nearest"),
    [(12, 12), (13, 12), (15, 12), (16, 18), (48, 36), (1, 3), (30, 24), (21, 18)],
)
def test_nearest_term_suggests_the_closest_offered_term_preferring_the_shorter(
    months: int, nearest: int
) -> None:
    assert nearest_term(DEFAULT_PRODUCT, months) == nearest


@pytest.mark.parametrize("months", [0, -6])
def test_nearest_term_has_nothing_to_suggest_for_a_non_positive_term(months: int) -> None:
    assert nearest_term(DEFAULT_PRODUCT, months) is None
