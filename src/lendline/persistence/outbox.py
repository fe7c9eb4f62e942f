"""The transactional outbox: messages committed with the change they announce.

A service adds a message in the same transaction as its business change (a payout requested,
a loan booked); if the transaction rolls back, the message never existed, and once it
commits a relay is bound to deliver it, however often the process dies in between. Delivery
is at least once: the receiver deduplicates by the message ``key`` (the payment rail by its
idempotency key), which is what makes the whole exactly once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from lendline.persistence import tables as t
from lendline.shared.errors import Conflict, NotFound

__all__ = ["OutboxMessage", "OutboxRepository"]


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message waiting for (or past) delivery.

    Parameters:
        message_id: unique id.
        topic: what kind of message it is (the relay picks the handler by it).
        key: unique business key; the receiver deduplicates by it.
        payload: the message body.
        status: ``pending``, ``done`` or ``failed``.
        attempts: delivery attempts so far.
        available_at: not to be tried before this time (backoff).
        created_at: when it was written.
        done_at: when it was delivered or given up on.
        last_error: the last delivery error, if any.
    """

    message_id: str
    topic: str
    key: str
    payload: Mapping[str, Any]
    status: str
    attempts: int
    available_at: datetime
    created_at: datetime
    done_at: datetime | None
    last_error: str | None


class OutboxRepository:
    """Outbox messages in LendLine's database."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, topic: str, key: str, payload: Mapping[str, Any], at: datetime) -> OutboxMessage:
        """Add a message; adding the same key again returns the message already there.

        Raises:
            Conflict: if the key is already used by a message of another topic or payload.
        """
        body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        existing = self.by_key(key)
        if existing is None:
            try:
                with self._conn.begin_nested():
                    self._conn.execute(
                        insert(t.outbox).values(
                            message_id=uuid.uuid4().hex,
                            topic=topic,
                            key=key,
                            payload=body,
                            status="pending",
                            attempts=0,
                            available_at=at,
                            created_at=at,
                        )
                    )
            except IntegrityError:
                pass  # a concurrent writer added it first; compare below
            existing = self.by_key(key)
            if existing is None:
                raise NotFound(f"outbox message {key!r} vanished after insert")
        if existing.topic != topic or dict(existing.payload) != json.loads(body):
            raise Conflict(f"outbox key {key!r} is already used for another message")
        return existing

    def by_key(self, key: str) -> OutboxMessage | None:
        """Return the message with this key."""
        row = self._conn.execute(select(t.outbox).where(t.outbox.c.key == key)).first()
        return None if row is None else _message(row)

    def due(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages whose time has come, oldest first."""
        rows = self._conn.execute(
            select(t.outbox)
            .where(t.outbox.c.status == "pending", t.outbox.c.available_at <= now)
            .order_by(t.outbox.c.available_at, t.outbox.c.created_at, t.outbox.c.message_id)
            .limit(limit)
        ).all()
        return [_message(row) for row in rows]

    def pending_count(self) -> int:
        """How many messages still wait for delivery (due or backing off)."""
        return len(
            self._conn.execute(
                select(t.outbox.c.message_id).where(t.outbox.c.status == "pending")
            ).all()
        )

    def mark_done(self, message_id: str, at: datetime) -> None:
        """Record delivery."""
        self._set(message_id, status="done", done_at=at)

    def retry_later(self, message_id: str, error: str, attempts: int, at: datetime) -> None:
        """Record a failed attempt; the message stays pending until ``at``."""
        self._set(message_id, attempts=attempts, available_at=at, last_error=error[:2000])

    def mark_failed(self, message_id: str, error: str, attempts: int, at: datetime) -> None:
        """Give up on a message (a permanent failure); it is kept with its error."""
        self._set(message_id, status="failed", attempts=attempts, done_at=at, last_error=error)

    def _set(self, message_id: str, **values: Any) -> None:
        result = self._conn.execute(
            update(t.outbox).where(t.outbox.c.message_id == message_id).values(**values)
        )
        if result.rowcount != 1:
            raise NotFound(f"no outbox message {message_id}")


def _message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        message_id=row.message_id,
        topic=row.topic,
        key=row.key,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        available_at=row.available_at,
        created_at=row.created_at,
        done_at=row.done_at,
        last_error=row.last_error,
    )
