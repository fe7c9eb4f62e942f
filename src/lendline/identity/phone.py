"""Mainland China mobile numbers: format, E.164, masking and the virtual-operator flag.

The format check uses libphonenumber's strict mainland mobile pattern, so numbers in
segments that were never allocated are refused. The segment says nothing reliable about
the carrier (numbers can be ported since 2019); only the operator's check does.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from lendline.shared.errors import DomainError

# libphonenumber's mainland mobile pattern (metadata 9.0.43).
_MOBILE: Final = re.compile(
    r"1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}"
)
#: Segments of the virtual operators: a fraud signal for the risk rules, not a refusal.
_VIRTUAL_PREFIXES: Final = ("170", "171", "162", "165", "167")
# Longest prefix first, so "0086" is not read as "00" + "86".
_COUNTRY_PREFIXES: Final = ("+86", "0086", "86")
_NOISE: Final = re.compile(r"[\s\-()（）.]")


class InvalidMobileNumber(DomainError):
    """Raised when a text is not a mainland mobile number (the message omits the number)."""


@dataclass(frozen=True, slots=True)
class MobileNumber:
    """An 11-digit mainland mobile number.

    Construction validates the digits; use :meth:`parse` for caller input. ``repr`` shows
    the masked number, so logs and tracebacks do not carry it.

    Parameters:
        digits: the 11 national digits, without country code.
    """

    digits: str

    def __post_init__(self) -> None:
        if not _MOBILE.fullmatch(self.digits):
            raise InvalidMobileNumber(
                f"not a mainland mobile number: {len(self.digits)} characters"
            )

    @classmethod
    def parse(cls, text: str) -> MobileNumber:
        """Read a number as a caller or a file gives it.

        Args:
            text: the number, optionally with a +86, 86 or 0086 prefix, spaces, dashes,
                brackets and full-width digits.

        Returns:
            The validated number.

        Raises:
            InvalidMobileNumber: if what remains is not a mainland mobile number.
        """
        raw = _NOISE.sub("", unicodedata.normalize("NFKC", text))
        for prefix in _COUNTRY_PREFIXES:
            if raw.startswith(prefix) and len(raw) == len(prefix) + 11:
                raw = raw[len(prefix) :]
                break
        return cls(raw)

    @property
    def e164(self) -> str:
        """The number in E.164 form (+8613812345678)."""
        return f"+86{self.digits}"

    @property
    def is_virtual_operator(self) -> bool:
        """Whether the number is in a virtual-operator segment (a fraud signal, not a block)."""
        return self.digits.startswith(_VIRTUAL_PREFIXES)

    def masked(self) -> str:
        """The number as shown in logs and to operators: 138****5678."""
        return f"{self.digits[:3]}****{self.digits[-4:]}"

    def __repr__(self) -> str:
        return f"MobileNumber({self.masked()!r})"
