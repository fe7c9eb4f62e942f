"""Population stability of the credit score: is today's applicant mix the one it was built on?

The population stability index compares two distributions over the same score bands:

    PSI = Σ (a_i − e_i) · ln(a_i / e_i)

with ``e_i`` and ``a_i`` the shares of the expected (training) and actual (recent)
applicants in band ``i``. The conventional reading, used here: below 0.10 the population is
stable, from 0.10 to below 0.25 it is worth watching, from 0.25 it has shifted and the
scorecard's figures no longer describe it (revalidate or retrain).

An empty band would make the logarithm infinite; its share is floored at 0.0001 (one in ten
thousand), the usual practice, so one empty band among many gives a large but finite
term. The training score distribution ships in the scorecard artefact as the reference
(``Scorecard.reference_edges`` / ``reference_counts``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import Final

#: PSI from which the population is worth watching.
WATCH: Final = Decimal("0.10")
#: PSI from which the population has shifted.
SHIFT: Final = Decimal("0.25")
#: Smallest share a band may take in the formula (empty bands).
SHARE_FLOOR: Final = Decimal("0.0001")


class Stability(StrEnum):
    """How far a population has moved from the reference."""

    STABLE = "stable"
    WATCH = "watch"
    SHIFT = "shift"


@dataclass(frozen=True, slots=True)
class StabilityReport:
    """A PSI and its reading.

    Parameters:
        psi: the population stability index.
        stability: stable, watch or shift.
        actual_total: applicants in the actual sample.
    """

    psi: Decimal
    stability: Stability
    actual_total: int


def stability_of(psi: Decimal) -> Stability:
    """Read a PSI: below 0.10 stable, below 0.25 watch, otherwise shift."""
    if psi < WATCH:
        return Stability.STABLE
    if psi < SHIFT:
        return Stability.WATCH
    return Stability.SHIFT


def population_stability_index(
    expected_counts: Sequence[int], actual_counts: Sequence[int]
) -> Decimal:
    """PSI of ``actual_counts`` against ``expected_counts`` over the same bands."""
    if len(expected_counts) != len(actual_counts) or not expected_counts:
        raise ValueError("both distributions need the same, non-zero number of bands")
    if min(*expected_counts, *actual_counts) < 0:
        raise ValueError("counts cannot be negative")
    expected_total, actual_total = sum(expected_counts), sum(actual_counts)
    if expected_total == 0 or actual_total == 0:
        raise ValueError("each distribution needs at least one applicant")
    with localcontext() as context:
        context.prec = 28
        psi = Decimal(0)
        for expected, actual in zip(expected_counts, actual_counts, strict=True):
            e = max(Decimal(expected) / expected_total, SHARE_FLOOR)
            a = max(Decimal(actual) / actual_total, SHARE_FLOOR)
            psi += (a - e) * (a / e).ln()
        return +psi


def band_counts(points: Iterable[int], edges: Sequence[int]) -> tuple[int, ...]:
    """Count scores per band; ``edges`` are the inner edges, each the lower end of a band."""
    counts = [0] * (len(edges) + 1)
    for value in points:
        counts[bisect_right(edges, value)] += 1
    return tuple(counts)


def score_stability(
    points: Iterable[int], edges: Sequence[int], reference_counts: Sequence[int]
) -> StabilityReport:
    """PSI of recent scores against the reference distribution, and its reading."""
    actual = band_counts(points, edges)
    psi = population_stability_index(reference_counts, actual)
    return StabilityReport(psi=psi, stability=stability_of(psi), actual_total=sum(actual))
