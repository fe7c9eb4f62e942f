"""Loan products: the amounts, terms, rate and repayment method a lender offers on the line.

A product is versioned: a decision and a contract record ``code@version``, so a later change
of rate or terms never alters what a borrower was offered. There is deliberately no up-front
fee field: fees deducted from the principal (砍头息) are unlawful (DOMAIN-NOTES §0 R8); any
fee must be a periodic one, paid with the installments and counted in the APR.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lendline.lending.schedule import RepaymentMethod
from lendline.shared.money import MONEY_CONTEXT, Money, to_decimal


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
        monthly_fee: a periodic fee added to each installment (zero for none).
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "annual_rate", to_decimal(self.annual_rate))
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

    @property
    def monthly_rate(self) -> Decimal:
        """Nominal monthly rate: annual ÷ 12 (the bank convention, DOMAIN-NOTES §1.4)."""
        with decimal.localcontext(MONEY_CONTEXT):
            return self.annual_rate / 12

    @property
    def key(self) -> str:
        """``code@version``, the identifier decisions and contracts record."""
        return f"{self.code}@{self.version}"

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
