"""Repayment schedules: equal installments (等额本息) and equal principal (等额本金).

Rounding follows DOMAIN-NOTES §4 and STYLE §5.4: everything is computed at full precision
in the money context and rounded once per posted amount, half up to the minor unit (fen).

* Equal installment: the level installment ``A = P·r·(1+r)^n / ((1+r)^n − 1)`` is rounded;
  each period's interest is ``round(balance × r)`` and its principal part is ``A − interest``.
* Equal principal: the principal part ``P / n`` is rounded; interest is ``round(balance × r)``.
* In both, the last period repays whatever balance is left, so the principal parts add up to
  the principal exactly and the final payment absorbs the rounding residue.
* Grace months (宽限期) come first: interest ``round(balance × r)`` is still charged, no principal
  is repaid, and the principal amortises over the remaining ``n − g`` months by the method.
* A periodic fee is either a fixed amount a month or a flat monthly rate on the original
  principal (分期手续费, rounded half up to the fen once); it is the same every month, grace
  months included, and counts toward the APR.

Worked examples (DOMAIN-NOTES §4): vector 1, 50,000 CNY over 12 months at 1 % a month, gives
11 × 4,442.44 + 4,442.43 with 3,309.27 interest (等额本息), or 4,666.67 falling to 4,208.30
with 3,250.00 interest (等额本金); vector 3, 12,000 CNY over 12 months at no interest with a
0.6 % flat monthly fee, gives 12 × 1,072.00 (72.00 fee a month).
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
    def peak_payment(self) -> Money:
        """The largest payment before the final one: the regular burden of the loan.

        The final installment is left out because it absorbs the rounding residue (and, for a
        loan repaid in one bullet, the whole principal); after a grace period this is the
        first amortising payment, not the first, interest-only, one. A one-month loan's only
        payment is its peak.
        """
        regular = self.installments[:-1] or self.installments
        return max((item.payment for item in regular), key=lambda payment: payment.amount)

    @property
    def first_payment(self) -> Money:
        """The first installment's payment.

        It is the largest one for equal principal, unless the loan starts with interest-only
        grace months (see ``peak_payment``).
        """
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


def flat_fee(principal: Money, monthly_fee_rate: Decimal) -> Money:
    """Return the monthly fee of a flat fee rate: ``rate × original principal``, to the fen.

    Args:
        principal: the amount lent.
        monthly_fee_rate: the fee a month as a share of the original principal, e.g.
            ``Decimal("0.006")`` for 0.6 % a month.

    Raises:
        ValueError: if the rate is negative.
        TypeError: if the rate is a float.
    """
    rate = to_decimal(monthly_fee_rate)
    if rate < 0:
        raise ValueError("the monthly fee rate cannot be negative")
    return (principal * rate).rounded()


def build_schedule(
    principal: Money,
    monthly_rate: Decimal,
    months: int,
    method: RepaymentMethod,
    monthly_fee: Money | None = None,
    *,
    grace_months: int = 0,
    monthly_fee_rate: Decimal | None = None,
) -> Schedule:
    """Build the monthly repayment schedule of a loan.

    Args:
        principal: the amount paid out to the borrower; a whole number of minor units.
        monthly_rate: the nominal monthly interest rate (annual ÷ 12), ``>= 0``.
        months: number of monthly installments, ``>= 1``.
        method: equal installment (等额本息) or equal principal (等额本金).
        monthly_fee: a fee added to every installment (it raises the APR), or ``None``.
        grace_months: interest-only months at the start, ``0 <= grace_months < months``; the
            principal amortises over the months after them.
        monthly_fee_rate: a flat monthly fee as a share of the original principal (the fee is
            ``round(rate × principal)`` every month), or ``None``; not together with a
            non-zero ``monthly_fee``.

    Returns:
        The schedule; its principal parts sum to ``principal`` exactly.

    Raises:
        ValueError: if the principal is not positive or not rounded to the minor unit, the
            rate is negative, the term is shorter than a month, the fee or fee rate is
            negative, both a fixed fee and a fee rate are given, or the grace period leaves
            no month to repay the principal in.
        TypeError: if the rate or the fee rate is a float.
        CurrencyMismatch: if the fee is in another currency than the principal.
    """
    rate = to_decimal(monthly_rate)
    if months < 1:
        raise ValueError("a loan runs at least one month")
    if not 0 <= grace_months < months:
        raise ValueError(f"need 0 <= grace months < term, got {grace_months} of {months}")
    if principal.amount <= 0 or principal.rounded() != principal:
        raise ValueError(f"principal must be positive and whole minor units, got {principal}")
    if rate < 0:
        raise ValueError("the monthly rate cannot be negative")
    fee = (monthly_fee or Money.zero(principal.currency)).rounded()
    if fee.amount < 0:
        raise ValueError("the monthly fee cannot be negative")
    if fee.currency != principal.currency:
        raise CurrencyMismatch(f"fee in {fee.currency}, principal in {principal.currency}")
    if monthly_fee_rate is not None:
        if not fee.is_zero():
            # Two fee bases on one loan would be ambiguous to disclose; a product has one.
            raise ValueError("give a fixed monthly fee or a flat fee rate, not both")
        fee = flat_fee(principal, monthly_fee_rate)

    amortising = months - grace_months
    if method is RepaymentMethod.EQUAL_INSTALLMENT:
        level = Money(level_installment(principal.amount, rate, amortising), principal.currency)
        scheduled = level.rounded()
    else:
        with decimal.localcontext(MONEY_CONTEXT):
            part = Money(principal.amount / amortising, principal.currency)
        scheduled = part.rounded()

    zero = Money.zero(principal.currency)
    balance = principal
    items: list[Installment] = []
    for period in range(1, months + 1):
        interest = (balance * rate).rounded()
        if period <= grace_months:
            repaid = zero
        elif period == months:
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
