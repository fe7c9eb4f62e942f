"""The SQL unit of work: one connection, one transaction, every repository.

Use it as a context manager. Work is kept only if ``commit()`` is called; leaving the block
otherwise (an exception, an early return) rolls back. After a commit the same unit of work
can go on: the next statement starts a new transaction.

On SQLite every transaction begins ``IMMEDIATE`` (see ``db.make_engine``), so one writing
unit of work runs at a time and waits up to the busy timeout for the previous to finish;
``read_only=True`` opens a deferred transaction that never takes the write lock.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from lendline.persistence.db import READ_ONLY
from lendline.persistence.ledger_store import LoanRepository, SqlLedger
from lendline.persistence.outbox import OutboxRepository
from lendline.persistence.privacy_store import PrivacyStore
from lendline.persistence.repositories import (
    ApplicationRepository,
    ConsentRepository,
    CustomerRepository,
    OtpRepository,
    PayoutRepository,
    SessionRepository,
    SqlAuditLog,
)
from lendline.shared.clock import Clock, SystemClock

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork:
    """One transaction over LendLine's database, with its repositories as attributes.

    Attributes (available inside the ``with`` block):
        sessions: call sessions.
        applications: loan applications.
        customers: the customer registry.
        otps: one-time-code challenges.
        consents: consent answers.
        payouts: payout requests.
        loans: booked loans and their terms.
        ledger: the double-entry ledger.
        outbox: messages to deliver after the commit.
        audit: the audit chain.
        privacy: data-subject requests, legal holds, consent withdrawals.

    Args:
        engine: an engine from ``make_engine``.
        clock: the time source for columns the repositories stamp themselves.
        read_only: open a transaction that never writes (SQLite: no write lock).
    """

    sessions: SessionRepository
    applications: ApplicationRepository
    customers: CustomerRepository
    otps: OtpRepository
    consents: ConsentRepository
    payouts: PayoutRepository
    loans: LoanRepository
    ledger: SqlLedger
    outbox: OutboxRepository
    audit: SqlAuditLog
    privacy: PrivacyStore

    def __init__(self, engine: Engine, clock: Clock | None = None, read_only: bool = False) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self._read_only = read_only
        self._conn: Connection | None = None

    @property
    def connection(self) -> Connection:
        """The open connection, for queries no repository offers (read models)."""
        if self._conn is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._conn

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already open")
        conn = self._engine.connect()
        if self._read_only:
            conn = conn.execution_options(**READ_ONLY)
        # Begin now rather than at the first statement, so the transaction (and on SQLite the
        # write lock) covers everything done inside the block.
        conn.begin()
        self._conn = conn
        self.sessions = SessionRepository(conn)
        self.applications = ApplicationRepository(conn)
        self.customers = CustomerRepository(conn)
        self.otps = OtpRepository(conn, self._clock)
        self.consents = ConsentRepository(conn)
        self.payouts = PayoutRepository(conn)
        self.loans = LoanRepository(conn)
        self.ledger = SqlLedger(conn)
        self.outbox = OutboxRepository(conn)
        self.audit = SqlAuditLog(conn, self._clock)
        self.privacy = PrivacyStore(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            # Whatever was not committed is discarded; after a commit this ends nothing.
            conn.rollback()
        finally:
            conn.close()

    def commit(self) -> None:
        """Make everything done so far permanent."""
        self.connection.commit()

    def rollback(self) -> None:
        """Discard everything done since the last commit."""
        self.connection.rollback()
