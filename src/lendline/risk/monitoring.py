"""After-the-fact risk figures: approval and decline rates, their shift, early payment default.

Pure functions over plain figures; the review job (``service_layer.risk_review``) reads them
from the database and raises alerts from what they return. Thresholds live in
:class:`MonitoringConfig`, versioned like every other risk setting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from lendline.risk.alerts import AlertLevel

_PERCENT: Final = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class MonitoringConfig:
    """Thresholds of the after-the-fact jobs.

    Parameters:
        version: recorded with every alert the jobs raise.
        rate_shift_warn: warn when the approval or decline rate moves this much (absolute)
            between the previous window and this one.
        rate_shift_critical: a shift this large is critical.
        min_decisions: fewer decisions than this in a window say nothing about rates.
        epd_days: days past due that make an unpaid early installment a default.
        epd_installments: "early" means one of the first this-many installments.
        epd_rate_critical: a share of early defaults among loans old enough to have one
            that is critical for the book.
    """

    version: str = "monitoring-2026.11-v1"
    rate_shift_warn: Decimal = Decimal("0.10")
    rate_shift_critical: Decimal = Decimal("0.20")
    min_decisions: int = 20
    epd_days: int = 30
    epd_installments: int = 3
    epd_rate_critical: Decimal = Decimal("0.05")


@dataclass(frozen=True, slots=True)
class OutcomeRates:
    """Shares of each outcome among the decisions of a window.

    Parameters:
        decisions: how many decisions.
        rates: outcome -> share of the decisions (0..1, four decimals).
    """

    decisions: int
    rates: dict[str, Decimal]

    def rate(self, outcome: str) -> Decimal:
        """The share of ``outcome`` (zero when it did not occur)."""
        return self.rates.get(outcome, Decimal(0))


def outcome_rates(outcomes: Iterable[str]) -> OutcomeRates:
    """Count the outcomes of a window of decisions into shares."""
    counts = Counter(outcomes)
    total = sum(counts.values())
    if total == 0:
        return OutcomeRates(0, {})
    return OutcomeRates(
        total,
        {
            outcome: (Decimal(count) / Decimal(total)).quantize(_PERCENT)
            for outcome, count in sorted(counts.items())
        },
    )


@dataclass(frozen=True, slots=True)
class RateShift:
    """A move in an outcome's rate between two windows.

    Parameters:
        outcome: which outcome.
        before: its share in the previous window.
        after: its share in this window.
        level: how severe the move is.
    """

    outcome: str
    before: Decimal
    after: Decimal
    level: AlertLevel


def rate_shifts(
    previous: OutcomeRates, current: OutcomeRates, config: MonitoringConfig
) -> list[RateShift]:
    """The approval and decline rates that moved beyond the thresholds.

    Windows with fewer than ``config.min_decisions`` decisions are not compared (a handful
    of calls moves any rate a lot and means nothing).
    """
    if min(previous.decisions, current.decisions) < config.min_decisions:
        return []
    shifts: list[RateShift] = []
    for outcome in ("approve", "decline", "refer"):
        before, after = previous.rate(outcome), current.rate(outcome)
        moved = abs(after - before)
        if moved >= config.rate_shift_critical:
            shifts.append(RateShift(outcome, before, after, AlertLevel.CRITICAL))
        elif moved >= config.rate_shift_warn:
            shifts.append(RateShift(outcome, before, after, AlertLevel.WARN))
    return shifts


def early_default_level(defaults: int, seasoned_loans: int, config: MonitoringConfig) -> AlertLevel:
    """How worrying the book's early-payment-default rate is.

    Args:
        defaults: loans in early payment default.
        seasoned_loans: loans old enough for an early default to show.
        config: thresholds.

    Returns:
        CRITICAL at or above ``epd_rate_critical``; WARN for any default below that; INFO
        when there is none.
    """
    if defaults == 0 or seasoned_loans == 0:
        return AlertLevel.INFO
    rate = Decimal(defaults) / Decimal(seasoned_loans)
    return AlertLevel.CRITICAL if rate >= config.epd_rate_critical else AlertLevel.WARN
