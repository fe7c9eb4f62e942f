"""Multi-level risk warnings: what an alert is, how severe, and where it goes.

Three levels, as the brief asks for a 多级风险预警 (multi-level risk warning):

* ``INFO`` — worth knowing, nothing to do now (a drift figure in the stable band, a ring
  below the size that matters). Logged and kept for the after-the-fact reports.
* ``WARN`` — a person should look, but the caller need not wait (an application referred by
  the fraud model, a PSI in the watch band). Goes to the review queue.
* ``CRITICAL`` — act now. During a call the flow pauses and the call is handed to a person
  (a scam victim being told to pay a fee, a blacklisted account); after the fact it pages the
  risk officer on duty (a fraud ring, a population shift).

Routing depends only on the level and on whether the call is still live, so it is the same
rule in every transport and in the batch jobs. Every alert becomes an entry in the audit log
(``alert.raised``), with codes and figures, never personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class AlertLevel(StrEnum):
    """How severe an alert is; the order of the members is the order of severity."""

    INFO = "info"
    WARN = "warn"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warn, 2 for critical."""
        return list(AlertLevel).index(self)


class AlertRoute(StrEnum):
    """Where an alert goes."""

    #: Kept and logged; shows in reports.
    RECORD = "record"
    #: Put in the risk officers' review queue.
    REVIEW_QUEUE = "review_queue"
    #: The live call stops where it is and a person takes it over.
    PAUSE_AND_HAND_OFF = "pause_and_hand_off"
    #: The risk officer on duty is notified at once (after the fact: no call to pause).
    PAGE_RISK_OFFICER = "page_risk_officer"


class AlertSource(StrEnum):
    """What raised the alert."""

    CALL = "call"
    DECISION = "decision"
    AFTER_THE_FACT = "after_the_fact"


class AlertStatus(StrEnum):
    """Where an alert stands in the review queue."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Alert:
    """One warning.

    Parameters:
        code: what happened, a stable code ("scam_cue", "fraud_refer", "ring_detected",
            "psi_shift", ...).
        level: how severe.
        source: the call, the decision, or an after-the-fact job.
        raised_at: when (UTC).
        session_id: the call session concerned, if any.
        reference: the application concerned, if any.
        reasons: the reason codes behind it (fraud hits, model reasons, rule codes).
        figures: numbers behind it (probabilities, PSI, ring size), as decimal strings.
    """

    code: str
    level: AlertLevel
    source: AlertSource
    raised_at: datetime
    session_id: str | None = None
    reference: str | None = None
    reasons: tuple[str, ...] = ()
    figures: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("an alert needs a code")
        if self.raised_at.tzinfo is None:
            raise ValueError("alert times are UTC-aware")

    def as_record(self) -> dict[str, object]:
        """The alert as the audit log's payload (codes and figures only)."""
        return {
            "code": self.code,
            "level": self.level.value,
            "source": self.source.value,
            "reference": self.reference,
            "reasons": list(self.reasons),
            "figures": dict(self.figures),
        }


#: Where each level goes while the caller is still on the line, and after the call.
_ROUTES: Final[dict[tuple[AlertLevel, bool], AlertRoute]] = {
    (AlertLevel.INFO, True): AlertRoute.RECORD,
    (AlertLevel.INFO, False): AlertRoute.RECORD,
    (AlertLevel.WARN, True): AlertRoute.REVIEW_QUEUE,
    (AlertLevel.WARN, False): AlertRoute.REVIEW_QUEUE,
    (AlertLevel.CRITICAL, True): AlertRoute.PAUSE_AND_HAND_OFF,
    (AlertLevel.CRITICAL, False): AlertRoute.PAGE_RISK_OFFICER,
}


def route(level: AlertLevel, *, call_live: bool) -> AlertRoute:
    """Where an alert of ``level`` goes.

    Args:
        level: the alert's level.
        call_live: whether the caller is still on the line (only then can a call pause).

    Returns:
        The route.
    """
    return _ROUTES[(level, call_live)]


def highest(levels: tuple[AlertLevel, ...] | list[AlertLevel]) -> AlertLevel | None:
    """The most severe of ``levels``, or None when there are none."""
    return max(levels, key=lambda level: level.rank) if levels else None
