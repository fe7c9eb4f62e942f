"""The written decision policy: hard declines, affordability with counter-offers, referrals."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.lending.limits import RegulatoryLimits, check_offer_limits
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT, LoanProduct
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory
from lendline.risk.policy import (
    REASON_EFFECT,
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

LIMITS = RegulatoryLimits()
CONFIG = PolicyConfig()
# 50,000 CNY over 12 months at 10.8 % a year costs 4,414.42 a month on the default product.
PAYMENT_50K_12M = Money.of("4414.42")


def cny(value: str | int) -> Money:
    return Money.of(value)


def facts(**changes: Any) -> ApplicationFacts:
    """A clean application that the default policy approves in full."""
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
    limits: RegulatoryLimits = LIMITS,
    config: PolicyConfig = CONFIG,
) -> Decision:
    return decide(application, product, limits, config)


# ---------------------------------------------------------------- approvals


def test_a_clean_application_is_approved_in_full_with_its_offer() -> None:
    decision = run(facts())
    assert decision.outcome is Outcome.APPROVE
    assert decision.reasons == ()
    assert decision.approved_amount == cny(50_000)
    assert decision.offer is not None
    assert decision.offer.amount == cny(50_000)
    assert decision.offer.term_months == 12
    assert decision.offer.monthly_payment == PAYMENT_50K_12M


def test_every_decision_records_the_policy_version() -> None:
    assert run(facts()).policy_version == "policy-2026.12-v3"
    config = PolicyConfig(version="policy-test-v9")
    assert run(facts(age=16), config=config).policy_version == "policy-test-v9"


def test_retired_and_self_employed_applicants_with_income_are_approved() -> None:
    for employment in (EmploymentStatus.RETIRED, EmploymentStatus.SELF_EMPLOYED):
        assert run(facts(employment=employment)).outcome is Outcome.APPROVE


def test_debt_to_income_counts_existing_debt_and_the_new_payment() -> None:
    application = facts(monthly_income=cny(10_000), existing_monthly_debt=cny(1_000))
    offer = make_offer(DEFAULT_PRODUCT, cny(50_000), 12)
    assert debt_to_income(application, offer) == Decimal("0.541442")


def test_debt_to_income_exactly_at_the_maximum_is_affordable() -> None:
    # Payment 4,414.42 against income 8,828.84 is exactly 50 %.
    decision = run(facts(monthly_income=cny("8828.84"), registry_monthly_income=None))
    assert decision.outcome is Outcome.APPROVE
    assert decision.approved_amount == cny(50_000)


# ---------------------------------------------------------------- hard declines


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"purpose": PurposeCategory.SECURITIES_INVESTMENT}, ReasonCode.BANNED_PURPOSE),
        ({"age": 17}, ReasonCode.UNDER_AGE),
        ({"identity_verified": False}, ReasonCode.IDENTITY_NOT_VERIFIED),
        ({"amount": cny(500)}, ReasonCode.AMOUNT_BELOW_PRODUCT_MIN),
        ({"term_months": 7}, ReasonCode.TERM_NOT_OFFERED),
        ({"employment": EmploymentStatus.UNEMPLOYED}, ReasonCode.NO_INCOME_SOURCE),
        (
            {
                "amount": cny(3_000),
                "monthly_income": cny(2_999),
                "registry_monthly_income": cny(2_999),
            },
            ReasonCode.INCOME_TOO_LOW,
        ),
    ],
)
def test_each_hard_rule_declines_with_its_own_reason(
    changes: dict[str, Any], reason: ReasonCode
) -> None:
    decision = run(facts(**changes))
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (reason,)
    assert decision.offer is None
    assert decision.approved_amount is None


@pytest.mark.parametrize("purpose", sorted(BANNED_PURPOSES))
def test_every_banned_purpose_is_declined(purpose: PurposeCategory) -> None:
    assert ReasonCode.BANNED_PURPOSE in run(facts(purpose=purpose)).reasons


def test_zero_income_is_no_income_source_not_merely_low_income() -> None:
    decision = run(facts(monthly_income=cny(0), registry_monthly_income=None))
    assert decision.reasons == (ReasonCode.NO_INCOME_SOURCE,)


def test_an_unemployed_applicant_declaring_little_income_gets_both_reasons() -> None:
    application = facts(
        amount=cny(1_000), employment=EmploymentStatus.UNEMPLOYED, monthly_income=cny(1_000)
    )
    decision = run(application)
    assert decision.reasons == (ReasonCode.NO_INCOME_SOURCE, ReasonCode.INCOME_TOO_LOW)


def test_an_amount_above_the_product_maximum_is_declined() -> None:
    limits = RegulatoryLimits(max_consumer_credit=cny(500_000))
    rich = facts(
        amount=cny(250_000), monthly_income=cny(100_000), registry_monthly_income=cny(100_000)
    )
    decision = run(rich, limits=limits)
    assert decision.reasons == (ReasonCode.AMOUNT_ABOVE_PRODUCT_MAX,)


def test_an_amount_above_the_consumer_cap_is_declined_even_if_the_product_allows_it() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, max_amount=cny(300_000))
    rich = facts(
        amount=cny(250_000), monthly_income=cny(100_000), registry_monthly_income=cny(100_000)
    )
    decision = run(rich, product=product)
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.AMOUNT_ABOVE_CONSUMER_CAP,)


def test_a_product_priced_above_the_apr_cap_is_never_lent() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, annual_rate=Decimal("0.30"))
    decision = run(facts(), product=product)
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.APR_ABOVE_CAP,)


def test_a_product_at_the_criminal_line_reports_the_cap_reason_once() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, annual_rate=Decimal("0.40"))
    assert run(facts(), product=product).reasons == (ReasonCode.APR_ABOVE_CAP,)


def test_every_applicable_reason_is_collected_in_rule_order() -> None:
    decision = run(
        facts(
            purpose=PurposeCategory.GAMBLING,
            age=17,
            identity_verified=False,
            term_months=7,
            employment=EmploymentStatus.STUDENT,
            monthly_income=cny(2_000),
            security_questions_failed=2,
            registry_monthly_income=cny(500),
        )
    )
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (
        ReasonCode.BANNED_PURPOSE,
        ReasonCode.UNDER_AGE,
        ReasonCode.IDENTITY_NOT_VERIFIED,
        ReasonCode.TERM_NOT_OFFERED,
        ReasonCode.INCOME_TOO_LOW,
        ReasonCode.STUDENT_BORROWER,
        ReasonCode.FAILED_SECURITY_QUESTIONS,
        ReasonCode.INCOME_ABOVE_REGISTRY,
    )


def test_a_declined_application_also_reports_unaffordability() -> None:
    decision = run(facts(age=17, monthly_income=cny(5_000), registry_monthly_income=None))
    assert decision.reasons == (ReasonCode.UNDER_AGE, ReasonCode.DEBT_TO_INCOME_TOO_HIGH)


# ---------------------------------------------------------------- affordability


def test_too_high_debt_to_income_is_met_with_the_largest_smaller_amount_that_fits() -> None:
    application = facts(monthly_income=cny(6_000), registry_monthly_income=cny(6_000))
    decision = run(application)
    assert decision.outcome is Outcome.APPROVE
    assert decision.reasons == (ReasonCode.COUNTER_OFFER_REDUCED_AMOUNT,)
    offer = decision.offer
    assert offer is not None and decision.approved_amount == offer.amount
    assert offer.term_months == 12
    assert offer.amount < cny(50_000)
    assert offer.amount.amount % 100 == 0
    dti = debt_to_income(application, offer)
    assert dti is not None and dti <= Decimal("0.50")
    one_step_more = make_offer(DEFAULT_PRODUCT, offer.amount + cny(100), 12)
    more = debt_to_income(application, one_step_more)
    assert more is not None and more > Decimal("0.50")


def test_the_counter_offer_for_income_6000_is_33900() -> None:
    # A 6,000 income affords 3,000 a month: 33,900 costs 2,992.98 and 34,000 costs 3,001.81.
    decision = run(facts(monthly_income=cny(6_000), registry_monthly_income=cny(6_000)))
    assert decision.approved_amount == cny(33_900)


def test_without_any_affordable_amount_the_application_is_declined() -> None:
    decision = run(facts(monthly_income=cny(4_000), existing_monthly_debt=cny(2_000)))
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.DEBT_TO_INCOME_TOO_HIGH,)


def test_an_amount_between_steps_is_offered_at_the_step_below() -> None:
    decision = run(facts(amount=cny(50_050)))
    assert decision.outcome is Outcome.APPROVE
    assert decision.approved_amount == cny(50_000)
    assert decision.reasons == (ReasonCode.COUNTER_OFFER_REDUCED_AMOUNT,)


def test_affordability_uses_the_fee_inclusive_first_payment() -> None:
    product = dataclasses.replace(DEFAULT_PRODUCT, monthly_fee=cny(100))
    # 4,414.42 alone fits 8,828.84 exactly; the fee pushes it over and forces a smaller amount.
    application = facts(monthly_income=cny("8828.84"), registry_monthly_income=None)
    decision = run(application, product=product)
    assert decision.reasons == (ReasonCode.COUNTER_OFFER_REDUCED_AMOUNT,)
    assert decision.approved_amount is not None
    assert decision.approved_amount < cny(50_000)


def test_a_counter_offer_also_stays_within_the_regulatory_limits() -> None:
    decision = run(facts(monthly_income=cny(6_000), registry_monthly_income=cny(6_000)))
    assert decision.offer is not None
    assert check_offer_limits(decision.offer, LIMITS) == ()


# ---------------------------------------------------------------- referrals


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"employment": EmploymentStatus.STUDENT}, ReasonCode.STUDENT_BORROWER),
        ({"security_questions_failed": 1}, ReasonCode.FAILED_SECURITY_QUESTIONS),
        ({"registry_monthly_income": cny(7_000)}, ReasonCode.INCOME_ABOVE_REGISTRY),
        ({"registry_monthly_income": cny(0)}, ReasonCode.INCOME_ABOVE_REGISTRY),
    ],
)
def test_each_referral_rule_sends_the_application_to_a_person(
    changes: dict[str, Any], reason: ReasonCode
) -> None:
    decision = run(facts(**changes))
    assert decision.outcome is Outcome.REFER
    assert decision.reasons == (reason,)
    assert decision.offer is None and decision.approved_amount is None


def test_declared_income_up_to_twice_the_registry_is_accepted() -> None:
    assert run(facts(registry_monthly_income=cny(7_500))).outcome is Outcome.APPROVE


def test_no_registry_income_means_no_income_comparison() -> None:
    assert run(facts(registry_monthly_income=None)).outcome is Outcome.APPROVE


def test_a_referral_keeps_the_counter_offer_reason_for_the_reviewer() -> None:
    decision = run(
        facts(
            employment=EmploymentStatus.STUDENT,
            monthly_income=cny(6_000),
            registry_monthly_income=cny(6_000),
        )
    )
    assert decision.outcome is Outcome.REFER
    assert decision.reasons == (
        ReasonCode.COUNTER_OFFER_REDUCED_AMOUNT,
        ReasonCode.STUDENT_BORROWER,
    )


def test_a_decline_outranks_a_referral() -> None:
    decision = run(facts(age=17, employment=EmploymentStatus.STUDENT))
    assert decision.outcome is Outcome.DECLINE
    assert decision.reasons == (ReasonCode.UNDER_AGE, ReasonCode.STUDENT_BORROWER)


# ---------------------------------------------------------------- reason codes and values


def test_reason_codes_are_stable() -> None:
    assert {code.name: code.value for code in ReasonCode} == {
        "BANNED_PURPOSE": "R01",
        "UNDER_AGE": "R02",
        "IDENTITY_NOT_VERIFIED": "R03",
        "AMOUNT_ABOVE_PRODUCT_MAX": "R04",
        "AMOUNT_ABOVE_CONSUMER_CAP": "R05",
        "TERM_NOT_OFFERED": "R06",
        "APR_ABOVE_CAP": "R07",
        "NO_INCOME_SOURCE": "R08",
        "INCOME_TOO_LOW": "R09",
        "DEBT_TO_INCOME_TOO_HIGH": "R10",
        "AMOUNT_BELOW_PRODUCT_MIN": "R11",
        "BULLET_TERM_TOO_LONG": "R12",
        "STUDENT_BORROWER": "R20",
        "FAILED_SECURITY_QUESTIONS": "R21",
        "CREDIT_SCORE_TOO_LOW": "R13",
        "FRAUD_RULE_DECLINE": "R14",
        "INCOME_ABOVE_REGISTRY": "R22",
        "FRAUD_RISK_REVIEW": "R23",
        "STEP_UP_FAILED": "R24",
        "PURPOSE_NEEDS_REVIEW": "R25",
        "COUNTER_OFFER_REDUCED_AMOUNT": "R30",
        "RISK_LIMIT_REDUCED_AMOUNT": "R31",
        "RISK_BASED_PRICE": "R32",
        "STEP_UP_REQUIRED": "R40",
    }


def test_every_reason_has_an_effect_and_a_chinese_and_english_explanation() -> None:
    assert set(REASON_EFFECT) == set(ReasonCode)
    assert set(REASON_TEXT) == set(ReasonCode)
    for zh, en in REASON_TEXT.values():
        assert zh and en
        assert any("\u4e00" <= char <= "\u9fff" for char in zh)
        assert en.isascii()


def test_reason_code_ranges_match_their_effect() -> None:
    for code, effect in REASON_EFFECT.items():
        number = int(code.value[1:])
        expected = (
            Outcome.DECLINE
            if number < 20
            else Outcome.REFER
            if number < 30
            else Outcome.APPROVE
            if number < 40
            else Outcome.STEP_UP
        )
        assert effect is expected


def test_decision_refuses_an_approval_without_an_offer_and_repeated_reasons() -> None:
    with pytest.raises(ValueError, match="approval"):
        Decision(Outcome.APPROVE, (), cny(1_000), "v", None)
    offer = make_offer(DEFAULT_PRODUCT, cny(1_000), 3)
    with pytest.raises(ValueError, match="approval"):
        Decision(Outcome.DECLINE, (ReasonCode.UNDER_AGE,), None, "v", offer)
    with pytest.raises(ValueError, match="offer's amount"):
        Decision(Outcome.APPROVE, (), cny(2_000), "v", offer)
    with pytest.raises(ValueError, match="repeat"):
        Decision(Outcome.DECLINE, (ReasonCode.UNDER_AGE,) * 2, None, "v", None)


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": cny(0)},
        {"monthly_income": cny(-1)},
        {"existing_monthly_debt": cny(-1)},
        {"registry_monthly_income": cny(-1)},
        {"age": -1},
        {"security_questions_failed": -1},
        {"monthly_income": Money.of(10_000, "USD")},
    ],
)
def test_application_facts_refuse_impossible_values(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        facts(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"max_dti": Decimal(0)},
        {"max_dti": Decimal("1.5")},
        {"refer_income_ratio": Decimal("0.9")},
        {"refer_failed_questions": 0},
    ],
)
def test_policy_config_refuses_settings_that_make_no_sense(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PolicyConfig(**changes)


# ---------------------------------------------------------------- properties

applications = st.builds(
    facts,
    amount=st.integers(min_value=5, max_value=2_500).map(lambda hundreds: cny(hundreds * 100)),
    term_months=st.sampled_from((*DEFAULT_PRODUCT.terms_months, 5, 48)),
    purpose=st.sampled_from(PurposeCategory),
    monthly_income=st.integers(min_value=0, max_value=60_000).map(cny),
    employment=st.sampled_from(EmploymentStatus),
    age=st.integers(min_value=14, max_value=80),
    identity_verified=st.booleans(),
    security_questions_failed=st.integers(min_value=0, max_value=3),
    registry_monthly_income=st.none() | st.integers(min_value=0, max_value=60_000).map(cny),
    existing_monthly_debt=st.integers(min_value=0, max_value=20_000).map(cny),
)


@settings(max_examples=150, deadline=None)
@given(applications)
def test_decisions_are_consistent_with_their_reasons(application: ApplicationFacts) -> None:
    decision = run(application)
    effects = {REASON_EFFECT[reason] for reason in decision.reasons}
    if decision.outcome is Outcome.DECLINE:
        assert Outcome.DECLINE in effects
    elif decision.outcome is Outcome.REFER:
        assert Outcome.REFER in effects and Outcome.DECLINE not in effects
    else:
        assert effects <= {Outcome.APPROVE}
        offer = decision.offer
        assert offer is not None
        assert offer.amount <= application.amount
        assert (offer.amount < application.amount) == bool(decision.reasons)
        dti = debt_to_income(application, offer)
        assert dti is not None and dti <= CONFIG.max_dti
        assert check_offer_limits(offer, LIMITS) == ()


@settings(max_examples=100, deadline=None)
@given(applications)
def test_nobody_under_age_unverified_or_with_a_banned_purpose_is_ever_approved(
    application: ApplicationFacts,
) -> None:
    decision = run(application)
    if (
        application.age < 18
        or not application.identity_verified
        or application.purpose in BANNED_PURPOSES
    ):
        assert decision.outcome is Outcome.DECLINE


def test_a_purpose_no_category_fits_goes_to_a_person() -> None:
    decision = run(facts(purpose=PurposeCategory.OTHER))
    assert decision.outcome is Outcome.REFER
    assert ReasonCode.PURPOSE_NEEDS_REVIEW in decision.reasons
