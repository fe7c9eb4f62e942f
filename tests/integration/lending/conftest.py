"""Fixtures shared by the lending integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail


@pytest.fixture
def rail(tmp_path: Path) -> Iterator[SimulatedPaymentRail]:
    """The simulated bank, with its own books in a SQLite file of the test's own."""
    made = SimulatedPaymentRail(tmp_path / "bank.db")
    yield made
    made.close()
