"""The fraud model: the pure-Python scorer against scikit-learn, and its reasons."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import pytest

from lendline.modelling.fraud import TrainedFraudModel, document, train
from lendline.modelling.fraud_data import PATTERN_FEATURES, PATTERNS, generate, planted_case
from lendline.risk.fraud.model import FEATURE_REASONS, FraudModel
from lendline.risk.policy import PolicyConfig


@pytest.fixture(scope="module")
def trained() -> TrainedFraudModel:
    return train()


@pytest.fixture(scope="module")
def shipped() -> FraudModel:
    return FraudModel.load_default()


def _differences(shipped: object, retrained: object, where: str = "") -> list[str]:
    """Where two model documents differ: text and structure exactly, floats beyond 1e-6."""
    if isinstance(shipped, float) and isinstance(retrained, float):
        close = retrained == pytest.approx(shipped, rel=1e-6, abs=1e-9)
        return [] if close else [f"{where}: {shipped!r} != {retrained!r}"]
    if isinstance(shipped, dict) and isinstance(retrained, dict):
        if shipped.keys() != retrained.keys():
            return [f"{where}: keys {sorted(shipped)} != {sorted(retrained)}"]
        return [d for k in shipped for d in _differences(shipped[k], retrained[k], f"{where}.{k}")]
    if isinstance(shipped, list) and isinstance(retrained, list):
        if len(shipped) != len(retrained):
            return [f"{where}: {len(shipped)} items != {len(retrained)}"]
        pairs = zip(shipped, retrained, strict=True)
        return [d for i, (a, b) in enumerate(pairs) for d in _differences(a, b, f"{where}[{i}]")]
    return [] if shipped == retrained else [f"{where}: {shipped!r} != {retrained!r}"]


@pytest.mark.slow
def test_the_shipped_json_is_what_training_produces(trained: TrainedFraudModel) -> None:
    # The same generated data (its hash is compared exactly) and the same fit; the solver's
    # last digits move with the numerical libraries' versions (seen: 2e-9 relative between
    # scikit-learn/scipy releases), so coefficients are compared to six significant digits.
    text = resources.files("lendline.data").joinpath("models/fraud_model.json").read_text("utf-8")
    assert _differences(json.loads(text), json.loads(json.dumps(document(trained)))) == []


@pytest.mark.slow
def test_pure_python_reproduces_sklearn_on_the_held_out_set(trained: TrainedFraudModel) -> None:
    model = FraudModel(document(trained))
    expected = trained.predict(trained.test)
    rows = trained.test.to_dict("records")
    assert len(rows) == 12_000
    worst = max(
        abs(model.probability(row) - want) for row, want in zip(rows, expected, strict=True)
    )
    assert worst < 1e-9
    # The Decimal in the score is the same figure, rounded to 9 places.
    assert abs(float(model.score(rows[0]).probability) - expected[0]) < 1e-6


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p != "honest"])
def test_the_reasons_name_the_planted_pattern(shipped: FraudModel, pattern: str) -> None:
    score = shipped.score(planted_case(pattern))
    # Every planted pattern is at least stepped up by the policy (SIM swap sits lowest: its
    # wrong codes look like an honest caller's misheard ones).
    assert score.probability >= PolicyConfig().fraud_step_up_probability
    assert score.reasons, "a suspicious score must explain itself"
    assert score.reasons[0].feature in PATTERN_FEATURES[pattern]
    assert sum(r.feature in PATTERN_FEATURES[pattern] for r in score.reasons) >= 2
    assert [r.contribution for r in score.reasons] == sorted(
        (r.contribution for r in score.reasons), reverse=True
    )
    first = score.reasons[0]
    assert (first.code, first.zh, first.en) == FEATURE_REASONS[first.feature]


def test_an_honest_applicant_scores_low(shipped: FraudModel) -> None:
    score = shipped.score(planted_case("honest"))
    assert score.probability < Decimal("0.05")
    assert score.version == shipped.version == "fraud-lr-1.2"
    assert all(r.contribution < Decimal("0.5") for r in score.reasons)


def test_missing_features_count_as_honest_and_unknown_ones_are_ignored(
    shipped: FraudModel,
) -> None:
    case = planted_case("honest")
    assert shipped.score({}).reasons == ()
    assert shipped.score({**case, "shoe_size": 44.0}) == shipped.score(case)


def test_generated_honest_applicants_mostly_score_below_the_step_up_line(
    shipped: FraudModel,
) -> None:
    honest = generate(2_000, seed=99).query("pattern == 'honest'").to_dict("records")
    flagged = sum(shipped.probability(row) >= 0.30 for row in honest)
    assert flagged / len(honest) < 0.10


def test_a_malformed_document_is_refused(shipped: FraudModel) -> None:
    text = resources.files("lendline.data").joinpath("models/fraud_model.json").read_text("utf-8")
    doc = json.loads(text)
    doc["features"][0]["name"] = "unexplained"
    with pytest.raises(ValueError, match="reason texts"):
        FraudModel(doc)
    with pytest.raises(ValueError, match="not a fraud model"):
        FraudModel({"version": "x"})
