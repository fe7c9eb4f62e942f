"""Comparing the caller's stated name and mobile with the registry record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from lendline.identity.phone import MobileNumber
from lendline.identity.registry import CustomerRecord
from lendline.identity.verification import (
    VerificationOutcome,
    matches_registry,
    names_match,
    normalise_name,
)

RECORD = CustomerRecord(
    customer_id="C0002",
    full_name="陈晓东",
    id_number="110108200901011232",
    mobile="13611112222",
    city="北京",
    employer="北京四中",
    bank_name="建设银行",
    account_number="6227000000009999",
    customer_since=date(2024, 1, 10),
    monthly_income=Decimal("0.00"),
)
MOBILE = MobileNumber.parse("13611112222")


def test_the_outcomes_are_the_five_ways_verification_ends() -> None:
    assert [outcome.value for outcome in VerificationOutcome] == [
        "verified",
        "failed_registry",
        "failed_questions",
        "failed_otp",
        "locked",
    ]


def test_the_same_name_and_mobile_match() -> None:
    assert matches_registry(RECORD, "陈晓东", MOBILE) == (True, [])


@pytest.mark.parametrize("name", ["陈 晓东", " 陈晓东 ", "陳曉東", "陈晓东\u3000"])
def test_spacing_and_traditional_characters_do_not_cause_a_mismatch(name: str) -> None:
    assert matches_registry(RECORD, name, MOBILE) == (True, [])


def test_a_different_name_is_reported_as_full_name() -> None:
    assert matches_registry(RECORD, "陈小东", MOBILE) == (False, ["full_name"])


def test_a_different_mobile_is_reported_as_mobile() -> None:
    other = MobileNumber.parse("13611112223")
    assert matches_registry(RECORD, "陈晓东", other) == (False, ["mobile"])


def test_both_mismatches_are_reported_in_field_order() -> None:
    other = MobileNumber.parse("13900000000")
    assert matches_registry(RECORD, "王小明", other) == (False, ["full_name", "mobile"])


def test_a_registered_mobile_kept_with_a_country_code_still_matches() -> None:
    record = replace(RECORD, mobile="+86 136 1111 2222")
    assert matches_registry(record, "陈晓东", MOBILE) == (True, [])


def test_a_malformed_mobile_on_file_never_matches() -> None:
    record = replace(RECORD, mobile="1361111222")
    assert matches_registry(record, "陈晓东", MOBILE) == (False, ["mobile"])


@pytest.mark.parametrize(
    ("stated", "recorded"),
    [
        ("li hua", "Li Hua"),
        ("LI HUA", "Li Hua"),
        ("Hua Li", "Li Hua"),
        ("LiHua", "Li Hua"),
        ("阿卜杜拉 艾力", "阿卜杜拉·艾力"),
        ("Ｌｉ Ｈｕａ", "Li Hua"),
    ],
)
def test_case_width_order_and_middle_dots_are_ignored_in_names(stated: str, recorded: str) -> None:
    assert names_match(stated, recorded)


@pytest.mark.parametrize(
    ("stated", "recorded"),
    [("Li Hua", "Li Hui"), ("Li", "Li Hua"), ("", "Li Hua"), ("王小明", "王晓明")],
)
def test_different_names_do_not_match(stated: str, recorded: str) -> None:
    assert not names_match(stated, recorded)


def test_normalised_names_are_simplified_and_folded() -> None:
    assert normalise_name(" 張·偉 ") == "张 伟"
    assert normalise_name("Mary-Jane  WATSON") == "mary jane watson"
