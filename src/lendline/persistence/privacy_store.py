"""Repositories of the privacy records: data-subject requests, legal holds, consent withdrawals.

Like the other repositories they work inside the unit of work's transaction and never
commit. ``PrivacyStore`` groups them (``uow.privacy``) together with the read queries the
retention job needs (who has data, since when).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from lendline.compliance.ports import SubjectErased
from lendline.persistence import tables as t
from lendline.persistence.subject_keys import ColumnSealer
from lendline.shared.errors import Conflict, NotFound

#: The sealed field's name (bound into the ciphertext with the subject).
_HOLD_REASON = "legal_hold.reason"

__all__ = [
    "ConsentWithdrawalRepository",
    "ConsentWithdrawalRow",
    "DataSubjectRequestRepository",
    "DataSubjectRequestRow",
    "LegalHoldRepository",
    "LegalHoldRow",
    "PrivacyStore",
]


@dataclass(frozen=True, slots=True)
class DataSubjectRequestRow:
    """One data-subject request (a row of ``data_subject_requests``).

    Parameters:
        id: the request id.
        kind: ``access``, ``correction``, ``deletion`` or ``explanation``.
        customer_id: the registry customer it is about (None when the person was not found).
        requested_at: when it was made.
        operator: who handled it.
        completed_at: when it was answered.
        outcome: how it ended (``exported``, ``corrected``, ``erased``, ``refused``...).
        detail: the legal reason of a refusal, or the fields corrected; no personal values.
    """

    id: str
    kind: str
    customer_id: str | None
    requested_at: datetime
    operator: str
    completed_at: datetime | None = None
    outcome: str | None = None
    detail: str | None = None


class DataSubjectRequestRepository:
    """The register of data-subject requests (PIPL Art. 50: a mechanism and reasons)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def open(
        self, request_id: str, kind: str, customer_id: str | None, operator: str, at: datetime
    ) -> DataSubjectRequestRow:
        """Record a new request."""
        self._conn.execute(
            insert(t.data_subject_requests).values(
                id=request_id,
                kind=kind,
                customer_id=customer_id,
                requested_at=at,
                operator=operator,
            )
        )
        return DataSubjectRequestRow(request_id, kind, customer_id, at, operator)

    def complete(
        self, request_id: str, outcome: str, at: datetime, detail: str | None = None
    ) -> DataSubjectRequestRow:
        """Record how a request ended.

        Raises:
            NotFound: no such request.
            Conflict: it was already completed.
        """
        found = self.get(request_id)
        if found is None:
            raise NotFound(f"no data-subject request {request_id}")
        if found.completed_at is not None:
            raise Conflict(f"data-subject request {request_id} was already completed")
        self._conn.execute(
            update(t.data_subject_requests)
            .where(t.data_subject_requests.c.id == request_id)
            .values(outcome=outcome, completed_at=at, detail=detail)
        )
        return DataSubjectRequestRow(
            found.id,
            found.kind,
            found.customer_id,
            found.requested_at,
            found.operator,
            at,
            outcome,
            detail,
        )

    def get(self, request_id: str) -> DataSubjectRequestRow | None:
        """Return the request, if any."""
        row = self._conn.execute(
            select(t.data_subject_requests).where(t.data_subject_requests.c.id == request_id)
        ).first()
        return None if row is None else self._row(row)

    def for_customer(self, customer_id: str) -> list[DataSubjectRequestRow]:
        """Return the customer's requests, oldest first."""
        c = t.data_subject_requests.c
        rows = self._conn.execute(
            select(t.data_subject_requests)
            .where(c.customer_id == customer_id)
            .order_by(c.requested_at, c.id)
        )
        return [self._row(row) for row in rows]

    @staticmethod
    def _row(row: Row[Any]) -> DataSubjectRequestRow:
        return DataSubjectRequestRow(
            id=row.id,
            kind=row.kind,
            customer_id=row.customer_id,
            requested_at=row.requested_at,
            operator=row.operator,
            completed_at=row.completed_at,
            outcome=row.outcome,
            detail=row.detail,
        )


@dataclass(frozen=True, slots=True)
class LegalHoldRow:
    """One legal hold (a row of ``legal_holds``).

    Parameters:
        id: the hold's id.
        subject: the subject held (``customer:<id>`` or ``session:<id>``).
        reason: why (case number, regulator's letter...); empty once the subject was erased.
        placed_by: the operator who placed it.
        placed_at: when.
        released_at: when it was released, if it was.
        released_by: who released it.
    """

    id: int
    subject: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_at: datetime | None = None
    released_by: str | None = None
    erased: bool = False

    @property
    def active(self) -> bool:
        """Whether the hold is still in force."""
        return self.released_at is None


class LegalHoldRepository:
    """Legal holds: placed and released, never deleted.

    The reason is free text that may name a case or a person: it is sealed under the held
    subject's key (a hold keeps that key alive; once released and the subject erased, the
    reason reads back empty and the hold's dates and operators remain).
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def place(self, subject: str, reason: str, placed_by: str, at: datetime) -> LegalHoldRow:
        """Place a hold on a subject and return it.

        Raises:
            SubjectErased: the subject's data is already erased (nothing left to hold).
        """
        sealed = self._sealer.seal(subject, _HOLD_REASON, reason)
        result = self._conn.execute(
            insert(t.legal_holds)
            .values(subject=subject, sealed_reason=sealed, placed_by=placed_by, placed_at=at)
            .returning(t.legal_holds.c.id)
        )
        return LegalHoldRow(int(result.scalar_one()), subject, reason, placed_by, at)

    def release(self, hold_id: int, released_by: str, at: datetime) -> LegalHoldRow:
        """Release a hold.

        Raises:
            NotFound: no such hold.
            Conflict: it was already released.
        """
        found = self.get(hold_id)
        if found is None:
            raise NotFound(f"no legal hold {hold_id}")
        if not found.active:
            raise Conflict(f"legal hold {hold_id} was already released")
        self._conn.execute(
            update(t.legal_holds)
            .where(t.legal_holds.c.id == hold_id)
            .values(released_at=at, released_by=released_by)
        )
        return LegalHoldRow(
            found.id,
            found.subject,
            found.reason,
            found.placed_by,
            found.placed_at,
            at,
            released_by,
            found.erased,
        )

    def get(self, hold_id: int) -> LegalHoldRow | None:
        """Return the hold, if any."""
        row = self._conn.execute(select(t.legal_holds).where(t.legal_holds.c.id == hold_id)).first()
        return None if row is None else self._row(row)

    def active_for(self, subjects: list[str]) -> list[LegalHoldRow]:
        """Return the holds in force on any of ``subjects``."""
        c = t.legal_holds.c
        rows = self._conn.execute(
            select(t.legal_holds)
            .where(c.subject.in_(subjects), c.released_at.is_(None))
            .order_by(c.id)
        )
        return [self._row(row) for row in rows]

    def for_subject(self, subject: str) -> list[LegalHoldRow]:
        """Return every hold ever placed on a subject, in force or not."""
        c = t.legal_holds.c
        rows = self._conn.execute(select(t.legal_holds).where(c.subject == subject).order_by(c.id))
        return [self._row(row) for row in rows]

    def _row(self, row: Row[Any]) -> LegalHoldRow:
        try:
            reason, erased = self._sealer.open(row.subject, _HOLD_REASON, row.sealed_reason), False
        except SubjectErased:
            reason, erased = "", True
        return LegalHoldRow(
            id=int(row.id),
            subject=row.subject,
            reason=reason,
            erased=erased,
            placed_by=row.placed_by,
            placed_at=row.placed_at,
            released_at=row.released_at,
            released_by=row.released_by,
        )


@dataclass(frozen=True, slots=True)
class ConsentWithdrawalRow:
    """One consent withdrawal (a row of ``consent_withdrawals``).

    Parameters:
        id: the row's id.
        customer_id: whose consent.
        kind: the consent kind withdrawn.
        withdrawn_at: from when it takes effect.
        recorded_by: the operator (or channel) that recorded it.
        stops: the processing that stops because of it.
    """

    id: int
    customer_id: str
    kind: str
    withdrawn_at: datetime
    recorded_by: str
    stops: tuple[str, ...]


class ConsentWithdrawalRepository:
    """Consent withdrawals (PIPL Art. 15)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        customer_id: str,
        kind: str,
        withdrawn_at: datetime,
        recorded_by: str,
        stops: tuple[str, ...],
    ) -> ConsentWithdrawalRow:
        """Record a withdrawal and return it."""
        result = self._conn.execute(
            insert(t.consent_withdrawals)
            .values(
                customer_id=customer_id,
                kind=kind,
                withdrawn_at=withdrawn_at,
                recorded_by=recorded_by,
                stops=json.dumps(list(stops), ensure_ascii=False),
            )
            .returning(t.consent_withdrawals.c.id)
        )
        return ConsentWithdrawalRow(
            int(result.scalar_one()), customer_id, kind, withdrawn_at, recorded_by, stops
        )

    def for_customer(self, customer_id: str) -> list[ConsentWithdrawalRow]:
        """Return the customer's withdrawals, oldest first."""
        c = t.consent_withdrawals.c
        rows = self._conn.execute(
            select(t.consent_withdrawals)
            .where(c.customer_id == customer_id)
            .order_by(c.withdrawn_at, c.id)
        )
        return [
            ConsentWithdrawalRow(
                int(row.id),
                row.customer_id,
                row.kind,
                row.withdrawn_at,
                row.recorded_by,
                tuple(json.loads(row.stops)),
            )
            for row in rows
        ]

    def is_withdrawn(self, customer_id: str, kind: str, at: datetime) -> bool:
        """Whether the customer had withdrawn consent of ``kind`` by ``at``."""
        c = t.consent_withdrawals.c
        count = self._conn.execute(
            select(func.count())
            .select_from(t.consent_withdrawals)
            .where(c.customer_id == customer_id, c.kind == kind, c.withdrawn_at <= at)
        ).scalar_one()
        return int(count) > 0


class PrivacyStore:
    """The privacy repositories and the read queries of the retention job.

    Attributes:
        requests: data-subject requests.
        holds: legal holds.
        withdrawals: consent withdrawals.
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self.requests = DataSubjectRequestRepository(conn)
        self.holds = LegalHoldRepository(conn, sealer)
        self.withdrawals = ConsentWithdrawalRepository(conn)

    def customers_with_applications(self) -> list[str]:
        """Customer ids that have at least one application, sorted."""
        c = t.applications.c
        rows = self._conn.execute(
            select(c.customer_id).where(c.customer_id.is_not(None)).distinct()
        )
        return sorted(str(row.customer_id) for row in rows)

    def sessions_of_customer(self, customer_id: str) -> list[str]:
        """Session ids in which the customer applied, sorted."""
        c = t.applications.c
        rows = self._conn.execute(
            select(c.session_id).where(c.customer_id == customer_id).distinct()
        )
        return sorted(str(row.session_id) for row in rows)

    def sessions_without_customer(self) -> list[tuple[str, datetime]]:
        """Sessions linked to no identified customer, with their last activity.

        These are call logs only (PIPL: the caller was never identified, or applied for
        nothing), kept under the network-log rule.
        """
        s = t.call_sessions.c
        a = t.applications.c
        linked = select(a.session_id).where(a.customer_id.is_not(None))
        rows = self._conn.execute(
            select(s.session_id, s.updated_at, s.ended_at)
            .where(s.session_id.not_in(linked))
            .order_by(s.session_id)
        )
        return [
            (str(row.session_id), max(row.updated_at, row.ended_at or row.updated_at))
            for row in rows
        ]

    def session_times(self, session_ids: list[str]) -> list[datetime]:
        """Last activity times of the given sessions."""
        if not session_ids:
            return []
        s = t.call_sessions.c
        rows = self._conn.execute(
            select(s.updated_at, s.ended_at).where(s.session_id.in_(session_ids))
        )
        return [max(row.updated_at, row.ended_at or row.updated_at) for row in rows]

    def applications_of_customer(self, customer_id: str) -> list[str]:
        """References of the customer's applications, oldest first."""
        c = t.applications.c
        rows = self._conn.execute(
            select(c.reference)
            .where(c.customer_id == customer_id)
            .order_by(c.created_at, c.reference)
        )
        return [str(row.reference) for row in rows]
