"""The double-entry ledger: journal entries of balanced postings, append-only.

Design (after django-hordak, STYLE §4 and §5.4):

* A ``Posting`` moves a positive amount to the debit or the credit side of one account; there
  are no signed amounts, so a sign can never be misread.
* A ``JournalEntry`` is a set of postings whose debits equal its credits in every currency.
  It is checked when it is built: an unbalanced entry cannot exist in memory, and the
  database repeats the check (a deferred constraint trigger on PostgreSQL).
* Entries are never changed or deleted. A mistake is undone by a *reversal*: a new entry with
  every posting on the other side, pointing at the entry it reverses (at most one reversal
  each).
* Balances are derived from postings, never stored: ``balances(entries)`` sums them.

Accounts are plain strings ``kind`` or ``kind:loan-reference``. A loan's accounts:

====================  ======  =====================================================
account               normal  meaning
====================  ======  =====================================================
``principal:REF``     debit   principal the borrower still owes
``interest:REF``      debit   interest fallen due and not yet paid
``fees:REF``          debit   periodic fees fallen due and not yet paid
``payout_due:REF``    credit  money owed to the borrower until the rail pays it out
``settlement``        debit   the lender's settlement account at the bank
``interest_income``   credit  interest earned
``fee_income``        credit  fees earned
====================  ======  =====================================================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from lendline.shared.money import Money

SETTLEMENT: Final = "settlement"
INTEREST_INCOME: Final = "interest_income"
FEE_INCOME: Final = "fee_income"


class Side(StrEnum):
    """Which side of an account a posting goes to."""

    DEBIT = "D"
    CREDIT = "C"

    @property
    def opposite(self) -> Side:
        """The other side (what a reversal posts)."""
        return Side.CREDIT if self is Side.DEBIT else Side.DEBIT


class EntryKind(StrEnum):
    """What a journal entry records."""

    DISBURSEMENT_BOOKED = "disbursement_booked"
    """The signed loan is booked: the borrower owes principal, the lender owes the payout."""

    PAYOUT_SETTLED = "payout_settled"
    """The rail paid the borrower: the lender's debt to them is settled from the bank account."""

    INSTALLMENT_DUE = "installment_due"
    """An installment fell due: its interest and fee are earned and owed."""

    REPAYMENT = "repayment"
    """Money received from the borrower, applied to fees, then interest, then principal."""

    EARLY_REPAYMENT = "early_repayment"
    """The loan repaid before term: interest for the days used is earned, then everything paid."""

    REVERSAL = "reversal"
    """Undoes an earlier entry (a failed payout, a posting error)."""


def principal_account(reference: str) -> str:
    """The account of the principal a loan's borrower still owes."""
    return f"principal:{reference}"


def interest_account(reference: str) -> str:
    """The account of a loan's interest fallen due and unpaid."""
    return f"interest:{reference}"


def fees_account(reference: str) -> str:
    """The account of a loan's fees fallen due and unpaid."""
    return f"fees:{reference}"


def payout_due_account(reference: str) -> str:
    """The account of the payout the lender owes a borrower until the rail pays it."""
    return f"payout_due:{reference}"


class UnbalancedEntry(ValueError):
    """Raised when a journal entry's debits and credits differ, or it has too few postings."""


@dataclass(frozen=True, slots=True)
class Posting:
    """A positive amount on one side of one account.

    Parameters:
        account: the account name (``kind`` or ``kind:REF``).
        side: debit or credit.
        amount: positive, in whole minor units.
    """

    account: str
    side: Side
    amount: Money

    def __post_init__(self) -> None:
        if not self.account or self.account != self.account.strip():
            raise ValueError(f"bad account name {self.account!r}")
        if self.amount.amount <= 0:
            raise ValueError(f"postings are positive; got {self.amount} on {self.account}")
        if self.amount.rounded() != self.amount:
            raise ValueError(f"postings are whole minor units; got {self.amount}")

    def reversed(self) -> Posting:
        """The same amount on the other side."""
        return Posting(self.account, self.side.opposite, self.amount)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings recorded together.

    Parameters:
        entry_id: unique id of the entry.
        kind: what it records.
        loan_ref: the loan it belongs to.
        idempotency_key: unique per business event; a replayed command finds the entry made.
        occurred_at: when the event happened (UTC).
        postings: at least two, debits equal to credits in each currency.
        reverses: the entry this one undoes, for a reversal.
    """

    entry_id: str
    kind: EntryKind
    loan_ref: str
    idempotency_key: str
    occurred_at: datetime
    postings: tuple[Posting, ...]
    reverses: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise ValueError("entry times must be timezone-aware")
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"entry {self.entry_id} needs at least two postings")
        debits: dict[str, Money] = {}
        credits: dict[str, Money] = {}
        for posting in self.postings:
            side = debits if posting.side is Side.DEBIT else credits
            currency = posting.amount.currency
            side[currency] = side.get(currency, Money.zero(currency)) + posting.amount
        if debits != credits:
            raise UnbalancedEntry(
                f"entry {self.entry_id} does not balance: debits {_show(debits)}, "
                f"credits {_show(credits)}"
            )
        if (self.kind is EntryKind.REVERSAL) != (self.reverses is not None):
            raise ValueError("a reversal names the entry it reverses, and only a reversal does")

    def amount_on(self, account: str, side: Side) -> Money | None:
        """Return the total posted to ``account`` on ``side`` in this entry, if any."""
        total: Money | None = None
        for posting in self.postings:
            if posting.account == account and posting.side is side:
                total = posting.amount if total is None else total + posting.amount
        return total


def _show(amounts: Mapping[str, Money]) -> str:
    return ", ".join(str(amount) for amount in amounts.values()) or "nothing"


def reversal_of(
    entry: JournalEntry, entry_id: str, idempotency_key: str, occurred_at: datetime
) -> JournalEntry:
    """Return the entry that undoes ``entry``: every posting on the other side.

    Raises:
        ValueError: if ``entry`` is itself a reversal (reverse the mistake, not the fix).
    """
    if entry.kind is EntryKind.REVERSAL:
        raise ValueError("a reversal is not reversed; post a new entry instead")
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.REVERSAL,
        loan_ref=entry.loan_ref,
        idempotency_key=idempotency_key,
        occurred_at=occurred_at,
        postings=tuple(posting.reversed() for posting in entry.postings),
        reverses=entry.entry_id,
    )


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """The debits and credits of one account in one currency.

    Parameters:
        account: the account name.
        debits: sum of its debit postings.
        credits: sum of its credit postings.
    """

    account: str
    debits: Money
    credits: Money

    @property
    def debit_balance(self) -> Money:
        """Debits minus credits: what a debit-normal account (an asset) holds."""
        return self.debits - self.credits

    @property
    def credit_balance(self) -> Money:
        """Credits minus debits: what a credit-normal account (a debt, income) holds."""
        return self.credits - self.debits


def balances(entries: Iterable[JournalEntry], currency: str = "CNY") -> dict[str, AccountBalance]:
    """Derive every account's balance in ``currency`` from the entries that posted to it."""
    debits: dict[str, Money] = defaultdict(lambda: Money.zero(currency))
    credits: dict[str, Money] = defaultdict(lambda: Money.zero(currency))
    for entry in entries:
        for posting in entry.postings:
            if posting.amount.currency != currency:
                continue
            target = debits if posting.side is Side.DEBIT else credits
            target[posting.account] = target[posting.account] + posting.amount
    zero = Money.zero(currency)
    return {
        account: AccountBalance(account, debits.get(account, zero), credits.get(account, zero))
        for account in sorted(set(debits) | set(credits))
    }


def trial_balance(entries: Iterable[JournalEntry], currency: str = "CNY") -> Money:
    """Return total debits minus total credits over all accounts: always zero in a sound ledger."""
    total = Money.zero(currency)
    for balance in balances(entries, currency).values():
        total = total + balance.debit_balance
    return total
