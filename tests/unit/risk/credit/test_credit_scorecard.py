"""The shipped credit scorecard, scored in pure Python from its JSON artefact."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from decimal import Decimal
from importlib.resources import files

import pytest

from lendline.lending.purpose import PurposeCategory
from lendline.risk.credit.applicant import (
    CheckingAccount,
    CreditApplicant,
    CreditHistory,
    EmploymentStatus,
    Savings,
    payment_to_income_band,
)
from lendline.risk.credit.scorecard import REASONS, Scorecard, ScorecardError
from lendline.shared.money import Money

RAW = json.loads(files("lendline.data").joinpath("models", "credit_scorecard.json").read_text())
CARD = Scorecard.load_default()
BUREAU = ("checking_account", "credit_history", "savings")


def applicant(**changes: object) -> CreditApplicant:
    base = CreditApplicant(
        age=35,
        amount=Money.of(20_000),
        term_months=12,
        monthly_income=Money.of(8_000),
        employment=EmploymentStatus.EMPLOYED,
        purpose=PurposeCategory.CONSUMER_GOODS,
        debt_to_income=Decimal("0.22"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_shipped_artefact_loads_with_its_version_and_every_feature() -> None:
    assert CARD.version.startswith("credit-scorecard-")
    assert CARD.version == RAW["version"]
    assert [f.name for f in CARD.features] == [f["name"] for f in RAW["features"]]
    assert not CARD.calibrated
    assert len({REASONS[f.name].code for f in CARD.features}) == len(CARD.features)


@pytest.mark.parametrize("feature", RAW["features"], ids=lambda f: f["name"])
def test_points_fall_as_the_bins_bad_rate_rises(feature: dict) -> None:
    # Monotone binning plus a negative coefficient: a riskier bin never earns more points.
    by_risk = sorted(feature["bins"], key=lambda b: Decimal(b["bad_rate"]))
    points = [b["points"] for b in by_risk]
    assert points == sorted(points, reverse=True)
    if feature["kind"] == "numeric":
        ordered = [b["points"] for b in feature["bins"]]
        assert ordered in (sorted(ordered), sorted(ordered, reverse=True))


def test_missing_bins_are_neutral_and_equal_across_features() -> None:
    assert {f.missing.contribution for f in CARD.features} == {Decimal(0)}
    assert len({f.missing.points for f in CARD.features}) == 1


def test_points_are_the_sum_of_the_bins_and_probability_the_logistic_link() -> None:
    score = CARD.score(applicant())
    chosen = [f.bin_for(v) or f.missing for f, v in zip(CARD.features, _values(), strict=True)]
    assert score.points == sum(b.points for b in chosen)
    log_odds = float(CARD.intercept) + sum(float(b.contribution) for b in chosen)
    assert float(score.probability_bad) == pytest.approx(1 / (1 + math.exp(-log_odds)), abs=1e-6)
    assert score.version == CARD.version


def _values() -> list[object]:
    features = applicant().features()
    return [features[f.name] for f in CARD.features]


def test_a_call_today_scores_the_bureau_fields_as_missing_without_reasons() -> None:
    score = CARD.score(applicant())
    assert score.missing == BUREAU
    assert not {r.feature for r in score.reasons} & set(BUREAU)


def test_missing_bureau_facts_sit_between_the_best_and_the_worst_bureau_record() -> None:
    unknown = CARD.score(applicant())
    best = CARD.score(
        applicant(
            checking_account=CheckingAccount.NO_ACCOUNT,
            credit_history=CreditHistory.CRITICAL_OR_OTHER_CREDITS,
            savings=Savings.MEDIUM,
        )
    )
    worst = CARD.score(
        applicant(
            checking_account=CheckingAccount.OVERDRAWN,
            credit_history=CreditHistory.ALL_REPAID_HERE,
            savings=Savings.VERY_LOW,
        )
    )
    assert worst.points < unknown.points < best.points
    assert worst.probability_bad > unknown.probability_bad > best.probability_bad
    assert best.missing == () and worst.missing == ()


def test_reasons_rank_the_features_that_cost_most_points_first() -> None:
    risky = applicant(
        term_months=48,
        age=22,
        debt_to_income=Decimal("0.45"),
        purpose=PurposeCategory.EDUCATION,
        employment=EmploymentStatus.UNEMPLOYED,
    )
    score = CARD.score(risky)
    lost = [r.points_lost for r in score.reasons]
    assert lost == sorted(lost, reverse=True) and min(lost) > 0
    assert score.reasons[0].code == "C01"  # the longest term costs the most
    assert {r.code for r in score.reasons} == {"C01", "C02", "C03", "C04", "C05"}
    by_name = {f.name: f for f in CARD.features}
    for reason in score.reasons:
        feature = by_name[reason.feature]
        found = feature.bin_for(risky.features()[reason.feature])
        assert found is not None
        assert reason.points_lost == feature.best_points - found.points
        assert reason.zh and reason.en


def test_an_applicant_in_every_best_bin_has_no_reasons() -> None:
    best = CARD.score(
        applicant(
            term_months=6,
            age=70,
            debt_to_income=Decimal("0.10"),
            checking_account=CheckingAccount.NO_ACCOUNT,
            credit_history=CreditHistory.CRITICAL_OR_OTHER_CREDITS,
            savings=Savings.MEDIUM,
        )
    )
    assert best.reasons == ()
    assert best.points == sum(f.best_points for f in CARD.features)


def test_unseen_categories_score_as_missing() -> None:
    # German Credit has no retired callers and no medical loans.
    score = CARD.score(
        applicant(employment=EmploymentStatus.RETIRED, purpose=PurposeCategory.MEDICAL)
    )
    assert {"employment", "purpose"} <= set(score.missing)


def test_a_value_on_a_bin_edge_belongs_to_the_bin_above() -> None:
    term = next(f for f in CARD.features if f.name == "term_months")
    edge = term.uppers[0]
    assert term.bin_for(edge) is term.bins[1]
    assert term.bin_for(edge - Decimal("0.01")) is term.bins[0]
    with pytest.raises(TypeError):
        term.bin_for("long")


@pytest.mark.parametrize(
    ("dti", "band"),
    [("0", 1), ("0.1999", 1), ("0.20", 2), ("0.2499", 2), ("0.25", 3), ("0.35", 4), ("2", 4)],
)
def test_debt_to_income_maps_onto_the_training_bands(dti: str, band: int) -> None:
    assert payment_to_income_band(Decimal(dti)) == band


@pytest.mark.parametrize(
    "changes",
    [
        {"age": 17},
        {"term_months": 0},
        {"amount": Money.of(0)},
        {"monthly_income": Money.of(-1)},
        {"debt_to_income": Decimal("-0.1")},
    ],
)
def test_impossible_applicants_are_refused(changes: dict) -> None:
    with pytest.raises(ValueError):
        applicant(**changes)


def test_a_malformed_artefact_is_refused() -> None:
    with pytest.raises(ScorecardError):
        Scorecard.from_json(json.dumps({**RAW, "format": 99}))
    broken = json.loads(json.dumps(RAW))
    del broken["features"][0]["missing"]
    with pytest.raises(ScorecardError):
        Scorecard.from_json(json.dumps(broken))
    renamed = json.loads(json.dumps(RAW))
    renamed["features"][0]["name"] = "shoe_size"
    with pytest.raises(ScorecardError, match="reason code"):
        Scorecard.from_json(json.dumps(renamed))
