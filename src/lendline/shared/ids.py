"""Identifiers: opaque, random, and human-readable application references."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import NewType

SessionId = NewType("SessionId", str)

# Crockford base32 without I, L, O, U: safe to read aloud and to type.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_session_id() -> SessionId:
    """Return a fresh random call-session id."""
    return SessionId(uuid.uuid4().hex)


def new_reference(at: datetime) -> str:
    """Return an application reference like ``LL-20261128-7KQ2M``: date plus 5 random symbols."""
    tail = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))
    return f"LL-{at:%Y%m%d}-{tail}"
