"""Resident identity card numbers (GB 11643-1999): structure, birth date, sex, check character.

``AAAAAA YYYYMMDD SSS C``: address code, birth date, sequence (odd = male), and an
ISO 7064 MOD 11-2 check character (``X`` stands for 10). A checksum proves only that the
number is well formed; whether it belongs to the caller is for the registry and the codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from lendline.shared.errors import DomainError

_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_TABLE: Final = "10X98765432"
#: Province-level prefixes: mainland 11-65, Taiwan 71, and 81-83 for the Hong Kong, Macao
#: and Taiwan residence permits, which share the check character. The 2023 foreign
#: permanent residence cards (leading 9) are not accepted: the product lends to holders
#: of resident ID cards and residence permits only.
_PROVINCES: Final = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63"}
    | {"64", "65", "71", "81", "82", "83"}
)
#: Earliest plausible birth year: the standard's own worked example is born in 1880.
_EARLIEST_BIRTH_YEAR: Final = 1880
_ADULT_AGE: Final = 18
_SEPARATORS: Final = re.compile(r"[\s\-_.·]")
_SHAPE: Final = re.compile(r"[0-9]{17}[0-9X]")
_LEGACY_SHAPE: Final = re.compile(r"[0-9]{15}")


class ResidentIdProblem(StrEnum):
    """Why a resident ID number was rejected."""

    LENGTH = "length"
    FORMAT = "format"
    PROVINCE = "province"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"


class InvalidResidentId(DomainError):
    """Raised when a text is not a valid resident ID number; ``reason`` says why.

    The message never repeats the number, so it is safe to log.
    """

    def __init__(self, reason: ResidentIdProblem, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Sex(StrEnum):
    """Sex as encoded in the sequence number's parity."""

    MALE = "male"
    FEMALE = "female"


def check_character(first17: str) -> str:
    """Return the check character for the first 17 digits (ISO 7064 MOD 11-2).

    Args:
        first17: the address code, birth date and sequence: exactly 17 ASCII digits.

    Returns:
        ``"0"``-``"9"`` or ``"X"``.

    Raises:
        ValueError: if ``first17`` is not 17 ASCII digits.
    """
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError("the check character needs exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_TABLE[total % 11]


def _birth_date(digits: str) -> date:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise InvalidResidentId(ResidentIdProblem.BIRTH_DATE, "no such birth date") from exc


def _validate(value: str) -> None:
    """Check an 18-character number; the order of checks picks the most helpful reason."""
    if len(value) != 18:
        raise InvalidResidentId(ResidentIdProblem.LENGTH, f"{len(value)} characters, not 18")
    if not _SHAPE.fullmatch(value):
        raise InvalidResidentId(ResidentIdProblem.FORMAT, "digits only, X only at the end")
    if value[:2] not in _PROVINCES:
        raise InvalidResidentId(ResidentIdProblem.PROVINCE, f"no province {value[:2]}")
    born = _birth_date(value[6:14])
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidResidentId(ResidentIdProblem.BIRTH_DATE, "birth year before 1880")
    if check_character(value[:17]) != value[17]:
        raise InvalidResidentId(ResidentIdProblem.CHECK_DIGIT, "check character mismatch")


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A well-formed 18-character resident ID number (upper-case ``X``).

    Construction validates the structure and check character; use :meth:`parse` for
    caller input, which also normalises it and rejects birth dates in the future. ``repr``
    and ``str`` show the masked number.

    Parameters:
        value: the 18 characters, digits and an optional final ``X``.
    """

    value: str

    def __post_init__(self) -> None:
        _validate(self.value)

    @classmethod
    def parse(cls, text: str, today: date | None = None) -> ResidentId:
        """Validate caller input; legacy 15-digit numbers are upgraded to 18 characters.

        Args:
            text: the number as given: spaces, dashes, full-width digits and a lower-case
                ``x`` are accepted.
            today: the day a birth date may not be after; defaults to the system date,
                so callers holding a clock should pass its date.

        Returns:
            The number in its canonical 18-character form.

        Raises:
            InvalidResidentId: with the first problem found as ``reason``.
        """
        raw = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
        if len(raw) == 15:
            if not _LEGACY_SHAPE.fullmatch(raw):
                raise InvalidResidentId(ResidentIdProblem.FORMAT, "15-digit numbers are digits")
            # First-generation cards carry a two-digit year of the 1900s and no check digit.
            raw = raw[:6] + "19" + raw[6:]
            raw += check_character(raw)
        resident = cls(raw)
        if resident.birth_date > (today or date.today()):
            raise InvalidResidentId(ResidentIdProblem.BIRTH_DATE, "birth date in the future")
        return resident

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
        """Whole years of age on ``day``; a 29 February birthday turns over on 1 March."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_adult_on(self, day: date) -> bool:
        """Whether the holder is 18 or older on ``day`` (full civil capacity)."""
        return self.age_on(day) >= _ADULT_AGE

    def masked(self) -> str:
        """The number as shown to operators: address code and last four only."""
        return self.value[:6] + "*" * 8 + self.value[-4:]

    def __repr__(self) -> str:
        # Tracebacks and logs show the masked form; ``value`` is there for code that needs it.
        return f"ResidentId({self.masked()!r})"
