"""Repayment schedules: equal installments (等额本息) and equal principal (等额本金).

Rounding follows DOMAIN-NOTES §4 and STYLE §5.4: everything is computed at full precision
in the money context and rounded once per posted amount, half up to the minor unit (fen).

* Equal installment: the level installment ``A = P·r·(1+r)^n / ((1+r)^n − 1)`` is rounded;
  each period's interest is ``round(balance × r)`` and its principal part is ``A − interest``.
* Equal principal: the principal part ``P / n`` is rounded; interest is ``round(balance × r)``.
* In both, the last period repays whatever balance is left, so the principal parts add up to
  the principal exactly and the final payment absorbs the rounding residue.

Worked example (DOMAIN-NOTES §4, vector 1): 50,000 CNY over 12 months at 1 % a month gives
11 × 4,442.44 + 4,442.43 with 3,309.27 interest (等额本息), or 4,666.67 falling to 4,208.30
with 3,250.00 interest (等额本金).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lendline.shared.money import MONEY_CONTEXT, CurrencyMismatch, Money, to_decimal


class RepaymentMethod(StrEnum):
    """How a loan is repaid in monthly installments."""

    EQUAL_INSTALLMENT = "equal_installment"
    """等额本息: the same payment every month; the interest share falls over time."""

    EQUAL_PRINCIPAL = "equal_principal"
    """等额本金: the same principal every month plus interest on the balance; payments fall."""


@dataclass(frozen=True, slots=True)
class Installment:
    """One monthly installment of a schedule.

    Parameters:
        period: 1-based month number.
        payment: everything due that month (``principal + interest + fee``).
        principal: the part that repays principal.
        interest: the interest for the month, on the balance before it.
        fee: any periodic fee due with the installment (it counts toward the APR).
        balance_after: principal still owed once this installment is paid.
    """

    period: int
    payment: Money
    principal: Money
    interest: Money
    fee: Money
    balance_after: Money

    def __post_init__(self) -> None:
        if self.period < 1:
            raise ValueError("installment periods start at 1")
        if self.principal + self.interest + self.fee != self.payment:
            raise ValueError(f"installment {self.period}: parts do not add up to the payment")


@dataclass(frozen=True, slots=True)
class Schedule:
    """A full repayment schedule: consecutive installments in one currency.

    Parameters:
        method: the repayment method it was built with.
        installments: the installments, period 1 first.
    """

    method: RepaymentMethod
    installments: tuple[Installment, ...]

    def __post_init__(self) -> None:
        if not self.installments:
            raise ValueError("a schedule has at least one installment")
        periods = [item.period for item in self.installments]
        if periods != list(range(1, len(periods) + 1)):
            raise ValueError("installment periods must run 1, 2, ... without gaps")
        if len({item.payment.currency for item in self.installments}) != 1:
            raise ValueError("a schedule is in a single currency")

    @property
    def term_months(self) -> int:
        """Number of monthly installments."""
        return len(self.installments)

    @property
    def currency(self) -> str:
        """ISO 4217 code of every amount in the schedule."""
        return self.installments[0].payment.currency

    def _total(self, field_name: str) -> Money:
        total = Money.zero(self.currency)
        for item in self.installments:
            part = getattr(item, field_name)
            assert isinstance(part, Money)
            total = total + part
        return total

    @property
    def total_payment(self) -> Money:
        """Everything the borrower pays over the life of the loan."""
        return self._total("payment")

    @property
    def total_principal(self) -> Money:
        """Sum of the principal parts; equals the loan principal."""
        return self._total("principal")

    @property
    def total_interest(self) -> Money:
        """Sum of the interest parts."""
        return self._total("interest")

    @property
    def total_fees(self) -> Money:
        """Sum of the periodic fees."""
        return self._total("fee")

    @property
    def first_payment(self) -> Money:
        """The first installment's payment (the largest one for equal principal)."""
        return self.installments[0].payment

    def payments(self) -> tuple[Money, ...]:
        """Return the payment of each period in order (the borrower's cash flows)."""
        return tuple(item.payment for item in self.installments)


def level_installment(principal: Decimal, monthly_rate: Decimal, months: int) -> Decimal:
    """Return the exact (unrounded) equal installment for ``principal`` over ``months``.

    Args:
        principal: amount lent, in major units.
        monthly_rate: periodic rate, e.g. ``Decimal("0.01")`` for 1 % a month.
        months: number of installments.

    Returns:
        ``P·r·(1+r)^n / ((1+r)^n − 1)``, or ``P / n`` when the rate is zero.
    """
    with decimal.localcontext(MONEY_CONTEXT):
        if monthly_rate == 0:
            return principal / months
        growth = (1 + monthly_rate) ** months
        return principal * monthly_rate * growth / (growth - 1)


def build_schedule(
    principal: Money,
    monthly_rate: Decimal,
    months: int,
    method: RepaymentMethod,
    monthly_fee: Money | None = None,
) -> Schedule:
    """Build the monthly repayment schedule of a loan.

    Args:
        principal: the amount paid out to the borrower; a whole number of minor units.
        monthly_rate: the nominal monthly interest rate (annual ÷ 12), ``>= 0``.
        months: number of monthly installments, ``>= 1``.
        method: equal installment (等额本息) or equal principal (等额本金).
        monthly_fee: a fee added to every installment (it raises the APR), or ``None``.

    Returns:
        The schedule; its principal parts sum to ``principal`` exactly.

    Raises:
        ValueError: if the principal is not positive or not rounded to the minor unit, the
            rate is negative, the term is shorter than a month, or the fee is negative.
        TypeError: if the rate is a float.
        CurrencyMismatch: if the fee is in another currency than the principal.
    """
    rate = to_decimal(monthly_rate)
    if months < 1:
        raise ValueError("a loan runs at least one month")
    if principal.amount <= 0 or principal.rounded() != principal:
        raise ValueError(f"principal must be positive and whole minor units, got {principal}")
    if rate < 0:
        raise ValueError("the monthly rate cannot be negative")
    fee = (monthly_fee or Money.zero(principal.currency)).rounded()
    if fee.amount < 0:
        raise ValueError("the monthly fee cannot be negative")
    if fee.currency != principal.currency:
        raise CurrencyMismatch(f"fee in {fee.currency}, principal in {principal.currency}")

    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = Money(level_installment(principal.amount, rate, months), principal.currency)
        scheduled = level.rounded()
    else:
        with decimal.localcontext(MONEY_CONTEXT):
            part = Money(principal.amount / months, principal.currency)
        scheduled = part.rounded()

    zero = Money.zero(principal.currency)
    balance = principal
    items: list[Installment] = []
    for period in range(1, months + 1):
        interest = (balance * rate).rounded()
        if period == months:
            repaid = balance
        elif method is RepaymentMethod.EQUAL_INSTALLMENT:
            repaid = scheduled - interest
        else:
            repaid = scheduled
        # Rounding up a tiny per-period amount over many periods could overshoot the
        # balance; capping keeps the balance from going negative, the invariant that matters.
        repaid = max(zero, min(repaid, balance))
        balance = balance - repaid
        items.append(
            Installment(
                period=period,
                payment=repaid + interest + fee,
                principal=repaid,
                interest=interest,
                fee=fee,
                balance_after=balance,
            )
        )
    return Schedule(method=method, installments=tuple(items))
