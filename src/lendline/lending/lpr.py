"""The 1-year Loan Prime Rate (LPR) as dated data, for the private-lending rate cap (R7).

The SPC private-lending provisions (2020 rev., Art. 25) cap a private loan's rate at four
times the 1-year LPR in force when the contract is made, so the cap moves whenever the LPR
does. The rates are data, never constants in code (DOMAIN-NOTES §1.4): a CSV table of the
dates the rate changed (``lendline/data/lpr_1y.csv`` ships with the package), read with the
standard library. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Final

#: The columns of an LPR table, in order.
LPR_COLUMNS: Final = ("effective_date", "rate")

#: A 1-year LPR outside (0, 20 %) is a typo (a percent written as a fraction, say), not data.
_MAX_PLAUSIBLE_RATE: Final = Decimal("0.20")


class LprTableError(ValueError):
    """Raised when an LPR table cannot be read; the message names the file and the line."""


class LprNotPublished(LookupError):
    """Raised when the LPR is asked for a day before the table's first rate."""


@dataclass(frozen=True, slots=True)
class LprTable:
    """The 1-year LPR by the date each rate took effect.

    Parameters:
        changes: ``(effective date, rate)`` pairs, dates strictly ascending; each rate applies
            from its date until the next one.
        source: where the table was read from, for error messages.
    """

    changes: tuple[tuple[date, Decimal], ...]
    source: str = "<table>"

    def __post_init__(self) -> None:
        if not self.changes:
            raise LprTableError(f"{self.source}: an LPR table needs at least one rate")
        days = [day for day, _ in self.changes]
        if any(earlier >= later for earlier, later in pairwise(days)):
            raise LprTableError(f"{self.source}: effective dates must be strictly ascending")
        for day, rate in self.changes:
            if isinstance(day, datetime):
                raise LprTableError(f"{self.source}: {day} is a date and time, not a date")
            if not 0 < rate < _MAX_PLAUSIBLE_RATE:
                raise LprTableError(
                    f"{self.source}: rate {rate} from {day} is not a fraction in (0, 0.20)"
                )

    @property
    def first_date(self) -> date:
        """The first day the table has a rate for."""
        return self.changes[0][0]

    @property
    def last_change(self) -> date:
        """The date of the latest change the table knows of."""
        return self.changes[-1][0]

    def rate_on(self, day: date) -> Decimal:
        """Return the 1-year LPR in force on ``day``.

        Args:
            day: a calendar day in China (a contract date); not a ``datetime``, because which
                day an instant falls on depends on the time zone.

        Raises:
            LprNotPublished: if ``day`` is before the table's first rate.
            TypeError: if ``day`` is a ``datetime``.
        """
        if isinstance(day, datetime):
            raise TypeError("pass the contract's calendar day in China, not a datetime")
        index = bisect.bisect_right([change for change, _ in self.changes], day) - 1
        if index < 0:
            raise LprNotPublished(
                f"no 1-year LPR before {self.first_date} in {self.source} (asked for {day})"
            )
        return self.changes[index][1]


def parse_lpr_table(text: str, source: str = "<text>") -> LprTable:
    """Read an LPR table from CSV text (``effective_date,rate``; ``#`` lines are comments).

    Raises:
        LprTableError: on a wrong header, a malformed date or rate, or dates out of order; the
            message names ``source`` and the line.
    """
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise LprTableError(f"{source}: empty LPR table")
    rows = list(csv.reader(io.StringIO("\n".join(line for _, line in numbered))))
    header_line, header = numbered[0][0], tuple(cell.strip() for cell in rows[0])
    if header != LPR_COLUMNS:
        raise LprTableError(
            f"{source}, line {header_line}: header must be {','.join(LPR_COLUMNS)}, "
            f"got {','.join(header)}"
        )
    changes: list[tuple[date, Decimal]] = []
    for (number, _), row in zip(numbered[1:], rows[1:], strict=True):
        where = f"{source}, line {number}"
        if len(row) != len(LPR_COLUMNS):
            raise LprTableError(f"{where}: expected {len(LPR_COLUMNS)} columns, got {len(row)}")
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError as exc:
            raise LprTableError(f"{where}: effective_date {row[0]!r} is not YYYY-MM-DD") from exc
        try:
            rate = Decimal(row[1].strip())
        except InvalidOperation as exc:
            raise LprTableError(f"{where}: rate {row[1]!r} is not a decimal number") from exc
        if not rate.is_finite():
            raise LprTableError(f"{where}: rate {row[1]!r} is not a decimal number")
        changes.append((day, rate))
    return LprTable(tuple(changes), source)


@functools.cache
def _packaged_table() -> LprTable:
    text = files("lendline.data").joinpath("lpr_1y.csv").read_text("utf-8")
    return parse_lpr_table(text, "lpr_1y.csv")


def load_lpr_table(path: Path | None = None) -> LprTable:
    """Load an LPR table from ``path``, or the one that ships with the package.

    Raises:
        LprTableError: if the table is malformed.
        OSError: if ``path`` cannot be read.
    """
    if path is None:
        return _packaged_table()
    return parse_lpr_table(path.read_text("utf-8"), str(path))
