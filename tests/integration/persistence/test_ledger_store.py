"""The ledger in the database: idempotent posting, append-only tables, balance checked at commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from lendline.lending.ledger import (
    SETTLEMENT,
    EntryKind,
    JournalEntry,
    Posting,
    Side,
    principal_account,
    reversal_of,
)
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.lending.servicing import LoanTerms, book_disbursement
from lendline.persistence import tables as t
from lendline.persistence.records import ApplicationRecord, SessionRecord
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.errors import Conflict, NotFound
from lendline.shared.money import Money

AT = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
REF = "LL-20261129-LEDG1"


@pytest.fixture
def terms(engine: Engine) -> LoanTerms:
    schedule = build_schedule(
        Money.of(50_000), Decimal("0.01"), 12, RepaymentMethod.EQUAL_INSTALLMENT
    )
    made = LoanTerms(REF, Money.of(50_000), Decimal("0.12"), schedule, AT.date())
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(
            SessionRecord("s1", "+8613800000000", "voice", "completed", "done", AT, AT)
        )
        uow.applications.save(ApplicationRecord(REF, "s1", "signed", "CNY", AT, AT, signed_at=AT))
        uow.loans.add(made, "PL-STD@test", AT)
        uow.commit()
    return made


def test_loan_terms_come_back_exactly_as_booked(engine: Engine, terms: LoanTerms) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.loans.get(REF) == terms
        assert uow.loans.add(terms, "PL-STD@test", AT) == terms  # a replay is a no-op
        other = LoanTerms(
            REF, terms.principal, terms.annual_rate, terms.schedule, AT.date() + timedelta(days=1)
        )
        with pytest.raises(Conflict, match="other terms"):
            uow.loans.add(other, "PL-STD@test", AT)


def test_posting_the_same_event_twice_stores_it_once(engine: Engine, terms: LoanTerms) -> None:
    with SqlUnitOfWork(engine) as uow:
        first = uow.ledger.post(book_disbursement(terms, "e1", AT), AT)
        again = uow.ledger.post(book_disbursement(terms, "e2", AT), AT)
        uow.commit()
    assert again.entry_id == first.entry_id == "e1"
    with SqlUnitOfWork(engine) as uow:
        assert [e.entry_id for e in uow.ledger.for_loan(REF)] == ["e1"]
        assert uow.ledger.balance_minor(principal_account(REF)) == 5_000_000
        assert uow.ledger.trial_balance_minor() == (5_000_000, 5_000_000)


def test_the_same_key_with_other_amounts_is_a_conflict(engine: Engine, terms: LoanTerms) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.ledger.post(book_disbursement(terms, "e1", AT), AT)
        changed = JournalEntry(
            "e2",
            EntryKind.DISBURSEMENT_BOOKED,
            REF,
            f"book:{REF}",
            AT,
            (
                Posting(principal_account(REF), Side.DEBIT, Money.of(1)),
                Posting(SETTLEMENT, Side.CREDIT, Money.of(1)),
            ),
        )
        with pytest.raises(Conflict, match="different amounts"):
            uow.ledger.post(changed, AT)


def test_an_entry_is_reversed_at_most_once(engine: Engine, terms: LoanTerms) -> None:
    with SqlUnitOfWork(engine) as uow:
        booked = uow.ledger.post(book_disbursement(terms, "e1", AT), AT)
        uow.ledger.post(reversal_of(booked, "r1", "undo-1", AT), AT)
        with pytest.raises(Conflict):
            uow.ledger.post(reversal_of(booked, "r2", "undo-2", AT), AT)
        ghost = reversal_of(booked, "r3", "undo-3", AT)
        with pytest.raises(NotFound):
            uow.ledger.post(
                JournalEntry("r3", ghost.kind, REF, "undo-3", AT, ghost.postings, reverses="nope"),
                AT,
            )
        uow.commit()
        assert uow.ledger.balance_minor(principal_account(REF)) == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_postings SET amount_minor = amount_minor + 1",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_entries SET kind = 'repayment'",
        "DELETE FROM ledger_entries",
    ],
)
def test_the_ledger_tables_are_append_only_in_the_database(
    engine: Engine, terms: LoanTerms, statement: str
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.ledger.post(book_disbursement(terms, "e1", AT), AT)
        uow.commit()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with SqlUnitOfWork(engine) as uow:
        assert uow.ledger.trial_balance_minor() == (5_000_000, 5_000_000)


@pytest.mark.parametrize("check", ["amount_minor_positive", "side_debit_or_credit"])
def test_postings_must_be_positive_and_on_a_known_side(
    engine: Engine, terms: LoanTerms, check: str
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.ledger.post(book_disbursement(terms, "e1", AT), AT)
        uow.commit()
    bad = {"amount_minor": 0} if check == "amount_minor_positive" else {"side": "X"}
    row = {
        "entry_id": "e1",
        "account": SETTLEMENT,
        "side": "D",
        "amount_minor": 1,
        "currency": "CNY",
    }
    with pytest.raises(sa.exc.IntegrityError, match=check), engine.begin() as conn:
        conn.execute(sa.insert(t.ledger_postings).values(**{**row, **bad}))


def _raw_entry(conn: sa.Connection, entry_id: str, *postings: tuple[str, int]) -> None:
    conn.execute(
        sa.insert(t.ledger_entries).values(
            entry_id=entry_id,
            kind="repayment",
            loan_ref=REF,
            idempotency_key=entry_id,
            reverses=None,
            occurred_at=AT,
            recorded_at=AT,
        )
    )
    for side, amount in postings:
        conn.execute(
            sa.insert(t.ledger_postings).values(
                entry_id=entry_id,
                account=SETTLEMENT,
                side=side,
                amount_minor=amount,
                currency="CNY",
            )
        )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("postings", "problem"),
    [
        ((("D", 100), ("C", 99)), "does not balance"),
        ((("D", 100),), "at least two"),
        ((), "at least two"),
    ],
)
def test_postgresql_refuses_to_commit_an_unbalanced_entry_whatever_code_wrote_it(
    postgres_engine: Engine, postings: tuple[tuple[str, int], ...], problem: str
) -> None:
    schedule = build_schedule(Money.of(100), Decimal(0), 1, RepaymentMethod.EQUAL_INSTALLMENT)
    with SqlUnitOfWork(postgres_engine) as uow:
        uow.sessions.save(
            SessionRecord("s1", "+8613800000000", "voice", "completed", "done", AT, AT)
        )
        uow.applications.save(ApplicationRecord(REF, "s1", "signed", "CNY", AT, AT, signed_at=AT))
        uow.loans.add(LoanTerms(REF, Money.of(100), Decimal(0), schedule, AT.date()), "x", AT)
        uow.commit()
    with pytest.raises(DBAPIError, match=problem), postgres_engine.begin() as conn:
        _raw_entry(conn, "bad", *postings)
    # A balanced entry written the same raw way commits: the trigger checks sums, not callers.
    with postgres_engine.begin() as conn:
        _raw_entry(conn, "good", ("D", 100), ("C", 100))
    with SqlUnitOfWork(postgres_engine) as uow:
        assert [e.entry_id for e in uow.ledger.for_loan(REF)] == ["good"]
