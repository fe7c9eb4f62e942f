"""Clocks: the core never reads the system time directly, so tests and replays control it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

#: The lender's business time zone: due dates and "today" of servicing are days in China.
BUSINESS_TZ: Final = ZoneInfo("Asia/Shanghai")


def business_day(instant: datetime) -> date:
    """Return the calendar day in the lender's time zone at ``instant`` (an aware time)."""
    if instant.utcoffset() is None:
        raise ValueError("business days are taken from timezone-aware times")
    return instant.astimezone(BUSINESS_TZ).date()


class Clock(Protocol):
    """Tells the current time, always UTC-aware."""

    def now(self) -> datetime:
        """Return the current instant (UTC)."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current instant (UTC)."""
        return datetime.now(UTC)


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("clock times must be timezone-aware")

    def now(self) -> datetime:
        """Return the instant the clock is set to."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta
