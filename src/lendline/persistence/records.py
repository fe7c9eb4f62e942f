"""Plain records mirroring table rows, as the repositories read and write them.

They carry the database's shapes: money as integer minor units with a currency, rates as
``Decimal``, JSON columns as Python lists and dicts, times as aware UTC datetimes. The service
layer turns them into domain values and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from lendline.identity.otp import OtpState

__all__ = [
    "ApplicationRecord",
    "ConsentRow",
    "OtpRecord",
    "PayoutRecord",
    "SessionRecord",
    "TurnText",
]


@dataclass(slots=True)
class SessionRecord:
    """One call session (a row of ``call_sessions``).

    Parameters:
        session_id: the session's id.
        caller_number: the number the call came from (used to resume a dropped call).
        channel: ``"voice"``, ``"chat"``...
        status: ``"active"``, ``"dropped"``, ``"moved_to_chat"``, ``"ended"``,
            ``"completed"``, ``"refused"`` or ``"locked"``; see
            ``repositories.RESUMABLE_STATUSES`` for those a new call picks up.
        step: the dialog step the session is at.
        started_at: when the session began.
        updated_at: when it last changed.
        language: the caller's language once known (``"zh"``, ``"en"``).
        state: the dialog's saved slots and counters (stored as JSON).
        application_ref: the application the session opened, if any.
        ended_at: when the session ended for good.
        erased: the caller's data was erased (key shredded): ``caller_number`` and ``state``
            are empty.
    """

    session_id: str
    caller_number: str
    channel: str
    status: str
    step: str
    started_at: datetime
    updated_at: datetime
    language: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    application_ref: str | None = None
    ended_at: datetime | None = None
    erased: bool = False


@dataclass(slots=True)
class ApplicationRecord:
    """One loan application (a row of ``applications``).

    Parameters:
        reference: the application reference (``LL-YYYYMMDD-XXXXX``).
        session_id: the call session that took it.
        status: where the application is in its life.
        currency: ISO 4217 code of every ``*_minor`` amount.
        created_at: when it was opened.
        updated_at: when it last changed.
        customer_id: the registry customer, once identified.
        amount_minor: amount asked for, in minor units.
        term_months: term asked for.
        purpose: loan purpose code.
        monthly_income_minor: declared monthly income, in minor units.
        employment: declared employment.
        decision: ``"approve"``, ``"decline"`` or ``"refer"`` once decided.
        reasons: reason codes of the decision.
        policy_version: version of the decision policy that decided.
        product_code: the product offered.
        annual_rate: nominal annual rate offered.
        apr: annual percentage rate (fees included).
        monthly_payment_minor: installment, in minor units.
        total_repayment_minor: total to repay, in minor units.
        contract_sha256: hash of the contract text signed.
        signed_at: when it was signed.
        disbursed_at: when it was paid out.
        payout_reference: the payment rail's reference of the payout.
        erased: the applicant's data was erased: ``monthly_income_minor`` is None.
    """

    reference: str
    session_id: str
    status: str
    currency: str
    created_at: datetime
    updated_at: datetime
    customer_id: str | None = None
    amount_minor: int | None = None
    term_months: int | None = None
    purpose: str | None = None
    monthly_income_minor: int | None = None
    employment: str | None = None
    decision: str | None = None
    reasons: list[str] = field(default_factory=list)
    policy_version: str | None = None
    product_code: str | None = None
    annual_rate: Decimal | None = None
    apr: Decimal | None = None
    monthly_payment_minor: int | None = None
    total_repayment_minor: int | None = None
    contract_sha256: str | None = None
    signed_at: datetime | None = None
    disbursed_at: datetime | None = None
    payout_reference: str | None = None
    erased: bool = False


@dataclass(frozen=True, slots=True)
class ConsentRow:
    """One consent given or refused during a call (a row of ``consents``).

    Parameters:
        id: the row's id.
        session_id: the call session.
        kind: what was consented to (e.g. ``"credit_check"``, ``"sensitive_data"``).
        granted: whether the caller agreed.
        notice_version: version of the notice read to the caller.
        at: when the answer was given.
        audio_offset_ms: where in the call recording the answer is.
    """

    id: int
    session_id: str
    kind: str
    granted: bool
    notice_version: str
    at: datetime
    audio_offset_ms: int | None = None


@dataclass(slots=True)
class PayoutRecord:
    """One payout request and its outcome (a row of ``payouts``).

    Parameters:
        id: the row's id.
        application_ref: the application paid out (one payout each).
        idempotency_key: the key sent to the rail; the same key never pays twice.
        amount_minor: amount, in minor units (positive).
        currency: ISO 4217 code.
        account_number: destination account.
        status: ``"requested"``, ``"completed"`` (the rail paid) or ``"failed"`` (refused).
        requested_at: when the payout was requested.
        rail_reference: the rail's reference once it accepted.
        completed_at: when the rail accepted.
        erased: the payee's data was erased: ``account_number`` is empty.
    """

    id: int
    application_ref: str
    idempotency_key: str
    amount_minor: int
    currency: str
    account_number: str
    status: str
    requested_at: datetime
    rail_reference: str | None = None
    completed_at: datetime | None = None
    erased: bool = False


@dataclass(frozen=True, slots=True)
class OtpRecord:
    """The one-time-code challenge of a session with the mobile it was sent to.

    Parameters:
        session_id: the call session.
        mobile: the number the codes go to.
        state: the challenge's state.
        updated_at: when it was last saved.
        erased: the caller's data was erased: ``mobile`` is empty.
    """

    session_id: str
    mobile: str
    state: OtpState
    updated_at: datetime
    erased: bool = False


@dataclass(frozen=True, slots=True)
class TurnText:
    """What the caller said in one turn, with the salt of its audit commitment.

    Parameters:
        session_id: the call session.
        turn: the dialog's turn number.
        text: the recognised or typed text.
        salt: hex salt; the ``call.turn`` audit entry holds SHA-256(salt || text).
        at: when it was recorded.
    """

    session_id: str
    turn: int
    text: str
    salt: str
    at: datetime
