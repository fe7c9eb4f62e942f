"""What the fraud rules and ring detection know of earlier applications: keyed identifiers.

Every application leaves one observation per identifier it used (ID number, mobile, caller
ID, device, bank account, employer). An observation holds a keyed hash (HMAC blind index)
of the normalised value, never the value, so velocity and reuse can be counted and rings
found without keeping personal data in the risk history.

Values are normalised before hashing so the same number typed two ways gives one key, and
the mobile and the caller ID share one key space: a number that called for one person and
is registered to another links the two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol

from lendline.identity.phone import InvalidMobileNumber, MobileNumber

__all__ = [
    "KeyObservation",
    "ObservationKind",
    "RiskHistory",
    "key_space",
    "normalise",
]


class ObservationKind(StrEnum):
    """Which identifier an observation is of (stored; never reuse a value)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    CALLER_ID = "caller_id"
    DEVICE = "device"
    ACCOUNT = "account"
    EMPLOYER = "employer"


#: The blind-index space of each kind: the stated mobile and the caller ID are both phone
#: numbers, so they hash alike and a caller number matches someone else's registered mobile.
_KEY_SPACE: Final = {
    ObservationKind.ID_NUMBER: "risk.id_number",
    ObservationKind.PHONE: "risk.phone",
    ObservationKind.CALLER_ID: "risk.phone",
    ObservationKind.DEVICE: "risk.device",
    ObservationKind.ACCOUNT: "risk.account",
    ObservationKind.EMPLOYER: "risk.employer",
}
_NOT_DIGITS: Final = re.compile(r"\D")
_SPACES: Final = re.compile(r"\s+")


def key_space(kind: ObservationKind) -> str:
    """The blind-index ``kind`` argument used for values of this observation kind."""
    return _KEY_SPACE[kind]


def normalise(kind: ObservationKind, value: str) -> str:
    """The canonical form of a value before it is hashed.

    Phone numbers lose country codes and punctuation (a caller ID that is not a mainland
    mobile, a landline say, keeps its digits); account numbers keep digits only; employer
    names are NFKC-folded, case-folded and single-spaced; ID numbers and devices are only
    stripped (``blind_index`` upper-cases).
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if kind in (ObservationKind.PHONE, ObservationKind.CALLER_ID):
        try:
            return MobileNumber.parse(text).digits
        except InvalidMobileNumber:
            return _NOT_DIGITS.sub("", text)
    if kind is ObservationKind.ACCOUNT:
        return _NOT_DIGITS.sub("", text)
    if kind is ObservationKind.EMPLOYER:
        return _SPACES.sub(" ", text.casefold())
    return text


@dataclass(frozen=True, slots=True)
class KeyObservation:
    """One identifier one application used, as the risk history keeps it.

    Parameters:
        application: the application reference (the session id before one exists).
        subject: the customer id of the identity that applied (None: not identified).
        kind: which identifier.
        key: the keyed hash of its normalised value.
        observed_at: when the application used it (UTC).
    """

    application: str
    subject: str | None
    kind: ObservationKind
    key: str
    observed_at: datetime


class RiskHistory(Protocol):
    """The port the fraud facts and ring detection read and write the history through."""

    def observe(
        self,
        *,
        at: datetime,
        session_id: str | None,
        reference: str | None,
        subject: str | None,
        kind: ObservationKind,
        key: str,
    ) -> bool:
        """Record that an application used a key; False if it was already recorded."""
        ...

    def counts(self, kind: ObservationKind, key: str, since: datetime) -> int:
        """Distinct applications that used the key at or after ``since``."""
        ...

    def distinct_subjects(
        self, kind: ObservationKind | Sequence[ObservationKind], key: str, since: datetime
    ) -> int:
        """Distinct identities (customer ids) that used the key at or after ``since``."""
        ...

    def blacklisted(self, kinds: Iterable[ObservationKind], key: str) -> bool:
        """Whether the key is on the blacklist (not lifted) under any of ``kinds``."""
        ...
