"""The SQL subject-key vault: per-subject data keys, wrapped by a KEK keyring, shreddable.

Table ``subject_keys`` holds one row per subject (``customer:<id>``, ``session:<id>``): the
subject's data key encrypted under a key-encryption key (KEK) named by ``kek_id``. The KEKs
never enter the database; they come from configuration or a local key file (demo/tests),
and production puts a KMS/HSM adapter behind the same ``SubjectKeyVault`` port.

Shredding deletes the wrapped key and stamps ``shredded_at``; the row stays as a tombstone so
the key is never created again and every sealed field of the subject is unreadable for good.
It also clears the subject's blind indexes (the keyed lookup hashes), so an erased person is
no longer found by ID number, mobile or caller number.

KEK rotation (``rewrap_all``) re-encrypts the wrapped keys under the current KEK in small
batches, one short transaction each, while calls go on: readers unwrap with whichever KEK a
row names, so both old and new KEKs stay in the keyring until rotation is complete.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from lendline.adapters.crypto.envelope import (
    KEY_SIZE,
    DecryptionFailed,
    Keyring,
    WrappedKey,
    blind_index,
    new_data_key,
)
from lendline.adapters.crypto.personal_data import PersonalDataCipher
from lendline.compliance.ports import CUSTOMER_PREFIX, SESSION_PREFIX, SubjectErased
from lendline.persistence import tables as t
from lendline.shared.clock import Clock, SystemClock

__all__ = [
    "ColumnSealer",
    "EngineSealer",
    "EngineVault",
    "KeyFile",
    "PersonalDataKeys",
    "RotationReport",
    "SqlSubjectKeyVault",
    "bind_keys",
    "configured_keys",
    "ephemeral_keys",
    "keys_for",
    "rewrap_all",
]

#: Rows re-wrapped per transaction during rotation: short transactions keep calls flowing.
ROTATION_BATCH: Final = 200


class PersonalDataKeys:
    """The KEK keyring and the blind-index key, as one process sees them.

    Parameters:
        keyring: the KEKs (current one wraps, every one unwraps).
        lookup_key: the HMAC key of blind indexes.
        reload: re-reads the keys (e.g. a key file another process rotated); None: fixed.
    """

    def __init__(
        self,
        keyring: Keyring,
        lookup_key: bytes,
        reload: Callable[[], tuple[Keyring, bytes]] | None = None,
    ) -> None:
        if len(lookup_key) < KEY_SIZE:
            raise ValueError("the blind-index key must be at least 32 bytes")
        self.keyring = keyring
        self.lookup_key = lookup_key
        self._reload = reload

    def refresh(self) -> bool:
        """Re-read the keys if they come from somewhere that can change; True if reloaded."""
        if self._reload is None:
            return False
        self.keyring, self.lookup_key = self._reload()
        return True

    def index(self, kind: str, value: str) -> str:
        """The blind index of a value (see ``envelope.blind_index``)."""
        return blind_index(self.lookup_key, kind, value)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise ValueError(f"{what} is not valid base64") from exc


class KeyFile:
    """A local JSON key file (mode 0600) for demos and tests; production uses a KMS/HSM.

    Format: ``{"current": "k1", "keks": {"k1": "<base64>"}, "blind_index_key": "<base64>"}``.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> tuple[Keyring, bytes]:
        """Read the keys, creating the file with fresh random keys if it does not exist."""
        if not self.path.exists():
            self._write(
                {
                    "current": "k1",
                    "keks": {"k1": _b64(os.urandom(KEY_SIZE))},
                    "blind_index_key": _b64(os.urandom(KEY_SIZE)),
                },
                create=True,
            )
        data = json.loads(self.path.read_text(encoding="utf-8"))
        keks = {kid: _unb64(value, f"KEK {kid!r}") for kid, value in data["keks"].items()}
        return Keyring(data["current"], keks), _unb64(data["blind_index_key"], "blind index key")

    def keys(self) -> PersonalDataKeys:
        """The keys of this file, re-read when a rotation elsewhere changed them."""
        keyring, lookup = self.load()
        return PersonalDataKeys(keyring, lookup, reload=self.load)

    def add_kek(self) -> str:
        """Add a fresh KEK and make it current (old KEKs stay for unwrapping); return its id."""
        self.load()
        data = json.loads(self.path.read_text(encoding="utf-8"))
        number = 1 + max(int(k[1:]) for k in data["keks"] if k[1:].isdigit())
        kek_id = f"k{number}"
        data["keks"][kek_id] = _b64(os.urandom(KEY_SIZE))
        data["current"] = kek_id
        self._write(data)
        return kek_id

    def retire(self, kek_ids: set[str]) -> None:
        """Remove KEKs that no data key is wrapped with any more (never the current one)."""
        data = json.loads(self.path.read_text(encoding="utf-8"))
        data["keks"] = {
            k: v for k, v in data["keks"].items() if k not in kek_ids or k == data["current"]
        }
        self._write(data)

    def _write(self, data: Mapping[str, object], *, create: bool = False) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = self.path.with_suffix(".tmp")
        # Created 0600 from the start: the keys must never be readable by others, even briefly.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        if create and self.path.exists():  # another process created it meanwhile: keep theirs
            temporary.unlink()
            return
        os.replace(temporary, self.path)


def configured_keys(
    keks: Mapping[str, str],
    current: str | None,
    blind_index_key: str | None,
    key_file: Path,
) -> PersonalDataKeys:
    """The keys from settings (base64 KEKs by id), or from the local key file when none.

    Raises:
        ValueError: if KEKs are configured without a current id or a blind-index key.
    """
    if not keks:
        return KeyFile(key_file).keys()
    if current is None or blind_index_key is None:
        raise ValueError("configured KEKs need keys.current_kek and keys.blind_index_key")
    keyring = Keyring(current, {kid: _unb64(v, f"KEK {kid!r}") for kid, v in keks.items()})
    return PersonalDataKeys(keyring, _unb64(blind_index_key, "blind index key"))


_EPHEMERAL: PersonalDataKeys | None = None
_EPHEMERAL_LOCK = threading.Lock()
_BOUND: weakref.WeakKeyDictionary[Engine, PersonalDataKeys] = weakref.WeakKeyDictionary()


def ephemeral_keys() -> PersonalDataKeys:
    """Random keys living only in this process (tests, throw-away databases).

    Data sealed under them cannot be read by any other process: the composition root binds
    the configured keys to its engine (``bind_keys``) so this is never used for real data.
    """
    global _EPHEMERAL
    with _EPHEMERAL_LOCK:
        if _EPHEMERAL is None:
            _EPHEMERAL = PersonalDataKeys(
                Keyring("ephemeral", {"ephemeral": os.urandom(KEY_SIZE)}), os.urandom(KEY_SIZE)
            )
        return _EPHEMERAL


def bind_keys(engine: Engine, keys: PersonalDataKeys) -> None:
    """Make ``keys`` the keys of every unit of work on ``engine`` that names none."""
    _BOUND[engine] = keys


def keys_for(engine: Engine) -> PersonalDataKeys:
    """The keys bound to ``engine``, or this process's ephemeral keys."""
    return _BOUND.get(engine) or ephemeral_keys()


@dataclass
class SqlSubjectKeyVault:
    """``SubjectKeyVault`` over the ``subject_keys`` table, inside the caller's transaction.

    A key created here is committed with the data sealed under it (same transaction), so a
    rolled-back unit of work leaves neither behind.

    Parameters:
        conn: the unit of work's connection.
        keys: the KEK keyring and blind-index key.
        clock: stamps ``created_at``.
    """

    conn: Connection
    keys: PersonalDataKeys
    clock: Clock = field(default_factory=SystemClock)
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    def data_key(self, subject: str) -> bytes:
        """The subject's data key, created on first use.

        Raises:
            SubjectErased: if it was shredded.
            DecryptionFailed: if its KEK is not in the keyring (even after a reload).
        """
        cached = self._cache.get(subject)
        if cached is not None:
            return cached
        row = self._row(subject)
        if row is None:
            key = new_data_key()
            wrapped = self.keys.keyring.wrap(key, subject)
            try:
                # A savepoint: a concurrent first use of the same subject wins cleanly.
                with self.conn.begin_nested():
                    self.conn.execute(
                        t.subject_keys.insert().values(
                            subject=subject,
                            kek_id=wrapped.kek_id,
                            wrapped_key=wrapped.sealed,
                            created_at=self.clock.now(),
                        )
                    )
            except IntegrityError:
                row = self._row(subject)
                if row is None:
                    raise
            else:
                self._cache[subject] = key
                return key
        if row.shredded_at is not None or row.wrapped_key is None:
            raise SubjectErased(subject)
        key = self._unwrap(WrappedKey(row.kek_id, bytes(row.wrapped_key)), subject)
        self._cache[subject] = key
        return key

    def _unwrap(self, wrapped: WrappedKey, subject: str) -> bytes:
        try:
            return self.keys.keyring.unwrap(wrapped, subject)
        except DecryptionFailed:
            # A rotation in another process may have added a KEK this one has not seen yet.
            if wrapped.kek_id not in self.keys.keyring.keks and self.keys.refresh():
                return self.keys.keyring.unwrap(wrapped, subject)
            raise

    def shred(self, subject: str, at: datetime) -> bool:
        """Destroy the subject's key and forget their blind indexes; True if a key was destroyed."""
        if at.tzinfo is None:
            raise ValueError("shred times are aware UTC datetimes")
        self._cache.pop(subject, None)
        row = self._row(subject)
        destroyed = False
        if row is None:
            self.conn.execute(
                t.subject_keys.insert().values(
                    subject=subject, kek_id=None, wrapped_key=None, created_at=at, shredded_at=at
                )
            )
        elif row.shredded_at is None:
            self.conn.execute(
                update(t.subject_keys)
                .where(t.subject_keys.c.subject == subject)
                .values(wrapped_key=None, kek_id=None, shredded_at=at)
            )
            destroyed = True
        self._forget_lookups(subject)
        return destroyed

    def is_shredded(self, subject: str) -> bool:
        """Whether the subject's key was destroyed."""
        if subject in self._cache:
            return False
        row = self._row(subject)
        return row is not None and row.shredded_at is not None

    def _row(self, subject: str):  # type: ignore[no-untyped-def]
        return self.conn.execute(
            select(t.subject_keys).where(t.subject_keys.c.subject == subject)
        ).first()

    def _forget_lookups(self, subject: str) -> None:
        # Blind indexes are keyed hashes of personal data: they go with the key.
        if subject.startswith(CUSTOMER_PREFIX):
            customer_id = subject[len(CUSTOMER_PREFIX) :]
            self.conn.execute(
                update(t.customers)
                .where(t.customers.c.customer_id == customer_id)
                .values(id_number_index=None, mobile_index=None)
            )
        elif subject.startswith(SESSION_PREFIX):
            session_id = subject[len(SESSION_PREFIX) :]
            self.conn.execute(
                update(t.call_sessions)
                .where(t.call_sessions.c.session_id == session_id)
                .values(caller_number_index=None)
            )


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What a rotation did.

    Parameters:
        current: the KEK every live key is now wrapped with.
        rewrapped: keys re-wrapped by this run.
        remaining: keys still under another KEK (written meanwhile by a process that had not
            seen the new KEK yet); run the rotation again.
        old_keks: KEK ids no live key uses any more (safe to retire).
    """

    current: str
    rewrapped: int
    remaining: int
    old_keks: frozenset[str]


def pending_rewrap(engine: Engine, current: str) -> int:
    """How many live keys are wrapped with another KEK than ``current``."""
    c = t.subject_keys.c
    with engine.connect() as conn:
        return len(
            conn.execute(
                select(c.subject).where(c.wrapped_key.is_not(None), c.kek_id != current)
            ).all()
        )


def rewrap_all(
    engine: Engine,
    keys: PersonalDataKeys,
    *,
    batch_size: int = ROTATION_BATCH,
    on_batch: Callable[[int], None] | None = None,
) -> RotationReport:
    """Re-wrap every live data key under the keyring's current KEK, batch by batch.

    Each batch is its own short transaction, and each row is updated only if it still has
    the KEK it was read with (a concurrent shred or rotation is never overwritten).

    Args:
        engine: LendLine's database.
        keys: a keyring whose current KEK is the new one and which still holds the old ones.
        batch_size: rows per transaction.
        on_batch: called with the number of keys re-wrapped after each batch (progress).
    """
    keyring = keys.keyring
    c = t.subject_keys.c
    done = 0
    after = ""
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                select(c.subject, c.kek_id, c.wrapped_key)
                .where(c.wrapped_key.is_not(None), c.kek_id != keyring.current, c.subject > after)
                .order_by(c.subject)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            for row in rows:
                fresh = keyring.rewrap(WrappedKey(row.kek_id, bytes(row.wrapped_key)), row.subject)
                conn.execute(
                    update(t.subject_keys)
                    .where(c.subject == row.subject, c.kek_id == row.kek_id)
                    .values(kek_id=fresh.kek_id, wrapped_key=fresh.sealed)
                )
            after = rows[-1].subject
        done += len(rows)
        if on_batch is not None:
            on_batch(len(rows))
    with engine.connect() as conn:
        used = {
            kid
            for (kid,) in conn.execute(
                select(c.kek_id).where(c.wrapped_key.is_not(None)).distinct()
            )
        }
    return RotationReport(
        current=keyring.current,
        rewrapped=done,
        remaining=pending_rewrap(engine, keyring.current),
        old_keks=frozenset(set(keyring.keks) - used - {keyring.current}),
    )


class EngineSealer:
    """``PersonalDataSealer`` for work outside a unit of work (recordings, contract files).

    Each call runs one short transaction on ``engine`` with the keys bound to it, so a
    session's key created here is committed at once.

    Parameters:
        engine: LendLine's database.
        clock: stamps keys created here.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def seal(self, subject: str, field: str, value: str | bytes) -> bytes:
        """Encrypt ``value`` under the subject's key, bound to subject and field."""
        with self.engine.begin() as conn:
            vault = SqlSubjectKeyVault(conn, keys_for(self.engine), self.clock)
            return PersonalDataCipher(vault).seal(subject, field, value)

    def open(self, subject: str, field: str, sealed: bytes) -> bytes:
        """Decrypt a sealed value (raises ``SubjectErased`` after shredding)."""
        with self.engine.begin() as conn:
            vault = SqlSubjectKeyVault(conn, keys_for(self.engine), self.clock)
            return PersonalDataCipher(vault).open(subject, field, sealed)


class EngineVault:
    """``SubjectKeyVault`` for work outside a unit of work (data-subject requests, retention).

    Each call runs one short transaction on ``engine`` with the keys bound to it, so a shred
    is durable before the caller's next step. It is the same SQL vault the units of work use,
    so a subject shredded here is unreadable everywhere.

    Parameters:
        engine: LendLine's database.
        clock: stamps keys created and shredded here.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        self.clock = clock or SystemClock()

    def _vault(self, conn: Connection) -> SqlSubjectKeyVault:
        return SqlSubjectKeyVault(conn, keys_for(self.engine), self.clock)

    def data_key(self, subject: str) -> bytes:
        """The subject's data key, created on first use (see ``SubjectKeyVault``)."""
        with self.engine.begin() as conn:
            return self._vault(conn).data_key(subject)

    def shred(self, subject: str, at: datetime) -> bool:
        """Destroy the subject's key (see ``SubjectKeyVault``)."""
        with self.engine.begin() as conn:
            return self._vault(conn).shred(subject, at)

    def is_shredded(self, subject: str) -> bool:
        """Whether the subject's key was destroyed."""
        with self.engine.begin() as conn:
            return self._vault(conn).is_shredded(subject)


class ColumnSealer:
    """Seals personal columns as base64 text and computes their blind indexes.

    Parameters:
        cipher: the per-subject cipher (over the unit of work's vault).
        keys: the keys (for the blind-index HMAC key).
    """

    def __init__(self, cipher: PersonalDataCipher, keys: PersonalDataKeys) -> None:
        self.cipher = cipher
        self.keys = keys

    @classmethod
    def for_connection(cls, conn: Connection, clock: Clock | None = None) -> ColumnSealer:
        """A sealer with the keys bound to the connection's engine and a vault on ``conn``."""
        keys = keys_for(conn.engine)
        vault = SqlSubjectKeyVault(conn, keys, clock or SystemClock())
        return cls(PersonalDataCipher(vault), keys)

    def seal(self, subject: str, field: str, value: str) -> str:
        """Encrypt text for one subject and field, as base64 for a ``Text`` column."""
        return _b64(self.cipher.seal(subject, field, value))

    def open(self, subject: str, field: str, stored: str) -> str:
        """Decrypt a sealed column value.

        Raises:
            SubjectErased: if the subject's key was shredded.
            DecryptionFailed: if the value was tampered with or moved from another row/column.
        """
        try:
            sealed = base64.b64decode(stored, validate=True)
        except ValueError as exc:
            raise DecryptionFailed(f"{field} is not sealed (plaintext from before 0004?)") from exc
        return self.cipher.open_text(subject, field, sealed)

    def index(self, kind: str, value: str) -> str:
        """The blind index of a value."""
        return self.keys.index(kind, value)
