"""Offers: a product priced for one amount and term, with its schedule and disclosed rates.

An offer is what the caller hears and what the contract states: the APR first (R6), then
the monthly payment, the total repaid and the full schedule. The whole amount is paid out,
nothing is deducted up front (R8), so the APR is computed on the full amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from lendline.lending.apr import AnnualRates, rates_for
from lendline.lending.product import FREE_EARLY_REPAYMENT, EarlyRepayment, LoanProduct
from lendline.lending.schedule import RepaymentMethod, Schedule, build_schedule
from lendline.shared.errors import DomainError
from lendline.shared.money import Money


class OutOfRangeReason(StrEnum):
    """Why an amount or term cannot be offered under a product."""

    CURRENCY_NOT_OFFERED = "currency_not_offered"
    AMOUNT_BELOW_MIN = "amount_below_min"
    AMOUNT_ABOVE_MAX = "amount_above_max"
    AMOUNT_NOT_ON_STEP = "amount_not_on_step"
    TERM_NOT_OFFERED = "term_not_offered"


class OfferOutOfRange(DomainError):
    """Raised when an offer is asked for an amount or term the product does not offer.

    Attributes:
        reason: which limit of the product the request broke.
    """

    def __init__(self, reason: OutOfRangeReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Offer:
    """A priced loan offer.

    Parameters:
        product_code: code of the product it was made under.
        product_version: version of that product's terms.
        amount: the principal, paid out in full.
        term_months: number of monthly installments.
        method: the repayment method.
        annual_rate: the nominal annual interest rate of the product.
        rates: the disclosed APR, effective rate and monthly IRR (fees included).
        schedule: the repayment schedule.
        grace_months: the interest-only months the schedule starts with.
        early_repayment: the product's early-repayment terms (a penalty counts toward the
            APR cap, see ``lendline.lending.limits``).
    """

    product_code: str
    product_version: str
    amount: Money
    term_months: int
    method: RepaymentMethod
    annual_rate: Decimal
    rates: AnnualRates
    schedule: Schedule
    grace_months: int = 0
    early_repayment: EarlyRepayment = FREE_EARLY_REPAYMENT

    def __post_init__(self) -> None:
        if not 0 <= self.grace_months < self.term_months:
            raise ValueError("the grace period must leave at least one month to repay in")
        if self.schedule.term_months != self.term_months:
            raise ValueError("the schedule does not run for the offer's term")
        if self.schedule.total_principal != self.amount:
            raise ValueError("the schedule does not repay the offer's amount")
        if self.schedule.method is not self.method:
            raise ValueError("the schedule uses another repayment method")

    @property
    def monthly_payment(self) -> Money:
        """The first installment's payment (the largest one for equal principal).

        After interest-only grace months the regular payment is ``schedule.peak_payment``.
        """
        return self.schedule.first_payment

    @property
    def total_repayment(self) -> Money:
        """Everything the borrower repays: principal, interest and fees."""
        return self.schedule.total_payment

    @property
    def total_interest(self) -> Money:
        """Total interest over the life of the loan."""
        return self.schedule.total_interest

    @property
    def total_fees(self) -> Money:
        """Total periodic fees over the life of the loan."""
        return self.schedule.total_fees


def check_request(product: LoanProduct, amount: Money, term_months: int) -> OutOfRangeReason | None:
    """Return why ``product`` cannot lend ``amount`` over ``term_months``, or ``None`` if it can."""
    if amount.currency != product.currency:
        return OutOfRangeReason.CURRENCY_NOT_OFFERED
    if amount < product.min_amount:
        return OutOfRangeReason.AMOUNT_BELOW_MIN
    if amount > product.max_amount:
        return OutOfRangeReason.AMOUNT_ABOVE_MAX
    if not product.offers_amount(amount):
        return OutOfRangeReason.AMOUNT_NOT_ON_STEP
    if not product.offers_term(term_months):
        return OutOfRangeReason.TERM_NOT_OFFERED
    return None


def make_offer(product: LoanProduct, amount: Money, term_months: int) -> Offer:
    """Price ``amount`` over ``term_months`` under ``product``.

    Args:
        product: the loan product.
        amount: the principal asked for; within the product's range and on its step.
        term_months: one of the product's terms.

    Returns:
        The offer, with its schedule and APR.

    Raises:
        OfferOutOfRange: if the product does not offer that amount or term; ``reason`` says
            which limit was broken.
    """
    reason = check_request(product, amount, term_months)
    if reason is not None:
        raise OfferOutOfRange(
            reason,
            f"{product.key} does not offer {amount} over {term_months} months ({reason.value})",
        )
    schedule = build_schedule(
        amount,
        product.monthly_rate,
        term_months,
        product.method,
        product.fee_for(amount),
        grace_months=product.grace_months,
    )
    return Offer(
        product_code=product.code,
        product_version=product.version,
        amount=amount,
        term_months=term_months,
        method=product.method,
        annual_rate=product.annual_rate,
        rates=rates_for(schedule, amount),
        schedule=schedule,
        grace_months=product.grace_months,
        early_repayment=product.early_repayment,
    )


def nearest_term(product: LoanProduct, months: int) -> int | None:
    """Return the product's term closest to ``months``, for suggesting a term to the caller.

    Ties go to the shorter term, which costs the borrower less interest.

    Args:
        product: the loan product.
        months: the term the caller asked for.

    Returns:
        ``months`` itself if offered, else the closest offered term; ``None`` if ``months``
        is not a positive number of months.
    """
    if months < 1:
        return None
    return min(product.terms_months, key=lambda term: (abs(term - months), term))
