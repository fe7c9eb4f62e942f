"""The policy under limits per lender type: violations become declines with reasons."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lendline.lending.catalog import load_products
from lendline.lending.limits import LenderType, LimitViolation, RegulatoryLimits
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT, EarlyRepayment, LoanProduct
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory
from lendline.risk.policy import (
    _LIMIT_REASONS,
    REASON_TEXT,
    ApplicationFacts,
    Decision,
    EmploymentStatus,
    Outcome,
    PolicyConfig,
    ReasonCode,
    debt_to_income,
    decide,
)
from lendline.shared.money import Money

PRIVATE_2025 = RegulatoryLimits.for_lender(LenderType.PRIVATE, date(2025, 6, 1))  # 12.0 %
LICENSED = RegulatoryLimits.for_lender(LenderType.LICENSED, date(2025, 6, 1))


def cny(value: str | int) -> Money:
    return Money.of(value)


def facts(**changes: Any) -> ApplicationFacts:
    base: dict[str, Any] = {
        "amount": cny(50_000),
        "term_months": 12,
        "purpose": PurposeCategory.CONSUMER_GOODS,
        "monthly_income": cny(15_000),
        "employment": EmploymentStatus.EMPLOYED,
        "age": 35,
        "identity_verified": True,
        "security_questions_failed": 0,
        "registry_monthly_income": cny(15_000),
        "existing_monthly_debt": cny(0),
    }
    base.update(changes)
    return ApplicationFacts(**base)


def run(
    application: ApplicationFacts,
    product: LoanProduct = DEFAULT_PRODUCT,
    limits: RegulatoryLimits = LICENSED,
) -> Decision:
    return decide(application, product, limits, PolicyConfig())


def at_rate(annual_rate: str, **changes: Any) -> LoanProduct:
    return dataclasses.replace(DEFAULT_PRODUCT, annual_rate=Decimal(annual_rate), **changes)


def test_every_limit_violation_is_told_as_a_decline_reason_with_a_text() -> None:
    assert set(_LIMIT_REASONS) == set(LimitViolation)
    for reason in _LIMIT_REASONS.values():
        zh, en = REASON_TEXT[reason]
        assert zh and en


def test_a_private_lender_approves_the_default_product_under_its_12_percent_cap() -> None:
    decision = run(facts(), limits=PRIVATE_2025)
    assert decision.outcome is Outcome.APPROVE
    assert decision.reasons == ()


def test_a_private_lender_declines_12_5_percent_with_the_apr_reason() -> None:
    decision = run(facts(), product=at_rate("0.125"), limits=PRIVATE_2025)
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.APR_ABOVE_CAP,)
    assert decision.offer is None
    assert run(facts(), product=at_rate("0.125")).outcome is Outcome.APPROVE


def test_a_vector_one_loan_at_exactly_the_private_cap_is_approved() -> None:
    decision = run(facts(), product=at_rate("0.12"), limits=PRIVATE_2025)
    assert decision.outcome is Outcome.APPROVE


def test_the_flat_fee_product_is_declined_by_a_private_lender_in_2025() -> None:
    flat = load_products().get("PL-FLAT")
    application = facts(amount=cny(12_000))
    assert run(application, product=flat).outcome is Outcome.APPROVE
    declined = run(application, product=flat, limits=PRIVATE_2025)
    assert declined.reasons == (ReasonCode.APR_ABOVE_CAP,)


def test_credit_already_owed_to_the_lender_counts_toward_the_cap() -> None:
    assert run(facts(outstanding_credit=cny(150_000))).outcome is Outcome.APPROVE
    decision = run(facts(outstanding_credit=cny(160_000)))
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.AMOUNT_ABOVE_CONSUMER_CAP,)
    assert "still owed" in REASON_TEXT[ReasonCode.AMOUNT_ABOVE_CONSUMER_CAP][1]


def test_outstanding_credit_cannot_be_negative_or_in_another_currency() -> None:
    with pytest.raises(ValueError):
        facts(outstanding_credit=cny(-1))
    with pytest.raises(ValueError):
        facts(outstanding_credit=Money.of(1, "USD"))


def test_a_penalty_too_costly_on_early_repayment_is_declined_as_above_the_cap() -> None:
    product = at_rate("0.108", early_repayment=EarlyRepayment(penalty_rate=Decimal("0.03")))
    decision = run(facts(), product=product)
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.APR_ABOVE_CAP,)
    assert "early-repayment penalty" in REASON_TEXT[ReasonCode.APR_ABOVE_CAP][1]


def test_purposes_a_lender_bans_beyond_the_law_are_declined() -> None:
    stricter = dataclasses.replace(
        LICENSED, banned_purposes=BANNED_PURPOSES | {PurposeCategory.TRAVEL}
    )
    decision = run(facts(purpose=PurposeCategory.TRAVEL), limits=stricter)
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.BANNED_PURPOSE,)
    assert run(facts(purpose=PurposeCategory.TRAVEL)).outcome is Outcome.APPROVE


def test_minors_are_declined_under_every_lender_type() -> None:
    for limits in (LICENSED, PRIVATE_2025):
        assert run(facts(age=17), limits=limits).reasons == (ReasonCode.UNDER_AGE,)


def test_affordability_after_a_grace_period_uses_the_regular_payment() -> None:
    grace = load_products().get("PL-GRACE")
    offer = make_offer(grace, cny(50_000), 12)
    # 450 interest-only for three months, then about 5,781 a month over nine.
    assert offer.monthly_payment == cny(450)
    peak = offer.schedule.peak_payment
    assert peak > cny(5_700)
    application = facts(monthly_income=peak * 2, registry_monthly_income=None)
    assert debt_to_income(application, offer) == Decimal("0.5")
    assert run(application, product=grace).approved_amount == cny(50_000)
    poorer = facts(monthly_income=cny(8_000), registry_monthly_income=None)
    decision = run(poorer, product=grace)
    # The interest-only start (450 a month) would look affordable; the regular payment is not.
    assert decision.reasons == (ReasonCode.COUNTER_OFFER_REDUCED_AMOUNT,)
    assert decision.offer is not None
    assert decision.offer.schedule.peak_payment <= cny(4_000)
