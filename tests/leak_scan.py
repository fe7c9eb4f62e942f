"""The leak scanner: find the personal values the tests use, in clear, in stored bytes.

Used by the leak tests (a whole demo call; the whole test run) and by the PostgreSQL fixtures,
which scan each test's schema before dropping it.

A value is searched in every form it could take on disk:

* numbers (resident IDs, mobiles, account numbers, one-time codes) as one run of digits, with
  separators between groups ("310104 1990-0521, 2307"), read out in English words ("three one
  zero, ...") and in Chinese digits ("三一零一零四..."), each in UTF-8 and in UTF-16-LE;
* names as written, Latin names in any case, in UTF-8 and UTF-16-LE.

Numbers are found by first finding every run of digits (a single pass of one regular
expression per form) and then looking the values up in the run, so the cost does not grow
with the number of values. A value inside a longer number does not count (digits on either
side); a one-time code must also stand apart from letters, must not follow a decimal point and
must not be one figure of a list of figures, because six digits occur by chance in hex hashes,
in the microseconds of every stored time and in the amounts of a repayment schedule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Final

from lendline.adapters.sms.outbox import read_outbox

REPO: Final = Path(__file__).resolve().parents[1]
DEMO_REGISTRY: Final = REPO / "src" / "lendline" / "data" / "demo_customers.csv"

#: What may stand between the groups of a number as people, recognisers and formatters write it.
_SEP: Final = rb"[ ,\-]{0,2}"
_EN_WORDS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ZH_DIGITS: Final = "零一二三四五六七八九"
#: Shortest number searched: one-time codes have 4 to 8 digits, six by default.
MIN_DIGITS: Final = 4
#: Digits that may stand right in front of a mobile number (E.164 and the international prefix).
_COUNTRY_CODES: Final = frozenset({"86", "0086"})
#: How much of the surroundings a finding shows.
_CONTEXT: Final = 40


class Kind(Enum):
    """How a value is searched."""

    NUMBER = "number"
    CODE = "code"
    NAME = "name"


@dataclass(frozen=True)
class Needle:
    """One personal value to look for."""

    label: str
    value: str
    kind: Kind

    @property
    def symbols(self) -> str:
        """The value as a number's symbols: digits and a final check character X."""
        return self.value.upper()


@dataclass(frozen=True)
class Finding:
    """One personal value found in clear."""

    label: str
    value: str
    form: str
    where: str
    offset: int
    context: bytes

    def __str__(self) -> str:
        return (
            f"{self.label} {self.value!r} ({self.form}) in {self.where} at offset "
            f"{self.offset}: ...{self.context!r}..."
        )


# ---------------------------------------------------------------------------- number runs

_DIGIT_RUN_UTF8: Final = re.compile(
    rb"[0-9](?:" + _SEP + rb"[0-9]){%d,}(?:" % (MIN_DIGITS - 1) + _SEP + rb"[Xx])?"
)
_DIGIT_RUN_UTF16: Final = re.compile(
    rb"[0-9]\x00(?:(?:[ ,\-]\x00){0,2}[0-9]\x00){%d,}(?:(?:[ ,\-]\x00){0,2}[Xx]\x00)?"
    % (MIN_DIGITS - 1)
)
_EN_WORD: Final = b"(?:" + b"|".join(w.encode() for w in _EN_WORDS) + b")"
#: Matched against the lower-cased blob (a case-insensitive alternation is ten times slower).
_WORD_RUN_EN: Final = re.compile(
    _EN_WORD + rb"(?:[ ,.\-]{1,3}" + _EN_WORD + rb"){%d,}(?:[ ,.\-]{1,3}x)?" % (MIN_DIGITS - 1)
)
_ZH_DIGIT: Final = b"(?:" + b"|".join(ch.encode() for ch in _ZH_DIGITS + "〇幺") + b")"
_ZH_GAP: Final = b"(?:" + "，".encode() + b"|" + "、".encode() + b"|[, ])?"
_WORD_RUN_ZH: Final = re.compile(
    _ZH_DIGIT + b"(?:" + _ZH_GAP + _ZH_DIGIT + b"){%d,}(?:" % (MIN_DIGITS - 1) + _ZH_GAP
    + "叉".encode() + b")?"
)  # fmt: skip
_ZH_VALUES: Final = {ch: str(i) for i, ch in enumerate(_ZH_DIGITS)} | {
    "〇": "0",
    "幺": "1",
    "叉": "X",
}


@dataclass(frozen=True)
class _Run:
    """A run of number symbols found in a blob, with the offset of each symbol."""

    form: str
    symbols: str
    offsets: tuple[int, ...]
    end: int


_NOT_SYMBOL: Final = re.compile(rb"[^0-9Xx]")


def _runs(data: bytes, lowered: bytes, wanted: Callable[[str], bool]) -> Iterator[_Run]:
    """Every run of number symbols in ``data`` whose symbols ``wanted`` may hold a value."""
    for match in _DIGIT_RUN_UTF8.finditer(data):
        symbols = _NOT_SYMBOL.sub(b"", match.group()).decode().upper()
        if not wanted(symbols):
            continue  # most runs are times and counts: skip them before the offsets
        offsets = tuple(
            match.start() + i for i, b in enumerate(match.group()) if chr(b) in "0123456789Xx"
        )
        yield _Run("digits, UTF-8", symbols, offsets, match.end())
    for match in _DIGIT_RUN_UTF16.finditer(data):
        raw = match.group()
        symbols = _NOT_SYMBOL.sub(b"", raw[::2]).decode().upper()
        if not wanted(symbols):
            continue
        offsets = tuple(
            match.start() + i
            for i in range(0, len(raw), 2)
            if chr(raw[i]) in "0123456789Xx" and raw[i + 1] == 0
        )
        yield _Run("digits, UTF-16-LE", symbols, offsets, match.end())
    for match in _WORD_RUN_EN.finditer(lowered):
        if match.start() and chr(lowered[match.start() - 1]).isalpha():
            continue  # "someone two three ...": the run starts inside a word
        if match.end() < len(lowered) and chr(lowered[match.end()]).isalpha():
            continue
        words = [(m.start(), m.group()) for m in re.finditer(rb"[a-z]+", match.group())]
        symbols = "".join("X" if w == b"x" else str(_EN_WORDS.index(w.decode())) for _, w in words)
        offsets = tuple(match.start() + start for start, _ in words)
        yield _Run("read out in English words", symbols, offsets, match.end())
    for match in _WORD_RUN_ZH.finditer(data):
        text = match.group().decode("utf-8")
        symbols, offsets, position = "", [], match.start()
        for ch in text:
            if ch in _ZH_VALUES:
                symbols += _ZH_VALUES[ch]
                offsets.append(position)
            position += len(ch.encode("utf-8"))
        yield _Run("read out in Chinese digits", symbols, tuple(offsets), match.end())


def _stands_apart(data: bytes, start: int, end: int, utf16: bool) -> bool:
    """A code's occurrence is not part of a word, a hex string or a decimal fraction."""
    step = 2 if utf16 else 1
    before = data[start - step] if start >= step else None
    after = data[end] if end < len(data) else None
    for byte in (before, after):
        if byte is not None and (chr(byte).isalnum() and byte < 128):
            return False
    return before != ord(".") and not _among_figures(data, start, end, step)


def _among_figures(data: bytes, start: int, end: int, step: int) -> bool:
    """Whether the six digits are one figure of a list of figures ("[12,441443,437505,...").

    A stored repayment schedule lists thousands of amounts in minor units; a random one-time
    code equals one of them now and then (a whole run once found 441443 there). A code is
    never stored as one number among numbers.
    """
    before, after = data[max(0, start - 2 * step) : start], data[end : end + 2 * step]
    comma = b"," + (b"\x00" if step == 2 else b"")
    return (
        before.endswith(comma)
        and before[:1].isdigit()
        and after.startswith(comma)
        and after[step : step + 1].isdigit()
    )


# ---------------------------------------------------------------------------- the scanner


@dataclass
class Scanner:
    """Searches blobs for a fixed set of values; built once, used on many blobs."""

    needles: tuple[Needle, ...]
    _numbers: dict[str, list[Needle]] = field(init=False, default_factory=dict)
    _names: list[tuple[Needle, str, bool, re.Pattern[bytes]]] = field(
        init=False, default_factory=list
    )

    def __post_init__(self) -> None:
        for needle in self.needles:
            if needle.kind is Kind.NAME:
                for encoding in ("utf-8", "utf-16-le"):
                    pattern = re.escape(needle.value.encode(encoding))
                    latin = needle.value.isascii()
                    if latin:  # searched in the lower-cased blob
                        pattern = re.escape(needle.value.lower().encode(encoding))
                    form = f"{'any case' if latin else 'as written'}, {encoding.upper()}"
                    self._names.append((needle, form, latin, re.compile(pattern)))
            else:
                if len(needle.symbols) < MIN_DIGITS:
                    raise ValueError(f"{needle.label}: numbers shorter than {MIN_DIGITS} digits")
                self._numbers.setdefault(needle.symbols, []).append(needle)
        self._lengths = sorted({len(symbols) for symbols in self._numbers})

    def scan(self, where: str, data: bytes) -> list[Finding]:
        """Every needle found in ``data`` (``where`` names the blob in the findings)."""
        findings: list[Finding] = []
        lowered = data.lower()  # ASCII letters only: offsets stay where they were
        for run in _runs(data, lowered, self._holds_a_value):
            findings.extend(self._in_run(where, data, run))
        for needle, form, latin, pattern in self._names:
            for match in pattern.finditer(lowered if latin else data):
                findings.append(
                    self._finding(needle, form, where, data, match.start(), match.end())
                )
        return findings

    def _holds_a_value(self, symbols: str) -> bool:
        return any(
            symbols[i : i + length] in self._numbers
            for length in self._lengths
            for i in range(len(symbols) - length + 1)
        )

    def _in_run(self, where: str, data: bytes, run: _Run) -> Iterator[Finding]:
        utf16 = "UTF-16" in run.form
        for length in self._lengths:
            if length > len(run.symbols):
                break
            for i in range(len(run.symbols) - length + 1):
                for needle in self._numbers.get(run.symbols[i : i + length], ()):
                    start = run.offsets[i]
                    last = run.offsets[i + length - 1]
                    end = last + (2 if utf16 else 1)
                    if run.form.startswith("read out"):
                        end = run.end if i + length == len(run.symbols) else run.offsets[i + length]
                    # Digits either side make it part of a longer number, except a country
                    # code in front of a mobile (+8613700137000).
                    if (
                        i > 0
                        and run.offsets[i] - run.offsets[i - 1] <= (2 if utf16 else 1)
                        and run.symbols[:i] not in _COUNTRY_CODES
                    ):
                        continue
                    if i + length < len(run.symbols) and (
                        run.offsets[i + length] - last <= (2 if utf16 else 1)
                    ):
                        continue
                    if needle.kind is Kind.CODE and not (
                        run.form.startswith("read out") or _stands_apart(data, start, end, utf16)
                    ):
                        continue
                    yield self._finding(needle, run.form, where, data, start, end)

    @staticmethod
    def _finding(
        needle: Needle, form: str, where: str, data: bytes, start: int, end: int
    ) -> Finding:
        return Finding(
            label=needle.label,
            value=needle.value,
            form=form,
            where=where,
            offset=start,
            context=data[max(0, start - _CONTEXT) : end + _CONTEXT],
        )


def scan(blobs: Mapping[str, bytes], needles: Iterable[Needle]) -> list[Finding]:
    """Every needle found in any of the blobs."""
    scanner = Scanner(tuple(needles))
    return [finding for where, data in blobs.items() for finding in scanner.scan(where, data)]


# ---------------------------------------------------------------------------- what to look for

#: Values written in the test sources: resident IDs, mobiles, and names given as full names.
_ID_LITERAL: Final = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
_MOBILE_LITERAL: Final = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_NAME_LITERAL: Final = re.compile(r"\b(?:full_name|NAME)\s*=\s*\"([^\"]{2,20})\"")
#: What a person's name looks like: two to five Chinese characters, or "Given Family".
_PERSON_NAME: Final = re.compile(r"[\u4e00-\u9fff]{2,5}|[A-Z][a-z]+ [A-Z][a-z]+")


def _valid_resident_id(value: str) -> bool:
    from lendline.identity.resident_id import InvalidResidentId, ResidentId

    try:
        ResidentId(value.upper())
    except InvalidResidentId:
        return False
    return True


def suite_needles(sources: Iterable[Path] = ()) -> list[Needle]:
    """The personal values the tests use: the demo registry and the literals in ``sources``.

    ``sources`` are Python files (the tests, the demo borrowers); from them come every
    resident ID with a valid check digit, every mobile-shaped number and every name given as
    ``full_name="..."`` or ``NAME = "..."``.
    """
    found: dict[tuple[str, Kind], str] = {}
    with DEMO_REGISTRY.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            who = row["customer_id"]
            found[(row["full_name"], Kind.NAME)] = f"name of {who}"
            found[(row["id_number"].upper(), Kind.NUMBER)] = f"resident ID of {who}"
            found[(row["mobile"], Kind.NUMBER)] = f"mobile of {who}"
            found[(row["account_number"], Kind.NUMBER)] = f"account of {who}"
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for value in _ID_LITERAL.findall(text):
            if _valid_resident_id(value):
                found.setdefault((value.upper(), Kind.NUMBER), f"resident ID in {path.name}")
        for value in _MOBILE_LITERAL.findall(text):
            found.setdefault((value, Kind.NUMBER), f"mobile in {path.name}")
        for value in _NAME_LITERAL.findall(text):
            if _PERSON_NAME.fullmatch(value):
                found.setdefault((value, Kind.NAME), f"name in {path.name}")
    return [Needle(label, value, kind) for (value, kind), label in sorted(found.items())]


def suite_sources() -> list[Path]:
    """The Python files whose literals are the suite's personal values."""
    return sorted((REPO / "tests").rglob("*.py")) + sorted(
        (REPO / "src" / "lendline" / "demo").glob("*.py")
    )


_CODE_IN_MESSAGE: Final = re.compile(r"(?<!\d)\d{4,8}(?!\d)")


def codes_sent(outbox: Path) -> list[Needle]:
    """Every one-time code the (simulated) carrier delivered through ``outbox``."""
    codes = []
    for message in read_outbox(outbox):
        if "code" in message.text.lower() or "码" in message.text:
            codes += _CODE_IN_MESSAGE.findall(message.text)
    return [
        Needle(f"one-time code sent to {outbox.parent.name}", code, Kind.CODE) for code in codes
    ]


# ---------------------------------------------------------------------------- where to look

#: Files of the outside world, not LendLine's: the carrier's outbox stands for the borrower's
#: phone (which must show the code it was sent); the simulated bank's own books hold the payee's
#: account number as any bank's do (``payment-rail.db``, or ``bank.db`` where a test builds the
#: simulated bank itself); ``baresip.log`` is the log of the SIP phone a test calls from, the
#: caller's own handset, whose SIP address is the caller's number.
OUTSIDE_WORLD: Final = re.compile(
    r"^(sms-outbox\.jsonl|(payment-rail|bank)\.db(-wal|-journal|-shm)?|baresip\.log)$"
)
#: An access export (``lendline dsr access``) is handed to the person: it is their data in
#: clear by design, and not stored by LendLine.
_HANDED_OVER: Final = re.compile(r"^DSR-[0-9a-f]+$")
_DATABASE_FILE: Final = re.compile(r"\.(db|sqlite3?)(-wal|-journal|-shm)?$")
_LOG_FILE: Final = re.compile(r"\.log(\.[0-9-]+)?$")
#: Directories whose every file LendLine wrote as stored data.
_STORED_DIRS: Final = frozenset({"recordings", "contracts", "logs", "suite-logs"})


def stored_files(root: Path) -> list[Path]:
    """The database files, recordings, contracts and logs under ``root``."""
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or OUTSIDE_WORLD.match(path.name):
            continue
        parts = set(path.relative_to(root).parts[:-1])
        if any(_HANDED_OVER.match(part) for part in parts):
            continue
        if (
            _DATABASE_FILE.search(path.name)
            or _LOG_FILE.search(path.name)
            or path.name.endswith(".enc")
            or parts & _STORED_DIRS
        ):
            found.append(path)
    return found


_TABLES_AS_XML: Final = """
SELECT table_name,
       query_to_xml(format('SELECT * FROM %I.%I', table_schema, table_name), true, false, '')::text
FROM information_schema.tables
WHERE table_schema = :schema AND table_type = 'BASE TABLE'
ORDER BY table_name
"""


def postgres_tables(connection: object, schema: str) -> dict[str, bytes]:
    """Every row of every table of ``schema`` as text (``query_to_xml``), by table name.

    ``connection`` is a SQLAlchemy connection; values are rendered as PostgreSQL renders
    them (bytea in base64), which is how a dump would show them.
    """
    from sqlalchemy import text
    from sqlalchemy.engine import Connection

    assert isinstance(connection, Connection)
    rows = connection.execute(text(_TABLES_AS_XML), {"schema": schema}).all()
    return {f"{schema}.{name}": (xml or "").encode("utf-8") for name, xml in rows}


@dataclass
class SchemaScans:
    """Findings in the PostgreSQL schemas that fixtures scanned just before dropping them."""

    scanned: int = 0
    findings: list[Finding] = field(default_factory=list)
    _scanner: Scanner | None = None

    def scan(self, connection: object, schema: str) -> None:
        """Search every table of ``schema`` for the suite's personal values."""
        if self._scanner is None:
            self._scanner = Scanner(tuple(suite_needles(suite_sources())))
        for where, data in postgres_tables(connection, schema).items():
            self.findings += self._scanner.scan(where, data)
        self.scanned += 1


#: The run's schema scans (the integration fixtures add to it; the whole-run test reads it).
SCHEMA_SCANS: Final = SchemaScans()
