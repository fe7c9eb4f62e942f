"""What the dialog asks of the loan desk (the service layer), and the answers it gets back.

The dialog never touches the database, the SMS gateway or the payment rail: it sends
requests through :class:`LoanDesk` and reads plain values back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from lendline.dialog.state import DialogState
from lendline.identity.registry import CustomerRecord
from lendline.lending.offer import Offer
from lendline.lending.product import LoanProduct
from lendline.lending.purpose import PurposeCategory


@dataclass(frozen=True, slots=True)
class CodeSent:
    """Result of asking for a one-time code to be sent.

    Parameters:
        sent: whether an SMS went out.
        refused: why not ("send_limit", "locked", "already_verified", "velocity"), if refused.
        mobile_last4: last four digits of the number it went to.
        lockout: the lockout reason when codes are stopped for the customer or their number
            segment (``LockoutReason`` values: "prefix_velocity", "id_velocity",
            "challenge_checks_exhausted", ...), else None.
    """

    sent: bool
    refused: str | None
    mobile_last4: str
    lockout: str | None = None


@dataclass(frozen=True, slots=True)
class CodeChecked:
    """Result of checking a one-time code: outcome is verified/wrong/expired/locked/no_code.

    ``lockout`` carries the lockout reason when the outcome is "locked" because of one.
    """

    outcome: str
    attempts_left: int
    lockout: str | None = None


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A security question as the dialog asks it: its kind and the choices to read out.

    The dialog never learns which choice is right; the desk checks the answer.
    """

    kind: str
    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepUpView:
    """The step-up chosen: none, more_questions, phrase_repeat, call_back or hand_off."""

    action: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhraseChallenge:
    """A phrase for the caller to repeat: its tokens in the call's language (digits stay digits)."""

    tokens: tuple[str, ...]
    digits: bool


@dataclass(frozen=True, slots=True)
class PhraseChecked:
    """Result of a phrase repeat: outcome passed/retry/failed, and the tries left."""

    outcome: str
    attempts_left: int


@dataclass(frozen=True, slots=True)
class CallbackBooked:
    """A call-back to the registered number was requested (last four digits to tell)."""

    mobile_last4: str


@dataclass(frozen=True, slots=True)
class ApplicationInput:
    """The application as the caller gave it."""

    amount: Decimal
    term_months: int
    purpose: PurposeCategory
    monthly_income: Decimal
    employment: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One decision reason: its stable code and its explanation in both languages."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class DecisionView:
    """The decision on an application: outcome approve/decline/refer/step_up, reasons, offer.

    ``reasons`` are the policy's codes followed by the scorecard's and fraud engine's own
    reasons; ``hand_off`` is set when a critical alert was raised by the decision (the call
    goes to a person at once).
    """

    outcome: str
    reasons: tuple[Reason, ...]
    offer: Offer | None
    reference: str
    hand_off: bool = False


@dataclass(frozen=True, slots=True)
class PayoutView:
    """Result of a disbursement: ok, amount paid, and the account it went to (last four)."""

    ok: bool
    amount: Decimal
    account_last4: str


class LoanDesk(Protocol):
    """The service layer as the dialog sees it; every method is one unit of work."""

    @property
    def product(self) -> LoanProduct:
        """The loan product offered on this line."""
        ...

    def checkpoint(self, state: DialogState) -> None:
        """Persist the dialog state (after every turn)."""
        ...

    def record_turn(
        self,
        state: DialogState,
        caller_text: str | None,
        audio_sha256: str | None,
        prompts: list[tuple[str, str]],
        prompt_version: str,
        event: str,
    ) -> None:
        """Append one turn to the audit log."""
        ...

    def record_consent(
        self, state: DialogState, kind: str, granted: bool, notice_version: str
    ) -> None:
        """Record a consent answer (general or sensitive)."""
        ...

    def find_customer(self, id_number: str) -> CustomerRecord | None:
        """Look the caller up in the lender's registry."""
        ...

    def draw_questions(self, state: DialogState, count: int) -> list[AskedQuestion]:
        """Draw security questions (as choices) never drawn for this customer before.

        An empty list means none are left to ask (the caller is handed to a person).
        """
        ...

    def check_answer(
        self,
        state: DialogState,
        question: AskedQuestion,
        answer: str,
        answer_secs: float | None = None,
    ) -> bool:
        """Check a security answer against the registry (the dialog never sees the answer).

        ``answer_secs`` is the time from the question to the answer, logged with the outcome.
        """
        ...

    def choose_step_up(self, state: DialogState) -> StepUpView:
        """Choose the step-up the session needs now (failed answers, flags, external risk)."""
        ...

    def request_step_up(self, state: DialogState, level: str) -> StepUpView:
        """Feed an external risk level ("low", "medium", "high") and choose the step-up."""
        ...

    def start_liveness(self, state: DialogState) -> PhraseChallenge:
        """Draw a phrase for the caller to repeat (kept with the session)."""
        ...

    def check_liveness(self, state: DialogState, said: str) -> PhraseChecked:
        """Check the caller's repeat of the phrase."""
        ...

    def request_callback(self, state: DialogState, reason: str) -> CallbackBooked:
        """Request a call-back to the customer's registered number."""
        ...

    def send_code(self, state: DialogState, purpose: str, sms_template: str) -> CodeSent:
        """Send a one-time code by SMS to the customer's registered number."""
        ...

    def check_code(self, state: DialogState, code: str) -> CodeChecked:
        """Check a one-time code the caller said or keyed."""
        ...

    def decline_for_purpose(self, state: DialogState, purpose: PurposeCategory) -> DecisionView:
        """Record an application declined because its purpose is banned."""
        ...

    def raise_call_alert(
        self, state: DialogState, code: str, level: str, reasons: tuple[str, ...] = ()
    ) -> str:
        """Raise a risk alert during the session; returns its route."""
        ...

    def submit_application(self, state: DialogState, application: ApplicationInput) -> DecisionView:
        """Record the application and decide it under the written policy."""
        ...

    def send_contract(self, state: DialogState, sms_template: str) -> str:
        """Send the contract text by SMS; return the contract's SHA-256."""
        ...

    def sign_contract(self, state: DialogState, consent_text: str) -> None:
        """Bind verbal consent, the signing code and the time to the contract hash."""
        ...

    def disburse(self, state: DialogState) -> PayoutView:
        """Pay the loan out to the customer's own account, exactly once."""
        ...

    def close(self, state: DialogState) -> None:
        """Persist the session's final status."""
        ...
