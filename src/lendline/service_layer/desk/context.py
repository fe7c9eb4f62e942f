"""The desk's configuration, one object every use case reads in place, and shared lookups.

There is exactly one :class:`DeskContext` per process (the ``LoanDesk`` wired in
``bootstrap``). Callers change its fields on the live desk (``server/run.py`` and the CLI set
``rng``, tests set ``velocity_policy`` and ``limits``), so the use-case modules take the desk
as their first argument and read each field when they need it, never a copy.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.engine import Engine

from lendline.dialog.state import DialogState
from lendline.identity.choices import ChoicePolicy
from lendline.identity.liveness import LivenessPolicy
from lendline.identity.otp import OtpPolicy
from lendline.identity.otp_velocity import OtpVelocityPolicy
from lendline.identity.ports import SmsGateway
from lendline.identity.registry import CustomerRecord
from lendline.lending.limits import LenderType, RegulatoryLimits
from lendline.lending.lpr import LprTable
from lendline.lending.ports import ContractArchive, PaymentRail
from lendline.lending.product import DEFAULT_PRODUCT, LoanProduct
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.policy import PolicyConfig
from lendline.service_layer.alerts import AlertDesk
from lendline.service_layer.disbursements import Disbursements
from lendline.service_layer.risk_assessment import RiskAssessor
from lendline.shared.clock import Clock


def sha256_text(text: str) -> str:
    """Hash a text for the audit log (the log keeps fingerprints of what was said)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DeskContext:
    """What the loan desk works with: its database, ports, clock, product and policies.

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

    @property
    def alerts(self) -> AlertDesk:
        """The risk alert desk over this desk's database."""
        return AlertDesk(self.engine, self.clock)

    @property
    def payouts(self) -> Disbursements:
        """The payout relay over this desk's database and rail."""
        return Disbursements(self.engine, self.rail, self.clock)

    def limits_on(self, day: date) -> RegulatoryLimits:
        """The regulatory limits for a contract made on ``day`` (the lender's business day).

        A private lender's cap is 4 × the 1-year LPR in force that day, so it is looked up per
        decision rather than fixed when the process started.
        """
        if self.lender_type is None:
            return self.limits
        return RegulatoryLimits.for_lender(self.lender_type, day, self.lpr_table)


def find_customer(desk: DeskContext, id_number: str) -> CustomerRecord | None:
    """Look a customer up by resident ID number."""
    with SqlUnitOfWork(desk.engine) as uow:
        return uow.customers.find_by_id_number(id_number)


def session_customer(desk: DeskContext, state: DialogState) -> CustomerRecord:
    """The session's customer, as the registry has them now.

    Raises:
        LookupError: if the registry no longer holds the customer the session verified.
    """
    record = find_customer(desk, state.slots["id_number"])
    if record is None or record.customer_id != state.customer_id:
        raise LookupError("the session's customer is no longer in the registry")
    return record


def audio_offset_ms(desk: DeskContext, state: DialogState, now: datetime) -> int | None:
    """Milliseconds from the start of this call's recording to ``now`` (None off a call)."""
    answered = desk._call_answered_at.get(state.session_id)
    if answered is None or state.channel != "voice":
        return None
    return max(0, int((now - answered).total_seconds() * 1000))
