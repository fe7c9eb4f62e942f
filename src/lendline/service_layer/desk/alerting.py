"""Risk alerts: the ones a decision raises, and the ones raised while the caller is on.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from lendline.dialog.state import DialogState
from lendline.risk.alerts import Alert, AlertLevel, AlertSource
from lendline.risk.policy import Decision, ReasonCode
from lendline.service_layer.desk.context import DeskContext
from lendline.service_layer.risk_assessment import Assessment

#: The alert each risk outcome raises: (reason, code, level). A hard fraud rule is critical
#: (a person takes the call over); a referral for fraud risk or a failed step-up goes to the
#: review queue; a step-up asked for is noted.
_DECISION_ALERTS: Final = (
    (ReasonCode.FRAUD_RULE_DECLINE, "fraud_rule_decline", AlertLevel.CRITICAL),
    (ReasonCode.FRAUD_RISK_REVIEW, "fraud_review", AlertLevel.WARN),
    (ReasonCode.STEP_UP_FAILED, "step_up_failed", AlertLevel.WARN),
    (ReasonCode.STEP_UP_REQUIRED, "step_up_required", AlertLevel.INFO),
)


def decision_alerts(
    decision: Decision,
    state: DialogState,
    reference: str,
    assessment: Assessment | None,
    at: datetime,
) -> list[Alert]:
    """The alerts a decision raises (see ``_DECISION_ALERTS``), with the codes behind it."""
    figures = {}
    if assessment is not None:
        figures["fraud_probability"] = str(assessment.fraud.probability)
        if assessment.credit is not None:
            figures["credit_points"] = str(assessment.credit.points)
    return [
        Alert(
            code=code,
            level=level,
            source=AlertSource.DECISION,
            raised_at=at,
            session_id=state.session_id,
            reference=reference,
            reasons=tuple(item.code for item in decision.explained),
            figures=figures,
        )
        for reason, code, level in _DECISION_ALERTS
        if reason in decision.reasons
    ]


def raise_call_alert(
    desk: DeskContext, state: DialogState, code: str, level: str, reasons: tuple[str, ...] = ()
) -> str:
    """Raise a risk alert while the caller is on the line; returns where it was routed.

    A critical alert is routed ``pause_and_hand_off``: the dialog stops the script and
    hands the session to a person (a chat session is as live as a call).
    """
    stored = desk.alerts.raise_alert(
        Alert(
            code=code,
            level=AlertLevel(level),
            source=AlertSource.CALL,
            raised_at=desk.clock.now(),
            session_id=state.session_id,
            reference=state.reference,
            reasons=reasons,
        ),
        call_live=True,
    )
    return stored.route.value
