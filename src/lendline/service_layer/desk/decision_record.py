"""The decision record: the application row, the ``decision.made`` event, figures and alerts.

Whatever decided the application (the written policy with the risk assessment, or a banned
purpose), it is stored here the same way, in one unit of work: the caller's, or one of its
own.

``DialogState`` field written: ``reference`` (the application's).
"""

from __future__ import annotations

from typing import Any

from lendline.dialog.state import DialogState
from lendline.persistence.records import ApplicationRecord
from lendline.persistence.risk_monitoring import DecisionFigures, StoredAlert
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.policy import REASON_TEXT, Decision, ExplainedReason
from lendline.service_layer.desk.alerting import decision_alerts
from lendline.service_layer.desk.context import DeskContext
from lendline.service_layer.risk_assessment import Assessment


def _assessment_record(assessment: Assessment) -> dict[str, Any]:
    """What the audit log keeps of an assessment: scores, codes and fired markers."""
    credit = assessment.credit
    return {
        "credit_points": credit.points if credit else None,
        "credit_probability_bad": str(credit.probability_bad) if credit else None,
        "fraud_probability": str(assessment.fraud.probability),
        "fraud_rules_fired": [hit.code for hit in assessment.hits],
        "fraud_reasons": [reason.feature for reason in assessment.fraud.reasons],
    }


def store_decision(
    desk: DeskContext,
    state: DialogState,
    reference: str,
    decision: Decision,
    application: dict[str, Any],
    assessment: Assessment | None = None,
    uow: SqlUnitOfWork | None = None,
) -> list[StoredAlert]:
    """Store the decision, its figures and its alerts; commit unless ``uow`` is given."""
    if uow is None:
        with SqlUnitOfWork(desk.engine) as own:
            raised = store_decision(desk, state, reference, decision, application, assessment, own)
            own.commit()
        return raised
    now = desk.clock.now()
    offer = decision.offer
    existing = uow.applications.get(reference)
    uow.applications.save(
        ApplicationRecord(
            reference=reference,
            session_id=state.session_id,
            customer_id=state.customer_id,
            status=decision.outcome.value,
            amount_minor=application.get("amount_minor"),
            currency="CNY",
            term_months=application.get("term_months"),
            purpose=application.get("purpose"),
            monthly_income_minor=application.get("monthly_income_minor"),
            employment=application.get("employment"),
            decision=decision.outcome.value,
            reasons=[reason.value for reason in decision.reasons],
            policy_version=decision.policy_version,
            product_code=offer.product_code if offer else None,
            annual_rate=offer.annual_rate if offer else None,
            apr=offer.rates.apr if offer else None,
            monthly_payment_minor=offer.monthly_payment.to_minor() if offer else None,
            total_repayment_minor=offer.total_repayment.to_minor() if offer else None,
            contract_sha256=None,
            signed_at=None,
            disbursed_at=None,
            payout_reference=None,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
    )
    uow.audit.append(
        "decision.made",
        state.session_id,
        {
            "reference": reference,
            "outcome": decision.outcome.value,
            "reasons": [reason.value for reason in decision.reasons],
            "policy_version": decision.policy_version,
            "product": f"{desk.product.code}@{desk.product.version}",
            "approved_amount": str(decision.approved_amount.amount)
            if decision.approved_amount
            else None,
            "apr": str(offer.rates.apr) if offer else None,
            "annual_rate": str(offer.annual_rate) if offer else None,
            "band": decision.band,
            "explained": [item.code for item in decision.explained],
            "models": dict(decision.model_versions),
            **(_assessment_record(assessment) if assessment else {}),
        },
        now,
    )
    uow.risk_decisions.add(
        DecisionFigures(
            reference=reference,
            session_id=state.session_id,
            decided_at=now,
            outcome=decision.outcome.value,
            policy_version=decision.policy_version,
            credit_model_version=(
                assessment.credit.version if assessment and assessment.credit else None
            ),
            credit_points=(assessment.credit.points if assessment and assessment.credit else None),
            credit_probability_bad=(
                assessment.credit.probability_bad if assessment and assessment.credit else None
            ),
            fraud_model_version=assessment.fraud.version if assessment else None,
            fraud_probability=assessment.fraud.probability if assessment else None,
            fraud_rules_version=assessment.rules_version if assessment else None,
            reasons=tuple(
                ExplainedReason(code.value, *REASON_TEXT[code]) for code in decision.reasons
            )
            + decision.explained,
            features=assessment.features if assessment else None,
        )
    )
    raised = [
        desk.alerts.raise_in(uow, alert, call_live=state.channel == "voice")
        for alert in decision_alerts(decision, state, reference, assessment, now)
    ]
    state.reference = reference
    return raised
