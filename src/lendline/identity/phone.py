"""Mainland China mobile numbers: format, E.164 and masking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from lendline.shared.errors import DomainError

# libphonenumber's mainland mobile pattern (metadata 9.0.43).
_MOBILE: Final = re.compile(
    r"1(?:610\d|740[0-5])\d{6}|1(?:[38]\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\d{8}"
)
_VIRTUAL_PREFIXES: Final = ("170", "171", "162", "165", "167")
_NOISE = re.compile(r"[\s\-()（）.]")


class InvalidMobileNumber(DomainError):
    """Raised when a text is not a mainland mobile number."""


@dataclass(frozen=True, slots=True)
class MobileNumber:
    """An 11-digit mainland mobile number."""

    digits: str

    @classmethod
    def parse(cls, text: str) -> MobileNumber:
        """Validate ``text`` (accepts +86, 86 and 0086 prefixes, spaces and dashes)."""
        raw = _NOISE.sub("", text)
        for prefix in ("+86", "0086", "86"):
            if raw.startswith(prefix) and len(raw) == len(prefix) + 11:
                raw = raw[len(prefix) :]
                break
        if not _MOBILE.fullmatch(raw):
            raise InvalidMobileNumber(f"not a mainland mobile number: {len(raw)} digits")
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
