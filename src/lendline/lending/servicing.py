"""Servicing a loan on the ledger: booking, payout, installments, repayments, early repayment.

Every function here turns a business event into a balanced ``JournalEntry`` (see
``ledger.py``) from the loan's terms and its entries so far; nothing is stored in between, so
a loan's position is always what its postings say.

Conventions (DOMAIN-NOTES §1.4, §4):

* Installments fall due monthly on the disbursement day of the month (the last day of a
  shorter month). When one falls due, its interest and fee are earned; its principal part
  becomes payable but stays on the principal account until it is paid.
* Money received pays fees first, then interest, then principal due, the usual order of
  Chinese loan contracts. A scheduled payment may not exceed what is due: paying ahead is an
  early repayment of the whole loan.
* Early repayment (Civil Code Art. 677): interest only for the time used, i.e. for the days
  since the last due date (or the payout) on the principal outstanding at the annual rate
  ÷ 360 a day (bank day count), rounded half up to the fen. No penalty.
"""

from __future__ import annotations

import calendar
import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lendline.lending.ledger import (
    FEE_INCOME,
    INTEREST_INCOME,
    SETTLEMENT,
    EntryKind,
    JournalEntry,
    Posting,
    Side,
    balances,
    fees_account,
    interest_account,
    payout_due_account,
    principal_account,
)
from lendline.lending.schedule import Installment, Schedule
from lendline.shared.errors import Conflict, DomainError
from lendline.shared.money import MONEY_CONTEXT, Money

#: Days in the banking year used for daily interest (PBoC convention, DOMAIN-NOTES §1.4).
DAYS_IN_BANK_YEAR = 360


class RepaymentRefused(DomainError):
    """Raised when money cannot be applied to a loan (nothing or less due, wrong currency)."""


def add_months(start: date, months: int) -> date:
    """Return the same day ``months`` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What the signed contract fixed: the figures servicing works from.

    Parameters:
        reference: the loan's reference.
        principal: the amount paid out.
        annual_rate: the nominal annual interest rate (for interest on early repayment).
        schedule: the signed repayment schedule.
        disbursed_on: the day the loan was booked; due dates count from it.
    """

    reference: str
    principal: Money
    annual_rate: Decimal
    schedule: Schedule
    disbursed_on: date

    def __post_init__(self) -> None:
        if self.schedule.total_principal != self.principal:
            raise ValueError("the schedule does not repay the principal")

    def due_date(self, period: int) -> date:
        """The day installment ``period`` falls due."""
        return add_months(self.disbursed_on, period)

    def installments_due_by(self, day: date) -> tuple[Installment, ...]:
        """The installments whose due date is on or before ``day``."""
        return tuple(
            item for item in self.schedule.installments if self.due_date(item.period) <= day
        )


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """Where a loan stands, derived from its journal entries.

    Parameters:
        principal_outstanding: principal still owed (due or not).
        principal_due: principal of fallen-due installments not yet paid.
        interest_due: interest fallen due and unpaid.
        fees_due: fees fallen due and unpaid.
        payout_owed: money booked for the borrower that the rail has not paid yet.
        periods_fallen_due: how many installments have fallen due.
    """

    principal_outstanding: Money
    principal_due: Money
    interest_due: Money
    fees_due: Money
    payout_owed: Money
    periods_fallen_due: int

    @property
    def due_now(self) -> Money:
        """Everything payable today without repaying early."""
        return self.fees_due + self.interest_due + self.principal_due

    @property
    def is_repaid(self) -> bool:
        """Whether the borrower owes nothing more."""
        return (self.principal_outstanding + self.interest_due + self.fees_due).is_zero()


def position(terms: LoanTerms, entries: Sequence[JournalEntry], today: date) -> LoanPosition:
    """Derive the loan's position on ``today`` from its entries.

    Args:
        terms: the loan's terms.
        entries: journal entries (those of other loans are ignored).
        today: the day the position is for; installments due by then count as fallen due.
    """
    currency = terms.principal.currency
    mine = [entry for entry in entries if entry.loan_ref == terms.reference]
    accounts = balances(mine, currency)
    zero = Money.zero(currency)

    def debit_balance(account: str) -> Money:
        found = accounts.get(account)
        return zero if found is None else found.debit_balance

    outstanding = debit_balance(principal_account(terms.reference))
    fallen = terms.installments_due_by(today)
    scheduled = zero
    for item in fallen:
        scheduled = scheduled + item.principal
    repaid = terms.principal - outstanding if _booked(mine) else zero
    payout = accounts.get(payout_due_account(terms.reference))
    return LoanPosition(
        principal_outstanding=outstanding,
        principal_due=min(outstanding, max(zero, scheduled - repaid)),
        interest_due=debit_balance(interest_account(terms.reference)),
        fees_due=debit_balance(fees_account(terms.reference)),
        payout_owed=zero if payout is None else payout.credit_balance,
        periods_fallen_due=len(fallen),
    )


def unposted_installments(
    terms: LoanTerms, entries: Sequence[JournalEntry], today: date
) -> tuple[Installment, ...]:
    """Installments due by ``today`` whose interest or fee has not been posted as due yet.

    Nothing falls due on a loan already repaid early, nor before it was booked.
    """
    mine = [entry for entry in entries if entry.loan_ref == terms.reference]
    if not _booked(mine) or any(entry.kind is EntryKind.EARLY_REPAYMENT for entry in mine):
        return ()
    reversed_ids = _reversed_ids(mine)
    posted = {
        entry.idempotency_key
        for entry in mine
        if entry.kind is EntryKind.INSTALLMENT_DUE and entry.entry_id not in reversed_ids
    }
    return tuple(
        item
        for item in terms.installments_due_by(today)
        if not (item.interest.is_zero() and item.fee.is_zero())
        and due_key(terms.reference, item.period) not in posted
    )


def due_key(reference: str, period: int) -> str:
    """The idempotency key of installment ``period`` falling due."""
    return f"due:{reference}:{period}"


def _reversed_ids(entries: Sequence[JournalEntry]) -> set[str]:
    return {entry.reverses for entry in entries if entry.reverses is not None}


def _booked(entries: Sequence[JournalEntry]) -> bool:
    reversed_ids = _reversed_ids(entries)
    return any(
        entry.kind is EntryKind.DISBURSEMENT_BOOKED and entry.entry_id not in reversed_ids
        for entry in entries
    )


def booking_key(reference: str) -> str:
    """The idempotency key of a loan's booking entry (one per loan)."""
    return f"book:{reference}"


def book_disbursement(terms: LoanTerms, entry_id: str, at: datetime) -> JournalEntry:
    """Book the signed loan: the borrower owes the principal, the lender owes the payout."""
    ref = terms.reference
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.DISBURSEMENT_BOOKED,
        loan_ref=ref,
        idempotency_key=booking_key(ref),
        occurred_at=at,
        postings=(
            Posting(principal_account(ref), Side.DEBIT, terms.principal),
            Posting(payout_due_account(ref), Side.CREDIT, terms.principal),
        ),
    )


def settle_payout(terms: LoanTerms, entry_id: str, at: datetime) -> JournalEntry:
    """Record that the rail paid the borrower from the lender's settlement account."""
    ref = terms.reference
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.PAYOUT_SETTLED,
        loan_ref=ref,
        idempotency_key=f"payout:{ref}",
        occurred_at=at,
        postings=(
            Posting(payout_due_account(ref), Side.DEBIT, terms.principal),
            Posting(SETTLEMENT, Side.CREDIT, terms.principal),
        ),
    )


def fall_due(
    terms: LoanTerms, installment: Installment, entry_id: str, at: datetime
) -> JournalEntry | None:
    """Record that ``installment`` fell due: its interest and fee are earned and owed.

    Returns ``None`` for an installment with neither interest nor fee (a zero-rate loan): there
    is nothing to post, and its principal is payable from its due date all the same.
    """
    ref = terms.reference
    postings: list[Posting] = []
    if not installment.interest.is_zero():
        postings += [
            Posting(interest_account(ref), Side.DEBIT, installment.interest),
            Posting(INTEREST_INCOME, Side.CREDIT, installment.interest),
        ]
    if not installment.fee.is_zero():
        postings += [
            Posting(fees_account(ref), Side.DEBIT, installment.fee),
            Posting(FEE_INCOME, Side.CREDIT, installment.fee),
        ]
    if not postings:
        return None
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.INSTALLMENT_DUE,
        loan_ref=ref,
        idempotency_key=due_key(ref, installment.period),
        occurred_at=at,
        postings=tuple(postings),
    )


def _allocate(terms: LoanTerms, now: LoanPosition, amount: Money) -> list[Posting]:
    """Split ``amount`` over fees, interest and principal, in that order, as credit postings."""
    ref = terms.reference
    postings: list[Posting] = []
    left = amount
    for account, owed in (
        (fees_account(ref), now.fees_due),
        (interest_account(ref), now.interest_due),
        (principal_account(ref), now.principal_outstanding),
    ):
        part = min(left, owed)
        if not part.is_zero():
            postings.append(Posting(account, Side.CREDIT, part))
            left = left - part
    return postings


def apply_repayment(
    terms: LoanTerms,
    entries: Sequence[JournalEntry],
    amount: Money,
    idempotency_key: str,
    entry_id: str,
    at: datetime,
    today: date,
) -> JournalEntry:
    """Apply a scheduled repayment received at ``at`` on business day ``today``.

    The money pays fees, then interest, then principal that is due.

    Raises:
        RepaymentRefused: if the amount is not positive, in another currency, or more than
            is due now (paying ahead is an early repayment).
    """
    if amount.currency != terms.principal.currency or amount.amount <= 0:
        raise RepaymentRefused(f"cannot apply {amount} to loan {terms.reference}")
    now = position(terms, entries, today)
    if amount > now.due_now:
        raise RepaymentRefused(
            f"{amount} is more than the {now.due_now} due on loan {terms.reference}; "
            "repay the whole loan early instead"
        )
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.REPAYMENT,
        loan_ref=terms.reference,
        idempotency_key=idempotency_key,
        occurred_at=at,
        postings=(
            Posting(SETTLEMENT, Side.DEBIT, amount),
            *_allocate(terms, now, amount),
        ),
    )


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """What it costs to repay a loan in full on one day.

    Parameters:
        on: the day of repayment.
        principal: principal outstanding.
        interest_due: interest fallen due and unpaid.
        fees_due: fees fallen due and unpaid.
        accrued_interest: interest for the days used since the last due date.
        days_accrued: how many days that interest covers.
    """

    on: date
    principal: Money
    interest_due: Money
    fees_due: Money
    accrued_interest: Money
    days_accrued: int

    @property
    def total(self) -> Money:
        """The amount that clears the loan."""
        return self.principal + self.interest_due + self.fees_due + self.accrued_interest


def payoff_quote(terms: LoanTerms, entries: Sequence[JournalEntry], on: date) -> PayoffQuote:
    """Quote the full early repayment of a loan on day ``on``.

    Installments due on or before ``on`` must already have fallen due on the ledger, so the
    interest they earned is in ``interest_due`` and not counted twice.

    Raises:
        Conflict: if an installment due by ``on`` has not been posted as due yet.
    """
    if unposted_installments(terms, entries, on):
        raise Conflict(f"loan {terms.reference}: post the installments due by {on} first")
    now = position(terms, entries, on)
    due_by_then = terms.installments_due_by(on)
    since = terms.due_date(due_by_then[-1].period) if due_by_then else terms.disbursed_on
    days = max(0, (on - since).days)
    with decimal.localcontext(MONEY_CONTEXT):
        daily = terms.annual_rate / DAYS_IN_BANK_YEAR
    accrued = (now.principal_outstanding * (daily * days)).rounded()
    return PayoffQuote(
        on=on,
        principal=now.principal_outstanding,
        interest_due=now.interest_due,
        fees_due=now.fees_due,
        accrued_interest=accrued,
        days_accrued=days,
    )


def repay_early(
    terms: LoanTerms,
    entries: Sequence[JournalEntry],
    quote: PayoffQuote,
    amount: Money,
    idempotency_key: str,
    entry_id: str,
    at: datetime,
) -> JournalEntry:
    """Clear the loan with the quoted amount: the accrued interest is earned, then all is paid.

    Raises:
        RepaymentRefused: if ``amount`` is not exactly the quote's total, or nothing is owed.
    """
    if quote.total.is_zero():
        raise RepaymentRefused(f"loan {terms.reference} is already repaid")
    if amount != quote.total:
        raise RepaymentRefused(
            f"an early repayment of loan {terms.reference} on {quote.on} is {quote.total}, "
            f"not {amount}"
        )
    ref = terms.reference
    earned: tuple[Posting, ...] = ()
    if not quote.accrued_interest.is_zero():
        earned = (
            Posting(interest_account(ref), Side.DEBIT, quote.accrued_interest),
            Posting(INTEREST_INCOME, Side.CREDIT, quote.accrued_interest),
        )
    now = position(terms, entries, quote.on)
    owed = LoanPosition(
        principal_outstanding=now.principal_outstanding,
        principal_due=now.principal_outstanding,
        interest_due=now.interest_due + quote.accrued_interest,
        fees_due=now.fees_due,
        payout_owed=now.payout_owed,
        periods_fallen_due=now.periods_fallen_due,
    )
    return JournalEntry(
        entry_id=entry_id,
        kind=EntryKind.EARLY_REPAYMENT,
        loan_ref=ref,
        idempotency_key=idempotency_key,
        occurred_at=at,
        postings=(
            *earned,
            Posting(SETTLEMENT, Side.DEBIT, amount),
            *_allocate(terms, owed, amount),
        ),
    )
