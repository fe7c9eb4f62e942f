"""Mainland mobile numbers: prefixes, noise, the strict pattern, masking and segments."""

from __future__ import annotations

import pytest

from lendline.identity.phone import InvalidMobileNumber, MobileNumber


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+8613812345678",
        "+86 138 1234 5678",
        "8613812345678",
        "008613812345678",
        "138-1234-5678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",
    ],
)
def test_prefixes_spacing_dashes_and_full_width_digits_all_read_as_the_same_number(
    text: str,
) -> None:
    assert MobileNumber.parse(text).digits == "13812345678"


@pytest.mark.parametrize(
    "text",
    [
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "23812345678",  # not a mobile
        "12012345678",  # 120 was never a mobile segment
        "14012345678",  # 140 is not in the strict pattern
        "16012345678",  # 160 neither
        "17412345678",  # 174 only as the 1740x satellite block
        "+85213812345678",  # another country code
        "86138123456",  # "86" then too few digits
        "1381234567a",
        "",
    ],
)
def test_numbers_outside_the_mainland_mobile_pattern_are_refused(text: str) -> None:
    with pytest.raises(InvalidMobileNumber):
        MobileNumber.parse(text)


@pytest.mark.parametrize("text", ["16101234567", "17400123456", "19912345678", "14512345678"])
def test_the_narrow_blocks_of_the_strict_pattern_are_accepted(text: str) -> None:
    assert MobileNumber.parse(text).digits == text


def test_an_eleven_digit_number_starting_with_86_is_not_mistaken_for_a_prefix() -> None:
    with pytest.raises(InvalidMobileNumber):
        MobileNumber.parse("86123456789")


def test_constructing_directly_validates_the_digits() -> None:
    with pytest.raises(InvalidMobileNumber):
        MobileNumber("+8613812345678")


def test_e164_adds_the_country_code() -> None:
    assert MobileNumber.parse("138 1234 5678").e164 == "+8613812345678"


def test_masking_keeps_the_first_three_and_last_four_digits() -> None:
    assert MobileNumber.parse("13812345678").masked() == "138****5678"


def test_repr_and_errors_do_not_carry_the_number() -> None:
    assert "12345678" not in repr(MobileNumber.parse("13812345678"))
    with pytest.raises(InvalidMobileNumber) as caught:
        MobileNumber.parse("1381234567")
    assert "1381234567" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "virtual"),
    [
        ("17012345678", True),
        ("17112345678", True),
        ("16212345678", True),
        ("16512345678", True),
        ("16712345678", True),
        ("13812345678", False),
        ("16612345678", False),
        ("17212345678", False),
    ],
)
def test_virtual_operator_segments_are_flagged(text: str, virtual: bool) -> None:
    assert MobileNumber.parse(text).is_virtual_operator is virtual
