"""Ports of the lending context: what it needs from outside systems.

The payment rail pays a loan out to the borrower's own bank account (R5). Every instruction
carries an idempotency key (STYLE §5.4), so a retry after a timeout or crash never pays twice.
The contract archive keeps the documents sent to borrowers, rendered (PDF) and retrievable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lendline.lending.contract import ContractDocument
from lendline.shared.money import Money


@dataclass(frozen=True, slots=True)
class PayoutInstruction:
    """An order to pay money out to a bank account.

    Parameters:
        idempotency_key: unique per payout; replays with the same key pay nothing more.
        reference: the loan's reference, shown on the borrower's statement.
        account_name: account holder's name; must be the borrower's own (R5).
        account_number: the destination account.
        amount: the amount to pay, positive and in whole minor units.
    """

    idempotency_key: str
    reference: str
    account_name: str
    account_number: str
    amount: Money

    def __post_init__(self) -> None:
        if not self.idempotency_key.strip():
            raise ValueError("a payout needs an idempotency key")
        if not self.account_number.strip():
            raise ValueError("a payout needs a destination account")
        if self.amount.amount <= 0 or self.amount.rounded() != self.amount:
            raise ValueError(f"payout amounts are positive whole minor units, got {self.amount}")


@dataclass(frozen=True, slots=True)
class PayoutReceipt:
    """The rail's acknowledgement of a payout.

    Parameters:
        rail_reference: the rail's own id for the transfer.
        idempotency_key: the key of the instruction it answers.
        amount: the amount accepted.
        accepted_at: when the rail first accepted the instruction (UTC).
        duplicate: ``True`` when this answers a replay and no new money moved.
    """

    rail_reference: str
    idempotency_key: str
    amount: Money
    accepted_at: datetime
    duplicate: bool


class PaymentRail(Protocol):
    """A bank payment rail that pays loans out."""

    def pay(self, instruction: PayoutInstruction) -> PayoutReceipt:
        """Pay ``instruction`` out, at most once per idempotency key.

        A replay of a key already accepted moves no money and returns the first receipt
        with ``duplicate=True``.

        Raises:
            ProviderError: if the rail fails; ``category`` says whether a retry can help.
        """
        ...


class ContractArchive(Protocol):
    """Where the contract documents sent to borrowers are kept (retrievable, R9 and R11)."""

    def file(self, document: ContractDocument, subject: str) -> ArchivedContract:
        """Render ``document`` and keep it; filing the same document again changes nothing.

        Args:
            document: the contract.
            subject: whose personal data it holds (``session:<id>``); an archive that
                encrypts at rest uses that subject's key, so erasure makes it unreadable.

        Returns:
            Where it is kept and the SHA-256 of the PDF (of the plain document, also when it
            is stored encrypted).
        """
        ...

    def read(self, location: str, subject: str) -> bytes:
        """Return the plain PDF filed at ``location`` (access requests, disputes)."""
        ...


@dataclass(frozen=True, slots=True)
class ArchivedContract:
    """A contract document as filed.

    Parameters:
        location: where the archive keeps it (a path or a key).
        file_sha256: SHA-256 of the PDF as rendered (before any encryption at rest), next
            to the text's hash.
        media_type: the file's media type.
    """

    location: str
    file_sha256: str
    media_type: str = "application/pdf"
