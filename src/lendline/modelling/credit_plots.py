"""The credit scorecard's figures for the model card: ROC curves and a reliability diagram."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a training machine or in CI

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve

ROC_FILE = "credit-roc.png"
CALIBRATION_FILE = "credit-calibration.png"


def plot_roc(y: np.ndarray, curves: Mapping[str, np.ndarray], path: Path) -> Path:
    """ROC curves of several models on the same holdout, AUC in the legend."""
    figure, axes = plt.subplots(figsize=(5.5, 5), dpi=110)
    for label, p_bad in curves.items():
        fpr, tpr, _ = roc_curve(y, p_bad)
        axes.plot(fpr, tpr, label=f"{label} (AUC {roc_auc_score(y, p_bad):.3f})")
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
    axes.set(xlabel="False positive rate (goods flagged)", ylabel="True positive rate (bads)")
    axes.set_title("Credit scorecard: ROC on the German Credit holdout", fontsize=10)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def plot_calibration(
    y: np.ndarray, curves: Mapping[str, np.ndarray], path: Path, bins: int = 6
) -> Path:
    """Reliability diagram: mean predicted vs observed bad rate in equal-count bins."""
    figure, axes = plt.subplots(figsize=(5.5, 5), dpi=110)
    for label, p_bad in curves.items():
        observed, predicted = calibration_curve(y, p_bad, n_bins=bins, strategy="quantile")
        axes.plot(predicted, observed, marker="o", label=label)
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect")
    axes.set(xlabel="Predicted probability of default", ylabel="Observed bad rate")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_title(f"Reliability on the holdout ({len(y)} loans, {bins} bins)", fontsize=10)
    axes.legend(fontsize=8, loc="upper left")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
