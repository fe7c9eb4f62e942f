"""Population stability index over score bands, against hand-computed values."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from lendline.risk.credit.scorecard import Scorecard
from lendline.risk.credit.stability import (
    Stability,
    band_counts,
    population_stability_index,
    score_stability,
    stability_of,
)


def test_identical_distributions_have_zero_psi() -> None:
    assert population_stability_index([10, 20, 30], [20, 40, 60]) == 0


def test_psi_matches_the_hand_computed_value() -> None:
    # (0.4 - 0.5) ln(0.4/0.5) + (0.6 - 0.5) ln(0.6/0.5) = 0.1 ln 1.5
    psi = population_stability_index([50, 50], [40, 60])
    assert float(psi) == pytest.approx(0.1 * math.log(1.5), abs=1e-15)
    # Three bands: shares (0.2, 0.3, 0.5) -> (0.1, 0.3, 0.6).
    psi = population_stability_index([20, 30, 50], [10, 30, 60])
    expected = (0.1 - 0.2) * math.log(0.1 / 0.2) + (0.6 - 0.5) * math.log(0.6 / 0.5)
    assert float(psi) == pytest.approx(expected, abs=1e-15)


def test_an_empty_band_is_floored_not_infinite() -> None:
    psi = population_stability_index([100, 0], [50, 50])
    expected = (0.5 - 1) * math.log(0.5) + (0.5 - 0.0001) * math.log(0.5 / 0.0001)
    assert float(psi) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("psi", "reading"),
    [
        ("0", Stability.STABLE),
        ("0.0999", Stability.STABLE),
        ("0.10", Stability.WATCH),
        ("0.2499", Stability.WATCH),
        ("0.25", Stability.SHIFT),
        ("3", Stability.SHIFT),
    ],
)
def test_the_bands_are_stable_watch_and_shift(psi: str, reading: Stability) -> None:
    assert stability_of(Decimal(psi)) is reading


@pytest.mark.parametrize(
    ("expected", "actual"), [([1, 2], [1]), ([], []), ([1, -1], [1, 1]), ([0, 0], [1, 1])]
)
def test_unusable_distributions_are_refused(expected: list[int], actual: list[int]) -> None:
    with pytest.raises(ValueError):
        population_stability_index(expected, actual)


def test_band_counts_put_a_score_on_an_edge_in_the_band_above() -> None:
    assert band_counts([399, 400, 419, 420, 700], [400, 420]) == (1, 2, 2)


def test_the_shipped_reference_is_stable_against_itself_and_shifts_when_scores_drop() -> None:
    card = Scorecard.load_default()
    edges, counts = card.reference_edges, card.reference_counts
    assert len(counts) == len(edges) + 1 and sum(counts) > 0
    # Rebuild the training scores from the reference: one score per applicant in each band.
    scores = [edges[0] - 1] * counts[0] + [
        edge for edge, n in zip(edges, counts[1:], strict=True) for _ in range(n)
    ]
    same = score_stability(scores, edges, counts)
    assert same.psi == 0 and same.stability is Stability.STABLE
    assert same.actual_total == sum(counts)
    lower = score_stability([s - 40 for s in scores], edges, counts)
    assert lower.stability is Stability.SHIFT
