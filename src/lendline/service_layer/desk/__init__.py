"""The loan desk: the service layer the dialog talks to, one unit of work per request.

It joins the contexts: identity (registry, questions, one-time codes), risk (the decision
policy), lending (offers, contracts, payouts) and audit (every step appended to the
hash-chained log). Outside systems sit behind ports: the SMS gateway, the payment rail.

Each use case is a module of functions over the one :class:`DeskContext` (the desk's
fields, read in place, so a caller that changes the live desk is heard everywhere):

* ``sessions``: open, resume, checkpoint and close a session; log turns and consents.
* ``questions``: draw security questions and check the answers.
* ``otp``: send and check one-time codes, with their lockouts.
* ``step_up``: choose a step-up, run the phrase repeat, book a call-back.
* ``decisions`` and ``decision_record``: decide an application and store the decision.
* ``alerting``: the alerts a decision raises, and alerts raised during a call.
* ``contracts``: send and sign the contract.
* ``payout``: book the loan and pay it out.

:class:`LoanDesk` is that context with one delegating method per request of the dialog's
port (``dialog.ports.LoanDesk``).
"""

from __future__ import annotations

from collections.abc import Mapping

from lendline.dialog import ports
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
    StepUpView,
)
from lendline.dialog.state import DialogState
from lendline.identity.registry import CustomerRecord
from lendline.lending.purpose import PurposeCategory
from lendline.service_layer.desk import (
    alerting,
    context,
    contracts,
    decisions,
    otp,
    payout,
    questions,
    sessions,
    step_up,
)
from lendline.service_layer.desk.alerting import decision_alerts
from lendline.service_layer.desk.context import DeskContext, sha256_text

__all__ = ["LoanDesk", "decision_alerts", "sha256_text"]


class LoanDesk(DeskContext):
    """The service layer behind the dialog: the desk's context and its requests.

    Built with the fields of :class:`DeskContext` (see there). Each method hands the request
    to its use-case module; the module's function says what it does and logs.
    """

    # ------------------------------------------------------------------ sessions

    def open_session(
        self, caller_number: str, channel: str, network: Mapping[str, str] | None = None
    ) -> DialogState:
        """Resume the caller's unfinished session, or open a new one."""
        return sessions.open_session(self, caller_number, channel, network)

    def load_session(self, session_id: str) -> DialogState | None:
        """Load a session by id (the chat link carries it)."""
        return sessions.load_session(self, session_id)

    def checkpoint(self, state: DialogState) -> None:
        """Persist the dialog state after a turn."""
        sessions.checkpoint(self, state)

    def close(self, state: DialogState) -> None:
        """Persist the final status of the session."""
        sessions.close(self, state)

    def record_turn(
        self,
        state: DialogState,
        caller_text: str | None,
        audio_sha256: str | None,
        prompts: list[tuple[str, str]],
        prompt_version: str,
        event: str,
    ) -> None:
        """Append one call turn to the audit log; what the caller said is kept sealed."""
        sessions.record_turn(self, state, caller_text, audio_sha256, prompts, prompt_version, event)

    def record_consent(
        self, state: DialogState, kind: str, granted: bool, notice_version: str
    ) -> None:
        """Record a consent answer, where it is in the call recording, and log it."""
        sessions.record_consent(self, state, kind, granted, notice_version)

    # ------------------------------------------------------------------ identity

    def find_customer(self, id_number: str) -> CustomerRecord | None:
        """Look a customer up by resident ID number."""
        return context.find_customer(self, id_number)

    def draw_questions(self, state: DialogState, count: int) -> list[AskedQuestion]:
        """Draw security questions as choices, a set never drawn for this customer before."""
        return questions.draw_questions(self, state, count)

    def check_answer(
        self,
        state: DialogState,
        question: AskedQuestion,
        answer: str,
        answer_secs: float | None = None,
    ) -> bool:
        """Check a security answer; the outcome and timing are logged, never the answer."""
        return questions.check_answer(self, state, question, answer, answer_secs)

    def send_code(self, state: DialogState, purpose: str, sms_template: str) -> CodeSent:
        """Issue a one-time code and send it to the customer's registered mobile."""
        return otp.send_code(self, state, purpose, sms_template)

    def check_code(self, state: DialogState, code: str) -> CodeChecked:
        """Check a one-time code the caller gave (within the per-customer check limit)."""
        return otp.check_code(self, state, code)

    # ------------------------------------------------------------------ step-up

    def choose_step_up(self, state: DialogState) -> StepUpView:
        """Choose the step-up the session needs now, and log it."""
        return step_up.choose_step_up(self, state)

    def request_step_up(self, state: DialogState, level: str) -> StepUpView:
        """Feed the fraud engine's risk level for the session and choose the step-up."""
        return step_up.request_step_up(self, state, level)

    def start_liveness(self, state: DialogState) -> PhraseChallenge:
        """Draw a phrase for the caller to repeat; it is kept in the session's slots."""
        return step_up.start_liveness(self, state)

    def check_liveness(self, state: DialogState, said: str) -> PhraseChecked:
        """Check the caller's repeat of the session's phrase (its own attempt limit)."""
        return step_up.check_liveness(self, state, said)

    def request_callback(self, state: DialogState, reason: str) -> CallbackBooked:
        """Request a call-back to the registered number: a row, an outbox message, an event."""
        return step_up.request_callback(self, state, reason)

    # ------------------------------------------------------------------ application

    def raise_call_alert(
        self, state: DialogState, code: str, level: str, reasons: tuple[str, ...] = ()
    ) -> str:
        """Raise a risk alert while the caller is on the line; returns where it was routed."""
        return alerting.raise_call_alert(self, state, code, level, reasons)

    def decline_for_purpose(self, state: DialogState, purpose: PurposeCategory) -> DecisionView:
        """Decline an application whose stated purpose is banned."""
        return decisions.decline_for_purpose(self, state, purpose)

    def submit_application(self, state: DialogState, application: ApplicationInput) -> DecisionView:
        """Decide the application under the written policy and record the outcome."""
        return decisions.submit_application(self, state, application)

    def send_contract(self, state: DialogState, sms_template: str) -> str:
        """Send the contract summary by SMS and record the contract's hash."""
        return contracts.send_contract(self, state, sms_template)

    def sign_contract(self, state: DialogState, consent_text: str) -> None:
        """Sign the contract sent: consent, SMS code, time and recording offset bound to it."""
        contracts.sign_contract(self, state, consent_text)

    def disburse(self, state: DialogState) -> PayoutView:
        """Book the signed loan and pay it to the borrower's own account, exactly once."""
        return payout.disburse(self, state)


def _conforms(d: LoanDesk) -> ports.LoanDesk:
    """Type-checked only: the desk offers every request of the dialog's port.

    A delegation dropped from :class:`LoanDesk`, or one whose signature drifts from the port,
    fails mypy here.
    """
    return d
