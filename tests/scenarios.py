"""What each acceptance scenario must leave behind, checked the same way for voice and chat."""

from __future__ import annotations

from typing import Any

from lendline.dialog.state import SessionStatus, Step
from lendline.persistence.uow import SqlUnitOfWork

#: (amount in fen, term in months) each happy persona applies for.
EXPECTED_LOAN = {"zh": (5_000_000, 12), "en": (3_000_000, 12)}


def audit_entries(app: Any, session_id: str) -> list[Any]:
    with SqlUnitOfWork(app.engine) as uow:
        return list(uow.audit.entries(session_id))


def prompts_said(app: Any, session_id: str) -> list[str]:
    """Every prompt id the agent said in the session, in order, from the audit log."""
    said: list[str] = []
    for entry in audit_entries(app, session_id):
        if entry.kind == "call.turn":
            said.extend(entry.payload["prompt_ids"])
    return said


def application(app: Any, reference: str | None) -> Any:
    with SqlUnitOfWork(app.engine) as uow:
        return uow.applications.get(reference or "")


def audit_verifies(app: Any) -> None:
    with SqlUnitOfWork(app.engine) as uow:
        result = uow.audit.verify()
    assert result.ok, result
    assert result.checked > 0


def check_happy(app: Any, state: Any, language: str) -> None:
    amount_minor, term = EXPECTED_LOAN[language]
    assert state.status is SessionStatus.COMPLETED, (
        state.status,
        state.step,
        prompts_said(app, state.session_id)[-6:],
    )
    record = application(app, state.reference)
    assert record.status == "disbursed"
    assert (record.amount_minor, record.term_months) == (amount_minor, term)
    assert record.contract_sha256 and record.signed_at is not None
    payouts = [p for p in app.desk.rail.payouts() if p.reference == state.reference]
    assert len(payouts) == 1, "money moves exactly once"
    assert payouts[0].amount.to_minor() == amount_minor
    said = prompts_said(app, state.session_id)
    # The APR is said in the offer, and the mandatory texts were read before signing.
    for prompt in (
        "greeting",
        "consent",
        "sensitive_consent",
        "offer",
        "disclosures",
        "sign_otp",
        "goodbye",
    ):
        assert prompt in said, prompt
    assert said.index("disclosures") < said.index("sign_otp")
    kinds = [e.kind for e in audit_entries(app, state.session_id)]
    for kind in (
        "consent.recorded",
        "identity.otp_checked",
        "decision.made",
        "contract.signed",
        "loan.disbursed",
    ):
        assert kind in kinds, kind
    audit_verifies(app)


def check_wrong_id(app: Any, state: Any, language: str) -> None:
    said = prompts_said(app, state.session_id)
    assert "id_invalid_check" in said
    # After the re-ask the right number was taken and the call went on to the end.
    assert said.count("confirm_id") >= 1
    assert said.index("id_invalid_check") < said.index("confirm_id")
    check_happy(app, state, language)


def check_banned_purpose(app: Any, state: Any, language: str) -> None:
    assert state.status is SessionStatus.DECLINED
    record = application(app, state.reference)
    assert record.decision == "decline"
    assert record.purpose == "securities_investment"
    assert record.reasons == ["R01"], record.reasons  # ReasonCode.BANNED_PURPOSE
    said = prompts_said(app, state.session_id)
    assert "decline_banned_purpose" in said and "offer" not in said
    assert not [p for p in app.desk.rail.payouts() if p.reference == state.reference]
    audit_verifies(app)


def check_otp_locked(app: Any, state: Any, language: str) -> None:
    assert state.status is SessionStatus.LOCKED
    said = prompts_said(app, state.session_id)
    assert said.count("otp_wrong") == 4 and said[-1] == "otp_locked"
    with SqlUnitOfWork(app.engine) as uow:
        otp = uow.otps.get(state.session_id)
    assert otp.locked and otp.checks == 5 and not otp.verified
    assert state.reference is None, "nothing was applied for"
    audit_verifies(app)


def check_hangup_then_resume(app: Any, first: Any, second: Any, language: str) -> None:
    assert first.status is SessionStatus.DROPPED and first.step is Step.AMOUNT
    assert second.session_id == first.session_id, "the call-back continues the same session"
    said = prompts_said(app, second.session_id)
    assert "welcome_back" in said and "resume_at" in said
    resumed = said.index("resume_at")
    assert said[resumed + 1] == "ask_amount", said[resumed : resumed + 2]
    # Re-verification: a second one-time code was sent before resuming.
    kinds = [e.kind for e in audit_entries(app, second.session_id)]
    assert kinds.count("identity.otp_sent") >= 2
    check_happy(app, second, language)


def check_consent_refused(app: Any, state: Any, language: str) -> None:
    assert state.status is SessionStatus.REFUSED
    said = prompts_said(app, state.session_id)
    assert said[-1] == "consent_refused" and "ask_name" not in said and "ask_id" not in said
    assert "id_number" not in state.slots and "name" not in state.slots
    kinds = [e.kind for e in audit_entries(app, state.session_id)]
    assert not [k for k in kinds if k.startswith("identity.")], "nothing sensitive was collected"
    with SqlUnitOfWork(app.engine) as uow:
        consents = uow.consents.for_session(state.session_id)
    assert [(c.kind, c.granted) for c in consents] == [("general", False)]
    audit_verifies(app)


CHECKS = {
    "happy": check_happy,
    "wrong_id_check_digit": check_wrong_id,
    "banned_purpose": check_banned_purpose,
    "otp_locked": check_otp_locked,
    "consent_refused": check_consent_refused,
}
