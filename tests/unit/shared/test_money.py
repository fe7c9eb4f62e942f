from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendline.shared.money import CurrencyMismatch, Money


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(TypeError):
        Money.of(1.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(10) * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money.from_minor(1.0)  # type: ignore[arg-type]


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of(1) + Money.of(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of(1) < Money.of(2, "USD")


def test_rounding_is_half_up_to_the_fen_and_minor_units_need_it() -> None:
    assert Money.of("4442.435").rounded() == Money.of("4442.44")
    assert Money.of("4442.425").rounded() == Money.of("4442.43")
    with pytest.raises(ValueError, match="round it first"):
        Money.of("0.005").to_minor()


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_minor_units_round_trip(minor: int) -> None:
    assert Money.from_minor(minor).to_minor() == minor


def test_an_unknown_currency_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported currency"):
        Money(Decimal(1), "XYZ")


def test_display_groups_thousands_with_two_decimals() -> None:
    assert str(Money.of("50000")) == "50,000.00 CNY"
