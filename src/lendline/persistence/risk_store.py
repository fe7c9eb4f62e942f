"""The fraud history in the database: keyed identifiers per application, and the blacklist.

``risk_observations`` keeps, for every application, a keyed hash (HMAC blind index, see
``subject_keys.PersonalDataKeys.index``) of each identifier it used, never the value; the
rules count rows by kind, key and time, and ring detection links applications that share a
key. ``risk_blacklist`` holds keyed hashes of identifiers confirmed as fraudulent.

An application is its reference, or its session id before a reference exists; counts are of
distinct applications, so a call-back that records the same identifiers again adds nothing.
Rows are written inside the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, exists, func, insert, select, update

from lendline.persistence import tables as t
from lendline.persistence.subject_keys import PersonalDataKeys
from lendline.risk.fraud.history import KeyObservation, ObservationKind, key_space, normalise

__all__ = ["SqlRiskHistory"]

#: Rows fetched per round trip when streaming observations for ring detection.
_STREAM_BATCH = 5_000


class SqlRiskHistory:
    """The ``risk_observations`` and ``risk_blacklist`` tables (the ``RiskHistory`` port).

    Parameters:
        conn: the unit of work's connection.
        keys: the blind-index key that hashes identifiers.
    """

    def __init__(self, conn: Connection, keys: PersonalDataKeys) -> None:
        self._conn = conn
        self._keys = keys

    def key_for(self, kind: ObservationKind, value: str) -> str:
        """The keyed hash an identifier is stored and looked up under."""
        return self._keys.index(key_space(kind), normalise(kind, value))

    def observe(
        self,
        *,
        at: datetime,
        session_id: str | None,
        reference: str | None,
        subject: str | None,
        kind: ObservationKind,
        key: str,
    ) -> bool:
        """Record that an application used a key; False if it was already recorded.

        Raises:
            ValueError: if neither ``reference`` nor ``session_id`` names the application.
        """
        if reference is None and session_id is None:
            raise ValueError("an observation needs a reference or a session id")
        c = t.risk_observations.c
        same_application = (
            c.reference == reference
            if reference is not None
            else and_(c.reference.is_(None), c.session_id == session_id)
        )
        seen = self._conn.execute(
            select(exists().where(c.kind == kind.value, c.key == key, same_application))
        ).scalar_one()
        if seen:
            return False
        self._conn.execute(
            insert(t.risk_observations).values(
                observed_at=at,
                session_id=session_id,
                reference=reference,
                kind=kind.value,
                key=key,
                subject=subject,
            )
        )
        return True

    def counts(self, kind: ObservationKind, key: str, since: datetime) -> int:
        """Distinct applications that used the key at or after ``since``."""
        c = t.risk_observations.c
        application = func.coalesce(c.reference, c.session_id)
        return int(
            self._conn.execute(
                select(func.count(application.distinct())).where(
                    c.kind == kind.value, c.key == key, c.observed_at >= since
                )
            ).scalar_one()
        )

    def distinct_subjects(
        self, kind: ObservationKind | Sequence[ObservationKind], key: str, since: datetime
    ) -> int:
        """Distinct identities that used the key (under any of ``kind``) since ``since``."""
        kinds = [kind.value] if isinstance(kind, ObservationKind) else [k.value for k in kind]
        c = t.risk_observations.c
        return int(
            self._conn.execute(
                select(func.count(c.subject.distinct())).where(
                    c.kind.in_(kinds), c.key == key, c.observed_at >= since
                )
            ).scalar_one()
        )

    def blacklisted(self, kinds: Iterable[ObservationKind], key: str) -> bool:
        """Whether the key is on the blacklist (not lifted) under any of ``kinds``."""
        c = t.risk_blacklist.c
        return bool(
            self._conn.execute(
                select(
                    exists().where(
                        c.kind.in_([k.value for k in kinds]),
                        c.key == key,
                        c.removed_at.is_(None),
                    )
                )
            ).scalar_one()
        )

    def add_to_blacklist(
        self, kind: ObservationKind, key: str, *, reason: str, by: str, at: datetime
    ) -> int:
        """List a keyed identifier as fraudulent; returns the entry's id.

        ``reason`` is a case note for reviewers: codes and references, never the value.
        """
        result = self._conn.execute(
            insert(t.risk_blacklist)
            .values(kind=kind.value, key=key, reason=reason, added_at=at, added_by=by)
            .returning(t.risk_blacklist.c.id)
        )
        return int(result.scalar_one())

    def lift_from_blacklist(self, kind: ObservationKind, key: str, *, by: str, at: datetime) -> int:
        """Lift every live entry of the key (the rows stay as the record); returns how many."""
        c = t.risk_blacklist.c
        result = self._conn.execute(
            update(t.risk_blacklist)
            .where(c.kind == kind.value, c.key == key, c.removed_at.is_(None))
            .values(removed_at=at, removed_by=by)
        )
        return int(result.rowcount)

    def observations(
        self, since: datetime, kinds: Iterable[ObservationKind] | None = None
    ) -> Iterator[KeyObservation]:
        """Every observation at or after ``since`` (optionally of some kinds), oldest first."""
        c = t.risk_observations.c
        query = select(
            c.id, c.observed_at, c.session_id, c.reference, c.kind, c.key, c.subject
        ).where(c.observed_at >= since)
        if kinds is not None:
            query = query.where(c.kind.in_([k.value for k in kinds]))
        after = 0
        while True:
            rows = self._conn.execute(
                query.where(c.id > after).order_by(c.id).limit(_STREAM_BATCH)
            ).all()
            for row in rows:
                yield KeyObservation(
                    application=row.reference or row.session_id,
                    subject=row.subject,
                    kind=ObservationKind(row.kind),
                    key=row.key,
                    observed_at=row.observed_at,
                )
            if len(rows) < _STREAM_BATCH:
                return
            after = rows[-1].id
