"""Stage 4 of the policy: fraud rules and model, credit bands, step-up, with explanations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_policy import cny, facts

from lendline.lending.limits import RegulatoryLimits
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.risk.policy import (
    DEFAULT_PRICE_BANDS,
    EmploymentStatus,
    ExplainedReason,
    Outcome,
    PolicyConfig,
    PriceBand,
    ReasonCode,
    RiskEvidence,
    decide,
    price_band,
)

CONFIG = PolicyConfig()
LIMITS = RegulatoryLimits()
CREDIT_REASON = ExplainedReason("C01", "支票账户状况", "checking account status")
FRAUD_REASON = ExplainedReason("F03", "同一号码多人使用", "one phone used by several identities")


def decide_with(risk: RiskEvidence, **changes: object):  # type: ignore[no-untyped-def]
    return decide(facts(**changes), DEFAULT_PRODUCT, LIMITS, CONFIG, risk)


def test_no_evidence_decides_as_the_written_rules_alone() -> None:
    plain = decide(facts(), DEFAULT_PRODUCT, LIMITS, CONFIG)
    empty = decide_with(RiskEvidence())
    assert (plain.outcome, plain.reasons, plain.offer) == (
        empty.outcome,
        empty.reasons,
        empty.offer,
    )
    assert empty.band is None and empty.explained == ()


def test_a_good_credit_band_prices_at_the_product_rate() -> None:
    decision = decide_with(RiskEvidence(credit_probability_bad=Decimal("0.20")))
    assert decision.outcome is Outcome.APPROVE
    assert decision.band == "A"
    assert decision.offer is not None
    assert decision.offer.annual_rate == DEFAULT_PRODUCT.annual_rate
    assert ReasonCode.RISK_BASED_PRICE not in decision.reasons


def test_a_weaker_band_pays_its_margin_and_says_so() -> None:
    decision = decide_with(RiskEvidence(credit_probability_bad=Decimal("0.40")))
    assert decision.band == "B"
    assert decision.offer is not None
    assert decision.offer.annual_rate == DEFAULT_PRODUCT.annual_rate + Decimal("0.015")
    assert decision.offer.rates.apr > DEFAULT_PRODUCT.annual_rate
    assert ReasonCode.RISK_BASED_PRICE in decision.reasons


def test_the_band_limit_caps_the_amount_as_a_multiple_of_income() -> None:
    # Band C lends at most 5 x income: 5 x 8,000 = 40,000 of the 50,000 asked for.
    decision = decide_with(
        RiskEvidence(credit_probability_bad=Decimal("0.50")),
        monthly_income=cny(8_000),
        registry_monthly_income=cny(8_000),
        amount=cny(50_000),
    )
    assert decision.outcome is Outcome.APPROVE
    assert decision.approved_amount == cny(40_000)
    assert ReasonCode.RISK_LIMIT_REDUCED_AMOUNT in decision.reasons


def test_a_probability_of_default_above_the_last_band_declines_with_the_scorecards_reasons() -> (
    None
):
    decision = decide_with(
        RiskEvidence(credit_probability_bad=Decimal("0.55"), credit_reasons=(CREDIT_REASON,))
    )
    assert decision.outcome is Outcome.DECLINE
    assert ReasonCode.CREDIT_SCORE_TOO_LOW in decision.reasons
    assert decision.explained == (CREDIT_REASON,)


@pytest.mark.parametrize(
    ("probability", "stepped_up", "outcome", "reason"),
    [
        ("0.29", False, Outcome.APPROVE, None),
        ("0.30", False, Outcome.STEP_UP, ReasonCode.STEP_UP_REQUIRED),
        ("0.30", True, Outcome.APPROVE, None),
        ("0.59", True, Outcome.APPROVE, None),
        ("0.60", False, Outcome.REFER, ReasonCode.FRAUD_RISK_REVIEW),
        ("0.60", True, Outcome.REFER, ReasonCode.FRAUD_RISK_REVIEW),
    ],
)
def test_the_fraud_probability_steps_up_once_then_refers(
    probability: str, stepped_up: bool, outcome: Outcome, reason: ReasonCode | None
) -> None:
    decision = decide_with(
        RiskEvidence(
            fraud_probability=Decimal(probability),
            fraud_reasons=(FRAUD_REASON,),
            stepped_up=stepped_up,
        )
    )
    assert decision.outcome is outcome
    if reason is not None:
        assert reason in decision.reasons
        assert decision.explained == (FRAUD_REASON,)
    else:
        assert decision.explained == ()


def test_a_failed_step_up_refers_instead_of_asking_again() -> None:
    decision = decide_with(RiskEvidence(fraud_probability=Decimal("0.40"), step_up_failed=True))
    assert decision.outcome is Outcome.REFER
    assert ReasonCode.STEP_UP_FAILED in decision.reasons
    assert ReasonCode.STEP_UP_REQUIRED not in decision.reasons


def test_a_hard_fraud_rule_declines_even_a_perfect_credit() -> None:
    decision = decide_with(
        RiskEvidence(
            credit_probability_bad=Decimal("0.01"),
            fraud_probability=Decimal("0.01"),
            fraud_declines=(ExplainedReason("F09", "账户在风险名单上", "the account is listed"),),
        )
    )
    assert decision.outcome is Outcome.DECLINE
    assert ReasonCode.FRAUD_RULE_DECLINE in decision.reasons
    assert decision.offer is None


def test_fraud_rule_step_ups_and_refers_work_without_a_model() -> None:
    step = decide_with(RiskEvidence(fraud_step_ups=(FRAUD_REASON,)))
    assert step.outcome is Outcome.STEP_UP
    refer = decide_with(RiskEvidence(fraud_refers=(FRAUD_REASON,)))
    assert refer.outcome is Outcome.REFER


def test_decline_outranks_refer_outranks_step_up() -> None:
    decision = decide_with(RiskEvidence(fraud_probability=Decimal("0.35")), age=16)
    assert decision.outcome is Outcome.DECLINE
    referred = decide_with(
        RiskEvidence(fraud_probability=Decimal("0.35")), employment=EmploymentStatus.STUDENT
    )
    assert referred.outcome is Outcome.REFER


def test_model_versions_travel_with_the_decision() -> None:
    versions = {"credit": "credit-scorecard-x", "fraud": "fraud-model-y"}
    decision = decide_with(RiskEvidence(model_versions=versions))
    assert dict(decision.model_versions) == versions


def test_price_bands_are_checked_and_looked_up_by_their_ceilings() -> None:
    assert price_band(Decimal("0.349"), CONFIG) == DEFAULT_PRICE_BANDS[0]
    assert price_band(Decimal("0.35"), CONFIG) == DEFAULT_PRICE_BANDS[1]
    assert price_band(Decimal("0.55"), CONFIG) is None
    with pytest.raises(ValueError, match="bands"):
        PolicyConfig(price_bands=tuple(reversed(DEFAULT_PRICE_BANDS)))
    with pytest.raises(ValueError, match="fraud thresholds"):
        PolicyConfig(fraud_step_up_probability=Decimal("0.7"))
    one = PriceBand("X", Decimal("0.5"), Decimal(0), Decimal(1))
    assert PolicyConfig(price_bands=(one,)).price_bands == (one,)
