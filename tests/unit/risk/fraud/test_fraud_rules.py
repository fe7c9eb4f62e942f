"""The real-time fraud rules, each at the edges of its threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from lendline.risk.fraud.facts import FACT_FEATURES, FraudFacts
from lendline.risk.fraud.rules import (
    DEFAULT_RULES,
    RULE_TEXTS,
    FraudLevel,
    FraudRulesConfig,
    evaluate,
    evaluate_signals,
    strongest,
    to_evidence,
)
from lendline.risk.policy import ExplainedReason

# 10:00 in Beijing: outside the night hours.
NOON = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CLEAN = FraudFacts(
    applied_at=NOON,
    id_applications_24h=1,
    id_applications_30d=1,
    phone_applications_24h=1,
    phone_applications_30d=1,
    device_applications_24h=1,
    device_applications_30d=1,
    account_applications_24h=1,
    account_applications_30d=1,
    phone_identities=1,
    account_identities=1,
    device_identities=1,
    employer_identities_24h=1,
)


def codes(facts: FraudFacts, config: FraudRulesConfig = DEFAULT_RULES) -> list[str]:
    return [hit.code for hit in evaluate(facts, config)]


def test_an_ordinary_application_hits_no_rule() -> None:
    assert evaluate(CLEAN) == ()
    assert strongest(()) is None


COUNT_RULES = [
    ("F01", "id_applications_24h", 3),
    ("F02", "id_applications_30d", 6),
    ("F03", "phone_applications_24h", 3),
    ("F04", "phone_applications_30d", 6),
    ("F05", "device_applications_24h", 3),
    ("F06", "device_applications_30d", 8),
    ("F07", "account_applications_24h", 3),
    ("F08", "account_applications_30d", 5),
    ("F13", "device_identities", 3),
    ("F14", "employer_identities_24h", 5),
    ("F20", "otp_failures", 3),
]


@pytest.mark.parametrize(("code", "field", "threshold"), COUNT_RULES)
def test_count_rules_fire_at_their_threshold_and_not_one_below(
    code: str, field: str, threshold: int
) -> None:
    assert code not in codes(replace(CLEAN, **{field: threshold - 1}))
    hits = [h for h in evaluate(replace(CLEAN, **{field: threshold})) if h.code == code]
    assert len(hits) == 1
    assert f"threshold={threshold}" in hits[0].detail
    assert hits[0].level is RULE_TEXTS[code][0]
    assert hits[0].version == DEFAULT_RULES.version


@pytest.mark.parametrize(
    ("field", "lower_code", "upper_code", "lower", "upper"),
    [
        ("phone_identities", "F09", "F10", 2, 3),
        ("account_identities", "F11", "F12", 2, 3),
        ("security_questions_failed", "F18", "F19", 1, 2),
    ],
)
def test_graded_rules_report_only_the_more_severe_of_their_pair(
    field: str, lower_code: str, upper_code: str, lower: int, upper: int
) -> None:
    assert {lower_code, upper_code}.isdisjoint(codes(replace(CLEAN, **{field: lower - 1})))
    at_lower = codes(replace(CLEAN, **{field: lower}))
    assert lower_code in at_lower and upper_code not in at_lower
    at_upper = codes(replace(CLEAN, **{field: upper + 5}))
    assert upper_code in at_upper and lower_code not in at_upper


def test_an_account_shared_by_three_identities_declines_and_two_only_refer() -> None:
    assert strongest(evaluate(replace(CLEAN, account_identities=2))) is FraudLevel.REFER
    assert strongest(evaluate(replace(CLEAN, account_identities=3))) is FraudLevel.DECLINE


@pytest.mark.parametrize(
    ("field", "code", "level"),
    [
        ("registry_mismatch", "F15", FraudLevel.REFER),
        ("caller_id_differs", "F17", FraudLevel.STEP_UP),
        ("otp_locked", "F21", FraudLevel.REFER),
    ],
)
def test_flag_rules(field: str, code: str, level: FraudLevel) -> None:
    hits = evaluate(replace(CLEAN, **{field: True}))
    assert [(h.code, h.level) for h in hits] == [(code, level)]


def test_a_different_name_asks_for_more_only_with_a_different_number() -> None:
    assert evaluate(replace(CLEAN, name_differs=True)) == ()
    hits = evaluate(replace(CLEAN, name_differs=True, caller_id_differs=True))
    assert [(h.code, h.level) for h in hits] == [
        ("F16", FraudLevel.STEP_UP),
        ("F17", FraudLevel.STEP_UP),
    ]


def test_the_dialog_flags_become_facts() -> None:
    facts = CLEAN.with_dialog_flags(
        ["registry_mismatch", "coaching_cue", "caller_id_differs_from_registered_mobile"]
    )
    assert facts.registry_mismatch and facts.caller_id_differs and not facts.name_differs
    assert codes(facts) == ["F15", "F17"]


def test_a_different_caller_with_one_wrong_code_looks_like_a_sim_swap() -> None:
    assert "F22" not in codes(replace(CLEAN, otp_failures=1))
    assert "F22" not in codes(replace(CLEAN, caller_id_differs=True))
    assert "F22" in codes(replace(CLEAN, caller_id_differs=True, otp_failures=1))


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "night"),
    [
        (15, 59, False),  # 23:59 Beijing
        (16, 0, True),  # 00:00
        (21, 59, True),  # 05:59
        (22, 0, False),  # 06:00
    ],
)
def test_night_is_local_beijing_hours_0_to_5(utc_hour: int, utc_minute: int, night: bool) -> None:
    at = datetime(2026, 12, 1, utc_hour, utc_minute, tzinfo=UTC)
    facts = replace(CLEAN, applied_at=at)
    assert ("F23" in codes(facts)) is night
    assert facts.as_features()["night_application"] == (1.0 if night else 0.0)


def test_night_hours_are_configurable_and_versioned() -> None:
    config = FraudRulesConfig(version="test-2", night_start_hour=0, night_end_hour=11)
    hits = evaluate(CLEAN, config)
    assert [h.code for h in hits] == ["F23"] and hits[0].version == "test-2"


def test_virtual_operator_numbers_only_step_up() -> None:
    hits = evaluate(replace(CLEAN, virtual_operator_phone=True, virtual_operator_caller=True))
    assert [(h.code, h.level, h.detail) for h in hits] == [
        ("F24", FraudLevel.STEP_UP, "segment=mobile,caller")
    ]


def test_a_blacklisted_identifier_declines_naming_only_its_kind() -> None:
    hits = evaluate(replace(CLEAN, blacklisted=frozenset({"account", "phone"})))
    assert [(h.code, h.level, h.detail) for h in hits] == [
        ("F25", FraudLevel.DECLINE, "kinds=account,phone")
    ]


def test_hits_split_into_the_policy_evidence() -> None:
    facts = replace(CLEAN, blacklisted=frozenset({"account"}), registry_mismatch=True)
    facts = replace(facts, name_differs=True, caller_id_differs=True)
    declines, refers, step_ups = to_evidence(evaluate(facts))
    assert [r.code for r in declines] == ["F25"]
    assert [r.code for r in refers] == ["F15"]
    assert [r.code for r in step_ups] == ["F16", "F17"]
    assert isinstance(declines[0], ExplainedReason) and declines[0].zh


def test_every_code_has_both_texts_and_is_unique() -> None:
    assert sorted(RULE_TEXTS) == [f"F{n:02d}" for n in range(1, 27)]
    assert all(zh and en for _, zh, en in RULE_TEXTS.values())


def test_facts_validate_and_give_the_model_its_features() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FraudFacts(applied_at=datetime(2026, 12, 1))  # naive on purpose
    with pytest.raises(ValueError, match="negative"):
        replace(CLEAN, otp_failures=-1)
    assert list(CLEAN.as_features()) == list(FACT_FEATURES)


def test_a_config_with_inverted_grades_is_refused() -> None:
    with pytest.raises(ValueError, match="graded"):
        FraudRulesConfig(account_identities_refer=3, account_identities_decline=2)
    with pytest.raises(ValueError, match="version"):
        FraudRulesConfig(version="")


@pytest.mark.parametrize(
    ("quickness", "fires"), [(0.0, False), (0.79, False), (0.8, True), (1.0, True)]
)
def test_security_answers_given_at_once_ask_for_a_step_up(quickness: float, fires: bool) -> None:
    hits = evaluate_signals({"question_answer_quickness": quickness})
    assert [(h.code, h.level) for h in hits] == ([("F26", FraudLevel.STEP_UP)] if fires else [])
    assert evaluate_signals({}) == ()
