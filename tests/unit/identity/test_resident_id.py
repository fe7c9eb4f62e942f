"""Resident ID numbers: the DOMAIN-NOTES §3.1 vectors, normalisation, and the check digit."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendline.identity.resident_id import (
    InvalidResidentId,
    ResidentId,
    ResidentIdProblem,
    Sex,
    check_character,
)

TODAY = date(2026, 11, 28)
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35"]
PROVINCES += ["36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"]
PROVINCES += ["61", "62", "63", "64", "65", "71", "81", "82", "83"]


def parse(text: str) -> ResidentId:
    return ResidentId.parse(text, today=TODAY)


def problem_of(text: str) -> ResidentIdProblem:
    with pytest.raises(InvalidResidentId) as caught:
        parse(text)
    return caught.value.reason


def test_the_standards_example_is_a_woman_born_on_31_december_1949_in_beijing() -> None:
    resident = parse("11010519491231002X")
    assert resident.value == "11010519491231002X"
    assert resident.birth_date == date(1949, 12, 31)
    assert resident.sex is Sex.FEMALE
    assert resident.province_code == "11"


def test_the_standards_1880_example_passes_and_its_holder_would_be_146() -> None:
    resident = parse("440524188001010014")
    assert resident.birth_date == date(1880, 1, 1)
    assert resident.age_on(TODAY) == 146


def test_a_wrong_final_character_is_a_check_digit_problem() -> None:
    assert problem_of("110105194912310021") is ResidentIdProblem.CHECK_DIGIT


def test_a_synthetic_number_from_2000_is_valid_and_male() -> None:
    resident = parse("110101200001011232")
    assert resident.birth_date == date(2000, 1, 1)
    assert resident.sex is Sex.MALE


def test_a_legacy_15_digit_number_gains_the_century_and_a_check_digit() -> None:
    assert parse("440524800101001").value == "440524198001010013"


def test_check_character_follows_the_mod_11_2_table() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"
    assert check_character("11010120000101123") == "2"


@pytest.mark.parametrize("bad", ["1101051949123100", "1101051949123100X", "abc"])
def test_check_character_refuses_anything_but_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="17 digits"):
        check_character(bad)


@pytest.mark.parametrize(
    "text",
    [
        "11010519491231002x",
        "110105 19491231 002X",
        "110105-19491231-002x",
        " 110105194912310 02X ",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_spacing_dashes_lower_case_x_and_full_width_digits_are_accepted(text: str) -> None:
    assert parse(text).value == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1101051949123100", ResidentIdProblem.LENGTH),
        ("11010519491231002XX", ResidentIdProblem.LENGTH),
        ("", ResidentIdProblem.LENGTH),
        ("1101051949123100XX", ResidentIdProblem.FORMAT),
        ("X10105194912310020", ResidentIdProblem.FORMAT),
        ("11010519491231002Y", ResidentIdProblem.FORMAT),
        ("44052480010100A", ResidentIdProblem.FORMAT),
        ("990105194912310023", ResidentIdProblem.PROVINCE),
        ("240105194912310023", ResidentIdProblem.PROVINCE),
        ("110105194902300020", ResidentIdProblem.BIRTH_DATE),
        ("110105194913310020", ResidentIdProblem.BIRTH_DATE),
        ("110105187912310020", ResidentIdProblem.BIRTH_DATE),
    ],
)
def test_each_kind_of_malformed_number_reports_its_own_problem(
    text: str, problem: ResidentIdProblem
) -> None:
    assert problem_of(text) is problem


def test_a_birth_date_after_today_is_refused() -> None:
    first17 = "11010120261129123"
    number = first17 + check_character(first17)
    with pytest.raises(InvalidResidentId) as caught:
        ResidentId.parse(number, today=TODAY)
    assert caught.value.reason is ResidentIdProblem.BIRTH_DATE
    assert ResidentId.parse(number, today=date(2026, 11, 29)).birth_date == date(2026, 11, 29)


def test_constructing_directly_validates_the_number_too() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        ResidentId("110105194912310021")
    assert caught.value.reason is ResidentIdProblem.CHECK_DIGIT


def test_the_error_message_never_repeats_the_number() -> None:
    with pytest.raises(InvalidResidentId) as caught:
        parse("110105194912310021")
    assert "1949" not in str(caught.value)


def test_age_turns_over_on_the_birthday_and_adulthood_starts_at_18() -> None:
    resident = parse("110101200001011232")  # born 2000-01-01
    assert resident.age_on(date(2017, 12, 31)) == 17
    assert not resident.is_adult_on(date(2017, 12, 31))
    assert resident.age_on(date(2018, 1, 1)) == 18
    assert resident.is_adult_on(date(2018, 1, 1))


def test_a_leap_day_birthday_turns_over_on_1_march_in_common_years() -> None:
    first17 = "11010120000229123"
    resident = parse(first17 + check_character(first17))
    assert resident.age_on(date(2018, 2, 28)) == 17
    assert resident.age_on(date(2018, 3, 1)) == 18


def test_masking_keeps_the_address_code_and_the_last_four() -> None:
    assert parse("11010519491231002X").masked() == "110105********002X"


def test_repr_shows_only_the_masked_number() -> None:
    text = repr(parse("11010519491231002X"))
    assert "19491231" not in text
    assert "110105********002X" in text


@st.composite
def valid_first17(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    county = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    born = draw(st.dates(min_value=date(1880, 1, 1), max_value=TODAY))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return f"{province}{county}{born:%Y%m%d}{sequence}"


@given(valid_first17(), st.sampled_from("0123456789X"))
def test_only_the_computed_check_character_completes_a_valid_number(
    first17: str, last: str
) -> None:
    right = check_character(first17)
    resident = parse(first17 + right)
    assert resident.value == first17 + right
    assert resident.sex is (Sex.MALE if int(first17[16]) % 2 else Sex.FEMALE)
    if last != right:
        assert problem_of(first17 + last) is ResidentIdProblem.CHECK_DIGIT
