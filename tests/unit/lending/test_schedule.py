"""Repayment schedules: DOMAIN-NOTES §4 vector 1 exactly, and the rounding invariants."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendline.lending.schedule import (
    Installment,
    RepaymentMethod,
    Schedule,
    build_schedule,
    level_installment,
)
from lendline.shared.money import CurrencyMismatch, Money

EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL
ONE_PERCENT = Decimal("0.01")


def cny(value: str | int) -> Money:
    return Money.of(value)


def vector_one(method: RepaymentMethod) -> Schedule:
    return build_schedule(cny(50_000), ONE_PERCENT, 12, method)


def test_repayment_methods_have_stable_values() -> None:
    assert EQUAL_INSTALLMENT.value == "equal_installment"
    assert EQUAL_PRINCIPAL.value == "equal_principal"


def test_exact_level_installment_of_vector_one_is_4442_439434() -> None:
    exact = level_installment(Decimal(50_000), ONE_PERCENT, 12)
    assert exact.quantize(Decimal("0.000001")) == Decimal("4442.439434")


def test_equal_installment_vector_one_is_eleven_times_4442_44_then_4442_43() -> None:
    schedule = vector_one(EQUAL_INSTALLMENT)
    payments = [item.payment for item in schedule.installments]
    assert payments == [cny("4442.44")] * 11 + [cny("4442.43")]


def test_equal_installment_vector_one_totals_match_the_notes() -> None:
    schedule = vector_one(EQUAL_INSTALLMENT)
    assert schedule.total_interest == cny("3309.27")
    assert schedule.total_payment == cny("53309.27")
    assert schedule.total_principal == cny(50_000)
    assert schedule.total_fees == cny(0)
    assert schedule.first_payment == cny("4442.44")
    assert schedule.term_months == 12
    assert schedule.currency == "CNY"


def test_equal_installment_vector_one_first_and_last_months_split_as_in_the_notes() -> None:
    installments = vector_one(EQUAL_INSTALLMENT).installments
    first, last = installments[0], installments[-1]
    assert (first.interest, first.principal, first.balance_after) == (
        cny("500.00"),
        cny("3942.44"),
        cny("46057.56"),
    )
    assert (last.interest, last.principal, last.balance_after) == (
        cny("43.98"),
        cny("4398.45"),
        cny(0),
    )


def test_equal_principal_vector_one_falls_from_4666_67_to_4208_30() -> None:
    schedule = vector_one(EQUAL_PRINCIPAL)
    payments = [item.payment for item in schedule.installments]
    assert payments[0] == cny("4666.67")
    assert payments[-1] == cny("4208.30")
    assert schedule.total_interest == cny("3250.00")
    assert schedule.total_payment == cny("53250.00")


def test_equal_principal_payments_fall_by_about_41_67_a_month() -> None:
    payments = [item.payment.amount for item in vector_one(EQUAL_PRINCIPAL).installments]
    drops = {earlier - later for earlier, later in pairwise(payments)}
    assert drops <= {Decimal("41.66"), Decimal("41.67"), Decimal("41.70")}


def test_every_installment_is_its_principal_plus_interest_plus_fee() -> None:
    schedule = build_schedule(cny(10_000), ONE_PERCENT, 6, EQUAL_INSTALLMENT, cny(25))
    for item in schedule.installments:
        assert item.payment == item.principal + item.interest + item.fee
        assert item.fee == cny(25)
    assert schedule.total_fees == cny(150)


def test_a_monthly_fee_adds_to_each_payment_but_not_to_interest() -> None:
    plain = vector_one(EQUAL_INSTALLMENT)
    with_fee = build_schedule(cny(50_000), ONE_PERCENT, 12, EQUAL_INSTALLMENT, cny(100))
    assert with_fee.total_interest == plain.total_interest
    assert with_fee.total_payment == plain.total_payment + cny(1_200)
    assert with_fee.first_payment == cny("4542.44")


def test_zero_rate_loan_repays_principal_in_equal_parts_with_no_interest() -> None:
    schedule = build_schedule(cny(1_000), Decimal(0), 3, EQUAL_INSTALLMENT)
    assert [item.payment for item in schedule.installments] == [
        cny("333.33"),
        cny("333.33"),
        cny("333.34"),
    ]
    assert schedule.total_interest == cny(0)


def test_zero_rate_equal_principal_matches_zero_rate_equal_installment() -> None:
    a = build_schedule(cny(12_345), Decimal(0), 7, EQUAL_INSTALLMENT)
    b = build_schedule(cny(12_345), Decimal(0), 7, EQUAL_PRINCIPAL)
    assert a.payments() == b.payments()


def test_one_month_loan_is_a_single_payment_of_principal_and_interest() -> None:
    schedule = build_schedule(cny(1_000), ONE_PERCENT, 1, EQUAL_INSTALLMENT)
    assert schedule.payments() == (cny("1010.00"),)


def test_tiny_principal_over_many_months_never_drives_the_balance_negative() -> None:
    schedule = build_schedule(cny("1.00"), Decimal(0), 60, EQUAL_PRINCIPAL)
    assert schedule.total_principal == cny("1.00")
    assert all(item.balance_after.amount >= 0 for item in schedule.installments)


@pytest.mark.parametrize(
    ("principal", "rate", "months", "fee", "error"),
    [
        (Money.of(0), ONE_PERCENT, 12, None, ValueError),
        (Money.of("100.005"), ONE_PERCENT, 12, None, ValueError),
        (Money.of(100), Decimal("-0.01"), 12, None, ValueError),
        (Money.of(100), ONE_PERCENT, 0, None, ValueError),
        (Money.of(100), ONE_PERCENT, 12, Money.of(-1), ValueError),
        (Money.of(100), ONE_PERCENT, 12, Money.of(1, "USD"), CurrencyMismatch),
        (Money.of(100), 0.01, 12, None, TypeError),
    ],
)
def test_build_schedule_rejects_impossible_loans(
    principal: Money, rate: Decimal, months: int, fee: Money | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        build_schedule(principal, rate, months, EQUAL_INSTALLMENT, fee)


def test_installment_refuses_parts_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="add up"):
        Installment(1, cny(100), cny(90), cny(5), cny(0), cny(0))


def test_schedule_refuses_gaps_in_the_periods_and_empty_schedules() -> None:
    item = Installment(2, cny(100), cny(100), cny(0), cny(0), cny(0))
    with pytest.raises(ValueError, match="without gaps"):
        Schedule(EQUAL_INSTALLMENT, (item,))
    with pytest.raises(ValueError, match="at least one"):
        Schedule(EQUAL_INSTALLMENT, ())


def test_schedule_refuses_mixed_currencies() -> None:
    first = Installment(1, cny(100), cny(100), cny(0), cny(0), cny(0))
    usd = Money.of(100, "USD")
    second = Installment(2, usd, usd, Money.zero("USD"), Money.zero("USD"), Money.zero("USD"))
    with pytest.raises(ValueError, match="single currency"):
        Schedule(EQUAL_INSTALLMENT, (first, second))


amounts = st.integers(min_value=100_00, max_value=200_000_00).map(Money.from_minor)
terms = st.integers(min_value=1, max_value=60)
# Annual rates 0–36 % in basis points, turned into the monthly rate the bank way (÷ 12).
monthly_rates = st.integers(min_value=0, max_value=3600).map(lambda bp: Decimal(bp) / 120_000)
methods = st.sampled_from(RepaymentMethod)


@given(amounts, monthly_rates, terms, methods)
def test_principal_parts_always_sum_exactly_to_the_principal(
    principal: Money, rate: Decimal, months: int, method: RepaymentMethod
) -> None:
    schedule = build_schedule(principal, rate, months, method)
    assert schedule.total_principal == principal
    assert schedule.installments[-1].balance_after.is_zero()
    assert schedule.term_months == months


@given(amounts, monthly_rates, terms, methods)
def test_every_posted_amount_is_whole_fen_and_never_negative(
    principal: Money, rate: Decimal, months: int, method: RepaymentMethod
) -> None:
    for item in build_schedule(principal, rate, months, method).installments:
        for part in (item.payment, item.principal, item.interest, item.balance_after):
            assert part.rounded() == part
            assert part.amount >= 0


@given(amounts, monthly_rates, terms, methods)
def test_balances_fall_by_exactly_each_principal_part(
    principal: Money, rate: Decimal, months: int, method: RepaymentMethod
) -> None:
    balance = principal
    for item in build_schedule(principal, rate, months, method).installments:
        # Interest is charged on the balance before the month's payment.
        assert item.interest == (balance * rate).rounded()
        balance = balance - item.principal
        assert item.balance_after == balance


@given(amounts, monthly_rates, terms)
def test_equal_installment_payments_are_level_except_the_last_within_the_rounding_drift(
    principal: Money, rate: Decimal, months: int
) -> None:
    payments = build_schedule(principal, rate, months, EQUAL_INSTALLMENT).payments()
    assert len(set(payments[:-1])) <= 1
    # Rounding the installment by at most half a fen leaves a residue that compounds at the
    # loan's rate: the last payment can differ by up to 0.01 × ((1+r)^n − 1) / r, which is n
    # fen at 0 % but 1.63 CNY over 60 months at 36 % a year (27,667.69 CNY at 26.46 % over
    # 58 months really ends 0.60 CNY below the level payment).
    drift = Decimal(months) if rate == 0 else ((1 + rate) ** months - 1) / rate
    assert abs(payments[-1].amount - payments[0].amount) <= Decimal("0.01") * drift


@given(amounts, monthly_rates, terms)
def test_equal_principal_never_costs_more_interest_than_equal_installment(
    principal: Money, rate: Decimal, months: int
) -> None:
    level = build_schedule(principal, rate, months, EQUAL_INSTALLMENT)
    falling = build_schedule(principal, rate, months, EQUAL_PRINCIPAL)
    # Rounding each month's interest can move either total by up to half a fen per month.
    slack = Decimal("0.005") * months * 2
    assert falling.total_interest.amount <= level.total_interest.amount + slack
