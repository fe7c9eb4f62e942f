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
        refused: why not ("send_limit", "locked", "already_verified"), if refused.
        mobile_last4: last four digits of the number it went to.
    """

    sent: bool
    refused: str | None
    mobile_last4: str


@dataclass(frozen=True, slots=True)
class CodeChecked:
    """Result of checking a one-time code: outcome is verified/wrong/expired/locked/no_code."""

    outcome: str
    attempts_left: int


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
    """The decision on an application: outcome approve/decline/refer, reasons, offer if any."""

    outcome: str
    reasons: tuple[Reason, ...]
    offer: Offer | None
    reference: str


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

    def draw_questions(self, state: DialogState, count: int) -> list[str]:
        """Draw random security question kinds for the identified customer."""
        ...

    def check_answer(self, state: DialogState, kind: str, answer: str) -> bool:
        """Check a security answer against the registry (the dialog never sees the answer)."""
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
