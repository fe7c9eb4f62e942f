"""Schedules with interest-only grace months and with a flat monthly fee rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.lending.apr import rates_for
from lendline.lending.schedule import (
    RepaymentMethod,
    build_schedule,
    flat_fee,
    level_installment,
)
from lendline.shared.money import Money

EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL
ONE_PERCENT = Decimal("0.01")


def cny(value: str | int) -> Money:
    return Money.of(value)


# ---------------------------------------------------------------- grace months


@pytest.mark.parametrize("method", list(RepaymentMethod))
def test_no_grace_is_the_schedule_as_before(method: RepaymentMethod) -> None:
    plain = build_schedule(cny(50_000), ONE_PERCENT, 12, method)
    assert build_schedule(cny(50_000), ONE_PERCENT, 12, method, grace_months=0) == plain
    assert plain.peak_payment == plain.first_payment


def test_grace_months_pay_interest_only_then_equal_installments_over_the_rest() -> None:
    schedule = build_schedule(cny(50_000), ONE_PERCENT, 12, EQUAL_INSTALLMENT, grace_months=3)
    grace, rest = schedule.installments[:3], schedule.installments[3:]
    for item in grace:
        assert item.principal == cny(0)
        assert item.interest == item.payment == cny(500)  # 50,000 × 1 %
        assert item.balance_after == cny(50_000)
    level = Money(level_installment(Decimal(50_000), ONE_PERCENT, 9)).rounded()
    assert [item.payment for item in rest[:-1]] == [level] * 8
    assert schedule.total_principal == cny(50_000)
    assert schedule.installments[-1].balance_after.is_zero()
    assert schedule.peak_payment == level
    assert schedule.first_payment == cny(500)


def test_grace_months_then_equal_principal_over_the_rest() -> None:
    schedule = build_schedule(cny(12_000), ONE_PERCENT, 12, EQUAL_PRINCIPAL, grace_months=2)
    assert [item.principal for item in schedule.installments[2:]] == [cny(1_200)] * 10
    assert [item.payment for item in schedule.installments[:3]] == [
        cny(120),
        cny(120),
        cny(1_320),
    ]
    assert schedule.peak_payment == cny(1_320)
    # Interest is charged on the full balance through the grace months: 2 × 120 more.
    no_grace = build_schedule(cny(12_000), ONE_PERCENT, 10, EQUAL_PRINCIPAL)
    assert schedule.total_interest == no_grace.total_interest + cny(240)


def test_grace_months_keep_the_apr_at_the_nominal_rate() -> None:
    schedule = build_schedule(cny(50_000), ONE_PERCENT, 24, EQUAL_INSTALLMENT, grace_months=6)
    apr = rates_for(schedule, cny(50_000)).apr
    assert abs(apr - Decimal("0.12")) < Decimal("0.000005")


def test_a_grace_period_of_all_but_one_month_is_a_bullet() -> None:
    schedule = build_schedule(cny(10_000), ONE_PERCENT, 6, EQUAL_INSTALLMENT, grace_months=5)
    assert [item.principal for item in schedule.installments] == [cny(0)] * 5 + [cny(10_000)]
    assert schedule.installments[-1].payment == cny(10_100)
    assert schedule.peak_payment == cny(100)


@pytest.mark.parametrize("grace", [-1, 12, 13])
def test_grace_must_leave_a_month_to_repay_in(grace: int) -> None:
    with pytest.raises(ValueError, match="grace months"):
        build_schedule(cny(1_000), ONE_PERCENT, 12, EQUAL_INSTALLMENT, grace_months=grace)


amounts = st.integers(min_value=100_00, max_value=200_000_00).map(Money.from_minor)
monthly_rates = st.integers(min_value=0, max_value=3600).map(lambda bp: Decimal(bp) / 120_000)


@st.composite
def terms_and_grace(draw: st.DrawFn) -> tuple[int, int]:
    months = draw(st.integers(min_value=1, max_value=60))
    return months, draw(st.integers(min_value=0, max_value=months - 1))


@settings(max_examples=150, deadline=None)
@given(amounts, monthly_rates, terms_and_grace(), st.sampled_from(RepaymentMethod))
def test_grace_schedules_repay_exactly_the_principal_with_interest_on_the_balance(
    principal: Money, rate: Decimal, term: tuple[int, int], method: RepaymentMethod
) -> None:
    months, grace = term
    schedule = build_schedule(principal, rate, months, method, grace_months=grace)
    assert schedule.total_principal == principal
    assert schedule.term_months == months
    assert schedule.installments[-1].balance_after.is_zero()
    balance = principal
    for item in schedule.installments:
        assert item.interest == (balance * rate).rounded()
        if item.period <= grace:
            assert item.principal.is_zero()
            assert item.payment == item.interest
        for part in (item.payment, item.principal, item.interest, item.balance_after):
            assert part.rounded() == part
            assert part.amount >= 0
        balance = item.balance_after


# ---------------------------------------------------------------- flat fee rate


def test_vector_three_flat_fee_is_72_a_month_and_apr_13_0342_percent() -> None:
    schedule = build_schedule(
        cny(12_000), Decimal(0), 12, EQUAL_PRINCIPAL, monthly_fee_rate=Decimal("0.006")
    )
    assert schedule.payments() == (cny(1_072),) * 12
    assert schedule.total_fees == cny(864)
    rates = rates_for(schedule, cny(12_000))
    assert (rates.apr * 100).quantize(Decimal("0.0001")) == Decimal("13.0342")
    assert (rates.monthly_irr * 100).quantize(Decimal("0.0001")) == Decimal("1.0862")


def test_a_flat_fee_rate_matches_the_same_fixed_fee() -> None:
    by_rate = build_schedule(
        cny(12_000), Decimal(0), 12, EQUAL_PRINCIPAL, monthly_fee_rate=Decimal("0.006")
    )
    assert by_rate == build_schedule(cny(12_000), Decimal(0), 12, EQUAL_PRINCIPAL, cny(72))


def test_a_flat_fee_is_rounded_half_up_to_the_fen_on_the_original_principal() -> None:
    assert flat_fee(cny(101), Decimal("0.005")) == cny("0.51")  # 0.505: half up, not even
    assert flat_fee(cny("12345.67"), Decimal("0.006")) == cny("74.07")
    schedule = build_schedule(
        cny(101), ONE_PERCENT, 3, EQUAL_INSTALLMENT, monthly_fee_rate=Decimal("0.005")
    )
    # The fee stays on the original principal while the balance falls.
    assert {item.fee for item in schedule.installments} == {cny("0.51")}


def test_grace_months_pay_the_fee_too() -> None:
    schedule = build_schedule(
        cny(12_000),
        Decimal(0),
        12,
        EQUAL_PRINCIPAL,
        grace_months=2,
        monthly_fee_rate=Decimal("0.006"),
    )
    assert schedule.installments[0].payment == cny(72)
    assert schedule.total_fees == cny(864)


@pytest.mark.parametrize(
    ("fee", "rate", "error"),
    [
        (cny(5), Decimal("0.01"), ValueError),
        (None, Decimal("-0.01"), ValueError),
        (None, 0.01, TypeError),
    ],
)
def test_a_flat_fee_rate_refuses_a_second_fee_negatives_and_floats(
    fee: Money | None, rate: Decimal, error: type[Exception]
) -> None:
    with pytest.raises(error):
        build_schedule(cny(1_000), ONE_PERCENT, 12, EQUAL_INSTALLMENT, fee, monthly_fee_rate=rate)


def test_a_zero_fixed_fee_with_a_fee_rate_is_just_the_rate() -> None:
    schedule = build_schedule(
        cny(1_000), ONE_PERCENT, 2, EQUAL_INSTALLMENT, cny(0), monthly_fee_rate=Decimal("0.01")
    )
    assert schedule.total_fees == cny(20)
