"""Regulatory limits an offer must meet, checked as values rather than raised (STYLE §5.5).

The limits depend on who lends (DOMAIN-NOTES §1.1, R7), so they are built per lender type:

* Licensed lenders (banks, consumer-finance and micro-loan companies, the other locally
  licensed firms): the all-in APR (interest and every fee) at most 24 % a year.
* Private lending (a lender without a financial licence, SPC private-lending provisions 2020
  rev. Art. 25, 29): at most four times the 1-year LPR in force on the contract date, read
  from the dated LPR table (``lendline.lending.lpr``). The provisions cap the agreed rate and,
  together, overdue interest, penalties and fees; the check runs on the all-in APR, which
  covers both.
* Always: never at or above 36 %, the criminal "illegal lending" line.
* R1: a personal consumer credit line of at most CNY 200,000 per borrower at one lender (the
  new amount plus the borrower's outstanding credit with the lender, when the caller knows
  it), and a loan repaid in one bullet at maturity runs at most 12 months.
* R2 and Civil Code Art. 17–18: banned purposes and adult borrowers; the decision policy
  checks them against ``banned_purposes`` and ``min_age``.

An early-repayment penalty is a loan cost too: when a product declares one, the check prices
the worst case, the whole loan repaid on an installment date with the penalty, and that APR
must stay within the cap as well. (Repaying within days of the payout would make any penalty
look enormous once annualised; products that want a penalty should know that, which is why
the shipped ones charge none.)

A violation is a value: ``check_offer_limits`` returns reason codes for the decision policy
to turn into a decline with a human-readable reason; nothing here raises for a bad offer.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from lendline.lending.apr import monthly_irr
from lendline.lending.lpr import LprTable, load_lpr_table
from lendline.lending.offer import Offer
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory
from lendline.shared.money import MONEY_CONTEXT, Money

#: APRs are disclosed to 0.0001 % (four places in percent); the cap is checked on that figure,
#: because a fen-rounded schedule priced exactly at a cap lands a hair above it (DOMAIN-NOTES §4).
DISCLOSED_APR_QUANTUM: Final = Decimal("0.000001")


def disclosed_apr(apr: Decimal) -> Decimal:
    """Round an APR to the precision it is disclosed with (0.0001 %), half up."""
    return apr.quantize(DISCLOSED_APR_QUANTUM, rounding=ROUND_HALF_UP)


#: R1: the personal consumer credit cap per borrower at one lender (internet loans).
CONSUMER_CREDIT_CAP: Final = Money.of(200_000)

#: R7: the all-in APR cap of licensed lenders (SPC 法发〔2017〕22号 Art. 2; NFRA 2025 notice).
LICENSED_APR_CAP: Final = Decimal("0.24")

#: R7: the APR at or above which lending to the public is a crime (2019 illegal-lending opinion).
CRIMINAL_APR_LINE: Final = Decimal("0.36")

#: R7: private lending may charge at most this many times the 1-year LPR (SPC provisions Art. 25).
PRIVATE_LENDING_LPR_MULTIPLE: Final = 4


class LenderType(StrEnum):
    """Who lends, which decides the rate cap (DOMAIN-NOTES §1.1)."""

    LICENSED = "licensed"
    """A bank, consumer-finance company, micro-loan company or other licensed lender: 24 %."""

    PRIVATE = "private"
    """Private lending by a lender without a financial licence: 4 × the 1-year LPR."""


class LimitViolation(StrEnum):
    """A regulatory limit an offer breaks."""

    APR_ABOVE_CAP = "apr_above_cap"
    APR_AT_CRIMINAL_LINE = "apr_at_criminal_line"
    AMOUNT_ABOVE_CONSUMER_CAP = "amount_above_consumer_cap"
    BULLET_TERM_TOO_LONG = "bullet_term_too_long"
    CREDIT_ABOVE_CONSUMER_CAP = "credit_above_consumer_cap"
    """The amount is within the cap alone, but not with the borrower's outstanding credit."""
    EARLY_REPAYMENT_COST_ABOVE_CAP = "early_repayment_cost_above_cap"
    """Repaid early with the product's penalty, the loan would cost more than the cap."""


@dataclass(frozen=True, slots=True)
class RegulatoryLimits:
    """The limits in force for the lender.

    ``RegulatoryLimits()`` are a licensed lender's; ``for_lender`` builds them for a lender
    type and contract date.

    Parameters:
        max_apr: highest all-in APR the lender may charge (24 % for licensed lenders).
        criminal_apr_line: APR at or above which lending is a crime (36 %).
        max_consumer_credit: largest personal consumer credit per borrower.
        max_bullet_term_months: longest term of a loan repaid in one bullet at maturity.
        min_age: youngest age a borrower may be.
        lender_type: who lends, recorded so a decision can say which cap applied.
        banned_purposes: purposes no loan may be made for; the statutory list (R2) and any
            the lender adds.
    """

    max_apr: Decimal = LICENSED_APR_CAP
    criminal_apr_line: Decimal = CRIMINAL_APR_LINE
    max_consumer_credit: Money = CONSUMER_CREDIT_CAP
    max_bullet_term_months: int = 12
    min_age: int = 18
    lender_type: LenderType = LenderType.LICENSED
    banned_purposes: frozenset[PurposeCategory] = BANNED_PURPOSES

    def __post_init__(self) -> None:
        if not 0 < self.max_apr < self.criminal_apr_line:
            raise ValueError("need 0 < max_apr < criminal_apr_line")
        if self.max_consumer_credit.amount <= 0:
            raise ValueError("the consumer credit cap must be positive")
        if self.max_bullet_term_months < 1 or self.min_age < 0:
            raise ValueError("terms and ages cannot be negative")
        if not self.banned_purposes >= BANNED_PURPOSES:
            # A lender may refuse more purposes than the law does, never fewer.
            missing = sorted(p.value for p in BANNED_PURPOSES - self.banned_purposes)
            raise ValueError(f"the purposes the law bans cannot be allowed: {missing}")

    @classmethod
    def for_lender(
        cls,
        lender_type: LenderType,
        contract_date: date,
        lpr_table: LprTable | None = None,
    ) -> RegulatoryLimits:
        """Return the limits for ``lender_type`` on a contract made on ``contract_date``.

        Args:
            lender_type: licensed (24 % cap) or private lending (4 × the 1-year LPR).
            contract_date: the day in China the contract is made; private lending's cap is
                fixed by the LPR in force that day.
            lpr_table: the dated 1-year LPR; the packaged table when ``None``. Only private
                lending reads it.

        Raises:
            LprNotPublished: for private lending, if the table has no LPR on that day.
        """
        if lender_type is LenderType.LICENSED:
            return cls(lender_type=lender_type)
        table = lpr_table or load_lpr_table()
        cap = PRIVATE_LENDING_LPR_MULTIPLE * table.rate_on(contract_date)
        return cls(max_apr=cap, lender_type=lender_type)


def _is_bullet(offer: Offer) -> bool:
    """Return whether all principal falls due in the last installment."""
    return all(item.principal.is_zero() for item in offer.schedule.installments[:-1])


def worst_early_repayment_apr(offer: Offer) -> Decimal | None:
    """Return the highest APR of ``offer`` repaid in full early, penalty included.

    The loan is repaid at the end of month ``k`` for every ``k`` before the last: the
    installments to ``k`` as scheduled, then the balance plus the penalty on it (rounded half
    up to the fen). Nothing later falls due (interest only for the time used, Civil Code
    Art. 677), so only the penalty can raise the cost above the scheduled APR.

    Returns:
        The highest such APR (12 × monthly IRR), or ``None`` when there is no penalty, early
        repayment is not allowed, or the loan has a single installment.
    """
    terms = offer.early_repayment
    if not terms.allowed or not terms.penalty_rate or offer.term_months < 2:
        return None
    payments = offer.schedule.payments()
    worst: Decimal | None = None
    for item in offer.schedule.installments[:-1]:
        penalty = (item.balance_after * terms.penalty_rate).rounded()
        flows = (*payments[: item.period - 1], item.payment + item.balance_after + penalty)
        with decimal.localcontext(MONEY_CONTEXT):
            apr = 12 * monthly_irr(offer.amount, flows)
        worst = apr if worst is None else max(worst, apr)
    return worst


def check_offer_limits(
    offer: Offer,
    limits: RegulatoryLimits,
    *,
    outstanding: Money | None = None,
) -> tuple[LimitViolation, ...]:
    """Return every regulatory limit ``offer`` breaks, in a fixed order; empty if none.

    Args:
        offer: the priced offer (its APR includes every fee).
        limits: the limits in force.
        outstanding: the borrower's consumer credit already outstanding with this lender, if
            known; it counts toward the per-borrower cap (R1).

    Returns:
        The violations; an empty tuple means the offer may be made.
    """
    violations: list[LimitViolation] = []
    apr = disclosed_apr(offer.rates.apr)
    if apr > limits.max_apr:
        violations.append(LimitViolation.APR_ABOVE_CAP)
    if apr >= limits.criminal_apr_line:
        violations.append(LimitViolation.APR_AT_CRIMINAL_LINE)
    cap = limits.max_consumer_credit
    if offer.amount.currency != cap.currency:
        # A cap set in another currency cannot be compared; treat it as broken, not as met.
        violations.append(LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP)
    elif offer.amount > cap:
        violations.append(LimitViolation.AMOUNT_ABOVE_CONSUMER_CAP)
    elif outstanding is not None and (
        outstanding.currency != cap.currency or offer.amount + outstanding > cap
    ):
        violations.append(LimitViolation.CREDIT_ABOVE_CONSUMER_CAP)
    if offer.term_months > limits.max_bullet_term_months and _is_bullet(offer):
        violations.append(LimitViolation.BULLET_TERM_TOO_LONG)
    early = worst_early_repayment_apr(offer)
    if early is not None and disclosed_apr(early) > limits.max_apr:
        violations.append(LimitViolation.EARLY_REPAYMENT_COST_ABOVE_CAP)
    return tuple(violations)
