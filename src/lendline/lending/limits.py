"""Regulatory limits an offer must meet, checked as values rather than raised (STYLE §5.5).

* R7: the all-in APR (interest and every fee) at most 24 % a year for licensed lenders, and
  never at or above 36 %, the criminal "illegal lending" line.
* R1: a personal consumer credit line of at most CNY 200,000 per borrower at one lender, and
  a loan repaid in one bullet at maturity runs at most 12 months.
* Civil Code Art. 17–18: borrowers are adults (the decision policy checks the age).

The figures are per-lender configuration because regulators change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from lendline.lending.offer import Offer
from lendline.shared.money import Money

#: APRs are disclosed to 0.0001 % (four places in percent); the cap is checked on that figure,
#: because a fen-rounded schedule priced exactly at a cap lands a hair above it (DOMAIN-NOTES §4).
DISCLOSED_APR_QUANTUM: Final = Decimal("0.000001")


def disclosed_apr(apr: Decimal) -> Decimal:
    """Round an APR to the precision it is disclosed with (0.0001 %), half up."""
    return apr.quantize(DISCLOSED_APR_QUANTUM, rounding=ROUND_HALF_UP)


#: R1: the personal consumer credit cap per borrower at one lender (internet loans).
CONSUMER_CREDIT_CAP: Final = Money.of(200_000)


class LimitViolation(StrEnum):
    """A regulatory limit an offer breaks."""

    APR_ABOVE_CAP = "apr_above_cap"
    APR_AT_CRIMINAL_LINE = "apr_at_criminal_line"
    AMOUNT_ABOVE_CONSUMER_CAP = "amount_above_consumer_cap"
    BULLET_TERM_TOO_LONG = "bullet_term_too_long"


@dataclass(frozen=True, slots=True)
class RegulatoryLimits:
    """The limits in force for the lender.

    Parameters:
        max_apr: highest all-in APR the lender may charge (24 % for licensed lenders).
        criminal_apr_line: APR at or above which lending is a crime (36 %).
        max_consumer_credit: largest personal consumer credit per borrower.
        max_bullet_term_months: longest term of a loan repaid in one bullet at maturity.
        min_age: youngest age a borrower may be.
    """

    max_apr: Decimal = Decimal("0.24")
    criminal_apr_line: Decimal = Decimal("0.36")
    max_consumer_credit: Money = CONSUMER_CREDIT_CAP
    max_bullet_term_months: int = 12
    min_age: int = 18

    def __post_init__(self) -> None:
        if not 0 < self.max_apr < self.criminal_apr_line:
            raise ValueError("need 0 < max_apr < criminal_apr_line")
        if self.max_consumer_credit.amount <= 0:
            raise ValueError("the consumer credit cap must be positive")
        if self.max_bullet_term_months < 1 or self.min_age < 0:
            raise ValueError("terms and ages cannot be negative")


def _is_bullet(offer: Offer) -> bool:
    """Return whether all principal falls due in the last installment."""
    return all(item.principal.is_zero() for item in offer.schedule.installments[:-1])


def check_offer_limits(offer: Offer, limits: RegulatoryLimits) -> tuple[LimitViolation, ...]:
    """Return every regulatory limit ``offer`` breaks, in a fixed order; empty if none.

    Args:
        offer: the priced offer (its APR includes every fee).
        limits: the limits in force.

    Returns:
        The violations; an empty tuple means the offer may be made.
    """
    violations: list[LimitViolation] = []
    apr = disclosed_apr(offer.rates.apr)
    if apr > limits.max_apr:
        violations.append(LimitViolation.APR_ABOVE_CAP)
    if apr >= limits.criminal_apr_line:
        violations.append(LimitViolation.APR_AT_CRIMINAL_LINE)
    if offer.amount.currency != limits.max_consumer_credit.currency:
        # A cap set in another currency cannot be compared; treat it as broken, not as met.
        violations.append(LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP)
    elif offer.amount > limits.max_consumer_credit:
        violations.append(LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP)
    if offer.term_months > limits.max_bullet_term_months and _is_bullet(offer):
        violations.append(LimitViolation.BULLET_TERM_TOO_LONG)
    return tuple(violations)
