"""The loan desk: the service layer the dialog talks to, one unit of work per request.

It joins the contexts: identity (registry, questions, one-time codes), risk (the decision
policy), lending (offers, contracts, payouts) and audit (every step appended to the
hash-chained log). Outside systems sit behind ports: the SMS gateway, the payment rail.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.engine import Engine

from lendline.compliance.ports import session_subject, text_commitment
from lendline.dialog.ports import (
    ApplicationInput,
    AskedQuestion,
    CallbackBooked,
    CodeChecked,
    CodeSent,
    DecisionView,
    PayoutView,
    PhraseChallenge,
    PhraseChecked,
    Reason,
    StepUpView,
)
from lendline.dialog.state import DialogState, SessionStatus
from lendline.identity.choices import (
    ChoicePolicy,
    ChoiceQuestion,
    QuestionSetsExhausted,
    choice_answer_matches,
    draw_question_set,
    ordinal_choice,
)
from lendline.identity.liveness import (
    LivenessPolicy,
    LivenessState,
    PhraseStyle,
    check_phrase,
    new_challenge,
    phrase_text,
)
from lendline.identity.otp import (
    OtpOutcome,
    OtpPolicy,
    OtpSendRefused,
    OtpState,
    check_code,
    issue_code,
)
from lendline.identity.otp_velocity import (
    Lockout,
    LockoutReason,
    OtpVelocityPolicy,
    lockout_for,
    prefix_key,
    velocity_refusal,
)
from lendline.identity.phone import MobileNumber
from lendline.identity.ports import CallbackRequest, SmsGateway
from lendline.identity.questions import QuestionKind, answer_matches, question_for
from lendline.identity.registry import CustomerRecord
from lendline.identity.resident_id import ResidentId
from lendline.identity.step_up import RiskLevel, StepUpAction, StepUpFacts, choose_step_up
from lendline.lending.contract import ContractDocument, ContractParties, build_contract
from lendline.lending.ledger import principal_account
from lendline.lending.limits import LenderType, RegulatoryLimits
from lendline.lending.lpr import LprTable
from lendline.lending.offer import Offer, make_offer
from lendline.lending.ports import ContractArchive, PaymentRail
from lendline.lending.product import DEFAULT_PRODUCT, LoanProduct
from lendline.lending.purpose import PurposeCategory
from lendline.lending.servicing import LoanTerms
from lendline.lending.signature import sign
from lendline.persistence.records import ApplicationRecord, SessionRecord
from lendline.persistence.risk_monitoring import DecisionFigures, StoredAlert
from lendline.persistence.tables import applications, loans
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.alerts import Alert, AlertLevel, AlertRoute, AlertSource
from lendline.risk.policy import (
    REASON_TEXT,
    ApplicationFacts,
    Decision,
    EmploymentStatus,
    ExplainedReason,
    Outcome,
    PolicyConfig,
    ReasonCode,
    decide,
)
from lendline.service_layer.alerts import AlertDesk
from lendline.service_layer.disbursements import Disbursements
from lendline.service_layer.risk_assessment import Assessment, RiskAssessor
from lendline.shared.clock import Clock, business_day
from lendline.shared.ids import new_reference, new_session_id
from lendline.shared.money import Money

#: A bank name is offered as a distractor only if at least this many customers share it.
_PEER_MIN_CUSTOMERS = 3


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


def sha256_text(text: str) -> str:
    """Hash a text for the audit log (the log keeps fingerprints of what was said)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class LoanDesk:
    """The service layer behind the dialog.

    Args:
        engine: LendLine's database.
        sms: the SMS gateway (a local outbox by default).
        rail: the payment rail (a local simulator by default).
        clock: the time source.
        pepper: secret mixed into one-time-code hashes.
        lender_name: printed on the contract.
        product: the loan product offered on this line.
        limits: the regulatory limits in force.
        policy: the decision policy configuration.
        otp_policy: one-time-code limits per challenge.
        velocity_policy: one-time-code limits across sessions (per customer, per segment).
        choice_policy: how security questions are built as choices.
        liveness_policy: the phrase-repeat step-up (length, attempts).
        rng: randomness for the security-question draw and the liveness phrase.
        contracts: where the contract documents sent are filed (PDF); None keeps only hashes.
        lender_type: when set, limits are worked out per decision day for this lender type
            (private lending: 4 × the LPR of that day); when None, ``limits`` applies.
        lpr_table: the dated 1-year LPR used for private lending (the packaged one if None).
        risk: the risk assessor (fraud rules and model, credit scorecard); None decides on
            the written policy rules alone.
    """

    engine: Engine
    sms: SmsGateway
    rail: PaymentRail
    clock: Clock
    pepper: bytes
    lender_name: str
    product: LoanProduct = DEFAULT_PRODUCT
    limits: RegulatoryLimits = field(default_factory=RegulatoryLimits)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    otp_policy: OtpPolicy = field(default_factory=OtpPolicy)
    velocity_policy: OtpVelocityPolicy = field(default_factory=OtpVelocityPolicy)
    choice_policy: ChoicePolicy = field(default_factory=ChoicePolicy)
    liveness_policy: LivenessPolicy = field(default_factory=LivenessPolicy)
    rng: random.Random = field(default_factory=random.SystemRandom)
    contracts: ContractArchive | None = None
    lender_type: LenderType | None = None
    lpr_table: LprTable | None = None
    #: The fraud rules, fraud model and scorecard behind each decision; None decides on the
    #: written rules alone.
    risk: RiskAssessor | None = field(default_factory=RiskAssessor)
    #: When each voice session's call was answered in this process: the recording starts
    #: then, so consents are located in it by their offset from that instant.
    _call_answered_at: dict[str, datetime] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ sessions

    def open_session(
        self, caller_number: str, channel: str, network: Mapping[str, str] | None = None
    ) -> DialogState:
        """Resume the caller's unfinished session, or open a new one.

        ``network`` names the call on the network that carried it (transport, call id), so
        the audit log ties the session to the SIP dialog or media stream.
        """
        with SqlUnitOfWork(self.engine) as uow:
            record = uow.sessions.latest_resumable_for_caller(caller_number)
            if record is not None:
                state = DialogState.from_dict(record.state)
                state.status = SessionStatus.ACTIVE
                state.channel = channel
                event = "session.resumed"
            else:
                state = DialogState(
                    session_id=new_session_id(), caller_number=caller_number, channel=channel
                )
                event = "session.opened"
            if channel == "voice":
                self._call_answered_at[state.session_id] = self.clock.now()
            self._save(uow, state)
            uow.audit.append(
                event,
                state.session_id,
                {"channel": channel, "step": state.step.value, **(network or {})},
                self.clock.now(),
            )
            uow.commit()
        return state

    def load_session(self, session_id: str) -> DialogState | None:
        """Load a session by id (the chat link carries it)."""
        with SqlUnitOfWork(self.engine) as uow:
            record = uow.sessions.get(session_id)
        return DialogState.from_dict(record.state) if record else None

    def _save(self, uow: SqlUnitOfWork, state: DialogState, ended: bool = False) -> None:
        now = self.clock.now()
        existing = uow.sessions.get(state.session_id)
        uow.sessions.save(
            SessionRecord(
                session_id=state.session_id,
                caller_number=state.caller_number,
                channel=state.channel,
                language=state.language,
                status=state.status.value,
                step=state.step.value,
                state=state.to_dict(),
                application_ref=state.reference,
                started_at=existing.started_at if existing else now,
                updated_at=now,
                ended_at=now if ended else None,
            )
        )

    def checkpoint(self, state: DialogState) -> None:
        """Persist the dialog state after a turn."""
        with SqlUnitOfWork(self.engine) as uow:
            self._save(uow, state)
            uow.commit()

    def close(self, state: DialogState) -> None:
        """Persist the final status of the session."""
        with SqlUnitOfWork(self.engine) as uow:
            self._save(uow, state, ended=True)
            uow.audit.append(
                "session.closed",
                state.session_id,
                {"status": state.status.value, "step": state.step.value, "flags": state.flags},
                self.clock.now(),
            )
            uow.commit()

    def record_turn(
        self,
        state: DialogState,
        caller_text: str | None,
        audio_sha256: str | None,
        prompts: list[tuple[str, str]],
        prompt_version: str,
        event: str,
    ) -> None:
        """Append one call turn to the audit log; what the caller said is kept sealed.

        The append-only log cannot be erased, so it gets only a salted commitment to the
        caller's text; the text and salt go to ``call_turn_texts`` under the session's key.
        """
        salt = secrets.token_hex(16)
        commitment = None if caller_text is None else text_commitment(salt, caller_text)
        payload: dict[str, Any] = {
            "turn": state.turn,
            "event": event,
            "channel": state.channel,
            "step": state.step.value,
            "status": state.status.value,
            "caller_text_commitment": commitment,
            "audio_sha256": audio_sha256,
            "prompt_version": prompt_version,
            "prompt_ids": [prompt_id for prompt_id, _ in prompts],
            "prompt_sha256": sha256_text("\n".join(text for _, text in prompts)),
        }
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            if caller_text is not None:
                uow.turn_texts.add(state.session_id, state.turn, caller_text, salt, now)
            uow.audit.append("call.turn", state.session_id, payload, now)
            uow.commit()

    def record_consent(
        self, state: DialogState, kind: str, granted: bool, notice_version: str
    ) -> None:
        """Record a consent answer, where it is in the call recording, and log it."""
        now = self.clock.now()
        offset = self._audio_offset_ms(state, now)
        with SqlUnitOfWork(self.engine) as uow:
            uow.consents.add(state.session_id, kind, granted, notice_version, now, offset)
            uow.audit.append(
                "consent.recorded",
                state.session_id,
                {
                    "kind": kind,
                    "granted": granted,
                    "notice_version": notice_version,
                    "audio_offset_ms": offset,
                },
                now,
            )
            uow.commit()

    # ------------------------------------------------------------------ identity

    def find_customer(self, id_number: str) -> CustomerRecord | None:
        """Look a customer up by resident ID number."""
        with SqlUnitOfWork(self.engine) as uow:
            return uow.customers.find_by_id_number(id_number)

    def _customer(self, state: DialogState) -> CustomerRecord:
        record = self.find_customer(state.slots["id_number"])
        if record is None or record.customer_id != state.customer_id:
            raise LookupError("the session's customer is no longer in the registry")
        return record

    def draw_questions(self, state: DialogState, count: int) -> list[AskedQuestion]:
        """Draw security questions as choices, a set never drawn for this customer before.

        Distractors come from the built-in lists and from bank names several customers
        share. The set's keyed fingerprint is stored; an empty list means every set the
        customer's data allows was drawn before.
        """
        record = self._customer(state)
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            seen = uow.identity.seen_question_sets(record.customer_id)
            peers = {QuestionKind.BANK_NAME: uow.identity.shared_bank_names(_PEER_MIN_CUSTOMERS)}
            try:
                drawn = draw_question_set(
                    record,
                    self.rng,
                    count,
                    fingerprint=lambda qs: qs.fingerprint(self.pepper, record.customer_id),
                    seen=seen,
                    peers=peers,
                    today=business_day(now),
                    policy=self.choice_policy,
                )
            except QuestionSetsExhausted:
                uow.audit.append(
                    "identity.questions_exhausted",
                    state.session_id,
                    {"sets_drawn_before": len(seen)},
                    now,
                )
                uow.commit()
                return []
            kinds = tuple(kind.value for kind in drawn.kinds)
            uow.identity.add_question_set(
                record.customer_id,
                drawn.fingerprint(self.pepper, record.customer_id),
                kinds,
                state.session_id,
                now,
            )
            uow.audit.append(
                "identity.questions_drawn",
                state.session_id,
                {
                    "kinds": list(kinds),
                    "choices": [len(q.choices) for q in drawn.questions],
                    "sets_drawn_before": len(seen),
                },
                now,
            )
            uow.commit()
        return [AskedQuestion(q.kind.value, q.choices) for q in drawn.questions]

    def check_answer(
        self,
        state: DialogState,
        question: AskedQuestion,
        answer: str,
        answer_secs: float | None = None,
    ) -> bool:
        """Check a security answer; the outcome and timing are logged, never the answer."""
        record = self._customer(state)
        kind = QuestionKind(question.kind)
        expected = question_for(record, kind).expected
        by_place = False
        if not question.choices:
            ok = answer_matches(question_for(record, kind), answer)
        elif expected in question.choices:
            asked = ChoiceQuestion(kind, question.choices, question.choices.index(expected))
            ok = choice_answer_matches(asked, answer)
            by_place = ordinal_choice(answer, len(question.choices)) is not None
        else:
            # The registry changed since the question was drawn: no choice is right.
            ok = False
        with SqlUnitOfWork(self.engine) as uow:
            uow.audit.append(
                "identity.security_question",
                state.session_id,
                {
                    "kind": kind.value,
                    "passed": ok,
                    "choices": len(question.choices),
                    "answered_by": "place" if by_place else "name",
                    "answer_secs": None if answer_secs is None else round(answer_secs, 2),
                    "step_up": state.step_ups[-1] if state.step_ups else None,
                },
                self.clock.now(),
            )
            uow.commit()
        return ok

    def _lock_out(
        self,
        uow: SqlUnitOfWork,
        state: DialogState,
        reason: LockoutReason,
        customer_id: str,
        segment: str,
    ) -> Lockout:
        """Record a lockout and its audit event (inside the caller's unit of work)."""
        now = self.clock.now()
        lockout = lockout_for(reason, self.velocity_policy, now)
        uow.identity.add_lockout(lockout, customer_id, segment, state.session_id)
        uow.audit.append(
            "identity.otp_lockout",
            state.session_id,
            {
                "reason": reason.value,
                "scope": lockout.scope.value,
                "until": lockout.until.isoformat(),
            },
            now,
        )
        return lockout

    def send_code(self, state: DialogState, purpose: str, sms_template: str) -> CodeSent:
        """Issue a one-time code and send it to the customer's registered mobile.

        Refused while a lockout holds the customer or their number segment, and when the
        velocity limits across sessions would be broken (which locks out, with the reason).
        """
        record = self._customer(state)
        mobile = MobileNumber.parse(record.mobile)
        segment = prefix_key(mobile.digits, self.pepper)
        last4 = mobile.digits[-4:]
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            held = uow.identity.active_lockout(record.customer_id, segment, now)
            if held is None:
                counts = uow.identity.velocity_counts(
                    record.customer_id, segment, now, self.velocity_policy
                )
                too_fast = velocity_refusal(counts, self.velocity_policy, "send")
                if too_fast is not None:
                    held = self._lock_out(uow, state, too_fast, record.customer_id, segment)
            if held is not None:
                uow.audit.append(
                    "identity.otp_sent",
                    state.session_id,
                    {
                        "purpose": purpose,
                        "sent": False,
                        "refused": "velocity",
                        "lockout": held.reason.value,
                    },
                    now,
                )
                uow.commit()
                return CodeSent(False, "velocity", last4, lockout=held.reason.value)
            current = uow.otps.get(state.session_id) or OtpState()
            if current.verified:
                # A verified challenge is spent: signing, or re-verifying on a call-back,
                # starts a new one. The send count carries over, so the limit holds per session.
                current = OtpState(sends=current.sends, locked=current.locked)
            result = issue_code(current, self.otp_policy, now, self.pepper)
            uow.otps.save(state.session_id, mobile.digits, result.state)
            lockout: Lockout | None = None
            if result.code is not None:
                uow.identity.record_otp_event(
                    "send", record.customer_id, segment, state.session_id, now
                )
            elif result.refused is OtpSendRefused.SEND_LIMIT:
                lockout = self._lock_out(
                    uow, state, LockoutReason.CHALLENGE_SENDS_EXHAUSTED, record.customer_id, segment
                )
            refused = result.refused.value if result.refused else None
            uow.audit.append(
                "identity.otp_sent",
                state.session_id,
                {
                    "purpose": purpose,
                    "sent": result.code is not None,
                    "refused": refused,
                    "lockout": lockout.reason.value if lockout else None,
                },
                now,
            )
            uow.commit()
        if result.code is None:
            return CodeSent(
                sent=False,
                refused=refused,
                mobile_last4=last4,
                lockout=lockout.reason.value if lockout else None,
            )
        self.sms.send(mobile, sms_template.format(code=result.code))
        return CodeSent(sent=True, refused=None, mobile_last4=last4)

    def check_code(self, state: DialogState, code: str) -> CodeChecked:
        """Check a one-time code the caller gave (within the per-customer check limit)."""
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            found = uow.otps.load(state.session_id)
            if found is None:
                return CodeChecked(outcome="no_code", attempts_left=0)
            mobile, current = found.mobile, found.state
            customer_id = state.customer_id or ""
            segment = prefix_key(mobile, self.pepper)
            held = uow.identity.active_lockout(customer_id, segment, now)
            if held is None and not current.locked:
                counts = uow.identity.velocity_counts(
                    customer_id, segment, now, self.velocity_policy
                )
                too_fast = velocity_refusal(counts, self.velocity_policy, "check")
                if too_fast is not None:
                    held = self._lock_out(uow, state, too_fast, customer_id, segment)
            if held is not None:
                uow.audit.append(
                    "identity.otp_checked",
                    state.session_id,
                    {"outcome": "locked", "attempts_left": 0, "lockout": held.reason.value},
                    now,
                )
                uow.commit()
                return CodeChecked("locked", 0, lockout=held.reason.value)
            result = check_code(current, self.otp_policy, now, code, self.pepper)
            uow.otps.save(state.session_id, mobile, result.state)
            if result.state.checks > current.checks:
                uow.identity.record_otp_event("check", customer_id, segment, state.session_id, now)
            lockout: Lockout | None = None
            if result.state.locked and not current.locked:
                lockout = self._lock_out(
                    uow, state, LockoutReason.CHALLENGE_CHECKS_EXHAUSTED, customer_id, segment
                )
            payload: dict[str, Any] = {
                "outcome": result.outcome.value,
                "attempts_left": result.attempts_left,
                "lockout": lockout.reason.value if lockout else None,
            }
            if result.outcome is OtpOutcome.VERIFIED:
                # The verification outcome carries the step-up taken and how it ended.
                payload["step_ups"] = list(state.step_ups)
                payload["step_up_result"] = state.step_up_result
                payload["questions_failed"] = state.questions_failed
            uow.audit.append("identity.otp_checked", state.session_id, payload, now)
            uow.commit()
        return CodeChecked(
            outcome=result.outcome.value,
            attempts_left=result.attempts_left,
            lockout=lockout.reason.value if lockout else None,
        )

    # ------------------------------------------------------------------ step-up

    def choose_step_up(self, state: DialogState) -> StepUpView:
        """Choose the step-up the session needs now (see ``identity.step_up``), and log it."""
        facts = StepUpFacts(
            questions_failed=state.questions_failed,
            flags=frozenset(state.flags),
            external_risk=RiskLevel(state.external_risk) if state.external_risk else None,
            done=frozenset(StepUpAction(action) for action in state.step_ups),
            passed=state.step_up_result == "passed",
            failed=state.step_up_result == "failed",
            questions_left=max(0, len(state.question_kinds) - state.question_index),
            callback_possible=state.customer_id is not None,
        )
        decision = choose_step_up(facts)
        with SqlUnitOfWork(self.engine) as uow:
            uow.audit.append(
                "identity.step_up",
                state.session_id,
                {
                    "action": decision.action.value,
                    "reasons": list(decision.reasons),
                    "questions_failed": state.questions_failed,
                    "external_risk": state.external_risk,
                },
                self.clock.now(),
            )
            uow.commit()
        return StepUpView(decision.action.value, decision.reasons)

    def request_step_up(self, state: DialogState, level: str) -> StepUpView:
        """Feed the fraud engine's risk level for the session and choose the step-up.

        The level is kept in the session (``state.external_risk``); the dialog consults the
        step-up again once the security questions are answered, before the one-time code.

        Raises:
            ValueError: for a level other than "low", "medium" or "high".
        """
        state.external_risk = RiskLevel(level).value
        return self.choose_step_up(state)

    def start_liveness(self, state: DialogState) -> PhraseChallenge:
        """Draw a phrase for the caller to repeat; it is kept in the session's slots."""
        challenge = new_challenge(self.liveness_policy, self.rng)
        state.slots["liveness_style"] = challenge.style.value
        state.slots["liveness_tokens"] = ",".join(challenge.tokens)
        state.slots["liveness_attempts"] = "0"
        with SqlUnitOfWork(self.engine) as uow:
            uow.audit.append(
                "identity.liveness_started",
                state.session_id,
                {"style": challenge.style.value, "length": len(challenge.tokens)},
                self.clock.now(),
            )
            uow.commit()
        return PhraseChallenge(
            phrase_text(challenge, state.language or "zh"),
            challenge.style is PhraseStyle.DIGITS,
        )

    def check_liveness(self, state: DialogState, said: str) -> PhraseChecked:
        """Check the caller's repeat of the session's phrase (its own attempt limit)."""
        slots = state.slots
        challenge = LivenessState(
            PhraseStyle(slots["liveness_style"]),
            tuple(slots["liveness_tokens"].split(",")),
            attempts=int(slots.get("liveness_attempts", "0")),
        )
        result = check_phrase(challenge, self.liveness_policy, said)
        slots["liveness_attempts"] = str(result.state.attempts)
        with SqlUnitOfWork(self.engine) as uow:
            uow.audit.append(
                "identity.liveness_checked",
                state.session_id,
                {"outcome": result.outcome.value, "attempts_left": result.attempts_left},
                self.clock.now(),
            )
            uow.commit()
        return PhraseChecked(result.outcome.value, result.attempts_left)

    def request_callback(self, state: DialogState, reason: str) -> CallbackBooked:
        """Request a call-back to the registered number: a row, an outbox message, an event."""
        record = self._customer(state)
        now = self.clock.now()
        request = CallbackRequest(
            uuid.uuid4().hex, state.session_id, record.customer_id, reason, now
        )
        with SqlUnitOfWork(self.engine) as uow:
            uow.identity.callbacks.schedule(request)
            uow.audit.append(
                "identity.callback_requested",
                state.session_id,
                {"request_id": request.request_id, "reason": reason},
                now,
            )
            uow.commit()
        return CallbackBooked(MobileNumber.parse(record.mobile).digits[-4:])

    # ------------------------------------------------------------------ application

    def _new_application(self, state: DialogState) -> str:
        return state.reference or new_reference(self.clock.now())

    def _view(
        self, decision: Decision, reference: str, *, hand_off: bool = False
    ) -> DecisionView:
        reasons = tuple(
            Reason(code.value, REASON_TEXT[code][0], REASON_TEXT[code][1])
            for code in decision.reasons
        ) + tuple(Reason(item.code, item.zh, item.en) for item in decision.explained)
        return DecisionView(
            decision.outcome.value, reasons, decision.offer, reference, hand_off=hand_off
        )

    @property
    def alerts(self) -> AlertDesk:
        """The risk alert desk over this desk's database."""
        return AlertDesk(self.engine, self.clock)

    def raise_call_alert(
        self, state: DialogState, code: str, level: str, reasons: tuple[str, ...] = ()
    ) -> str:
        """Raise a risk alert while the caller is on the line; returns where it was routed.

        A critical alert is routed ``pause_and_hand_off``: the dialog stops the script and
        hands the session to a person (a chat session is as live as a call).
        """
        stored = self.alerts.raise_alert(
            Alert(
                code=code,
                level=AlertLevel(level),
                source=AlertSource.CALL,
                raised_at=self.clock.now(),
                session_id=state.session_id,
                reference=state.reference,
                reasons=reasons,
            ),
            call_live=True,
        )
        return stored.route.value

    def _store_decision(
        self,
        state: DialogState,
        reference: str,
        decision: Decision,
        application: dict[str, Any],
        assessment: Assessment | None = None,
        uow: SqlUnitOfWork | None = None,
    ) -> list[StoredAlert]:
        """Store the decision, its figures and its alerts; commit unless ``uow`` is given."""
        if uow is None:
            with SqlUnitOfWork(self.engine) as own:
                raised = self._store_decision(
                    state, reference, decision, application, assessment, own
                )
                own.commit()
            return raised
        now = self.clock.now()
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
                "product": f"{self.product.code}@{self.product.version}",
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
                credit_points=(
                    assessment.credit.points if assessment and assessment.credit else None
                ),
                credit_probability_bad=(
                    assessment.credit.probability_bad
                    if assessment and assessment.credit
                    else None
                ),
                fraud_model_version=assessment.fraud.version if assessment else None,
                fraud_probability=assessment.fraud.probability if assessment else None,
                fraud_rules_version=assessment.rules_version if assessment else None,
                reasons=tuple(
                    ExplainedReason(code.value, *REASON_TEXT[code])
                    for code in decision.reasons
                )
                + decision.explained,
                features=assessment.features if assessment else None,
            )
        )
        raised = [
            self.alerts.raise_in(uow, alert, call_live=state.channel == "voice")
            for alert in decision_alerts(decision, state, reference, assessment, now)
        ]
        state.reference = reference
        return raised

    def decline_for_purpose(self, state: DialogState, purpose: PurposeCategory) -> DecisionView:
        """Decline an application whose stated purpose is banned."""
        reference = self._new_application(state)
        decision = Decision(
            outcome=Outcome.DECLINE,
            reasons=(ReasonCode.BANNED_PURPOSE,),
            approved_amount=None,
            policy_version=self.policy.version,
            offer=None,
        )
        application = {
            "amount_minor": Money.of(state.slots["amount"]).rounded().to_minor(),
            "term_months": int(state.slots["term"]),
            "purpose": purpose.value,
        }
        self._store_decision(state, reference, decision, application)
        return self._view(decision, reference)

    def submit_application(self, state: DialogState, application: ApplicationInput) -> DecisionView:
        """Decide the application under the written policy and record the outcome."""
        record = self._customer(state)
        resident = ResidentId.parse(record.id_number)
        reference = self._new_application(state)
        facts = ApplicationFacts(
            amount=Money.of(application.amount),
            term_months=application.term_months,
            purpose=application.purpose,
            monthly_income=Money.of(application.monthly_income),
            employment=EmploymentStatus(application.employment),
            age=resident.age_on(self.clock.now().date()),
            identity_verified=state.verified,
            # Answers made good by a passed step-up no longer count (see identity.step_up).
            security_questions_failed=(
                0 if state.step_up_result == "passed" else state.questions_failed
            ),
            registry_monthly_income=Money.of(record.monthly_income),
            # No credit bureau is connected yet: existing debt is unknown and taken as zero.
            existing_monthly_debt=Money.zero(),
            # What the borrower already owes this lender counts toward the R1 credit cap.
            outstanding_credit=self._outstanding_credit(state.customer_id),
        )
        now = self.clock.now()
        decided_on = business_day(now)
        state.slots["decided_on"] = decided_on.isoformat()
        stored = {
            "amount_minor": Money.of(application.amount).rounded().to_minor(),
            "term_months": application.term_months,
            "purpose": application.purpose.value,
            "monthly_income_minor": Money.of(application.monthly_income).rounded().to_minor(),
            "employment": application.employment,
        }
        with SqlUnitOfWork(self.engine) as uow:
            # The assessment records the application's identifiers in the fraud history in
            # the same transaction as the decision: both are kept, or neither.
            assessment = (
                self.risk.assess(
                    uow, state, record, facts, self.product, reference=reference, at=now
                )
                if self.risk is not None
                else None
            )
            decision = decide(
                facts,
                self.product,
                self.limits_on(decided_on),
                self.policy,
                assessment.evidence if assessment else None,
            )
            raised = self._store_decision(state, reference, decision, stored, assessment, uow)
            uow.commit()
        for alert in raised:
            self.alerts.notify(alert)
        if decision.offer is not None:
            # The priced rate (the credit band's margin included) is the one the contract,
            # the signature and the payout are worked out with.
            state.slots["offer_annual_rate"] = str(decision.offer.annual_rate)
        hand_off = any(alert.route is AlertRoute.PAUSE_AND_HAND_OFF for alert in raised)
        return self._view(decision, reference, hand_off=hand_off)

    def limits_on(self, day: date) -> RegulatoryLimits:
        """The regulatory limits for a contract made on ``day`` (the lender's business day).

        A private lender's cap is 4 × the 1-year LPR in force that day, so it is looked up per
        decision rather than fixed when the process started.
        """
        if self.lender_type is None:
            return self.limits
        return RegulatoryLimits.for_lender(self.lender_type, day, self.lpr_table)

    def _outstanding_credit(self, customer_id: str | None) -> Money:
        """Principal the customer still owes this lender, from the ledger (booked loans)."""
        if customer_id is None:
            return Money.zero()
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            references = uow.connection.execute(
                select(applications.c.reference).where(
                    applications.c.customer_id == customer_id,
                    applications.c.reference.in_(select(loans.c.reference)),
                )
            ).scalars()
            owed = sum(uow.ledger.balance_minor(principal_account(ref)) for ref in references)
        return Money.from_minor(int(owed))

    def _offer(self, state: DialogState) -> Offer:
        product = self.product
        priced = state.slots.get("offer_annual_rate")
        if priced is not None and Decimal(priced) != product.annual_rate:
            product = replace(product, annual_rate=Decimal(priced))
        return make_offer(
            product, Money.of(state.slots["offer_amount"]), int(state.slots["offer_term"])
        )

    def _contract(self, state: DialogState) -> ContractDocument:
        """The contract for the session's offer; the same inputs at sending and at signing."""
        record = self._customer(state)
        resident = ResidentId.parse(record.id_number)
        language = state.language or "zh"
        parties = ContractParties(
            lender_name=self.lender_name,
            borrower_name=record.full_name,
            borrower_id_masked=resident.masked(),
            borrower_account_masked=f"****{record.account_number[-4:]}",
        )
        purpose = state.slots.get("purpose")
        return build_contract(
            state.reference or "",
            parties,
            self._offer(state),
            language,
            purpose=PurposeCategory(purpose) if purpose else None,
            product_name=self.product.name_zh if language == "zh" else self.product.name_en,
            # The limits of the day the offer was decided, at sending and at signing alike.
            limits=self.limits_on(
                date.fromisoformat(state.slots["decided_on"])
                if "decided_on" in state.slots
                else business_day(self.clock.now())
            ),
        )

    def send_contract(self, state: DialogState, sms_template: str) -> str:
        """Send the contract summary by SMS and record the contract's hash."""
        offer = self._offer(state)
        document = self._contract(state)
        digest = document.sha256()
        # The document itself is filed before anything says it was sent: the borrower can
        # always be given the exact text whose hash they sign.
        subject = session_subject(state.session_id)
        filed = self.contracts.file(document, subject) if self.contracts is not None else None
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            application = uow.applications.get(state.reference or "")
            if application is None:
                raise LookupError("no application to send a contract for")
            application.contract_sha256 = digest
            application.updated_at = now
            uow.applications.save(application)
            uow.audit.append(
                "contract.sent",
                state.session_id,
                {
                    "reference": state.reference,
                    "contract_sha256": digest,
                    "language": state.language,
                    "document_sha256": filed.file_sha256 if filed else None,
                    "document": filed.location if filed else None,
                },
                now,
            )
            uow.commit()
        record = self._customer(state)
        message = sms_template.format(
            lender=self.lender_name,
            lender_en=self.lender_name,
            amount=f"{offer.amount.amount:,.2f}",
            term=offer.term_months,
            apr=f"{offer.rates.apr * 100:.2f}%",
            payment=f"{offer.monthly_payment.amount:,.2f}",
            total=f"{offer.total_repayment.amount:,.2f}",
            reference=state.reference,
            contract_sha256_short=digest[:16],
        )
        self.sms.send(MobileNumber.parse(record.mobile), message)
        return digest

    def _audio_offset_ms(self, state: DialogState, now: datetime) -> int | None:
        """Milliseconds from the start of this call's recording to ``now`` (None off a call)."""
        answered = self._call_answered_at.get(state.session_id)
        if answered is None or state.channel != "voice":
            return None
        return max(0, int((now - answered).total_seconds() * 1000))

    def sign_contract(self, state: DialogState, consent_text: str) -> None:
        """Sign the contract sent: consent, SMS code, time and recording offset bound to its hash.

        The signature (R9) binds the verbal consent, the verified SMS code, the time and the
        place in the recording to the SHA-256 of the contract text sent.

        Raises:
            LookupError: if the contract signed is not the one sent.
            SignatureRefused: if the session's SMS code was not verified.
        """
        digest = self._contract(state).sha256()
        now = self.clock.now()
        offset = self._audio_offset_ms(state, now)
        with SqlUnitOfWork(self.engine) as uow:
            application = uow.applications.get(state.reference or "")
            if application is None or application.contract_sha256 != digest:
                raise LookupError("the contract signed is not the contract sent")
            otp = uow.otps.get(state.session_id)
            signature = sign(
                reference=application.reference,
                contract_sha256=digest,
                consent_text_sha256=sha256_text(consent_text),
                otp_challenge=(
                    f"{state.session_id}@{otp.issued_at.isoformat()}"
                    if otp is not None and otp.issued_at is not None
                    else state.session_id
                ),
                otp_verified=otp is not None and otp.verified,
                signed_at=now,
                audio_offset_ms=offset,
            )
            application.signed_at = now
            application.status = "signed"
            application.updated_at = now
            uow.applications.save(application)
            uow.consents.add(state.session_id, "contract_signature", True, digest[:32], now, offset)
            uow.audit.append(
                "contract.signed",
                state.session_id,
                {
                    **signature.as_record(),
                    "otp_verified": True,
                    "signature_sha256": signature.binding_sha256(),
                },
                now,
            )
            uow.commit()

    @property
    def payouts(self) -> Disbursements:
        """The payout relay over this desk's database and rail."""
        return Disbursements(self.engine, self.rail, self.clock)

    def disburse(self, state: DialogState) -> PayoutView:
        """Book the signed loan and pay it to the borrower's own account, exactly once.

        The booking and the queued payout commit together (the transactional outbox); the
        payout is then sent at once so the caller hears the result. If the rail is down the
        payout stays queued and the relay (``lendline payouts drain``) sends it later.
        """
        record = self._customer(state)
        offer = self._offer(state)
        reference = state.reference or ""
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            application = uow.applications.get(reference)
        if application is None or application.signed_at is None:
            raise LookupError("only a signed loan can be paid out")
        terms = LoanTerms(
            reference=reference,
            principal=offer.amount,
            annual_rate=offer.annual_rate,
            schedule=offer.schedule,
            disbursed_on=business_day(application.signed_at),
        )
        relay = self.payouts
        payout = relay.request(
            terms,
            product_key=self.product.key,
            account_name=record.full_name,
            account_number=record.account_number,
            session_id=state.session_id,
        )
        if payout.status == "requested":
            relay.drain(only_key=payout.idempotency_key)
            with SqlUnitOfWork(self.engine, read_only=True) as uow:
                payout = uow.payouts.by_key(payout.idempotency_key) or payout
        return PayoutView(
            payout.status == "completed", offer.amount.amount, record.account_number[-4:]
        )
