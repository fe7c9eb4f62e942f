"""Gathering the risk evidence for one decision: fraud rules, the fraud model, the scorecard.

The loan desk calls :meth:`RiskAssessor.assess` inside the unit of work that stores the
decision. It records the application's identifiers in the fraud history (keyed hashes),
runs the real-time fraud rules, scores the fraud model over the rules' counts and the
call's signals (``DialogState.signals``, measured from the audio and transcript as the call
ran), scores the credit scorecard on what the call collected, and hands the policy one
:class:`~lendline.risk.policy.RiskEvidence`. The figures behind it are returned too, for the
monitoring table and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from lendline.dialog.state import DialogState
from lendline.identity.registry import CustomerRecord
from lendline.lending.product import LoanProduct
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.credit.applicant import CreditApplicant
from lendline.risk.credit.scorecard import CreditScore, Scorecard
from lendline.risk.fraud.call_signals import CallSignals
from lendline.risk.fraud.model import FraudModel, FraudScore
from lendline.risk.fraud.rules import (
    DEFAULT_RULES,
    FraudHit,
    FraudRulesConfig,
    evaluate,
    evaluate_signals,
    to_evidence,
)
from lendline.risk.policy import (
    ApplicationFacts,
    ExplainedReason,
    RiskEvidence,
    debt_to_income,
    price_requested,
)
from lendline.service_layer.fraud_facts import ApplicationIdentifiers, build_fraud_facts

#: The call signals the fraud model reads, by name.
_SIGNAL_NAMES = frozenset(item.name for item in fields(CallSignals))


@dataclass(frozen=True, slots=True)
class Assessment:
    """The evidence for one decision and the figures behind it.

    Parameters:
        evidence: what the policy decides on.
        credit: the scorecard's result; None when the amount or term cannot be priced (the
            application is declined on the product's rules before any score matters).
        fraud: the fraud model's result.
        hits: the fraud rules that fired.
        features: the fraud model's inputs by name (kept to re-score later).
        rules_version: the fraud rules' version.
    """

    evidence: RiskEvidence
    credit: CreditScore | None
    fraud: FraudScore
    hits: tuple[FraudHit, ...]
    features: dict[str, float]
    rules_version: str

    @property
    def markers(self) -> frozenset[str]:
        """Every fraud marker of the assessment: rule codes and the model's reason features."""
        return frozenset(
            [hit.code for hit in self.hits] + [reason.feature for reason in self.fraud.reasons]
        )


def call_signals(state: DialogState) -> dict[str, float]:
    """The call signals kept in the dialog state, limited to the names the model knows."""
    return {name: value for name, value in state.signals.items() if name in _SIGNAL_NAMES}


@dataclass
class RiskAssessor:
    """Builds the risk evidence for decisions.

    Args:
        scorecard: the credit scorecard (the shipped one by default).
        fraud_model: the fraud model (the shipped one by default).
        rules: the real-time fraud rules' thresholds.
    """

    scorecard: Scorecard = field(default_factory=Scorecard.load_default)
    fraud_model: FraudModel = field(default_factory=FraudModel.load_default)
    rules: FraudRulesConfig = DEFAULT_RULES

    @property
    def versions(self) -> dict[str, str]:
        """Versions of the models and rules that decide, by name."""
        return {
            "credit_scorecard": self.scorecard.version,
            "fraud_model": self.fraud_model.version,
            "fraud_rules": self.rules.version,
        }

    def assess(
        self,
        uow: SqlUnitOfWork,
        state: DialogState,
        record: CustomerRecord,
        facts: ApplicationFacts,
        product: LoanProduct,
        *,
        reference: str,
        at: datetime,
    ) -> Assessment:
        """Assess one application inside the caller's unit of work (not committed here)."""
        otp = uow.otps.get(state.session_id)
        otp_failures = 0 if otp is None else max(0, otp.checks - (1 if otp.verified else 0))
        fraud_facts = build_fraud_facts(
            uow,
            ApplicationIdentifiers(
                id_number=record.id_number,
                mobile=record.mobile,
                caller_number=state.caller_number or None,
                account=record.account_number,
                employer=record.employer,
            ),
            at=at,
            session_id=state.session_id,
            reference=reference,
            customer_id=record.customer_id,
            flags=state.flags,
            security_questions_failed=facts.security_questions_failed,
            otp_failures=otp_failures,
            otp_locked=otp is not None and otp.locked,
            config=self.rules,
        )
        signals = call_signals(state)
        hits = evaluate(fraud_facts, self.rules) + evaluate_signals(signals, self.rules)
        declines, refers, step_ups = to_evidence(hits)
        features = {**fraud_facts.as_features(), **signals}
        fraud = self.fraud_model.score(features)
        applicant = self._applicant(facts, product)
        credit = self.scorecard.score(applicant) if applicant is not None else None
        evidence = RiskEvidence(
            credit_probability_bad=credit.probability_bad if credit else None,
            credit_points=credit.points if credit else None,
            credit_reasons=tuple(
                ExplainedReason(r.code, r.zh, r.en) for r in (credit.reasons if credit else ())
            ),
            fraud_probability=fraud.probability,
            fraud_reasons=tuple(ExplainedReason(r.code, r.zh, r.en) for r in fraud.reasons),
            fraud_declines=declines,
            fraud_refers=refers,
            fraud_step_ups=step_ups,
            stepped_up=state.step_up_result == "passed",
            step_up_failed=state.step_up_result == "failed",
            model_versions=self.versions,
        )
        return Assessment(evidence, credit, fraud, hits, features, self.rules.version)

    @staticmethod
    def _applicant(facts: ApplicationFacts, product: LoanProduct) -> CreditApplicant | None:
        """What the call collected, as the scorecard reads it (no bureau is connected yet).

        The debt-to-income ratio needs the payment, so an amount or term the product cannot
        price (declined by the product rules anyway) is not scored.
        """
        # The same pricing the policy decides on: the amount on the product's step.
        requested = price_requested(facts, product)
        dti = debt_to_income(facts, requested) if requested is not None else None
        if dti is None:
            return None
        return CreditApplicant(
            age=facts.age,
            amount=facts.amount,
            term_months=facts.term_months,
            monthly_income=facts.monthly_income,
            employment=facts.employment,
            purpose=facts.purpose,
            debt_to_income=dti,
        )
