"""The personal values of the calls in progress, so log masking can hide them too.

``redact`` recognises ID numbers, mobiles, card numbers and codes by their shape, but a
caller's name (王小明, Li Hua), a security answer or a number as the recogniser wrote it
("310104, 1990, 0521...") has no shape to recognise. Whoever learns such a value during a call
registers it here under the call's session id; the log masking processor masks every value
registered at the moment a line is written; the values are forgotten when the call ends.

The registry is process-wide (log lines come from every call and thread) and bounded: at most
``max_sessions`` sessions (the least recently touched is dropped first) and
``max_values_per_session`` values each, so a runaway call cannot grow it without limit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

#: Shorter values would mask ordinary words and figures everywhere.
MIN_LENGTH: Final = 2


class SensitiveValues:
    """Personal values by session, masked in every log line while their session lasts.

    Args:
        max_sessions: sessions kept at most; the least recently touched goes first.
        max_values_per_session: values kept per session; the oldest go first.
    """

    def __init__(self, max_sessions: int = 1024, max_values_per_session: int = 64) -> None:
        self._max_sessions = max_sessions
        self._max_values = max_values_per_session
        self._sessions: OrderedDict[str, dict[str, None]] = OrderedDict()
        self._lock = threading.Lock()
        self._snapshot: tuple[str, ...] = ()

    def remember(self, session: str, *values: str | None) -> None:
        """Mask ``values`` in log lines until ``session`` is forgotten.

        Each value is kept as given, stripped, and in upper, lower and title case (a
        recogniser writes a name or an ID's X in any case); blanks and values shorter than
        ``MIN_LENGTH`` are ignored.
        """
        forms: list[str] = []
        for value in values:
            if value is None:
                continue
            stripped = value.strip()
            if len(stripped) < MIN_LENGTH:
                continue
            for form in (stripped, stripped.upper(), stripped.lower(), stripped.title()):
                if form not in forms:
                    forms.append(form)
        if not forms:
            return
        with self._lock:
            known = self._sessions.pop(session, {})
            for form in forms:
                known.pop(form, None)
                known[form] = None
            while len(known) > self._max_values:
                del known[next(iter(known))]
            self._sessions[session] = known
            while len(self._sessions) > self._max_sessions:
                self._sessions.popitem(last=False)
            self._refresh()

    def forget(self, session: str) -> None:
        """Drop everything registered for ``session`` (its call ended)."""
        with self._lock:
            if self._sessions.pop(session, None) is not None:
                self._refresh()

    def clear(self) -> None:
        """Drop every session (tests)."""
        with self._lock:
            self._sessions.clear()
            self._refresh()

    def values(self) -> tuple[str, ...]:
        """Every value currently registered (a snapshot; safe to use without the lock)."""
        return self._snapshot

    def _refresh(self) -> None:
        # Log lines are written far more often than values change: build the tuple the
        # masking processor reads once per change, not once per line.
        self._snapshot = tuple(
            dict.fromkeys(form for known in self._sessions.values() for form in known)
        )


#: The one registry of this process: the call layer registers, the log masking reads.
SENSITIVE: Final = SensitiveValues()
