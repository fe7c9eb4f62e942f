"""Money as Decimal with a currency, and the one rounding policy LendLine uses.

Floats are rejected everywhere: ``Money(1.1, "CNY")`` raises ``TypeError``. Amounts cross the
edges (database, API, SMS) as integer minor units (fen for CNY).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

#: The context all money arithmetic runs in: 34 digits, float mixing trapped.
MONEY_CONTEXT: Final = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.FloatOperation, decimal.InvalidOperation, decimal.DivisionByZero],
)

#: Minor-unit exponents of the currencies LendLine handles (ISO 4217).
_EXPONENTS: Final[dict[str, int]] = {"CNY": 2, "USD": 2, "HKD": 2, "EUR": 2}

#: Posted amounts round half up to the minor unit, the convention of Chinese bank schedules
#: (DOMAIN-NOTES §4: installments rounded half up to the fen).
POSTING_ROUNDING: Final = ROUND_HALF_UP


class CurrencyMismatch(ValueError):
    """Raised when two amounts in different currencies are combined."""


def exponent(currency: str) -> int:
    """Return the number of minor-unit digits of ``currency``."""
    try:
        return _EXPONENTS[currency]
    except KeyError as exc:
        raise ValueError(f"unsupported currency {currency!r}") from exc


def quantum(currency: str) -> Decimal:
    """Return the smallest posted unit of ``currency`` (``Decimal('0.01')`` for CNY)."""
    return Decimal(1).scaleb(-exponent(currency))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an exact value to Decimal; floats are refused because they are not exact."""
    if isinstance(value, bool | float):
        raise TypeError(f"refusing inexact value {value!r}; use Decimal, int or str")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        return Decimal(value)
    raise TypeError(f"cannot make an amount from {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency.

    Parameters:
        amount: the value in major units (yuan), exact.
        currency: ISO 4217 code.
    """

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        exponent(self.currency)

    @classmethod
    def of(cls, value: Decimal | int | str, currency: str = "CNY") -> Money:
        """Build an amount from an exact value in major units."""
        return cls(to_decimal(value), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str = "CNY") -> Money:
        """Build an amount from integer minor units (fen)."""
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("minor units must be an int")
        return cls(Decimal(minor).scaleb(-exponent(currency)), currency)

    @classmethod
    def zero(cls, currency: str = "CNY") -> Money:
        """Return zero in ``currency``."""
        return cls(Decimal(0), currency)

    def to_minor(self) -> int:
        """Return the amount in integer minor units; it must already be rounded."""
        scaled = self.amount.scaleb(exponent(self.currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{self} is not a whole number of minor units; round it first")
        return int(scaled)

    def rounded(self) -> Money:
        """Round to the currency's minor unit with the posting rule (half up)."""
        with decimal.localcontext(MONEY_CONTEXT):
            value = self.amount.quantize(quantum(self.currency), rounding=POSTING_ROUNDING)
        return Money(value, self.currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        with decimal.localcontext(MONEY_CONTEXT):
            return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        with decimal.localcontext(MONEY_CONTEXT):
            return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        with decimal.localcontext(MONEY_CONTEXT):
            return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def is_zero(self) -> bool:
        """Return whether the amount is exactly zero."""
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.amount:,.{exponent(self.currency)}f} {self.currency}"
