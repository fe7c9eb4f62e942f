"""APR by the IRR method: DOMAIN-NOTES §4 vectors 1–3 (cross-checks: test_irr_crosscheck.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendline.lending.apr import AnnualRates, IrrNotFound, monthly_irr, rates_for
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.shared.money import CurrencyMismatch, Money

EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL
ONE_PERCENT = Decimal("0.01")


def cny(value: str | int) -> Money:
    return Money.of(value)


def percent(rate: Decimal) -> Decimal:
    """A rate in percent to four decimal places, as the notes and the contract state it."""
    return (rate * 100).quantize(Decimal("0.0001"))


def vector_one(method: RepaymentMethod, fee: Money | None = None) -> list[Money]:
    return list(build_schedule(cny(50_000), ONE_PERCENT, 12, method, fee).payments())


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_vector_one_has_apr_12_percent_and_effective_12_6825_percent(
    method: RepaymentMethod,
) -> None:
    schedule = build_schedule(cny(50_000), ONE_PERCENT, 12, method)
    rates = rates_for(schedule, cny(50_000))
    assert percent(rates.apr) == Decimal("12.0000")
    assert percent(rates.effective) == Decimal("12.6825")
    assert percent(rates.monthly_irr) == Decimal("1.0000")


def test_fen_rounded_schedule_gives_an_irr_within_a_millionth_of_the_nominal_rate() -> None:
    irr = monthly_irr(cny(50_000), vector_one(EQUAL_INSTALLMENT))
    assert abs(irr - ONE_PERCENT) < Decimal("1e-6")


def test_vector_two_fee_deducted_at_disbursement_gives_apr_15_8545_percent() -> None:
    rates = AnnualRates.from_monthly_irr(monthly_irr(cny(49_000), vector_one(EQUAL_INSTALLMENT)))
    assert percent(rates.monthly_irr) == Decimal("1.3212")
    assert percent(rates.apr) == Decimal("15.8545")
    assert percent(rates.effective) == Decimal("17.0589")


def test_vector_two_monthly_service_fee_gives_apr_16_2491_percent() -> None:
    schedule = build_schedule(cny(50_000), ONE_PERCENT, 12, EQUAL_INSTALLMENT, cny(100))
    rates = rates_for(schedule, cny(50_000))
    assert percent(rates.monthly_irr) == Decimal("1.3541")
    assert percent(rates.apr) == Decimal("16.2491")
    assert percent(rates.effective) == Decimal("17.5156")


def test_vector_three_flat_fee_loan_gives_apr_13_0342_percent() -> None:
    schedule = build_schedule(cny(12_000), Decimal(0), 12, EQUAL_PRINCIPAL, cny(72))
    assert schedule.payments() == (cny(1_072),) * 12
    assert schedule.total_fees == cny(864)
    rates = rates_for(schedule, cny(12_000))
    assert percent(rates.monthly_irr) == Decimal("1.0862")
    assert percent(rates.apr) == Decimal("13.0342")
    assert percent(rates.effective) == Decimal("13.8418")


def test_apr_is_twelve_times_the_monthly_irr_and_effective_compounds_it() -> None:
    rates = AnnualRates.from_monthly_irr(Decimal("0.01"))
    assert rates.apr == Decimal("0.12")
    assert rates.effective == Decimal("0.1268250301319697")


def test_zero_rate_loan_without_fees_has_an_apr_of_zero() -> None:
    schedule = build_schedule(cny(3_000), Decimal(0), 6, EQUAL_INSTALLMENT)
    assert rates_for(schedule, cny(3_000)).apr == 0


def test_repaying_less_than_received_gives_a_negative_irr() -> None:
    irr = monthly_irr(cny(1_000), [cny(450), cny(450)])
    assert irr < 0
    # 1000 = 450 v + 450 v², so v = (-1 + sqrt(1 + 4·1000/450)) / 2 and i = 1/v − 1.
    discount = (-1 + (1 + Decimal(4000) / 450).sqrt()) / 2
    assert abs(irr - (1 / discount - 1)) < Decimal("1e-15")


def test_a_very_expensive_loan_is_still_solved() -> None:
    irr = monthly_irr(cny(100), [cny(1_000)])
    assert irr == Decimal(9)


@pytest.mark.parametrize(
    ("net", "payments", "error"),
    [
        (Money.of(0), [Money.of(10)], ValueError),
        (Money.of(100), [], ValueError),
        (Money.of(100), [Money.of(-10), Money.of(200)], ValueError),
        (Money.of(100), [Money.of(110, "USD")], CurrencyMismatch),
        (Money.of(100), [Money.of(0), Money.of(0)], IrrNotFound),
        (Money.of(100), [Money.of("0.000000001")], IrrNotFound),
    ],
)
def test_monthly_irr_rejects_cash_flows_that_are_not_a_loan(
    net: Money, payments: list[Money], error: type[Exception]
) -> None:
    with pytest.raises(error):
        monthly_irr(net, payments)


amounts = st.integers(min_value=100_00, max_value=200_000_00).map(Money.from_minor)
terms = st.integers(min_value=1, max_value=60)
annual_rates = st.integers(min_value=0, max_value=3600).map(lambda bp: Decimal(bp) / 10_000)
fees = st.integers(min_value=1, max_value=100_000).map(Money.from_minor)


@given(amounts, annual_rates, terms, st.sampled_from(RepaymentMethod), fees)
def test_a_periodic_fee_always_puts_the_apr_above_the_nominal_rate(
    principal: Money, annual: Decimal, months: int, method: RepaymentMethod, fee: Money
) -> None:
    schedule = build_schedule(principal, annual / 12, months, method, fee)
    assert rates_for(schedule, principal).apr > annual


@given(amounts, annual_rates, terms, st.sampled_from(RepaymentMethod))
def test_without_fees_the_apr_is_the_nominal_rate_to_within_rounding(
    principal: Money, annual: Decimal, months: int, method: RepaymentMethod
) -> None:
    schedule = build_schedule(principal, annual / 12, months, method)
    apr = rates_for(schedule, principal).apr
    # Fen rounding moves each payment by at most a fen; relative to the loan that is tiny.
    assert abs(apr - annual) < Decimal("0.001")


def test_an_absurd_monthly_rate_still_annualises_instead_of_failing() -> None:
    rates = AnnualRates.from_monthly_irr(Decimal(31))
    assert rates.apr == Decimal(372)
    assert rates.effective == Decimal(32) ** 12 - 1
