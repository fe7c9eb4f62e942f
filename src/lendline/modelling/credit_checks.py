"""Checks of the credit scorecard beyond its own holdout: reject inference and a second data set.

Reject inference (simulated). A lender only learns outcomes of the loans it made, so a
scorecard retrained on its own book never sees the applicants it declined. To measure what
inference buys, German Credit's training split plays that story: a first scorecard scores
the split, its lowest-scoring ``reject_share`` are "declined" and their labels hidden, and
scorecards are retrained on the approved loans alone and with the declined ones inferred:

* fuzzy augmentation — each declined applicant enters twice, once bad with weight p(bad)
  and once good with weight 1 − p(bad), p from the approved-only scorecard;
* parcelling — declined applicants are put in score bands of the approved-only scorecard
  and labelled bad at random with the band's approved bad rate times ``parcel_factor``
  (declined applicants are assumed worse than approved ones with the same score).

Each is evaluated on the untouched holdout, i.e. the whole through-the-door population.

Second data set. modeldata's ``credit_data`` (4454 loans) gets the same pipeline (its own
binning and scorecard, its own stratified holdout), and the shipped call-time scorecard is
applied to it unchanged where the features line up (term, age, payment over income, job).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from lendline.modelling import credit as model
from lendline.modelling import credit_data as data
from lendline.risk.credit.scorecard import Scorecard

#: Reject-inference methods the CLI offers.
METHODS: Final = ("fuzzy", "parcelling")
#: Share of the training split treated as declined.
REJECT_SHARE: Final = 0.30
#: Parcelling: declined applicants go bad this much more often than approved ones.
PARCEL_FACTOR: Final = 1.5
PARCEL_BANDS: Final = 10


@dataclass(frozen=True)
class RejectInferenceResult:
    """Holdout AUC of each way of training on a book with declined applicants."""

    reject_share: float
    all_labels: float
    approved_only: float
    fuzzy: float
    parcelling: float

    def as_dict(self) -> dict[str, float]:
        """Rounded for the artefact and the model card."""
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def _probability_bad(scorecard: Any, x: pd.DataFrame) -> np.ndarray:
    return np.asarray(scorecard.predict_proba(x)[:, 1])


def fuzzy_augment(
    approved: pd.DataFrame, y_approved: np.ndarray, rejected: pd.DataFrame, p_bad: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Approved rows (weight 1) plus each declined row as bad (p) and as good (1 − p)."""
    x = pd.concat([approved, rejected, rejected], ignore_index=True)
    y = np.concatenate([y_approved, np.ones(len(rejected), int), np.zeros(len(rejected), int)])
    weight = np.concatenate([np.ones(len(approved)), p_bad, 1 - p_bad])
    return x, y, weight


def parcel(
    approved_p: np.ndarray,
    y_approved: np.ndarray,
    rejected_p: np.ndarray,
    rng: np.random.Generator,
    factor: float = PARCEL_FACTOR,
) -> np.ndarray:
    """Random bad/good labels for declined rows from their score band's approved bad rate."""
    edges = np.quantile(approved_p, np.linspace(0, 1, PARCEL_BANDS + 1)[1:-1])
    approved_band = np.searchsorted(edges, approved_p, side="right")
    rejected_band = np.searchsorted(edges, rejected_p, side="right")
    rates = np.array(
        [
            y_approved[approved_band == b].mean() if np.any(approved_band == b) else 1.0
            for b in range(PARCEL_BANDS)
        ]
    )
    chance = np.minimum(1.0, rates[rejected_band] * factor)
    return (rng.random(len(rejected_p)) < chance).astype(int)


def reject_inference(
    x_train: pd.DataFrame,
    y_train: np.ndarray,
    x_test: pd.DataFrame,
    y_test: np.ndarray,
    categorical: tuple[str, ...] | list[str],
    reject_share: float = REJECT_SHARE,
    seed: int = model.SEED,
) -> RejectInferenceResult:
    """Simulate a declined region, retrain with and without inference, AUC on the holdout."""
    rng = np.random.default_rng(seed)

    def auc_of(x: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None = None) -> float:
        fitted = model.fit_scorecard(x, y, categorical, sample_weight=weight)
        return float(roc_auc_score(y_test, _probability_bad(fitted, x_test)))

    incumbent = model.fit_scorecard(x_train, y_train, categorical)
    risk = _probability_bad(incumbent, x_train)
    declined = risk >= np.quantile(risk, 1 - reject_share)
    approved, rejected = x_train[~declined], x_train[declined]
    y_approved = y_train[~declined]

    approved_only = model.fit_scorecard(approved, y_approved, categorical)
    p_rejected = _probability_bad(approved_only, rejected)
    p_approved = _probability_bad(approved_only, approved)
    x_fuzzy, y_fuzzy, w_fuzzy = fuzzy_augment(approved, y_approved, rejected, p_rejected)
    y_parcel = parcel(p_approved, y_approved, p_rejected, rng)
    return RejectInferenceResult(
        reject_share=reject_share,
        all_labels=float(roc_auc_score(y_test, _probability_bad(incumbent, x_test))),
        approved_only=float(roc_auc_score(y_test, _probability_bad(approved_only, x_test))),
        fuzzy=auc_of(x_fuzzy, y_fuzzy, w_fuzzy),
        parcelling=auc_of(
            pd.concat([approved, rejected], ignore_index=True),
            np.concatenate([y_approved, y_parcel]),
        ),
    )


def validate_on_credit_data(scorecard: Scorecard) -> dict[str, dict[str, float | int]]:
    """The pipeline retrained on credit_data, and the shipped call-time scorecard on it."""
    frame = data.load_credit_data()
    y = data.credit_data_target(frame)
    x = data.credit_data_full_frame(frame)
    x_train, x_test, y_train, y_test = model.split(x, y)
    own = model.fit_scorecard(x_train, y_train, data.full_categorical(x))
    own_metrics = model.evaluate(y_test, _probability_bad(own, x_test))

    # The shipped scorer, unchanged, on every row (it was never trained on these).
    scores = [scorecard.score_features(row) for row in data.credit_data_call_features(frame)]
    p_bad = np.array([float(s.probability_bad) for s in scores])
    transfer = model.evaluate(y, p_bad)
    return {"own_pipeline": own_metrics.as_dict(), "transfer_call_time": transfer.as_dict()}
