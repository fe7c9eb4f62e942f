"""One-time codes: send one to the registered mobile and check the one the caller gives.

Two sets of limits hold: per challenge (``identity.otp``: sends, checks) and across
sessions (``identity.otp_velocity``: per customer and per number segment). Breaking either
records a lockout, and a lockout in force refuses both sending and checking.

Writes no ``DialogState`` field.
"""

from __future__ import annotations

from typing import Any

from lendline.dialog.ports import CodeChecked, CodeSent
from lendline.dialog.state import DialogState
from lendline.identity import otp as otp_rules
from lendline.identity.otp import OtpOutcome, OtpSendRefused, OtpState, issue_code
from lendline.identity.otp_velocity import (
    Lockout,
    LockoutReason,
    lockout_for,
    prefix_key,
    velocity_refusal,
)
from lendline.identity.phone import MobileNumber
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.desk.context import DeskContext, session_customer


def _lock_out(
    desk: DeskContext,
    uow: SqlUnitOfWork,
    state: DialogState,
    reason: LockoutReason,
    customer_id: str,
    segment: str,
) -> Lockout:
    """Record a lockout and its audit event (inside the caller's unit of work)."""
    now = desk.clock.now()
    lockout = lockout_for(reason, desk.velocity_policy, now)
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


def send_code(desk: DeskContext, state: DialogState, purpose: str, sms_template: str) -> CodeSent:
    """Issue a one-time code and send it to the customer's registered mobile.

    Refused while a lockout holds the customer or their number segment, and when the
    velocity limits across sessions would be broken (which locks out, with the reason).
    """
    record = session_customer(desk, state)
    mobile = MobileNumber.parse(record.mobile)
    segment = prefix_key(mobile.digits, desk.pepper)
    last4 = mobile.digits[-4:]
    now = desk.clock.now()
    with SqlUnitOfWork(desk.engine) as uow:
        held = uow.identity.active_lockout(record.customer_id, segment, now)
        if held is None:
            counts = uow.identity.velocity_counts(
                record.customer_id, segment, now, desk.velocity_policy
            )
            too_fast = velocity_refusal(counts, desk.velocity_policy, "send")
            if too_fast is not None:
                held = _lock_out(desk, uow, state, too_fast, record.customer_id, segment)
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
        result = issue_code(current, desk.otp_policy, now, desk.pepper)
        uow.otps.save(state.session_id, mobile.digits, result.state)
        lockout: Lockout | None = None
        if result.code is not None:
            uow.identity.record_otp_event(
                "send", record.customer_id, segment, state.session_id, now
            )
        elif result.refused is OtpSendRefused.SEND_LIMIT:
            lockout = _lock_out(
                desk,
                uow,
                state,
                LockoutReason.CHALLENGE_SENDS_EXHAUSTED,
                record.customer_id,
                segment,
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
    desk.sms.send(mobile, sms_template.format(code=result.code))
    return CodeSent(sent=True, refused=None, mobile_last4=last4)


def check_code(desk: DeskContext, state: DialogState, code: str) -> CodeChecked:
    """Check a one-time code the caller gave (within the per-customer check limit)."""
    now = desk.clock.now()
    with SqlUnitOfWork(desk.engine) as uow:
        found = uow.otps.load(state.session_id)
        if found is None:
            return CodeChecked(outcome="no_code", attempts_left=0)
        mobile, current = found.mobile, found.state
        customer_id = state.customer_id or ""
        segment = prefix_key(mobile, desk.pepper)
        held = uow.identity.active_lockout(customer_id, segment, now)
        if held is None and not current.locked:
            counts = uow.identity.velocity_counts(customer_id, segment, now, desk.velocity_policy)
            too_fast = velocity_refusal(counts, desk.velocity_policy, "check")
            if too_fast is not None:
                held = _lock_out(desk, uow, state, too_fast, customer_id, segment)
        if held is not None:
            uow.audit.append(
                "identity.otp_checked",
                state.session_id,
                {"outcome": "locked", "attempts_left": 0, "lockout": held.reason.value},
                now,
            )
            uow.commit()
            return CodeChecked("locked", 0, lockout=held.reason.value)
        result = otp_rules.check_code(current, desk.otp_policy, now, code, desk.pepper)
        uow.otps.save(state.session_id, mobile, result.state)
        if result.state.checks > current.checks:
            uow.identity.record_otp_event("check", customer_id, segment, state.session_id, now)
        lockout: Lockout | None = None
        if result.state.locked and not current.locked:
            lockout = _lock_out(
                desk, uow, state, LockoutReason.CHALLENGE_CHECKS_EXHAUSTED, customer_id, segment
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
