"""Loan products: the amounts, terms, rate and repayment method a lender offers on the line.

A product is versioned: a decision and a contract record ``code@version``, so a later change
of rate or terms never alters what a borrower was offered. There is deliberately no up-front
fee field: fees deducted from the principal (砍头息) are unlawful (DOMAIN-NOTES §0 R8); any
fee must be a periodic one, paid with the installments and counted in the APR. A periodic fee
is either a fixed amount a month or a flat monthly rate on the original principal (分期手续费).

Products are configuration: ``lendline.lending.catalog`` loads them from a TOML catalog that
ships with the package (``lendline/data/products.toml``); ``DEFAULT_PRODUCT`` below is that
catalog's default entry, kept as a constant for code that needs one without reading a file
(a test pins the two equal).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lendline.lending.schedule import RepaymentMethod, flat_fee
from lendline.shared.money import MONEY_CONTEXT, Money, to_decimal


@dataclass(frozen=True, slots=True)
class EarlyRepayment:
    """What a product lets a borrower do about repaying the whole loan early.

    Interest is charged only for the time the money was used (Civil Code Art. 677, SPC
    private-lending provisions Art. 30): servicing accrues interest by the day up to the
    repayment date and no later installment's interest or fee falls due.

    Parameters:
        allowed: whether the borrower may repay early at all.
        notice_days: days of notice the borrower gives before an early repayment.
        penalty_rate: a charge on the principal repaid early, as a share of it (zero: none,
            the default). A penalty is a loan cost, so the limit check counts it toward the
            all-in APR cap (``lendline.lending.limits``).
    """

    allowed: bool = True
    notice_days: int = 0
    penalty_rate: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "penalty_rate", to_decimal(self.penalty_rate))
        if self.notice_days < 0:
            raise ValueError("the notice period cannot be negative")
        if not 0 <= self.penalty_rate < 1:
            raise ValueError("the early-repayment penalty rate must be in [0, 1)")
        if not self.allowed and (self.penalty_rate or self.notice_days):
            raise ValueError("a penalty or notice period needs early repayment to be allowed")


#: Early repayment at any time, without notice or penalty: the borrower-friendly default.
FREE_EARLY_REPAYMENT: Final = EarlyRepayment()


@dataclass(frozen=True, slots=True)
class LoanProduct:
    """A loan product as offered to callers.

    Parameters:
        code: stable product code, e.g. ``"PL-STD"``.
        version: version of the product's terms; bump it on any change.
        name_zh: Chinese product name, as said on the call.
        name_en: English product name.
        currency: ISO 4217 code of every amount.
        min_amount: smallest amount lent.
        max_amount: largest amount lent.
        amount_step: amounts are whole multiples of this.
        terms_months: the terms offered, in months, ascending.
        annual_rate: nominal annual interest rate, e.g. ``Decimal("0.108")`` for 10.8 %.
        method: the repayment method.
        monthly_fee: a fixed periodic fee added to each installment (zero for none).
        monthly_fee_rate: a flat periodic fee, as a monthly share of the original principal
            (zero for none); a product has a fixed fee or a fee rate, not both.
        grace_months: interest-only months at the start of every loan (interest is charged,
            no principal is repaid); fewer than the shortest term.
        early_repayment: the early-repayment terms.
    """

    code: str
    version: str
    name_zh: str
    name_en: str
    currency: str
    min_amount: Money
    max_amount: Money
    amount_step: Money
    terms_months: tuple[int, ...]
    annual_rate: Decimal
    method: RepaymentMethod
    monthly_fee: Money
    monthly_fee_rate: Decimal = Decimal(0)
    grace_months: int = 0
    early_repayment: EarlyRepayment = FREE_EARLY_REPAYMENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "annual_rate", to_decimal(self.annual_rate))
        object.__setattr__(self, "monthly_fee_rate", to_decimal(self.monthly_fee_rate))
        amounts = (self.min_amount, self.max_amount, self.amount_step, self.monthly_fee)
        if any(amount.currency != self.currency for amount in amounts):
            raise ValueError(f"every amount of product {self.code} must be in {self.currency}")
        if not Money.zero(self.currency) < self.min_amount <= self.max_amount:
            raise ValueError("need 0 < min_amount <= max_amount")
        if self.amount_step.amount <= 0:
            raise ValueError("the amount step must be positive")
        if not self.terms_months or any(term < 1 for term in self.terms_months):
            raise ValueError("a product offers at least one term of one month or more")
        if list(self.terms_months) != sorted(set(self.terms_months)):
            raise ValueError("terms must be ascending and distinct")
        if self.annual_rate < 0:
            raise ValueError("the annual rate cannot be negative")
        if self.monthly_fee.amount < 0:
            raise ValueError("the monthly fee cannot be negative")
        if not 0 <= self.monthly_fee_rate < 1:
            raise ValueError("the monthly fee rate must be in [0, 1)")
        if self.monthly_fee_rate and not self.monthly_fee.is_zero():
            raise ValueError("a product has a fixed monthly fee or a flat fee rate, not both")
        if not 0 <= self.grace_months < self.terms_months[0]:
            raise ValueError("grace months must be fewer than the shortest term")

    @property
    def monthly_rate(self) -> Decimal:
        """Nominal monthly rate: annual ÷ 12 (the bank convention, DOMAIN-NOTES §1.4)."""
        with decimal.localcontext(MONEY_CONTEXT):
            return self.annual_rate / 12

    @property
    def key(self) -> str:
        """``code@version``, the identifier decisions and contracts record."""
        return f"{self.code}@{self.version}"

    def fee_for(self, amount: Money) -> Money:
        """Return the periodic fee a month on a loan of ``amount`` under this product."""
        if self.monthly_fee_rate:
            return flat_fee(amount, self.monthly_fee_rate)
        return self.monthly_fee

    def offers_amount(self, amount: Money) -> bool:
        """Return whether ``amount`` is within the range and on a step of this product."""
        if amount.currency != self.currency:
            return False
        with decimal.localcontext(MONEY_CONTEXT):
            on_step = amount.amount % self.amount_step.amount == 0
        return on_step and self.min_amount <= amount <= self.max_amount

    def offers_term(self, months: int) -> bool:
        """Return whether ``months`` is one of this product's terms."""
        return months in self.terms_months


#: The standard personal consumer loan offered on the phone line.
DEFAULT_PRODUCT: Final = LoanProduct(
    code="PL-STD",
    version="2026.11",
    name_zh="个人消费贷款（标准）",
    name_en="Personal consumer loan (standard)",
    currency="CNY",
    min_amount=Money.of(1_000),
    max_amount=Money.of(200_000),
    amount_step=Money.of(100),
    terms_months=(3, 6, 9, 12, 18, 24, 36),
    annual_rate=Decimal("0.108"),
    method=RepaymentMethod.EQUAL_INSTALLMENT,
    monthly_fee=Money.zero("CNY"),
)
