"""Decisions: decide an application under the written policy, or decline a banned purpose.

The decision is made on the facts of the application, the registry and the ledger (what
the borrower already owes), with the risk assessment when the desk has one, and stored by
``decision_record``.

``DialogState`` fields written: the slots ``decided_on`` and ``offer_annual_rate``
(``submit_application``), and ``reference`` (through ``decision_record.store_decision``).
"""

from __future__ import annotations

from sqlalchemy import select

from lendline.dialog.ports import ApplicationInput, DecisionView, Reason
from lendline.dialog.state import DialogState
from lendline.identity.resident_id import ResidentId
from lendline.lending.ledger import principal_account
from lendline.lending.purpose import PurposeCategory
from lendline.persistence.tables import applications, loans
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.alerts import AlertRoute
from lendline.risk.policy import (
    REASON_TEXT,
    ApplicationFacts,
    Decision,
    EmploymentStatus,
    Outcome,
    ReasonCode,
    decide,
)
from lendline.service_layer.desk.context import DeskContext, session_customer
from lendline.service_layer.desk.decision_record import store_decision
from lendline.shared.clock import business_day
from lendline.shared.ids import new_reference
from lendline.shared.money import Money


def decline_for_purpose(
    desk: DeskContext, state: DialogState, purpose: PurposeCategory
) -> DecisionView:
    """Decline an application whose stated purpose is banned."""
    reference = _new_application(desk, state)
    decision = Decision(
        outcome=Outcome.DECLINE,
        reasons=(ReasonCode.BANNED_PURPOSE,),
        approved_amount=None,
        policy_version=desk.policy.version,
        offer=None,
    )
    application = {
        "amount_minor": Money.of(state.slots["amount"]).rounded().to_minor(),
        "term_months": int(state.slots["term"]),
        "purpose": purpose.value,
    }
    store_decision(desk, state, reference, decision, application)
    return _view(decision, reference)


def submit_application(
    desk: DeskContext, state: DialogState, application: ApplicationInput
) -> DecisionView:
    """Decide the application under the written policy and record the outcome."""
    record = session_customer(desk, state)
    resident = ResidentId.parse(record.id_number)
    reference = _new_application(desk, state)
    facts = ApplicationFacts(
        amount=Money.of(application.amount),
        term_months=application.term_months,
        purpose=application.purpose,
        monthly_income=Money.of(application.monthly_income),
        employment=EmploymentStatus(application.employment),
        age=resident.age_on(desk.clock.now().date()),
        identity_verified=state.verified,
        # Answers made good by a passed step-up no longer count (see identity.step_up).
        security_questions_failed=(
            0 if state.step_up_result == "passed" else state.questions_failed
        ),
        registry_monthly_income=Money.of(record.monthly_income),
        # No credit bureau is connected yet: existing debt is unknown and taken as zero.
        existing_monthly_debt=Money.zero(),
        # What the borrower already owes this lender counts toward the R1 credit cap.
        outstanding_credit=outstanding_credit(desk, state.customer_id),
    )
    now = desk.clock.now()
    decided_on = business_day(now)
    state.slots["decided_on"] = decided_on.isoformat()
    stored = {
        "amount_minor": Money.of(application.amount).rounded().to_minor(),
        "term_months": application.term_months,
        "purpose": application.purpose.value,
        "monthly_income_minor": Money.of(application.monthly_income).rounded().to_minor(),
        "employment": application.employment,
    }
    with SqlUnitOfWork(desk.engine) as uow:
        # The assessment records the application's identifiers in the fraud history in
        # the same transaction as the decision: both are kept, or neither.
        assessment = (
            desk.risk.assess(uow, state, record, facts, desk.product, reference=reference, at=now)
            if desk.risk is not None
            else None
        )
        decision = decide(
            facts,
            desk.product,
            desk.limits_on(decided_on),
            desk.policy,
            assessment.evidence if assessment else None,
        )
        raised = store_decision(desk, state, reference, decision, stored, assessment, uow)
        uow.commit()
    for alert in raised:
        desk.alerts.notify(alert)
    if decision.offer is not None:
        # The priced rate (the credit band's margin included) is the one the contract,
        # the signature and the payout are worked out with.
        state.slots["offer_annual_rate"] = str(decision.offer.annual_rate)
    hand_off = any(alert.route is AlertRoute.PAUSE_AND_HAND_OFF for alert in raised)
    return _view(decision, reference, hand_off=hand_off)


def outstanding_credit(desk: DeskContext, customer_id: str | None) -> Money:
    """Principal the customer still owes this lender, from the ledger (booked loans)."""
    if customer_id is None:
        return Money.zero()
    with SqlUnitOfWork(desk.engine, read_only=True) as uow:
        references = uow.connection.execute(
            select(applications.c.reference).where(
                applications.c.customer_id == customer_id,
                applications.c.reference.in_(select(loans.c.reference)),
            )
        ).scalars()
        owed = sum(uow.ledger.balance_minor(principal_account(ref)) for ref in references)
    return Money.from_minor(int(owed))


def _new_application(desk: DeskContext, state: DialogState) -> str:
    return state.reference or new_reference(desk.clock.now())


def _view(decision: Decision, reference: str, *, hand_off: bool = False) -> DecisionView:
    reasons = tuple(
        Reason(code.value, REASON_TEXT[code][0], REASON_TEXT[code][1]) for code in decision.reasons
    ) + tuple(Reason(item.code, item.zh, item.en) for item in decision.explained)
    return DecisionView(
        decision.outcome.value, reasons, decision.offer, reference, hand_off=hand_off
    )
