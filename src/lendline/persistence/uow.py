"""The SQL unit of work: one connection, one transaction, every repository.

Use it as a context manager. Work is kept only if ``commit()`` is called; leaving the block
otherwise (an exception, an early return) rolls back. After a commit the same unit of work
can go on: the next statement starts a new transaction.

On SQLite every transaction begins ``IMMEDIATE`` (see ``db.make_engine``), so one writing
unit of work runs at a time and waits up to the busy timeout for the previous to finish;
``read_only=True`` opens a deferred transaction that never takes the write lock.

Personal data is sealed with per-subject keys from ``subject_keys``; the KEKs are the ones
bound to the engine by the composition root (``subject_keys.bind_keys``), or given as
``keys``; without either, the process's ephemeral keys are used (tests only).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from lendline.adapters.crypto.personal_data import PersonalDataCipher
from lendline.persistence.db import READ_ONLY
from lendline.persistence.identity_store import IdentityStore
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
    TurnTextRepository,
)
from lendline.persistence.risk_monitoring import AlertRepository, RiskDecisionRepository
from lendline.persistence.risk_store import SqlRiskHistory
from lendline.persistence.subject_keys import (
    ColumnSealer,
    PersonalDataKeys,
    SqlSubjectKeyVault,
    keys_for,
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
        turn_texts: what callers said, sealed (the audit log holds commitments).
        subject_keys: the per-subject key vault (``SubjectKeyVault``; shred to erase).
        cipher: seals and opens personal data under the vault's keys.
        privacy: data-subject requests, legal holds, consent withdrawals.
        alerts: risk alerts and the review queue.
        risk_decisions: the figures behind each decision (monitoring).
        identity: question-set fingerprints, code velocity, lockouts, call-backs.
        risk_history: keyed identifiers of past applications and the fraud blacklist.

    Args:
        engine: an engine from ``make_engine``.
        clock: the time source for columns the repositories stamp themselves.
        read_only: open a transaction that never writes (SQLite: no write lock).
        keys: the KEKs and blind-index key; those bound to ``engine`` when omitted.
    """

    sessions: SessionRepository
    applications: ApplicationRepository
    customers: CustomerRepository
    otps: OtpRepository
    consents: ConsentRepository
    payouts: PayoutRepository
    loans: LoanRepository
    ledger: SqlLedger
    alerts: AlertRepository
    risk_decisions: RiskDecisionRepository
    identity: IdentityStore
    risk_history: SqlRiskHistory
    outbox: OutboxRepository
    audit: SqlAuditLog
    turn_texts: TurnTextRepository
    subject_keys: SqlSubjectKeyVault
    cipher: PersonalDataCipher
    privacy: PrivacyStore

    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        read_only: bool = False,
        keys: PersonalDataKeys | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self._read_only = read_only
        self._keys = keys or keys_for(engine)
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
        self.subject_keys = SqlSubjectKeyVault(conn, self._keys, self._clock)
        self.cipher = PersonalDataCipher(self.subject_keys)
        sealer = ColumnSealer(self.cipher, self._keys)
        self.sessions = SessionRepository(conn, sealer)
        self.applications = ApplicationRepository(conn, sealer)
        self.customers = CustomerRepository(conn, sealer)
        self.otps = OtpRepository(conn, self._clock, sealer)
        self.consents = ConsentRepository(conn)
        self.payouts = PayoutRepository(conn, sealer)
        self.turn_texts = TurnTextRepository(conn, sealer)
        self.loans = LoanRepository(conn)
        self.ledger = SqlLedger(conn)
        self.outbox = OutboxRepository(conn)
        self.audit = SqlAuditLog(conn, self._clock)
        self.privacy = PrivacyStore(conn, sealer)
        self.alerts = AlertRepository(conn)
        self.risk_decisions = RiskDecisionRepository(conn)
        self.identity = IdentityStore(conn)
        self.risk_history = SqlRiskHistory(conn, self._keys)
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
