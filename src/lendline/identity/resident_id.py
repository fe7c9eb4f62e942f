"""Resident identity card numbers (GB 11643-1999): structure, birth date, sex, check character.

``AAAAAA YYYYMMDD SSS C``: address code, birth date, sequence (odd = male), and an
ISO 7064 MOD 11-2 check character (``X`` stands for 10). A checksum proves only that the
number is well formed; whether it belongs to the caller is for the registry and the codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from lendline.shared.errors import DomainError

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_TABLE: Final = "10X98765432"
#: Province-level prefixes in use (mainland, HK/MO/TW residence permits 81-83, and 91 for
#: 2023 foreign permanent residence cards, which use the same check character).
_PROVINCES: Final = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63"}
    | {"64", "65", "71", "81", "82", "83", "91"}
)
_SEPARATORS = re.compile(r"[\s\-_.·]")


class ResidentIdProblem(StrEnum):
    """Why a resident ID number was rejected."""

    LENGTH = "length"
    FORMAT = "format"
    PROVINCE = "province"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"


class InvalidResidentId(DomainError):
    """Raised when a text is not a valid resident ID number; ``reason`` says why."""

    def __init__(self, reason: ResidentIdProblem, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Sex(StrEnum):
    """Sex as encoded in the sequence number's parity."""

    MALE = "male"
    FEMALE = "female"


def check_character(first17: str) -> str:
    """Return the check character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("the check character needs exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_TABLE[total % 11]


def _birth_date(digits: str) -> date:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise InvalidResidentId(ResidentIdProblem.BIRTH_DATE, "no such birth date") from exc


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid 18-character resident ID number (upper-case ``X``)."""

    value: str

    @classmethod
    def parse(cls, text: str, today: date | None = None) -> ResidentId:
        """Validate ``text``; legacy 15-digit numbers are upgraded to 18 characters.

        Args:
            text: the number as given (spaces, dashes and a lower-case x are accepted).
            today: the date a birth date may not be after (defaults to today).
        """
        raw = _SEPARATORS.sub("", text).upper()
        if len(raw) == 15 and raw.isdigit():
            raw = raw[:6] + "19" + raw[6:]
            raw += check_character(raw)
        if len(raw) != 18:
            raise InvalidResidentId(ResidentIdProblem.LENGTH, f"{len(raw)} characters, not 18")
        if not (raw[:17].isdigit() and (raw[17].isdigit() or raw[17] == "X")):
            raise InvalidResidentId(ResidentIdProblem.FORMAT, "digits only, X only at the end")
        if raw[:2] not in _PROVINCES:
            raise InvalidResidentId(ResidentIdProblem.PROVINCE, f"no province {raw[:2]}")
        born = _birth_date(raw[6:14])
        if born > (today or date.today()) or born.year < 1880:
            raise InvalidResidentId(ResidentIdProblem.BIRTH_DATE, "birth date out of range")
        if check_character(raw[:17]) != raw[17]:
            raise InvalidResidentId(ResidentIdProblem.CHECK_DIGIT, "check character mismatch")
        return cls(raw)

    @property
    def birth_date(self) -> date:
        """The holder's birth date."""
        return _birth_date(self.value[6:14])

    @property
    def sex(self) -> Sex:
        """The holder's sex (17th digit: odd male, even female)."""
        return Sex.MALE if int(self.value[16]) % 2 else Sex.FEMALE

    @property
    def province_code(self) -> str:
        """The two-digit province of the issuing address code."""
        return self.value[:2]

    def age_on(self, day: date) -> int:
        """Whole years of age on ``day``."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_adult_on(self, day: date) -> bool:
        """Whether the holder is 18 or older on ``day`` (full civil capacity)."""
        return self.age_on(day) >= 18

    def masked(self) -> str:
        """The number as shown to operators: address code and last four only."""
        return self.value[:6] + "*" * 8 + self.value[-4:]
