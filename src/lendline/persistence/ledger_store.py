"""Loans and their journal entries in the database.

``SqlLedger.post`` writes an entry and its postings in the caller's transaction. Posting the
same business event twice (same idempotency key, same postings) returns the entry already
stored instead of a second one, so a replayed command cannot double-book; the same key with
different postings is a ``Conflict``. Balances are sums over postings, computed in SQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, case, func, insert, select
from sqlalchemy.exc import IntegrityError

from lendline.lending.ledger import EntryKind, JournalEntry, Posting, Side
from lendline.lending.schedule import Installment, RepaymentMethod, Schedule
from lendline.lending.servicing import LoanTerms
from lendline.persistence import tables as t
from lendline.shared.errors import Conflict, IntegrityViolation, NotFound
from lendline.shared.money import Money

__all__ = ["LoanRepository", "SqlLedger", "schedule_from_json", "schedule_to_json"]


def schedule_to_json(schedule: Schedule) -> str:
    """Serialise a schedule as JSON with amounts in minor units."""
    return json.dumps(
        {
            "method": schedule.method.value,
            "currency": schedule.currency,
            "installments": [
                [
                    item.period,
                    item.payment.to_minor(),
                    item.principal.to_minor(),
                    item.interest.to_minor(),
                    item.fee.to_minor(),
                    item.balance_after.to_minor(),
                ]
                for item in schedule.installments
            ],
        },
        separators=(",", ":"),
    )


def schedule_from_json(text: str) -> Schedule:
    """Read a schedule written by ``schedule_to_json``."""
    data = json.loads(text)
    currency = data["currency"]

    def money(minor: int) -> Money:
        return Money.from_minor(minor, currency)

    return Schedule(
        method=RepaymentMethod(data["method"]),
        installments=tuple(
            Installment(
                period=period,
                payment=money(payment),
                principal=money(principal),
                interest=money(interest),
                fee=money(fee),
                balance_after=money(balance),
            )
            for period, payment, principal, interest, fee, balance in data["installments"]
        ),
    )


class LoanRepository:
    """Booked loans: the terms servicing works from, one row per signed application."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, terms: LoanTerms, product_key: str, booked_at: datetime) -> LoanTerms:
        """Store a loan's terms once; booking the same loan again returns the stored terms.

        Raises:
            Conflict: if the loan was already booked with other terms.
        """
        existing = self.get(terms.reference)
        if existing is not None:
            if existing != terms:
                raise Conflict(f"loan {terms.reference} is already booked with other terms")
            return existing
        self._conn.execute(
            insert(t.loans).values(
                reference=terms.reference,
                principal_minor=terms.principal.to_minor(),
                currency=terms.principal.currency,
                annual_rate=f"{terms.annual_rate:.12f}",
                method=terms.schedule.method.value,
                term_months=terms.schedule.term_months,
                product_key=product_key,
                schedule=schedule_to_json(terms.schedule),
                disbursed_on=terms.disbursed_on,
                booked_at=booked_at,
            )
        )
        return terms

    def get(self, reference: str) -> LoanTerms | None:
        """Return the loan's terms, if it was booked."""
        row = self._conn.execute(select(t.loans).where(t.loans.c.reference == reference)).first()
        return None if row is None else self._terms(row)

    def references(self) -> list[str]:
        """Every booked loan's reference, oldest booking first."""
        return list(
            self._conn.execute(
                select(t.loans.c.reference).order_by(t.loans.c.booked_at, t.loans.c.reference)
            ).scalars()
        )

    @staticmethod
    def _terms(row: Row[Any]) -> LoanTerms:
        return LoanTerms(
            reference=row.reference,
            principal=Money.from_minor(row.principal_minor, row.currency),
            annual_rate=Decimal(row.annual_rate).normalize(),
            schedule=schedule_from_json(row.schedule),
            disbursed_on=row.disbursed_on,
        )


class SqlLedger:
    """Journal entries and postings in LendLine's database."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def post(self, entry: JournalEntry, recorded_at: datetime) -> JournalEntry:
        """Write ``entry``; a replay of its idempotency key returns the entry first written.

        Raises:
            Conflict: if the key was used for an entry with different postings, or the entry
                it reverses was already reversed.
            NotFound: if it reverses an entry that does not exist.
        """
        stored = self.by_key(entry.idempotency_key)
        if stored is not None:
            return self._same_or_conflict(stored, entry)
        if entry.reverses is not None and self.get(entry.reverses) is None:
            raise NotFound(f"entry {entry.reverses} to reverse does not exist")
        try:
            # A savepoint keeps the caller's transaction usable if a concurrent writer stored
            # the same event first.
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(t.ledger_entries).values(
                        entry_id=entry.entry_id,
                        kind=entry.kind.value,
                        loan_ref=entry.loan_ref,
                        idempotency_key=entry.idempotency_key,
                        reverses=entry.reverses,
                        occurred_at=entry.occurred_at,
                        recorded_at=recorded_at,
                    )
                )
                self._conn.execute(
                    insert(t.ledger_postings),
                    [
                        {
                            "entry_id": entry.entry_id,
                            "account": posting.account,
                            "side": posting.side.value,
                            "amount_minor": posting.amount.to_minor(),
                            "currency": posting.amount.currency,
                        }
                        for posting in entry.postings
                    ],
                )
        except IntegrityError:
            stored = self.by_key(entry.idempotency_key)
            if stored is None:
                raise Conflict(
                    f"entry {entry.entry_id} clashes with the ledger (already reversed?)"
                ) from None
            return self._same_or_conflict(stored, entry)
        return entry

    @staticmethod
    def _same_or_conflict(stored: JournalEntry, wanted: JournalEntry) -> JournalEntry:
        same = (stored.kind, stored.loan_ref, sorted(_shape(stored))) == (
            wanted.kind,
            wanted.loan_ref,
            sorted(_shape(wanted)),
        )
        if not same:
            raise Conflict(
                f"idempotency key {wanted.idempotency_key!r} already posted different amounts"
            )
        return stored

    def get(self, entry_id: str) -> JournalEntry | None:
        """Return one entry by id."""
        found = self._load(t.ledger_entries.c.entry_id == entry_id)
        return found[0] if found else None

    def by_key(self, idempotency_key: str) -> JournalEntry | None:
        """Return the entry posted for a business event, if any."""
        found = self._load(t.ledger_entries.c.idempotency_key == idempotency_key)
        return found[0] if found else None

    def for_loan(self, loan_ref: str) -> list[JournalEntry]:
        """A loan's entries in the order they were recorded."""
        return self._load(t.ledger_entries.c.loan_ref == loan_ref)

    def entries(self) -> list[JournalEntry]:
        """Every entry (for audits and reconciliation; the whole ledger is read)."""
        return self._load(None)

    def _load(self, where: Any) -> list[JournalEntry]:
        query = select(t.ledger_entries)
        if where is not None:
            query = query.where(where)
        rows = self._conn.execute(
            query.order_by(t.ledger_entries.c.recorded_at, t.ledger_entries.c.entry_id)
        ).all()
        if not rows:
            return []
        ids = [row.entry_id for row in rows]
        postings: dict[str, list[Posting]] = defaultdict(list)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for posting in self._conn.execute(
                select(t.ledger_postings)
                .where(t.ledger_postings.c.entry_id.in_(chunk))
                .order_by(t.ledger_postings.c.id)
            ):
                postings[posting.entry_id].append(
                    Posting(
                        posting.account,
                        Side(posting.side),
                        Money.from_minor(posting.amount_minor, posting.currency),
                    )
                )
        try:
            return [
                JournalEntry(
                    entry_id=row.entry_id,
                    kind=EntryKind(row.kind),
                    loan_ref=row.loan_ref,
                    idempotency_key=row.idempotency_key,
                    occurred_at=row.occurred_at,
                    postings=tuple(postings[row.entry_id]),
                    reverses=row.reverses,
                )
                for row in rows
            ]
        except ValueError as exc:
            # The domain refuses to build an unbalanced entry: one in the database is a breach.
            raise IntegrityViolation(f"the stored ledger is broken: {exc}") from exc

    def balance_minor(self, account: str, currency: str = "CNY") -> int:
        """Debits minus credits of one account, in minor units."""
        signed = case(
            (t.ledger_postings.c.side == Side.DEBIT.value, t.ledger_postings.c.amount_minor),
            else_=-t.ledger_postings.c.amount_minor,
        )
        total = self._conn.execute(
            select(func.coalesce(func.sum(signed), 0)).where(
                t.ledger_postings.c.account == account, t.ledger_postings.c.currency == currency
            )
        ).scalar_one()
        return int(total)

    def trial_balance_minor(self, currency: str = "CNY") -> tuple[int, int]:
        """Total debits and total credits over the whole ledger, in minor units."""
        debit = func.sum(
            case((t.ledger_postings.c.side == "D", t.ledger_postings.c.amount_minor), else_=0)
        )
        credit = func.sum(
            case((t.ledger_postings.c.side == "C", t.ledger_postings.c.amount_minor), else_=0)
        )
        row = self._conn.execute(
            select(func.coalesce(debit, 0), func.coalesce(credit, 0)).where(
                t.ledger_postings.c.currency == currency
            )
        ).one()
        return int(row[0]), int(row[1])


def _shape(entry: JournalEntry) -> list[tuple[str, str, int, str]]:
    return [
        (posting.account, posting.side.value, posting.amount.to_minor(), posting.amount.currency)
        for posting in entry.postings
    ]
