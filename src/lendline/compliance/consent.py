"""Consent records (PIPL Art. 14, 29): what was consented, to which notice version, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConsentKind(StrEnum):
    """The consents a loan call asks for; sensitive data needs its own, separate consent."""

    GENERAL = "general"
    SENSITIVE = "sensitive"


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One consent answer.

    Parameters:
        kind: which consent.
        granted: the caller's answer.
        notice_version: version of the notice that was read (the prompt book version).
        at: when it was given (UTC).
        audio_offset_ms: where in the call recording the answer is, if recorded.
    """

    kind: ConsentKind
    granted: bool
    notice_version: str
    at: datetime
    audio_offset_ms: int | None = None
