"""The annual percentage rate by the IRR method (PBoC Announcement [2021] No.3, R6).

The monthly IRR ``i`` solves ``P_net = Σ CF_k / (1+i)^k``, where ``P_net`` is the cash the
borrower actually receives and ``CF_k`` is everything paid in month ``k`` (principal, interest
and every fee). The disclosed APR is ``12 · i`` (the Chinese "IRR年化" convention); the effective
compound rate ``(1+i)^12 − 1`` is shown alongside as extra information (DOMAIN-NOTES §4).

The solver runs in Decimal: Newton steps kept inside a shrinking bracket, with a bisection
step whenever Newton would leave it (or stalls), so it always converges for the cash flows of
a loan, which have a single root.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lendline.lending.schedule import Schedule
from lendline.shared.money import MONEY_CONTEXT, CurrencyMismatch, Money

#: The solver stops once the rate is pinned down to this width (well inside 1e-12).
TOLERANCE: Final = Decimal("1e-15")

#: The IRR is reported to this many places; far below any disclosure precision.
IRR_QUANTUM: Final = Decimal("1e-16")

#: Upper limit on solver steps; bisection alone halves a width-1 bracket below 1e-15 in ~50.
_MAX_STEPS: Final = 200

#: Lowest rate the bracket may reach: just above -100 % a month, where discounting breaks down.
_FLOOR: Final = Decimal("-0.999999")


class IrrNotFound(ArithmeticError):
    """Raised when the cash flows have no rate that discounts them to the amount received."""


@dataclass(frozen=True, slots=True)
class AnnualRates:
    """The rates a loan is disclosed with.

    Parameters:
        apr: 12 × the monthly IRR: the annualised rate that must be said first (R6).
        effective: ``(1 + monthly IRR)^12 − 1``, the compound annual rate.
        monthly_irr: the monthly internal rate of return of the borrower's cash flows.
    """

    apr: Decimal
    effective: Decimal
    monthly_irr: Decimal

    @classmethod
    def from_monthly_irr(cls, monthly_irr: Decimal) -> AnnualRates:
        """Annualise a monthly IRR both ways."""
        with decimal.localcontext(MONEY_CONTEXT) as context:
            apr = monthly_irr * 12
            effective = (1 + monthly_irr) ** 12 - 1
            # An absurd monthly rate (over ~3,000 %) has more digits before the point than the
            # context holds after quantizing to 1e-16; widen it rather than fail.
            context.prec = max(context.prec, effective.adjusted() + 18)
            effective = effective.quantize(IRR_QUANTUM)
        return cls(apr=apr, effective=effective, monthly_irr=monthly_irr)


def _value_and_slope(
    rate: Decimal, net: Decimal, flows: Sequence[Decimal]
) -> tuple[Decimal, Decimal]:
    """Return the net present value at ``rate`` and its derivative with respect to the rate."""
    discount = 1 / (1 + rate)
    factor = Decimal(1)
    value = -net
    slope = Decimal(0)
    for period, flow in enumerate(flows, start=1):
        factor *= discount
        value += flow * factor
        slope -= period * flow * factor * discount
    return value, slope


def monthly_irr(net_disbursed: Money, payments: Sequence[Money]) -> Decimal:
    """Return the monthly internal rate of return of a loan.

    Args:
        net_disbursed: the cash the borrower actually received at the start.
        payments: what the borrower pays at the end of month 1, 2, ... (all costs included).

    Returns:
        The monthly rate ``i`` with ``net_disbursed = Σ payments[k-1] / (1+i)^k``, to 16
        decimal places.

    Raises:
        ValueError: if the amount received is not positive, there are no payments, or a
            payment is negative.
        CurrencyMismatch: if the payments are in another currency than the amount received.
        IrrNotFound: if the solver cannot pin the rate down (not expected for loan flows).
    """
    if net_disbursed.amount <= 0:
        raise ValueError("the amount received must be positive")
    if not payments:
        raise ValueError("a loan has at least one payment")
    for payment in payments:
        if payment.currency != net_disbursed.currency:
            raise CurrencyMismatch(f"{payment.currency} vs {net_disbursed.currency}")
        if payment.amount < 0:
            raise ValueError("payments cannot be negative")
    if sum(payment.amount for payment in payments) == 0:
        raise IrrNotFound("nothing is ever repaid")

    net = net_disbursed.amount
    flows = [payment.amount for payment in payments]
    with decimal.localcontext(MONEY_CONTEXT):
        # With positive payments the present value falls as the rate rises, so one root
        # exists; find a bracket [low, high] with value(low) > 0 > value(high).
        low, high = Decimal(0), Decimal(1)
        if _value_and_slope(low, net, flows)[0] < 0:
            low, high = _FLOOR, Decimal(0)
            if _value_and_slope(low, net, flows)[0] < 0:
                raise IrrNotFound("payments are too small for any rate above -100 %")
        else:
            while _value_and_slope(high, net, flows)[0] > 0:
                low, high = high, high * 2
                if high > 10**6:
                    raise IrrNotFound("payments are too large for any plausible rate")

        # Start from the flat-cost estimate: good loans converge in a handful of steps.
        total = sum(flows, Decimal(0))
        rate = min(max((total - net) / net / len(flows), low), high)
        for _ in range(_MAX_STEPS):
            value, slope = _value_and_slope(rate, net, flows)
            if value == 0:
                return rate.quantize(IRR_QUANTUM)
            if value > 0:
                low = rate
            else:
                high = rate
            # Some payment is positive, so the slope is strictly negative: never zero.
            newton = rate - value / slope
            if low < newton < high:
                step = abs(newton - rate)
                rate = newton
            else:
                # Newton would leave the bracket: bisect instead, which always makes progress.
                rate = (low + high) / 2
                step = high - low
            if step < TOLERANCE:
                return rate.quantize(IRR_QUANTUM)
    raise IrrNotFound("the IRR solver did not converge")


def rates_for(schedule: Schedule, net_disbursed: Money) -> AnnualRates:
    """Return the disclosed rates of a schedule for the cash the borrower received.

    Args:
        schedule: the repayment schedule, fees included in each payment.
        net_disbursed: what the borrower actually received (the principal, since R8 forbids
            deducting anything up front).

    Returns:
        The APR (12 × monthly IRR), the effective annual rate and the monthly IRR.
    """
    return AnnualRates.from_monthly_irr(monthly_irr(net_disbursed, schedule.payments()))
