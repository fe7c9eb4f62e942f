"""Identity assurance records: question-set fingerprints, code velocity, lockouts, call-backs.

Nothing here holds a personal value in clear: customers are named by the lender's own key,
number segments by a keyed hash (``otp_velocity.prefix_key``), question sets by a keyed hash
of their kinds and choices (``QuestionSet.fingerprint``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, insert, or_, select

from lendline.identity.otp_velocity import (
    Lockout,
    LockoutReason,
    LockoutScope,
    OtpVelocityPolicy,
    VelocityCounts,
)
from lendline.identity.ports import CallbackRequest
from lendline.persistence import tables as t
from lendline.persistence.outbox import OutboxRepository

__all__ = ["CALLBACK_TOPIC", "IdentityStore", "SqlCallbackScheduler"]

#: Outbox topic of call-back requests (the dialler's relay handles it).
CALLBACK_TOPIC = "telephony.callback"


class SqlCallbackScheduler:
    """``CallbackScheduler`` in LendLine's database: a request row and an outbox message.

    Both commit with the unit of work that scheduled them, so a call-back is either fully
    requested (and bound to be dialled) or not at all.
    """

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def schedule(self, request: CallbackRequest) -> None:
        """Record the request and queue it for the dialler."""
        self._conn.execute(
            insert(t.callback_requests).values(
                request_id=request.request_id,
                session_id=request.session_id,
                customer_id=request.customer_id,
                reason=request.reason,
                status="requested",
                requested_at=request.requested_at,
            )
        )
        OutboxRepository(self._conn).add(
            CALLBACK_TOPIC,
            f"callback:{request.request_id}",
            {
                "request_id": request.request_id,
                "session_id": request.session_id,
                "customer_id": request.customer_id,
                "reason": request.reason,
            },
            request.requested_at,
        )

    def pending(self, customer_id: str) -> list[CallbackRequest]:
        """The customer's call-backs not yet dialled, oldest first."""
        rows = self._conn.execute(
            select(t.callback_requests)
            .where(
                t.callback_requests.c.customer_id == customer_id,
                t.callback_requests.c.status == "requested",
            )
            .order_by(t.callback_requests.c.requested_at)
        ).all()
        return [
            CallbackRequest(row.request_id, row.session_id, row.customer_id, row.reason,
                            row.requested_at)
            for row in rows
        ]  # fmt: skip


class IdentityStore:
    """The identity-assurance tables within one unit of work."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.callbacks = SqlCallbackScheduler(conn)

    # ------------------------------------------------------------------ question sets

    def seen_question_sets(self, customer_id: str) -> frozenset[str]:
        """Fingerprints of every question set drawn for the customer."""
        column = t.identity_question_sets.c
        return frozenset(
            self._conn.execute(
                select(column.fingerprint).where(column.customer_id == customer_id)
            ).scalars()
        )

    def add_question_set(
        self,
        customer_id: str,
        fingerprint: str,
        kinds: tuple[str, ...],
        session_id: str | None,
        at: datetime,
    ) -> None:
        """Record a set drawn (its fingerprint is unique per customer)."""
        self._conn.execute(
            insert(t.identity_question_sets).values(
                customer_id=customer_id,
                fingerprint=fingerprint,
                kinds=",".join(kinds),
                session_id=session_id,
                drawn_at=at,
            )
        )

    def shared_bank_names(self, min_customers: int) -> list[str]:
        """Bank names held by at least ``min_customers`` customers (distractor material).

        A name shared by several customers points at no one; the bank column is not sealed.
        """
        column = t.customers.c.bank_name
        rows = self._conn.execute(
            select(column).group_by(column).having(func.count() >= min_customers).order_by(column)
        ).scalars()
        return list(rows)

    # ------------------------------------------------------------------ code velocity

    def record_otp_event(
        self, action: str, customer_id: str, prefix_key: str, session_id: str, at: datetime
    ) -> None:
        """Count one code sent (``"send"``) or checked (``"check"``)."""
        self._conn.execute(
            insert(t.otp_velocity_events).values(
                action=action,
                customer_id=customer_id,
                prefix_key=prefix_key,
                session_id=session_id,
                at=at,
            )
        )

    def _count(self, action: str, since: datetime, until: datetime, *where: object) -> int:
        column = t.otp_velocity_events.c
        query = (
            select(func.count())
            .select_from(t.otp_velocity_events)
            .where(column.action == action, column.at > since, column.at <= until, *where)  # type: ignore[arg-type]
        )
        return int(self._conn.execute(query).scalar_one())

    def velocity_counts(
        self, customer_id: str, prefix_key: str, now: datetime, policy: OtpVelocityPolicy
    ) -> VelocityCounts:
        """Sends and checks within the policy's windows before ``now``."""
        column = t.otp_velocity_events.c
        id_since = now - policy.id_window
        return VelocityCounts(
            prefix_sends=self._count(
                "send", now - policy.prefix_window, now, column.prefix_key == prefix_key
            ),
            id_sends=self._count("send", id_since, now, column.customer_id == customer_id),
            id_checks=self._count("check", id_since, now, column.customer_id == customer_id),
        )

    # ------------------------------------------------------------------ lockouts

    def add_lockout(
        self, lockout: Lockout, customer_id: str, prefix_key: str, session_id: str | None
    ) -> None:
        """Record a lockout with its reason."""
        self._conn.execute(
            insert(t.identity_lockouts).values(
                reason=lockout.reason.value,
                scope=lockout.scope.value,
                customer_id=customer_id,
                prefix_key=prefix_key,
                session_id=session_id,
                locked_at=lockout.locked_at,
                until=lockout.until,
            )
        )

    def active_lockout(self, customer_id: str, prefix_key: str, now: datetime) -> Lockout | None:
        """The lockout holding the customer at ``now`` (their own, or their segment's).

        When several hold, the one lasting longest is given.
        """
        column = t.identity_lockouts.c
        row = self._conn.execute(
            select(column.reason, column.scope, column.locked_at, column.until)
            .where(
                column.until > now,
                column.locked_at <= now,
                or_(
                    column.customer_id == customer_id,
                    (column.scope == LockoutScope.PREFIX.value) & (column.prefix_key == prefix_key),
                ),
            )
            .order_by(column.until.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Lockout(LockoutReason(row.reason), LockoutScope(row.scope), row.locked_at, row.until)
