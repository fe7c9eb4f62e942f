"""The loan book: installments falling due, repayments, early repayment, reconciliation.

Each command is one unit of work that turns a business event into a journal entry (rules in
``lending/servicing.py``) and an audit event. Commands carry an idempotency key, so a retried
repayment is applied once. Positions are always derived from the ledger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine

from lendline.lending.ledger import SETTLEMENT, EntryKind, JournalEntry, Side
from lendline.lending.ports import PaymentRail
from lendline.lending.servicing import (
    LoanPosition,
    LoanTerms,
    PayoffQuote,
    apply_repayment,
    fall_due,
    payoff_quote,
    position,
    repay_early,
    unposted_installments,
)
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.disbursements import new_entry_id
from lendline.shared.clock import Clock, business_day
from lendline.shared.errors import NotFound
from lendline.shared.money import Money


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """LendLine's ledger compared with the rail's own books.

    Parameters:
        ledger_paid_out: total the ledger says left the settlement account for payouts.
        rail_paid_out: total of the rail's payouts.
        loans_paid: loans with a settled payout on the ledger.
        rail_payouts: payouts on the rail's books.
        missing_at_rail: loans the ledger says were paid but the rail has no payout for.
        unknown_to_ledger: rail payouts the ledger has not settled (paid, not yet recorded).
        paid_more_than_once: references the rail paid more than once.
        debits: total debits of the whole ledger.
        credits: total credits of the whole ledger.
    """

    ledger_paid_out: Money
    rail_paid_out: Money
    loans_paid: int
    rail_payouts: int
    missing_at_rail: tuple[str, ...]
    unknown_to_ledger: tuple[str, ...]
    paid_more_than_once: tuple[str, ...]
    debits: Money
    credits: Money

    @property
    def balanced(self) -> bool:
        """Whether both books agree and the ledger's debits equal its credits."""
        return (
            self.ledger_paid_out == self.rail_paid_out
            and not self.missing_at_rail
            and not self.unknown_to_ledger
            and not self.paid_more_than_once
            and self.debits == self.credits
        )


@dataclass
class LoanBook:
    """Servicing commands and queries over booked loans.

    Args:
        engine: LendLine's database.
        clock: the time source; "today" is the business day in China.
    """

    engine: Engine
    clock: Clock
    currency: str = field(default="CNY")

    def _load(self, uow: SqlUnitOfWork, reference: str) -> tuple[LoanTerms, list[JournalEntry]]:
        terms = uow.loans.get(reference)
        if terms is None:
            raise NotFound(f"no booked loan {reference}")
        return terms, uow.ledger.for_loan(reference)

    def position(self, reference: str, on: date | None = None) -> LoanPosition:
        """The loan's position on ``on`` (default today), from its postings."""
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            terms, entries = self._load(uow, reference)
        return position(terms, entries, on or business_day(self.clock.now()))

    def post_due_installments(self, reference: str, on: date | None = None) -> int:
        """Post every installment of the loan due by ``on`` and not yet posted; return how many."""
        today = on or business_day(self.clock.now())
        now = self.clock.now()
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            terms, entries = self._load(uow, reference)
            posted = 0
            for installment in unposted_installments(terms, entries, today):
                entry = fall_due(terms, installment, new_entry_id(), now)
                if entry is not None:
                    uow.ledger.post(entry, now)
                    posted += 1
            uow.commit()
        return posted

    def post_all_due(self, on: date | None = None) -> int:
        """The daily job: post due installments of every loan; return how many were posted."""
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            references = uow.loans.references()
        return sum(self.post_due_installments(reference, on) for reference in references)

    def repay(self, reference: str, amount: Money, idempotency_key: str) -> LoanPosition:
        """Apply money received from the borrower; a replayed key is applied once.

        Raises:
            NotFound: if there is no such loan.
            RepaymentRefused: if the amount is more than is due (or not positive).
        """
        now = self.clock.now()
        today = business_day(now)
        # Bring the loan up to date first: what fell due today is payable today.
        self.post_due_installments(reference, today)
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            terms, entries = self._load(uow, reference)
            if uow.ledger.by_key(idempotency_key) is None:
                entry = apply_repayment(
                    terms, entries, amount, idempotency_key, new_entry_id(), now, today
                )
                uow.ledger.post(entry, now)
                uow.audit.append(
                    "loan.repayment",
                    None,
                    {
                        "reference": reference,
                        "amount_minor": amount.to_minor(),
                        "idempotency_key": idempotency_key,
                    },
                    now,
                )
                entries = [*entries, entry]
            uow.commit()
        return position(terms, entries, today)

    def quote_payoff(self, reference: str, on: date | None = None) -> PayoffQuote:
        """What repaying the whole loan on ``on`` costs (installments due by then posted first)."""
        day = on or business_day(self.clock.now())
        self.post_due_installments(reference, day)
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            terms, entries = self._load(uow, reference)
        return payoff_quote(terms, entries, day)

    def repay_early(self, reference: str, amount: Money, idempotency_key: str) -> LoanPosition:
        """Repay the whole loan today for exactly the quoted amount; a replayed key applies once.

        Raises:
            RepaymentRefused: if ``amount`` is not today's payoff amount.
        """
        now = self.clock.now()
        today = business_day(now)
        self.post_due_installments(reference, today)
        with SqlUnitOfWork(self.engine, self.clock) as uow:
            terms, entries = self._load(uow, reference)
            if uow.ledger.by_key(idempotency_key) is None:
                quote = payoff_quote(terms, entries, today)
                entry = repay_early(
                    terms, entries, quote, amount, idempotency_key, new_entry_id(), now
                )
                uow.ledger.post(entry, now)
                uow.audit.append(
                    "loan.repaid_early",
                    None,
                    {
                        "reference": reference,
                        "amount_minor": amount.to_minor(),
                        "accrued_interest_minor": quote.accrued_interest.to_minor(),
                        "days": quote.days_accrued,
                        "idempotency_key": idempotency_key,
                    },
                    now,
                )
                entries = [*entries, entry]
            uow.commit()
        return position(terms, entries, today)

    def reconcile(self, rail: PaymentRail) -> Reconciliation:
        """Compare the ledger's settled payouts with the rail's books.

        The rail must list its payouts (``payouts()``), as the local simulator does; a real
        bank's statement file would be read by an adapter with the same shape.
        """
        listed = getattr(rail, "payouts", None)
        if listed is None:
            raise TypeError("this rail cannot list its payouts for reconciliation")
        rail_rows = listed()
        with SqlUnitOfWork(self.engine, self.clock, read_only=True) as uow:
            entries = uow.ledger.entries()
            debits, credits = uow.ledger.trial_balance_minor(self.currency)
        reversed_ids = {entry.reverses for entry in entries if entry.reverses}
        settled: dict[str, Money] = {}
        for entry in entries:
            if entry.kind is EntryKind.PAYOUT_SETTLED and entry.entry_id not in reversed_ids:
                paid = entry.amount_on(SETTLEMENT, Side.CREDIT)
                if paid is not None:
                    settled[entry.loan_ref] = paid
        per_reference = Counter(row.reference for row in rail_rows)
        rail_total = Money.zero(self.currency)
        for row in rail_rows:
            rail_total = rail_total + row.amount
        ledger_total = Money.zero(self.currency)
        for amount in settled.values():
            ledger_total = ledger_total + amount
        return Reconciliation(
            ledger_paid_out=ledger_total,
            rail_paid_out=rail_total,
            loans_paid=len(settled),
            rail_payouts=len(rail_rows),
            missing_at_rail=tuple(sorted(set(settled) - set(per_reference))),
            unknown_to_ledger=tuple(sorted(set(per_reference) - set(settled))),
            paid_more_than_once=tuple(sorted(ref for ref, n in per_reference.items() if n > 1)),
            debits=Money.from_minor(debits, self.currency),
            credits=Money.from_minor(credits, self.currency),
        )
