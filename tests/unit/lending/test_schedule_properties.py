"""Properties of schedules, their APR and Money, over a far wider range than any product offers.

Loans run from 1 fen to 10,000,000 CNY, over 1 to 360 months, at 0 to 100 % a year (whole basis
points, divided by 12 as products do), with either method and with or without a monthly fee.
The bounds below are derived, not guessed; the derivations are in the comments, in major units
(CNY) with ``r`` the monthly rate, ``n`` the term, ``v = 1/(1+r)``, and

* ``s(n) = ((1+r)^n − 1) / r`` (``= n`` at ``r = 0``): what 1 CNY paid every month has grown to
  by month ``n``, i.e. how a rounding error made every month compounds by the end;
* ``a(n) = Σ v^k`` for ``k = 1..n``: what 1 CNY paid every month is worth today.

Rounding half up makes each rounded interest ``ε = round(x) − x`` lie in ``(−0.005, 0.005]``.
"""

from __future__ import annotations

import decimal
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from lendline.lending.apr import rates_for
from lendline.lending.schedule import RepaymentMethod, Schedule, build_schedule
from lendline.shared.money import MONEY_CONTEXT, Money, to_decimal

EQUAL_INSTALLMENT = RepaymentMethod.EQUAL_INSTALLMENT
EQUAL_PRINCIPAL = RepaymentMethod.EQUAL_PRINCIPAL
FEN = Fraction(1, 100)
HALF_FEN = Fraction(1, 200)
#: Money arithmetic runs at 34 digits, so a product like ``balance × r`` can sit 1e-25 CNY off
#: its exact value; far below any fen, and this slack absorbs it in the exact comparisons.
DIGITS_SLACK = Fraction(1, 10**20)

principals = st.integers(min_value=1, max_value=10_000_000_00).map(Money.from_minor)
terms = st.integers(min_value=1, max_value=360)
annual_bps = st.integers(min_value=0, max_value=10_000)
methods = st.sampled_from(RepaymentMethod)
fees = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000_00).map(Money.from_minor))

#: Building a 360-month schedule takes a few milliseconds and solving its APR about as long;
#: these counts keep the file to seconds while still reaching the edges (Hypothesis favours
#: boundary values such as 1 fen, 1 and 360 months, 0 % and 100 %).
schedules_settings = settings(max_examples=150, deadline=None)
apr_settings = settings(max_examples=80, deadline=None)


def monthly(annual_bp: int) -> Decimal:
    """The monthly rate a product derives from an annual rate in basis points (annual ÷ 12)."""
    with decimal.localcontext(MONEY_CONTEXT):
        return Decimal(annual_bp) / 120_000


def exact(amount: Money | Decimal) -> Fraction:
    return Fraction(amount.amount if isinstance(amount, Money) else amount)


def round_half_up(value: Fraction) -> Fraction:
    """Round a non-negative exact value to the fen, half up, with integers only."""
    return Fraction(math.floor(value * 100 + Fraction(1, 2)), 100)


def grown(r: Fraction, n: int) -> Fraction:
    """``s(n)``: 1 CNY a month for ``n`` months, compounded to month ``n``."""
    return Fraction(n) if r == 0 else ((1 + r) ** n - 1) / r


def exact_level_installment(principal: Fraction, r: Fraction, n: int) -> Fraction:
    """``A = P·r·(1+r)^n / ((1+r)^n − 1)``, i.e. ``P·(1+r)^n / s(n)``, with no rounding."""
    return principal * (1 + r) ** n / grown(r, n)


def balances_before(schedule: Schedule, principal: Money) -> list[Money]:
    return [principal] + [item.balance_after for item in schedule.installments[:-1]]


def paid_off_at(schedule: Schedule) -> int:
    """The 0-based index of the first installment that leaves nothing owed."""
    return next(k for k, item in enumerate(schedule.installments) if item.balance_after.is_zero())


# --- Schedules --------------------------------------------------------------------------


@schedules_settings
@given(principals, annual_bps, terms, methods, fees)
def test_principal_parts_sum_exactly_to_the_principal(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod, fee: Money | None
) -> None:
    schedule = build_schedule(principal, monthly(annual_bp), months, method, fee)
    assert schedule.term_months == months
    assert schedule.total_principal == principal
    for item in schedule.installments:
        for part in (item.payment, item.principal, item.interest, item.fee):
            assert part.rounded() == part, "every posted amount is whole fen"
            assert part.amount >= 0


@schedules_settings
@given(principals, annual_bps, terms, methods, fees)
def test_balances_never_go_negative_never_rise_and_end_at_zero(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod, fee: Money | None
) -> None:
    schedule = build_schedule(principal, monthly(annual_bp), months, method, fee)
    before = principal
    for item in schedule.installments:
        assert item.balance_after == before - item.principal
        assert Money.zero() <= item.balance_after <= before
        before = item.balance_after
    assert schedule.installments[-1].balance_after.is_zero()


@schedules_settings
@given(principals, annual_bps, terms, methods, fees)
def test_each_payment_is_its_principal_plus_interest_plus_the_fee(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod, fee: Money | None
) -> None:
    schedule = build_schedule(principal, monthly(annual_bp), months, method, fee)
    for item in schedule.installments:
        assert item.payment == item.principal + item.interest + item.fee
        assert item.fee == (fee or Money.zero())
    assert schedule.total_payment == principal + schedule.total_interest + schedule.total_fees


@schedules_settings
@given(principals, annual_bps, terms, methods, fees)
def test_interest_is_the_balance_before_times_the_rate_rounded_half_up(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod, fee: Money | None
) -> None:
    rate = monthly(annual_bp)
    schedule = build_schedule(principal, rate, months, method, fee)
    for before, item in zip(
        balances_before(schedule, principal), schedule.installments, strict=True
    ):
        with decimal.localcontext(MONEY_CONTEXT):
            expected = (before.amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert item.interest.amount == expected
        # And independently of Decimal: within half a fen of the exact rational interest
        # at the nominal rate (bp / 120,000), off by at most the 34-digit slack.
        error = exact(item.interest) - exact(before) * Fraction(annual_bp, 120_000)
        assert -HALF_FEN - DIGITS_SLACK < error <= HALF_FEN + DIGITS_SLACK


@schedules_settings
@given(principals, annual_bps, terms, fees)
def test_equal_installments_are_level_and_the_last_is_off_by_the_compounded_rounding(
    principal: Money, annual_bp: int, months: int, fee: Money | None
) -> None:
    r = exact(monthly(annual_bp))
    schedule = build_schedule(principal, monthly(annual_bp), months, EQUAL_INSTALLMENT, fee)
    exact_level = exact_level_installment(exact(principal), r, months)
    level = round_half_up(exact_level)  # A' = round(A); its error is δ = A' − A
    fee_part = exact(fee or Money.zero())
    payments = [exact(item.payment) - fee_part for item in schedule.installments]
    end = paid_off_at(schedule)

    # The rounded installment A' never falls short of the first month's interest (A ≥ P·r and
    # rounding keeps order), so no month adds to the balance; with the balance B_k the
    # posted one and b_k the exact one, e_k = B_k − b_k obeys e_k = e_{k-1}(1+r) + ε_k − δ,
    # so |e_k| ≤ 0.01·s(k). The balance can therefore reach zero before the last month only
    # if the smallest exact balance, b_{n-1} = A·v, is within 0.01·s(n−1) of zero: small
    # installments over long terms (301 CNY over 360 months at 0 % pays 0.84 a month, is
    # repaid in month 359 and pays nothing in month 360), or long terms at high rates, where
    # s(n−1) is huge. The months after such an early end pay only the fee, so "level but the
    # last" does not hold there (reported with issue 4, not changed here).
    may_end_early = exact_level / (1 + r) <= FEN * grown(r, months - 1) + DIGITS_SLACK
    assert all(payment == level for payment in payments[:end])
    assert all(item.principal.is_zero() for item in schedule.installments[end + 1 :])
    if not may_end_early:
        assert end == months - 1
    if end < months - 1:
        event("paid off before the last month")
        return
    event("level schedule" if not may_end_early else "level, though it might have ended early")
    # Summing the recursion, the last payment L satisfies L − A' = −δ·s(n) + Σ ε_k (1+r)^(n−k):
    # the installment's rounding carried to the end plus each month's interest rounding
    # compounded. So |L − A' + δ·s(n)| ≤ 0.005·s(n) and |L − A'| ≤ 0.01·s(n). That is n fen at
    # 0 % (exactly n·|δ| ≤ n/2 fen there), but 1.63 CNY over 60 months at 36 % and about
    # 14,000 CNY over 360 months at 36 %: the "within n fen" rule of thumb is wrong.
    # (The cap that stops a balance going below zero never acted before the last month
    # here, so the recursion holds as written.)
    last, delta, s = payments[-1], level - exact_level, grown(r, months)
    assert abs(last - level + delta * s) <= HALF_FEN * s + DIGITS_SLACK * s
    assert abs(last - level) <= FEN * s + DIGITS_SLACK * s
    if r == 0:
        assert last - level == -months * delta


@schedules_settings
@given(principals, annual_bps, terms, fees)
def test_equal_principal_parts_are_level_but_the_last_which_is_off_by_half_a_fen_a_month(
    principal: Money, annual_bp: int, months: int, fee: Money | None
) -> None:
    schedule = build_schedule(principal, monthly(annual_bp), months, EQUAL_PRINCIPAL, fee)
    part = round_half_up(exact(principal) / months)  # p' = round(P/n), within half a fen
    parts = [exact(item.principal) for item in schedule.installments]
    # n − 1 rounded parts repay the principal early only if (n − 1)·p' > P, which needs
    # P < n(n − 1)/2 fen (p' ≤ P/n + 0.005), i.e. parts below (n − 1)/2 fen; as above, the
    # months after the early end then pay only the fee.
    if (months - 1) * part > exact(principal):
        event("paid off before the last month")
        end = paid_off_at(schedule)
        assert all(value == part for value in parts[:end])
        assert all(value == 0 for value in parts[end + 1 :])
        return
    event("level principal parts")
    assert all(value == part for value in parts[:-1])
    # The last part takes the n rounding errors of p' together: at most half a fen each.
    assert parts[-1] == exact(principal) - (months - 1) * part
    assert abs(parts[-1] - part) <= HALF_FEN * months


# --- APR ---------------------------------------------------------------------------------


def npv_slope(schedule: Schedule, rate: Decimal) -> Decimal:
    """``|d NPV / d rate| = Σ k·CF_k·(1+rate)^(−k−1)``: it falls as the rate rises."""
    with decimal.localcontext(MONEY_CONTEXT):
        discount = 1 / (1 + rate)
        factor, slope = discount, Decimal(0)
        for k, item in enumerate(schedule.installments, start=1):
            factor *= discount
            slope += k * item.payment.amount * factor
        return slope


def present_value_of_one_a_month(rate: Decimal, months: int) -> Decimal:
    """``a(n)``."""
    with decimal.localcontext(MONEY_CONTEXT):
        discount = 1 / (1 + rate)
        return sum((discount**k for k in range(1, months + 1)), Decimal(0))


@apr_settings
@given(principals, annual_bps, terms, methods)
def test_without_fees_the_apr_misses_the_nominal_rate_only_by_the_rounding_of_interest(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod
) -> None:
    rate = monthly(annual_bp)
    schedule = build_schedule(principal, rate, months, method)
    irr = rates_for(schedule, principal).monthly_irr
    # Each month B_k = B_{k-1}(1+r) + ε_k − CF_k, so Σ CF_k·v^k = P + Σ ε_k·v^k: at the
    # nominal rate the NPV is the discounted interest rounding, |NPV(r)| < 0.005·a(n). By the
    # mean value theorem |i − r| = |NPV(r)| / slope(ξ) for some ξ between them, and the
    # slope falls as the rate rises, so the slope at max(r, i) bounds it from below.
    bound = Decimal("0.005") * present_value_of_one_a_month(rate, months)
    bound /= npv_slope(schedule, max(rate, irr))
    assert abs(irr - rate) <= bound * (1 + Decimal("1e-12")) + Decimal("1e-15")


@apr_settings
@given(
    st.integers(min_value=120_000_00, max_value=10_000_000_00).map(Money.from_minor),
    annual_bps,
    terms,
    methods,
)
def test_without_fees_the_apr_is_within_a_millionth_of_nominal_from_120_000_cny(
    principal: Money, annual_bp: int, months: int, method: RepaymentMethod
) -> None:
    # From the bound above: a(n) / slope < 2/P for every term and rate (it tends to 2n/(n+1)/P
    # at 0 %, the worst case), so |APR − nominal| = 12·|i − r| < 12·0.005·2/P = 0.12 CNY / P.
    # That is below 1e-6 from P = 120,000 CNY, whatever the term and rate. Smaller loans can
    # miss by more: 1,000 CNY for a month at 0.01 % a year owes 0.0083 CNY interest, posted
    # as 0.01, an APR of 0.012 %; so the DOMAIN-NOTES "IRR within 1e-6" needs P ≥ 10,000 CNY
    # for the monthly IRR and P ≥ 120,000 CNY for the APR.
    schedule = build_schedule(principal, monthly(annual_bp), months, method)
    apr = rates_for(schedule, principal).apr
    assert abs(apr - Decimal(annual_bp) / 10_000) < Decimal("1e-6")


@st.composite
def loans_with_a_fee(draw: st.DrawFn) -> tuple[Money, Money]:
    """A principal and a positive monthly fee of at most the principal.

    Larger fees on a loan of a few fen give monthly rates in the thousands of percent, where
    the APR is not computed (see the report of issue 4: the effective rate overflows the money
    context from a monthly IRR of about 3,060 %, and the solver gives up above 524,288).
    """
    principal = draw(principals)
    fee = draw(st.integers(min_value=1, max_value=min(principal.to_minor(), 10_000_00)))
    return principal, Money.from_minor(fee)


@apr_settings
@given(loans_with_a_fee(), annual_bps, terms, methods)
def test_any_positive_fee_puts_the_apr_strictly_above_the_nominal_rate(
    loan: tuple[Money, Money], annual_bp: int, months: int, method: RepaymentMethod
) -> None:
    principal, fee = loan
    # With a fee f ≥ 0.01 every month, Σ CF_k·v^k = P + Σ (ε_k + f)·v^k and ε_k + f ≥ 0.005:
    # the NPV at the nominal rate is positive, so the IRR lies strictly above it, however
    # large the loan and small the fee.
    schedule = build_schedule(principal, monthly(annual_bp), months, method, fee)
    assert rates_for(schedule, principal).apr > Decimal(annual_bp) / 10_000


# --- Money -------------------------------------------------------------------------------

minor_units = st.integers(min_value=-(10**15), max_value=10**15)
currencies = st.sampled_from(["CNY", "USD", "HKD", "EUR"])


@settings(max_examples=300, deadline=None)
@given(minor_units, currencies)
def test_minor_units_round_trip_exactly(minor: int, currency: str) -> None:
    money = Money.from_minor(minor, currency)
    assert money.to_minor() == minor
    assert money.rounded() == money
    assert Money.of(str(money.amount), currency) == money


@settings(max_examples=300, deadline=None)
@given(minor_units, minor_units)
def test_adding_and_subtracting_money_is_exact(a: int, b: int) -> None:
    assert Money.from_minor(a) + Money.from_minor(b) == Money.from_minor(a + b)
    assert Money.from_minor(a) - Money.from_minor(b) == Money.from_minor(a - b)
    assert -Money.from_minor(a) == Money.from_minor(-a)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_rounding_is_half_up_to_the_fen(thousandths: int) -> None:
    money = Money.of(Decimal(thousandths).scaleb(-3))
    # Half up on a non-negative amount in thousandths of a yuan: add 5, drop the last digit.
    assert money.rounded().to_minor() == (thousandths + 5) // 10
    assert money.rounded().rounded() == money.rounded()
    if thousandths % 10:
        with pytest.raises(ValueError, match="round it first"):
            money.to_minor()


@given(st.floats())
def test_floats_are_refused_everywhere_money_is_made(value: float) -> None:
    for make in (
        Money,
        Money.of,
        Money.from_minor,
        to_decimal,
        lambda x: Money.of(1) * x,
        lambda x: build_schedule(Money.of(1_000), x, 12, EQUAL_INSTALLMENT),
    ):
        with pytest.raises(TypeError):
            make(value)


@given(st.booleans())
def test_booleans_are_not_amounts(value: bool) -> None:
    for make in (Money, Money.from_minor, to_decimal):
        with pytest.raises(TypeError):
            make(value)
