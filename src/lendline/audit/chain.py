"""The audit hash chain: canonical JSON, entry hashes and chain verification.

Design overview: every audit entry carries the hash of the entry before it, and its own hash
covers all of its fields (sequence number, time, session, kind, payload and that previous
hash). Editing any field of any entry, deleting an entry, or reordering entries therefore
breaks the chain at a place ``verify_chain`` can name. What a chain alone cannot show is a
rewrite of its tail (entries dropped from the end, or the end recomputed from some point on):
that needs a checkpoint kept elsewhere, a ``ChainHead``, which ``verify_chain`` checks when
given one.

The payload is hashed in its canonical JSON form, so an entry read back from storage (where
the payload is kept as that text) hashes the same as the entry that was written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Final, TypeAlias
from uuid import UUID

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "ChainHead",
    "ChainVerification",
    "canonical_json",
    "entry_hash",
    "next_entry",
    "sealed_text",
    "verify_chain",
]

#: The ``prev_hash`` of the first entry: there is nothing before it.
GENESIS_HASH: Final = "0" * 64

_HEX_DIGITS: Final = frozenset("0123456789abcdef")

# Recursive alias written as a string: the ``type`` statement needs Python 3.12.
JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time has no single meaning; hashing it would make the record ambiguous.
        raise ValueError(f"audit times must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC).isoformat()


def _plain(value: object) -> JsonValue:
    """Turn ``value`` into JSON-ready data, rendering exact types as strings."""
    if value is None or isinstance(value, bool | int | str):
        # bool and StrEnum/IntEnum members pass through as the JSON scalars they are.
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot put {value!r} in canonical JSON")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    # datetime is a subclass of date, so it is tested first.
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, JsonValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys must be strings, got {key!r}")
            out[key] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot put a {type(value).__name__} in canonical JSON")


def canonical_json(obj: object) -> str:
    """Render ``obj`` as canonical JSON: one text for one value, whatever its key order.

    Keys are sorted, there is no whitespace, non-ASCII text is kept as is, ``Decimal`` and
    ``UUID`` become strings, dates become ISO-8601 strings and datetimes ISO-8601 strings in
    UTC. Dataclass instances become objects of their fields; tuples become arrays.

    Args:
        obj: a JSON-like value (mappings with string keys, sequences, scalars).

    Returns:
        The canonical text.

    Raises:
        TypeError: for a value of a type with no canonical form, or a non-string key.
        ValueError: for a naive datetime or a non-finite float.
    """
    return json.dumps(
        _plain(obj),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def sealed_text(
    seq: int,
    at: datetime,
    session_id: str | None,
    kind: str,
    payload_json: str,
    prev_hash: str,
) -> str:
    """Return the canonical text of one entry: what its chain hash and its Merkle leaf cover.

    Arguments as for ``entry_hash``.
    """
    return canonical_json(
        {
            "at": at,
            "kind": kind,
            "payload": payload_json,
            "prev_hash": prev_hash,
            "seq": seq,
            "session_id": session_id,
        }
    )


def entry_hash(
    seq: int,
    at: datetime,
    session_id: str | None,
    kind: str,
    payload_json: str,
    prev_hash: str,
) -> str:
    """Return the SHA-256 hex digest that seals one entry.

    The digest covers the canonical JSON of every field, so no field can change without the
    hash changing, and field boundaries cannot be shifted (each is a separate JSON member).

    Args:
        seq: the entry's position in the chain, from 1.
        at: when the entry was recorded (timezone-aware).
        session_id: the call session it belongs to, if any.
        kind: what happened (e.g. ``"otp.sent"``).
        payload_json: the payload as canonical JSON text.
        prev_hash: the hash of the entry before, or ``GENESIS_HASH``.
    """
    sealed = sealed_text(seq, at, session_id, kind, payload_json, prev_hash)
    return hashlib.sha256(sealed.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainHead:
    """A checkpoint of the chain kept outside it: the sequence number and hash of an entry.

    Parameters:
        seq: sequence number of the checkpointed entry.
        hash: that entry's hash.
    """

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One sealed entry of the audit chain.

    The payload is kept in its canonical form (the value ``json.loads(canonical_json(p))``),
    read-only at the top level, so an entry built in memory equals the same entry read back
    from storage.

    Parameters:
        seq: position in the chain, from 1, without gaps.
        at: when it was recorded (timezone-aware).
        session_id: the call session it belongs to, if any.
        kind: what happened.
        payload: the details, as JSON-like data.
        prev_hash: hash of the entry before (``GENESIS_HASH`` for the first).
        hash: this entry's hash, see ``entry_hash``.
    """

    seq: int
    at: datetime
    session_id: str | None
    kind: str
    payload: Mapping[str, object]
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        canonical = json.loads(canonical_json(self.payload))
        if not isinstance(canonical, dict):
            raise TypeError("an audit payload must be a mapping")
        object.__setattr__(self, "payload", MappingProxyType(canonical))

    @property
    def payload_json(self) -> str:
        """The payload as canonical JSON text, as it is stored and hashed."""
        return canonical_json(self.payload)

    @property
    def head(self) -> ChainHead:
        """A checkpoint at this entry."""
        return ChainHead(self.seq, self.hash)

    @property
    def leaf_data(self) -> bytes:
        """The entry as a Merkle leaf: its canonical text in UTF-8 (see ``sealed_text``)."""
        return sealed_text(
            self.seq, self.at, self.session_id, self.kind, self.payload_json, self.prev_hash
        ).encode("utf-8")

    def computed_hash(self) -> str:
        """Return the hash the fields of this entry call for (equal to ``hash`` if untouched)."""
        return entry_hash(
            self.seq, self.at, self.session_id, self.kind, self.payload_json, self.prev_hash
        )


def next_entry(
    head: ChainHead | None,
    *,
    at: datetime,
    session_id: str | None,
    kind: str,
    payload: Mapping[str, object],
) -> AuditEntry:
    """Build the sealed entry that follows ``head`` (or the first entry when ``head`` is None).

    Args:
        head: the last entry of the chain so far, or None for an empty chain.
        at: when the entry is recorded (timezone-aware).
        session_id: the call session it belongs to, if any.
        kind: what happened.
        payload: the details.
    """
    seq = 1 if head is None else head.seq + 1
    prev_hash = GENESIS_HASH if head is None else head.hash
    payload_json = canonical_json(payload)
    return AuditEntry(
        seq=seq,
        at=at,
        session_id=session_id,
        kind=kind,
        payload=payload,
        prev_hash=prev_hash,
        hash=entry_hash(seq, at, session_id, kind, payload_json, prev_hash),
    )


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """The outcome of checking a chain.

    Parameters:
        ok: whether the whole chain holds.
        checked: how many entries were examined (up to and including the first bad one).
        first_bad_seq: the first sequence number at which the chain does not hold: the
            position where an edited, missing or misplaced entry was found.
        problem: what is wrong there, in words; None when ``ok``.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX_DIGITS


def _entry_problem(entry: AuditEntry, expected_seq: int, expected_prev: str) -> str | None:
    if entry.seq != expected_seq:
        if entry.seq > expected_seq:
            return (
                f"expected seq {expected_seq} but found {entry.seq}: "
                "entries are missing (deleted?) or out of order"
            )
        return f"expected seq {expected_seq} but found {entry.seq}: out of order or duplicated"
    if entry.prev_hash != expected_prev:
        return "prev_hash does not match the hash of the entry before: the link is broken"
    if not _is_hash(entry.hash):
        return "stored hash is not a SHA-256 hex digest"
    try:
        computed = entry.computed_hash()
    except (TypeError, ValueError) as exc:
        return f"entry cannot be hashed: {exc}"
    if computed != entry.hash:
        return "stored hash does not match the entry's fields: the entry was altered"
    return None


def verify_chain(
    entries: Iterable[AuditEntry], *, head: ChainHead | None = None
) -> ChainVerification:
    """Check that ``entries`` form one unbroken chain starting at seq 1.

    Entries must come in order of ``seq``. Each must have the next sequence number, link to
    the hash of the entry before, and carry the hash its own fields call for. Verification
    stops at the first problem and says where it is.

    Args:
        entries: the whole chain, oldest first; it is read once (a stream is fine).
        head: a checkpoint kept elsewhere; when given, the chain must reach ``head.seq`` and
            the entry there must carry ``head.hash``, which exposes tail truncation and
            rewrites that a chain cannot show on its own.

    Returns:
        The verdict, with the first bad sequence number and the problem when it fails.
    """
    expected_seq = 1
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in entries:
        checked += 1
        problem = _entry_problem(entry, expected_seq, expected_prev)
        if (
            problem is None
            and head is not None
            and entry.seq == head.seq
            and entry.hash != head.hash
        ):
            problem = "hash differs from the checkpoint kept for this entry: history rewritten"
        if problem is not None:
            return ChainVerification(False, checked, expected_seq, problem)
        expected_seq += 1
        expected_prev = entry.hash
    if head is not None and expected_seq <= head.seq:
        return ChainVerification(
            False,
            checked,
            expected_seq,
            f"chain ends at seq {expected_seq - 1} but the checkpoint is at seq {head.seq}: "
            "entries were removed from the end",
        )
    return ChainVerification(True, checked)
