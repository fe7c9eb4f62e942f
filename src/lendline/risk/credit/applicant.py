"""What the scorecard reads about an applicant: the call's answers and optional bureau facts.

The call collects age (from the resident ID), amount, term, monthly income, employment
status, purpose and debt-to-income. The bureau fields (checking account, credit history,
savings) come from a credit-bureau report; no bureau adapter is wired today, so they are
``None`` on a call and the scorecard scores them in their neutral "missing" bin.

The bureau categories are the ranks of the German Credit training data under neutral names
(see ``docs/models/credit-scorecard.md``): a bureau adapter maps its own report onto them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from lendline.lending.purpose import PurposeCategory

# The call's employment status is the decision policy's own (one list of statuses).
from lendline.risk.policy import EmploymentStatus
from lendline.shared.money import Money

__all__ = [
    "CheckingAccount",
    "CreditApplicant",
    "CreditHistory",
    "EmploymentStatus",
    "Savings",
]


class CheckingAccount(StrEnum):
    """Balance of the applicant's current account, as a bureau or bank reports it."""

    NO_ACCOUNT = "no_account"
    OVERDRAWN = "overdrawn"
    LOW_BALANCE = "low_balance"
    HIGH_BALANCE = "high_balance"


class CreditHistory(StrEnum):
    """The applicant's repayment record with other lenders."""

    NO_CREDITS_OR_ALL_REPAID = "no_credits_or_all_repaid"
    ALL_REPAID_HERE = "all_repaid_here"
    REPAID_DULY = "repaid_duly"
    PAST_DELAYS = "past_delays"
    CRITICAL_OR_OTHER_CREDITS = "critical_or_other_credits"


class Savings(StrEnum):
    """The applicant's savings, in the bureau's ranks from none known to high."""

    UNKNOWN_OR_NONE = "unknown_or_none"
    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


#: Upper edges (exclusive) of the payment-to-income bands 1, 2 and 3; band 4 is the rest.
#: They follow the German Credit variable "installment rate in percentage of disposable
#: income" read as its name says (1 = the smallest share); its bad rate rises from code 1
#: to code 4, which fits that reading (the model card discusses the codebook's ambiguity).
PAYMENT_TO_INCOME_EDGES: Final = (Decimal("0.20"), Decimal("0.25"), Decimal("0.35"))


def payment_to_income_band(debt_to_income: Decimal) -> int:
    """Return the training data's band (1..4) for a debt-to-income ratio.

    The training variable is the new loan's installment over *disposable* income; the
    call's debt-to-income (all payments, the new one included, over gross income) is the
    nearest figure the call has, because other debts are what disposable income lacks.
    """
    for band, edge in enumerate(PAYMENT_TO_INCOME_EDGES, start=1):
        if debt_to_income < edge:
            return band
    return len(PAYMENT_TO_INCOME_EDGES) + 1


@dataclass(frozen=True, slots=True)
class CreditApplicant:
    """The facts the scorecard scores.

    Parameters:
        age: whole years, from the resident ID's birth date.
        amount: the amount asked for (recorded; the score uses it through debt-to-income).
        term_months: the loan term asked for.
        monthly_income: declared monthly income (recorded; used through debt-to-income).
        employment: employment status said on the call.
        purpose: what the money is for.
        debt_to_income: monthly debt payments, the new loan's included, over monthly income.
        checking_account: bureau fact, ``None`` when no bureau report is available.
        credit_history: bureau fact, ``None`` when no bureau report is available.
        savings: bureau fact, ``None`` when no bureau report is available.
    """

    age: int
    amount: Money
    term_months: int
    monthly_income: Money
    employment: EmploymentStatus
    purpose: PurposeCategory
    debt_to_income: Decimal
    checking_account: CheckingAccount | None = None
    credit_history: CreditHistory | None = None
    savings: Savings | None = None

    def __post_init__(self) -> None:
        if not 18 <= self.age <= 120:
            raise ValueError("age must be between 18 and 120")
        if self.term_months <= 0:
            raise ValueError("term_months must be positive")
        if self.amount.amount <= 0:
            raise ValueError("amount must be positive")
        if self.monthly_income.amount < 0:
            raise ValueError("monthly income cannot be negative")
        if not isinstance(self.debt_to_income, Decimal) or self.debt_to_income < 0:
            raise ValueError("debt_to_income must be a non-negative Decimal")

    def features(self) -> dict[str, int | str | None]:
        """Return the scorecard's input values, keyed by feature name (None: missing)."""
        return {
            "term_months": self.term_months,
            "age_years": self.age,
            "payment_to_income_band": payment_to_income_band(self.debt_to_income),
            "purpose": self.purpose.value,
            "employment": self.employment.value,
            "checking_account": _value(self.checking_account),
            "credit_history": _value(self.credit_history),
            "savings": _value(self.savings),
        }


def _value(item: StrEnum | None) -> str | None:
    return None if item is None else item.value
