"""Train, evaluate and export the fraud model (``lendline train fraud``).

The model is a standardised logistic regression over the rule facts and call signals
(:data:`lendline.modelling.fraud_data.FEATURES`; counts and latencies enter as ``log1p``),
calibrated with Platt scaling on 5-fold cross-validated predictions
(``CalibratedClassifierCV(method="sigmoid", ensemble=False)``): one regression fitted on all
training rows, one calibration map, both exportable as a handful of numbers that the core
(``lendline.risk.fraud.model``) scores in pure Python.

The data are generated (:mod:`lendline.modelling.fraud_data`); the held-out set is a
stratified 30 % of them. :func:`train` returns everything; :func:`export` writes the JSON
the core loads and :func:`reliability_plot` the calibration chart for the model card.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import sklearn
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from lendline.modelling.fraud_data import FEATURES, PATTERNS, data_hash, generate
from lendline.risk.fraud.facts import FACT_FEATURES

__all__ = [
    "LOG1P_FEATURES",
    "THRESHOLDS",
    "TrainedFraudModel",
    "export",
    "reliability_plot",
    "train",
    "transform",
]

#: Counts and latencies: skewed, so the model reads ``log1p`` of them.
LOG1P_FEATURES: Final = frozenset(
    name
    for name in FEATURES
    if name.endswith(("_24h", "_30d", "_identities", "_cues", "_secs", "_turns"))
    or name in {"security_questions_failed", "otp_failures", "turns"}
)
#: Features whose higher values may only ever raise suspicion (counts, flags, cues, a second
#: voice, read-out answers). A fitted coefficient below zero on one of them is an artefact of
#: correlated inputs (the 24-hour and 30-day counts, say); such features are dropped and the
#: model refitted, so every reason reads "more of this than an honest applicant".
MONOTONE_UP: Final = frozenset(FACT_FEATURES) | {
    "coaching_cues",
    "urgency_cues",
    "scam_cues",
    "guarantor_cues",
    "second_voice",
    "second_voice_turns",
    "scripted_reading",
}
#: The policy's fraud thresholds (step-up, refer), at which recall is reported.
THRESHOLDS: Final = (0.30, 0.60)
MODEL_VERSION: Final = "fraud-lr-1.2"


def transform(frame: pd.DataFrame, features: Sequence[str] = FEATURES) -> np.ndarray:
    """The model's input matrix: the features in order, ``log1p`` where listed."""
    columns = [
        np.log1p(np.clip(frame[name].to_numpy(float), 0, None))
        if name in LOG1P_FEATURES
        else frame[name].to_numpy(float)
        for name in features
    ]
    return np.column_stack(columns)


def _pipeline() -> Pipeline:
    return Pipeline(
        [
            ("scale", StandardScaler()),
            ("regression", LogisticRegression(C=1.0, max_iter=5_000)),
        ]
    )


def select_features(rows: pd.DataFrame) -> tuple[str, ...]:
    """The features kept after the sign check (see :data:`MONOTONE_UP`), in order."""
    kept = list(FEATURES)
    while True:
        fitted = _pipeline().fit(transform(rows, kept), rows["label"].to_numpy())
        coefficients = fitted.named_steps["regression"].coef_[0]
        wrong = [
            name
            for name, coefficient in zip(kept, coefficients, strict=True)
            if name in MONOTONE_UP and coefficient < 0
        ]
        if not wrong:
            return tuple(kept)
        # One at a time, the most negative first: dropping it often fixes its partner's sign.
        worst = min(wrong, key=lambda name: coefficients[kept.index(name)])
        kept.remove(worst)


@dataclass
class TrainedFraudModel:
    """A trained model with its data and held-out figures.

    Attributes:
        calibrated: the fitted ``CalibratedClassifierCV``.
        features: the inputs it reads, in order (after the sign check).
        train: the training rows.
        test: the held-out rows.
        metrics: AUC, Brier score, recall per pattern, honest false-positive rates.
        reliability: (mean predicted, observed fraud rate, rows) per probability bin.
        data_hash: SHA-256 of the whole generated data set.
        seed: the generator's seed.
    """

    calibrated: CalibratedClassifierCV
    features: tuple[str, ...]
    train: pd.DataFrame
    test: pd.DataFrame
    metrics: dict[str, Any]
    reliability: list[tuple[float, float, int]]
    data_hash: str
    seed: int

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """scikit-learn's calibrated probability of fraud for each row."""
        return np.asarray(self.calibrated.predict_proba(transform(frame, self.features))[:, 1])


def _metrics(labels: np.ndarray, probability: np.ndarray, patterns: np.ndarray) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "auc": round(float(roc_auc_score(labels, probability)), 4),
        "brier": round(float(brier_score_loss(labels, probability)), 4),
        "base_rate": round(float(labels.mean()), 4),
        "test_rows": len(labels),
    }
    for threshold in THRESHOLDS:
        flagged = probability >= threshold
        recall = {
            pattern: round(float(flagged[patterns == pattern].mean()), 3)
            for pattern in PATTERNS
            if pattern != "honest"
        }
        figures[f"at_{threshold:.2f}"] = {
            "recall_by_pattern": recall,
            "recall_all_fraud": round(float(flagged[labels == 1].mean()), 3),
            "honest_false_positive_rate": round(float(flagged[patterns == "honest"].mean()), 4),
            "precision": round(float(labels[flagged].mean()) if flagged.any() else 0.0, 3),
        }
    return figures


def train(n: int = 40_000, seed: int = 20261201) -> TrainedFraudModel:
    """Generate the data, fit and calibrate the model, and measure it on the held-out set."""
    data = generate(n, seed)
    train_rows, test_rows = train_test_split(
        data, test_size=0.3, random_state=seed, stratify=data["pattern"]
    )
    features = select_features(train_rows)
    calibrated = CalibratedClassifierCV(_pipeline(), method="sigmoid", cv=5, ensemble=False)
    calibrated.fit(transform(train_rows, features), train_rows["label"].to_numpy())
    probability = np.asarray(calibrated.predict_proba(transform(test_rows, features))[:, 1])
    labels = test_rows["label"].to_numpy()
    observed, predicted = calibration_curve(labels, probability, n_bins=10, strategy="quantile")
    bins = np.quantile(probability, np.linspace(0, 1, 11))
    counts = np.histogram(probability, bins=np.unique(bins))[0]
    reliability = [
        (round(float(p), 4), round(float(o), 4), int(c))
        for p, o, c in zip(predicted, observed, counts, strict=False)
    ]
    return TrainedFraudModel(
        calibrated=calibrated,
        features=features,
        train=train_rows.reset_index(drop=True),
        test=test_rows.reset_index(drop=True),
        metrics=_metrics(labels, probability, test_rows["pattern"].to_numpy()),
        reliability=reliability,
        data_hash=data_hash(data),
        seed=seed,
    )


def document(model: TrainedFraudModel) -> dict[str, Any]:
    """The JSON document the core's ``FraudModel`` reads."""
    classifier = model.calibrated.calibrated_classifiers_[0]
    pipeline: Pipeline = classifier.estimator
    scaler: StandardScaler = pipeline.named_steps["scale"]
    regression: LogisticRegression = pipeline.named_steps["regression"]
    calibrator = classifier.calibrators[0]
    honest_rows = model.train[model.train["pattern"] == "honest"]
    honest = transform(honest_rows, model.features).mean(axis=0)
    features = [
        {
            "name": name,
            "transform": "log1p" if name in LOG1P_FEATURES else "identity",
            "mean": float(scaler.mean_[i]),
            "scale": float(scaler.scale_[i]),
            "coefficient": float(regression.coef_[0][i]),
            "honest_mean": float(honest[i]),
        }
        for i, name in enumerate(model.features)
    ]
    return {
        "model": "fraud",
        "version": MODEL_VERSION,
        "kind": "standardised logistic regression, Platt-calibrated on 5-fold CV predictions",
        "training_data": {
            "generator": "lendline.modelling.fraud_data.generate",
            "generated": True,
            "seed": model.seed,
            "rows": len(model.train) + len(model.test),
            "sha256": model.data_hash,
            "patterns": dict(PATTERNS),
        },
        "sklearn_version": sklearn.__version__,
        "intercept": float(regression.intercept_[0]),
        "calibration": {"method": "sigmoid", "a": float(calibrator.a_), "b": float(calibrator.b_)},
        "features": features,
        "dropped_by_sign_check": [name for name in FEATURES if name not in model.features],
        "metrics": model.metrics,
        "reliability": [list(row) for row in model.reliability],
    }


def export(model: TrainedFraudModel, path: Path) -> Path:
    """Write the model's JSON document to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document(model), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


def reliability_plot(model: TrainedFraudModel, path: Path) -> Path:
    """Draw the reliability diagram of the held-out set to a PNG."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    predicted = [row[0] for row in model.reliability]
    observed = [row[1] for row in model.reliability]
    figure, axis = plt.subplots(figsize=(5, 5), dpi=100)
    axis.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    axis.plot(predicted, observed, marker="o", label="fraud model (held-out)")
    axis.set_xlabel("mean predicted probability (decile bins)")
    axis.set_ylabel("observed fraud rate")
    axis.set_title(
        f"Fraud model {MODEL_VERSION}: AUC {model.metrics['auc']}, "
        f"Brier {model.metrics['brier']}\n(generated data)",
        fontsize=9,
    )
    axis.legend(loc="upper left", fontsize=8)
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, metadata={"Software": None})
    plt.close(figure)
    return path


def summary(metrics: Mapping[str, Any], thresholds: Sequence[float] = THRESHOLDS) -> str:
    """The held-out figures as a few lines of text (for the command's output)."""
    lines = [f"AUC {metrics['auc']}  Brier {metrics['brier']}  base rate {metrics['base_rate']}"]
    for threshold in thresholds:
        at = metrics[f"at_{threshold:.2f}"]
        recall = "  ".join(f"{k} {v}" for k, v in at["recall_by_pattern"].items())
        lines.append(
            f">= {threshold:.2f}: honest FPR {at['honest_false_positive_rate']}  "
            f"precision {at['precision']}  recall {at['recall_all_fraud']} ({recall})"
        )
    return "\n".join(lines)
