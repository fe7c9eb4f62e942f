"""Repositories over one SQLAlchemy Core connection.

Each repository reads and writes one kind of row inside the caller's transaction (the unit of
work commits); none of them commits on its own. Saves are upserts keyed on the primary key,
written as ``INSERT ... ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL.

The audit log is the one table with an ordering invariant: ``SqlAuditLog.append`` numbers
entries ``last + 1`` while holding a lock that excludes every other appender, in this process
or another (SQLite: the transaction began ``IMMEDIATE``, see ``db.make_engine``; PostgreSQL:
``LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE`` until commit). The primary key on ``seq``
turns any race that slipped through into an error instead of a fork in the chain.

Personal data is sealed on write and opened on read (``subject_keys.ColumnSealer``): customer
fields under ``customer:<id>``, everything a call collected (caller number, dialog state,
declared income, OTP mobile, payout account) under ``session:<id>``. Lookups by value use
blind indexes. After a subject was erased (its key shredded), reading their rows does not
fail: records come back with ``erased=True`` and the personal fields empty (sessions,
applications, OTP challenges, payouts); an erased customer is no longer found by ID number
or mobile, and ``CustomerRepository.get`` raises ``SubjectErased`` (a ``CustomerRecord``
has no empty form).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Row, Table, Text, cast, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lendline.audit.chain import (
    AuditEntry,
    ChainHead,
    ChainVerification,
    next_entry,
    verify_chain,
)
from lendline.audit.merkle import leaf_hash
from lendline.audit.tree_head import SignatureCheck
from lendline.compliance.ports import SubjectErased, customer_subject, session_subject
from lendline.identity.otp import OtpState
from lendline.identity.registry import CustomerRecord
from lendline.persistence import tables as t
from lendline.persistence.db import SQLITE_BEGIN_OPTION
from lendline.persistence.records import (
    ApplicationRecord,
    ConsentRow,
    OtpRecord,
    PayoutRecord,
    SessionRecord,
    TurnText,
)
from lendline.persistence.subject_keys import ColumnSealer
from lendline.persistence.transparency_log import SqlMerkleTree
from lendline.shared.clock import Clock, SystemClock
from lendline.shared.errors import Conflict, DomainError, IntegrityViolation, NotFound
from lendline.shared.money import Money

__all__ = [
    "RESUMABLE_STATUSES",
    "ApplicationRepository",
    "ConsentRepository",
    "CustomerDataError",
    "CustomerRepository",
    "OtpRepository",
    "PayoutRepository",
    "SessionRepository",
    "SqlAuditLog",
    "TurnTextRepository",
]

#: Session statuses a caller can come back to.
#: Sessions a new call or chat from the same number picks up (a noisy call moved to chat
#: is continued in the chat).
RESUMABLE_STATUSES: Final = ("active", "dropped", "moved_to_chat")

#: Rates are written with at least this many decimals (more are kept when present).
RATE_DECIMALS: Final = 8

#: The columns of a customer CSV file, in ``CustomerRecord`` order.
CUSTOMER_CSV_COLUMNS: Final = tuple(f.name for f in fields(CustomerRecord))

_ID_NUMBER: Final = re.compile(r"\d{17}[\dX]")
_MOBILE: Final = re.compile(r"1\d{10}")
_REGISTRY_CURRENCY: Final = "CNY"
# Where csv.DictReader puts values beyond the header; no real column can have this name.
_EXTRA: Final = "\x00extra"


def _upsert(conn: Connection, table: Table, values: Mapping[str, Any], keys: Sequence[str]) -> None:
    """Insert ``values`` or, when the key exists, overwrite the other columns."""
    changed = [name for name in values if name not in keys]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        lite = sqlite.insert(table).values(**values)
        conn.execute(
            lite.on_conflict_do_update(
                index_elements=list(keys), set_={c: lite.excluded[c] for c in changed}
            )
        )
    elif dialect == "postgresql":
        pg = postgresql.insert(table).values(**values)
        conn.execute(
            pg.on_conflict_do_update(
                index_elements=list(keys), set_={c: pg.excluded[c] for c in changed}
            )
        )
    else:
        # Other databases: update, then insert when nothing matched (callers hold the lock).
        where = [table.c[k] == values[k] for k in keys]
        result = conn.execute(update(table).where(*where).values({c: values[c] for c in changed}))
        if result.rowcount == 0:
            conn.execute(insert(table).values(**values))


def _json_text(value: object, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be plain JSON data: {exc}") from exc


def _rate_text(rate: Decimal | None) -> str | None:
    if rate is None:
        return None
    if not rate.is_finite():
        raise ValueError(f"a rate must be finite, got {rate}")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -RATE_DECIMALS:
        rate = rate.quantize(Decimal(1).scaleb(-RATE_DECIMALS))
    return format(rate, "f")


def _rate(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class SessionRepository:
    """Call sessions: saved after every turn, so a dropped call resumes on any instance.

    The caller number and the dialog state are sealed under the session's key; the caller
    number is found again through its blind index.
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def get(self, session_id: str) -> SessionRecord | None:
        """Return the session with this id, if any."""
        row = self._conn.execute(
            select(t.call_sessions).where(t.call_sessions.c.session_id == session_id)
        ).first()
        return None if row is None else self._record(row)

    def latest_resumable_for_caller(
        self, caller_number: str, *, not_before: datetime | None = None
    ) -> SessionRecord | None:
        """Return the caller's most recently updated session that can be resumed.

        Args:
            caller_number: the number the new call comes from.
            not_before: when given, sessions last updated before it are too old to resume.

        Returns:
            The newest ``active``, ``dropped`` or ``moved_to_chat`` session of that caller.
        """
        c = t.call_sessions.c
        query = select(t.call_sessions).where(
            c.caller_number_index == self._sealer.index("caller", caller_number),
            c.status.in_(RESUMABLE_STATUSES),
            c.ended_at.is_(None) | c.status.in_(("dropped", "moved_to_chat")),
        )
        if not_before is not None:
            query = query.where(c.updated_at >= not_before)
        row = self._conn.execute(
            query.order_by(c.updated_at.desc(), c.started_at.desc()).limit(1)
        ).first()
        return None if row is None else self._record(row)

    def save(self, record: SessionRecord) -> None:
        """Insert the session or overwrite the stored one."""
        subject = session_subject(record.session_id)
        seal = self._sealer.seal
        values = {
            "session_id": record.session_id,
            "caller_number": seal(subject, "caller_number", record.caller_number),
            "caller_number_index": self._sealer.index("caller", record.caller_number),
            "channel": record.channel,
            "language": record.language,
            "status": record.status,
            "step": record.step,
            "state": seal(subject, "state", _json_text(record.state, "session state")),
            "application_ref": record.application_ref,
            "started_at": record.started_at,
            "updated_at": record.updated_at,
            "ended_at": record.ended_at,
        }
        _upsert(self._conn, t.call_sessions, values, ["session_id"])

    def _record(self, row: Row[Any]) -> SessionRecord:
        subject = session_subject(row.session_id)
        try:
            caller_number = self._sealer.open(subject, "caller_number", row.caller_number)
            state = json.loads(self._sealer.open(subject, "state", row.state))
            erased = False
        except SubjectErased:
            caller_number, state, erased = "", {}, True
        return SessionRecord(
            session_id=row.session_id,
            caller_number=caller_number,
            channel=row.channel,
            status=row.status,
            step=row.step,
            started_at=row.started_at,
            updated_at=row.updated_at,
            language=row.language,
            state=state,
            application_ref=row.application_ref,
            ended_at=row.ended_at,
            erased=erased,
        )


class ApplicationRepository:
    """Loan applications; the declared income is sealed under the session's key."""

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def get(self, reference: str) -> ApplicationRecord | None:
        """Return the application with this reference, if any."""
        row = self._conn.execute(
            select(t.applications).where(t.applications.c.reference == reference)
        ).first()
        return None if row is None else self._record(row)

    def for_session(self, session_id: str) -> list[ApplicationRecord]:
        """Return the applications a session opened, oldest first."""
        c = t.applications.c
        rows = self._conn.execute(
            select(t.applications)
            .where(c.session_id == session_id)
            .order_by(c.created_at, c.reference)
        )
        return [self._record(row) for row in rows]

    def save(self, record: ApplicationRecord) -> None:
        """Insert the application or overwrite the stored one.

        Raises:
            ValueError: if the declared income is negative (the database cannot check a
                sealed value).
        """
        income: str | None = None
        if record.monthly_income_minor is not None:
            if record.monthly_income_minor < 0:
                raise ValueError("a monthly income cannot be negative")
            income = self._sealer.seal(
                session_subject(record.session_id),
                "monthly_income_minor",
                str(int(record.monthly_income_minor)),
            )
        values = {
            "reference": record.reference,
            "session_id": record.session_id,
            "customer_id": record.customer_id,
            "status": record.status,
            "amount_minor": record.amount_minor,
            "currency": record.currency,
            "term_months": record.term_months,
            "purpose": record.purpose,
            "monthly_income_minor": income,
            "employment": record.employment,
            "decision": record.decision,
            "reasons": _json_text(list(record.reasons), "reasons"),
            "policy_version": record.policy_version,
            "product_code": record.product_code,
            "annual_rate": _rate_text(record.annual_rate),
            "apr": _rate_text(record.apr),
            "monthly_payment_minor": record.monthly_payment_minor,
            "total_repayment_minor": record.total_repayment_minor,
            "contract_sha256": record.contract_sha256,
            "signed_at": record.signed_at,
            "disbursed_at": record.disbursed_at,
            "payout_reference": record.payout_reference,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        }
        _upsert(self._conn, t.applications, values, ["reference"])

    def _record(self, row: Row[Any]) -> ApplicationRecord:
        income: int | None = None
        erased = False
        if row.monthly_income_minor is not None:
            try:
                income = int(
                    self._sealer.open(
                        session_subject(row.session_id),
                        "monthly_income_minor",
                        row.monthly_income_minor,
                    )
                )
            except SubjectErased:
                erased = True
        return ApplicationRecord(
            reference=row.reference,
            session_id=row.session_id,
            status=row.status,
            currency=row.currency,
            created_at=row.created_at,
            updated_at=row.updated_at,
            customer_id=row.customer_id,
            amount_minor=row.amount_minor,
            term_months=row.term_months,
            purpose=row.purpose,
            monthly_income_minor=income,
            employment=row.employment,
            decision=row.decision,
            reasons=[] if row.reasons is None else list(json.loads(row.reasons)),
            policy_version=row.policy_version,
            product_code=row.product_code,
            annual_rate=_rate(row.annual_rate),
            apr=_rate(row.apr),
            monthly_payment_minor=row.monthly_payment_minor,
            total_repayment_minor=row.total_repayment_minor,
            contract_sha256=row.contract_sha256,
            signed_at=row.signed_at,
            disbursed_at=row.disbursed_at,
            payout_reference=row.payout_reference,
            erased=erased,
        )


class CustomerDataError(DomainError):
    """Raised when a customer file has bad rows; ``problems`` names each line and field."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s), nothing loaded:\n{listing}")


class CustomerRepository:
    """The lender's customer registry, kept in the ``customers`` table.

    Implements the ``CustomerRegistry`` port of the identity context. Every personal field
    is sealed under the customer's key; the ID number and the mobile are found through their
    blind indexes, which erasure clears, so an erased customer is not found any more.
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def find_by_id_number(self, id_number: str) -> CustomerRecord | None:
        """Return the customer with this resident ID number (``x`` or ``X``), if any."""
        index = self._sealer.index("id_number", id_number)
        row = self._conn.execute(
            select(t.customers).where(t.customers.c.id_number_index == index)
        ).first()
        return None if row is None else self._found(row)

    def find_by_mobile(self, mobile: str) -> list[CustomerRecord]:
        """Return the customers registered with this mobile number."""
        index = self._sealer.index("mobile", mobile)
        rows = self._conn.execute(
            select(t.customers)
            .where(t.customers.c.mobile_index == index)
            .order_by(t.customers.c.customer_id)
        )
        return [record for row in rows if (record := self._found(row)) is not None]

    def get(self, customer_id: str) -> CustomerRecord | None:
        """Return the customer with this registry id, if any.

        Raises:
            SubjectErased: if the customer's personal data was erased.
        """
        row = self._conn.execute(
            select(t.customers).where(t.customers.c.customer_id == customer_id)
        ).first()
        return None if row is None else self._record(row)

    def _found(self, row: Row[Any]) -> CustomerRecord | None:
        # A lookup racing an erasure finds nobody rather than failing.
        try:
            return self._record(row)
        except SubjectErased:
            return None

    def count(self) -> int:
        """Return how many customers the registry holds."""
        return int(self._conn.execute(select(func.count()).select_from(t.customers)).scalar_one())

    def save(self, record: CustomerRecord) -> None:
        """Insert the customer or overwrite the one with the same ``customer_id``.

        Raises:
            ValueError: if the monthly income is negative.
            SubjectErased: if this customer was erased (nothing is stored for them again).
        """
        income = Money.of(record.monthly_income, _REGISTRY_CURRENCY).to_minor()
        if income < 0:
            raise ValueError("a monthly income cannot be negative")
        subject = customer_subject(record.customer_id)

        def seal(field: str, value: str) -> str:
            return self._sealer.seal(subject, field, value)

        values = {
            "customer_id": record.customer_id,
            "full_name": seal("full_name", record.full_name),
            "id_number": seal("id_number", record.id_number.strip().upper()),
            "id_number_index": self._sealer.index("id_number", record.id_number),
            "mobile": seal("mobile", record.mobile),
            "mobile_index": self._sealer.index("mobile", record.mobile),
            "city": seal("city", record.city),
            "employer": seal("employer", record.employer),
            "bank_name": record.bank_name,
            "account_number": seal("account_number", record.account_number),
            "customer_since": record.customer_since,
            "monthly_income_minor": seal("monthly_income_minor", str(income)),
            "currency": _REGISTRY_CURRENCY,
        }
        _upsert(self._conn, t.customers, values, ["customer_id"])

    def load_csv(self, path: str | Path) -> int:
        """Load (insert or update) customers from a CSV file.

        The header names the ``CustomerRecord`` fields; ``customer_since`` is ``YYYY-MM-DD``
        and ``monthly_income`` is in yuan with at most 2 decimals. Every row is checked before
        anything is written; if any is bad, nothing is loaded.

        Args:
            path: the CSV file (UTF-8, a byte-order mark is allowed).

        Returns:
            The number of customers loaded.

        Raises:
            CustomerDataError: listing every bad line with what is wrong.
        """
        source = Path(path)
        records, problems = self._parse_csv(source)
        problems += self._clashes_with_stored(records)
        if problems:
            raise CustomerDataError(source.name, problems)
        for _line, record in records:
            self.save(record)
        return len(records)

    def _parse_csv(self, source: Path) -> tuple[list[tuple[int, CustomerRecord]], list[str]]:
        problems: list[str] = []
        records: list[tuple[int, CustomerRecord]] = []
        with source.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restkey=_EXTRA)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [c for c in CUSTOMER_CSV_COLUMNS if c not in header]
            unknown = [c for c in header if c not in CUSTOMER_CSV_COLUMNS]
            if missing or unknown:
                if missing:
                    problems.append(f"line 1: missing column(s): {', '.join(missing)}")
                if unknown:
                    problems.append(f"line 1: unknown column(s): {', '.join(unknown)}")
                return records, problems
            reader.fieldnames = header
            seen_ids: dict[str, int] = {}
            seen_numbers: dict[str, int] = {}
            for row in reader:
                line = reader.line_num
                record, row_problems = _parse_customer_row(row)
                problems += [f"line {line}: {p}" for p in row_problems]
                if record is None:
                    continue
                for key, seen, label in (
                    (record.customer_id, seen_ids, "customer_id"),
                    (record.id_number, seen_numbers, "id_number"),
                ):
                    if key in seen:
                        problems.append(f"line {line}: {label} {key!r} repeats line {seen[key]}")
                    seen.setdefault(key, line)
                records.append((line, record))
        return records, problems

    def _clashes_with_stored(self, records: list[tuple[int, CustomerRecord]]) -> list[str]:
        # An ID number may move only with its own customer: another customer holding it
        # would otherwise make the unique index fail halfway through the load.
        problems = []
        for line, record in records:
            index = self._sealer.index("id_number", record.id_number)
            owner = self._conn.execute(
                select(t.customers.c.customer_id).where(t.customers.c.id_number_index == index)
            ).scalar_one_or_none()
            if owner is not None and owner != record.customer_id:
                problems.append(
                    f"line {line}: id_number {record.id_number!r} already belongs to "
                    f"customer {owner!r}"
                )
        return problems

    def _record(self, row: Row[Any]) -> CustomerRecord:
        subject = customer_subject(row.customer_id)

        def opened(field: str) -> str:
            return self._sealer.open(subject, field, getattr(row, field))

        return CustomerRecord(
            customer_id=row.customer_id,
            full_name=opened("full_name"),
            id_number=opened("id_number"),
            mobile=opened("mobile"),
            city=opened("city"),
            employer=opened("employer"),
            bank_name=row.bank_name,
            account_number=opened("account_number"),
            customer_since=row.customer_since,
            monthly_income=Money.from_minor(
                int(opened("monthly_income_minor")), row.currency
            ).amount,
        )


def _parse_customer_row(row: Mapping[str, Any]) -> tuple[CustomerRecord | None, list[str]]:
    """Check one CSV row; return the record (None if bad) and what is wrong with it."""
    problems: list[str] = []
    extra = row.get(_EXTRA)
    if extra:
        problems.append(f"{len(extra)} value(s) more than there are columns")
    text: dict[str, str] = {}
    for name in CUSTOMER_CSV_COLUMNS:
        value = row.get(name)
        if value is None or not value.strip():
            problems.append(f"{name} is empty")
        else:
            text[name] = value.strip()
    if problems:
        return None, problems

    id_number = text["id_number"].upper()
    if not _ID_NUMBER.fullmatch(id_number):
        problems.append(f"id_number {text['id_number']!r} is not 17 digits and a digit or X")
    if not _MOBILE.fullmatch(text["mobile"]):
        problems.append(f"mobile {text['mobile']!r} is not an 11-digit number starting with 1")
    since: date | None = None
    try:
        since = date.fromisoformat(text["customer_since"])
    except ValueError:
        problems.append(f"customer_since {text['customer_since']!r} is not a YYYY-MM-DD date")
    income: Decimal | None = None
    try:
        income = Decimal(text["monthly_income"])
    except InvalidOperation:
        problems.append(f"monthly_income {text['monthly_income']!r} is not a number")
    if income is not None:
        exponent = income.as_tuple().exponent
        if not income.is_finite() or income < 0:
            problems.append(f"monthly_income {text['monthly_income']!r} must be 0 or more")
        elif isinstance(exponent, int) and exponent < -2:
            problems.append(f"monthly_income {text['monthly_income']!r} has more than 2 decimals")
    if problems or since is None or income is None:
        return None, problems
    record = CustomerRecord(
        customer_id=text["customer_id"],
        full_name=text["full_name"],
        id_number=id_number,
        mobile=text["mobile"],
        city=text["city"],
        employer=text["employer"],
        bank_name=text["bank_name"],
        account_number=text["account_number"],
        customer_since=since,
        monthly_income=Money.of(income, _REGISTRY_CURRENCY).rounded().amount,
    )
    return record, problems


class OtpRepository:
    """One-time-code challenges, one per session, with the mobile the codes go to."""

    def __init__(
        self, conn: Connection, clock: Clock | None = None, sealer: ColumnSealer | None = None
    ) -> None:
        self._conn = conn
        self._clock = clock or SystemClock()
        self._sealer = sealer or ColumnSealer.for_connection(conn, self._clock)

    def get(self, session_id: str) -> OtpState | None:
        """Return the session's challenge state, if it has one."""
        record = self.load(session_id)
        return None if record is None else record.state

    def load(self, session_id: str) -> OtpRecord | None:
        """Return the session's challenge with its mobile, if it has one."""
        row = self._conn.execute(
            select(t.otp_challenges).where(t.otp_challenges.c.session_id == session_id)
        ).first()
        if row is None:
            return None
        state = OtpState(
            sends=row.sends,
            checks=row.checks,
            code_hash=row.code_hash,
            salt=row.salt,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            verified=row.verified,
            locked=row.locked,
        )
        try:
            mobile = self._sealer.open(session_subject(row.session_id), "otp_mobile", row.mobile)
        except SubjectErased:
            return OtpRecord(row.session_id, "", state, row.updated_at, erased=True)
        return OtpRecord(row.session_id, mobile, state, row.updated_at)

    def save(self, session_id: str, mobile: str, state: OtpState) -> None:
        """Insert or overwrite the session's challenge."""
        values = {
            "session_id": session_id,
            "mobile": self._sealer.seal(session_subject(session_id), "otp_mobile", mobile),
            "sends": state.sends,
            "checks": state.checks,
            "code_hash": state.code_hash,
            "salt": state.salt,
            "issued_at": state.issued_at,
            "expires_at": state.expires_at,
            "verified": state.verified,
            "locked": state.locked,
            "updated_at": self._clock.now(),
        }
        _upsert(self._conn, t.otp_challenges, values, ["session_id"])


class ConsentRepository:
    """Consents given or refused during calls; rows are only ever added."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(
        self,
        session_id: str,
        kind: str,
        granted: bool,
        notice_version: str,
        at: datetime,
        audio_offset_ms: int | None = None,
    ) -> ConsentRow:
        """Record one answer to a consent question and return the stored row."""
        values = {
            "session_id": session_id,
            "kind": kind,
            "granted": granted,
            "notice_version": notice_version,
            "at": at,
            "audio_offset_ms": audio_offset_ms,
        }
        result = self._conn.execute(insert(t.consents).values(**values))
        (row_id,) = result.inserted_primary_key or (None,)
        if row_id is None:
            raise IntegrityViolation("the database gave no id for a new consent row")
        return ConsentRow(
            id=int(row_id),
            session_id=session_id,
            kind=kind,
            granted=granted,
            notice_version=notice_version,
            at=at,
            audio_offset_ms=audio_offset_ms,
        )

    def for_session(self, session_id: str) -> list[ConsentRow]:
        """Return the session's consent answers in the order they were given."""
        c = t.consents.c
        rows = self._conn.execute(
            select(t.consents).where(c.session_id == session_id).order_by(c.at, c.id)
        )
        return [
            ConsentRow(
                id=row.id,
                session_id=row.session_id,
                kind=row.kind,
                granted=row.granted,
                notice_version=row.notice_version,
                at=row.at,
                audio_offset_ms=row.audio_offset_ms,
            )
            for row in rows
        ]


class PayoutRepository:
    """Payout requests, unique per application and per idempotency key.

    The destination account is sealed under the key of the application's call session.
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def _subject(self, application_ref: str) -> str:
        session_id = self._conn.execute(
            select(t.applications.c.session_id).where(t.applications.c.reference == application_ref)
        ).scalar_one_or_none()
        if session_id is None:
            raise NotFound(f"no application {application_ref}")
        return session_subject(session_id)

    def _select(self) -> Any:
        return select(t.payouts, t.applications.c.session_id.label("app_session_id")).join(
            t.applications, t.applications.c.reference == t.payouts.c.application_ref
        )

    def record_request(
        self,
        *,
        application_ref: str,
        idempotency_key: str,
        amount_minor: int,
        currency: str,
        account_number: str,
        requested_at: datetime,
    ) -> PayoutRecord:
        """Record that a payout is about to be sent, once per key.

        A repeat of the same request (same key, application, amount and account) returns
        the stored record unchanged, so a retried command sends the same key to the rail.

        Returns:
            The stored payout (new or existing).

        Raises:
            ValueError: if the amount is not positive.
            Conflict: if the key was used for a different payout, or the application
                already has a payout under another key.
        """
        if amount_minor <= 0:
            raise ValueError(f"a payout amount must be positive, got {amount_minor} minor units")
        wanted = (application_ref, amount_minor, currency, account_number)
        existing = self.by_key(idempotency_key)
        if existing is None:
            values = {
                "application_ref": application_ref,
                "idempotency_key": idempotency_key,
                "amount_minor": amount_minor,
                "currency": currency,
                "account_number": self._sealer.seal(
                    self._subject(application_ref), "payout_account_number", account_number
                ),
                "status": "requested",
                "requested_at": requested_at,
            }
            try:
                # A savepoint keeps the caller's transaction usable if a concurrent request
                # with the same key or application won the race.
                with self._conn.begin_nested():
                    self._conn.execute(insert(t.payouts).values(**values))
            except IntegrityError:
                existing = self.by_key(idempotency_key)
                if existing is None:
                    other = self.for_application(application_ref)
                    if other is not None:
                        raise Conflict(
                            f"application {application_ref} already has a payout under key "
                            f"{other.idempotency_key!r}"
                        ) from None
                    raise
            else:
                created = self.by_key(idempotency_key)
                if created is None:
                    raise IntegrityViolation(f"payout {idempotency_key!r} vanished after insert")
                return created
        stored = (
            existing.application_ref,
            existing.amount_minor,
            existing.currency,
            existing.account_number,
        )
        if stored != wanted:
            raise Conflict(
                f"idempotency key {idempotency_key!r} was used for a different payout "
                f"({existing.application_ref}, {existing.amount_minor} {existing.currency})"
            )
        return existing

    def mark_completed(
        self, idempotency_key: str, rail_reference: str, completed_at: datetime
    ) -> PayoutRecord:
        """Record the rail's acceptance of a payout; a repeat with the same reference is a no-op.

        Raises:
            NotFound: if no payout has this key.
            Conflict: if it was already completed under another rail reference.
        """
        existing = self.by_key(idempotency_key)
        if existing is None:
            raise NotFound(f"no payout with idempotency key {idempotency_key!r}")
        if existing.status == "completed":
            if existing.rail_reference != rail_reference:
                raise Conflict(
                    f"payout {idempotency_key!r} already completed as {existing.rail_reference}"
                )
            return existing
        self._conn.execute(
            update(t.payouts)
            .where(t.payouts.c.idempotency_key == idempotency_key)
            .values(status="completed", rail_reference=rail_reference, completed_at=completed_at)
        )
        existing.status = "completed"
        existing.rail_reference = rail_reference
        existing.completed_at = completed_at
        return existing

    def mark_failed(self, idempotency_key: str, failed_at: datetime) -> PayoutRecord:
        """Record that the rail refused a payout for good (no money moved).

        Raises:
            NotFound: if no payout has this key.
            Conflict: if it was already completed: money that moved cannot be un-sent here.
        """
        existing = self.by_key(idempotency_key)
        if existing is None:
            raise NotFound(f"no payout with idempotency key {idempotency_key!r}")
        if existing.status == "completed":
            raise Conflict(f"payout {idempotency_key!r} was completed; it cannot fail now")
        self._conn.execute(
            update(t.payouts)
            .where(t.payouts.c.idempotency_key == idempotency_key)
            .values(status="failed", completed_at=failed_at)
        )
        existing.status = "failed"
        existing.completed_at = failed_at
        return existing

    def by_key(self, idempotency_key: str) -> PayoutRecord | None:
        """Return the payout with this idempotency key, if any."""
        row = self._conn.execute(
            self._select().where(t.payouts.c.idempotency_key == idempotency_key)
        ).first()
        return None if row is None else self._record(row)

    def for_application(self, application_ref: str) -> PayoutRecord | None:
        """Return the application's payout, if one was requested."""
        row = self._conn.execute(
            self._select().where(t.payouts.c.application_ref == application_ref)
        ).first()
        return None if row is None else self._record(row)

    def _record(self, row: Row[Any]) -> PayoutRecord:
        try:
            account_number = self._sealer.open(
                session_subject(row.app_session_id), "payout_account_number", row.account_number
            )
            erased = False
        except SubjectErased:
            account_number, erased = "", True
        return PayoutRecord(
            id=row.id,
            application_ref=row.application_ref,
            idempotency_key=row.idempotency_key,
            amount_minor=row.amount_minor,
            currency=row.currency,
            account_number=account_number,
            status=row.status,
            requested_at=row.requested_at,
            rail_reference=row.rail_reference,
            completed_at=row.completed_at,
            erased=erased,
        )


class TurnTextRepository:
    """What callers said, turn by turn, sealed under the session's key (``call_turn_texts``).

    The audit event ``call.turn`` holds only ``caller_text_commitment`` =
    SHA-256(salt || text); the text and its salt are kept here, so the transcript can be
    checked against the chain and still be erased (shredding the session key).
    """

    def __init__(self, conn: Connection, sealer: ColumnSealer | None = None) -> None:
        self._conn = conn
        self._sealer = sealer or ColumnSealer.for_connection(conn)

    def add(self, session_id: str, turn: int, text: str, salt: str, at: datetime) -> None:
        """Store one turn's caller text with the salt of its commitment."""
        body = _json_text({"salt": salt, "text": text}, "turn text")
        sealed = self._sealer.seal(session_subject(session_id), f"turn_text:{turn}", body)
        self._conn.execute(
            insert(t.call_turn_texts).values(
                session_id=session_id, turn=turn, sealed_text=sealed, at=at
            )
        )

    def for_session(self, session_id: str) -> list[TurnText]:
        """The session's turn texts in the order they were said.

        Raises:
            SubjectErased: if the session's personal data was erased.
        """
        c = t.call_turn_texts.c
        rows = self._conn.execute(
            select(t.call_turn_texts).where(c.session_id == session_id).order_by(c.id)
        )
        found = []
        for row in rows:
            body = json.loads(
                self._sealer.open(
                    session_subject(session_id), f"turn_text:{row.turn}", row.sealed_text
                )
            )
            found.append(TurnText(row.session_id, row.turn, body["text"], body["salt"], row.at))
        return found


class SqlAuditLog:
    """The audit chain in the ``audit_log`` table.

    Appends must run in a transaction that writes (the default on every connection from
    ``make_engine``); the lock they take is held until that transaction ends, so keep
    audit-writing transactions short.
    """

    def __init__(self, conn: Connection, clock: Clock | None = None) -> None:
        self._conn = conn
        self._clock = clock or SystemClock()

    def append(
        self,
        kind: str,
        session_id: str | None,
        payload: Mapping[str, object],
        at: datetime | None = None,
    ) -> AuditEntry:
        """Seal and store the next entry of the chain.

        Args:
            kind: what happened (e.g. ``"otp.sent"``).
            session_id: the call session it belongs to, if any.
            payload: the details (JSON-like; Decimal, dates and UUIDs become strings).
            at: when it happened; now by the unit of work's clock when omitted.

        Returns:
            The stored entry.

        Raises:
            Conflict: if another writer took the same sequence number (the lock was bypassed).
        """
        self._lock()
        entry = next_entry(
            self.head(),
            at=at if at is not None else self._clock.now(),
            session_id=session_id,
            kind=kind,
            payload=payload,
        )
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(t.audit_log).values(
                        seq=entry.seq,
                        at=entry.at,
                        session_id=entry.session_id,
                        kind=entry.kind,
                        payload=entry.payload_json,
                        prev_hash=entry.prev_hash,
                        hash=entry.hash,
                    )
                )
            # The Merkle leaf goes in with the entry, under the same lock and transaction, so
            # the tree always has exactly one leaf per entry.
            self.tree.append_leaf(entry.seq - 1, leaf_hash(entry.leaf_data))
        except IntegrityError as exc:
            raise Conflict(f"another writer appended audit entry {entry.seq} first") from exc
        return entry

    @property
    def tree(self) -> SqlMerkleTree:
        """The Merkle tree over the entries: roots, proofs and signed heads."""
        return SqlMerkleTree(self._conn)

    def head(self) -> ChainHead | None:
        """Return the last entry's sequence number and hash, or None for an empty log."""
        c = t.audit_log.c
        row = self._conn.execute(select(c.seq, c.hash).order_by(c.seq.desc()).limit(1)).first()
        return None if row is None else ChainHead(int(row.seq), row.hash)

    def entries(self, session_id: str | None = None) -> list[AuditEntry]:
        """Return the stored entries in chain order, only one session's when given.

        Raises:
            IntegrityViolation: if a stored payload is not readable JSON.
        """
        return list(self._stream(session_id))

    def entries_about(self, session_id: str, reference: str) -> list[AuditEntry]:
        """The entries of one application: its call session's, and those naming its reference.

        Events about the loan made after the call (payouts, repayments) carry no session but
        name the reference in their payload.
        """
        c = t.audit_log.c
        # The payload is canonical JSON, so the member is spelled exactly this way; the LIKE
        # only narrows the scan, the exact test is made on the parsed payload below.
        member = f'%"reference":{json.dumps(reference, ensure_ascii=False)}%'
        query = (
            select(t.audit_log)
            .where(or_(c.session_id == session_id, c.payload.like(member)))
            .order_by(c.seq)
        )
        found = []
        for row in self._conn.execute(query):
            entry = _audit_entry(row)
            if entry.session_id == session_id or entry.payload.get("reference") == reference:
                found.append(entry)
        return found

    def verify(
        self,
        head: ChainHead | None = None,
        *,
        public_keys: Mapping[str, bytes] | None = None,
        signature_check: SignatureCheck | None = None,
    ) -> ChainVerification:
        """Recompute the chain, the Merkle tree and the signed heads; say where they break.

        The chain is checked first (it names the first altered, missing or misplaced entry);
        then every stored tree node is recomputed from the entries' leaves and every signed
        head's root (and, given the keys, its signature) is checked against them.

        Args:
            head: a checkpoint kept elsewhere (see ``verify_chain``), to expose truncation.
            public_keys: the log's public keys by key id, to check the heads' signatures.
            signature_check: verifies one signature (public key, message, signature).
        """
        unreadable: list[str] = []
        leaves: list[bytes] = []

        def readable() -> Generator[AuditEntry, None, None]:
            try:
                for entry in self._stream(None):
                    leaves.append(leaf_hash(entry.leaf_data))
                    yield entry
            except IntegrityViolation as exc:
                unreadable.append(str(exc))

        stream = readable()
        try:
            result = verify_chain(stream, head=head)
        finally:
            # Verification may stop at the first bad entry; closing the stream closes the
            # server-side cursor now instead of whenever the generator is collected.
            stream.close()
        if result.ok and unreadable:
            return ChainVerification(False, result.checked + 1, result.checked + 1, unreadable[0])
        if not result.ok:
            return result
        tree = self.tree.check(leaves, public_keys=public_keys, signature_check=signature_check)
        if not tree.ok:
            return ChainVerification(False, result.checked, tree.seq, tree.problem)
        return result

    def _lock(self) -> None:
        dialect = self._conn.dialect.name
        if dialect == "postgresql":
            # Excludes other appenders (and itself) but not readers, until the commit.
            self._conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
        elif dialect == "sqlite":
            mode = self._conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
            if str(mode).upper() == "DEFERRED":
                raise RuntimeError(
                    "audit appends need a writing transaction (BEGIN IMMEDIATE); "
                    "this connection was opened read-only"
                )

    def _stream(self, session_id: str | None) -> Iterator[AuditEntry]:
        c = t.audit_log.c
        query = select(t.audit_log).order_by(c.seq)
        if self._conn.dialect.name == "sqlite":
            # SQLite keeps times as text and reads them leniently: an edited separator can
            # parse to the same instant. The stored text is checked against the one form
            # LendLine writes (see ``_audit_entry``).
            query = query.add_columns(cast(c.at, Text).label("at_text"))
        if session_id is not None:
            query = query.where(c.session_id == session_id)
        # Rows arrive in batches, so a long log is verified without loading it whole.
        last = 0
        # Per statement: Connection.execution_options would change the connection itself.
        with self._conn.execute(query, execution_options={"yield_per": 1000}) as rows:
            iterator = iter(rows)
            while True:
                try:
                    row = next(iterator)
                except StopIteration:
                    return
                except (ValueError, TypeError) as exc:
                    # A stored value the column type cannot read (an edited timestamp).
                    raise IntegrityViolation(
                        f"audit entry after {last}: a stored value is unreadable: {exc}"
                    ) from exc
                entry = _audit_entry(row)
                last = entry.seq
                yield entry


#: How SQLAlchemy writes a UTC time into SQLite (always with microseconds).
_SQLITE_TIME_TEXT: Final = "%Y-%m-%d %H:%M:%S.%f"


def _audit_entry(row: Row[Any]) -> AuditEntry:
    try:
        payload = json.loads(row.payload)
        entry = AuditEntry(
            seq=int(row.seq),
            at=row.at,
            session_id=row.session_id,
            kind=row.kind,
            payload=payload,
            prev_hash=row.prev_hash,
            hash=row.hash,
        )
    except (ValueError, TypeError) as exc:
        raise IntegrityViolation(f"audit entry {row.seq}: payload unreadable: {exc}") from exc
    if entry.payload_json != row.payload:
        # Stored text is always canonical; any other spelling was written by hand.
        raise IntegrityViolation(f"audit entry {row.seq}: payload text is not canonical")
    at_text = row._mapping.get("at_text")
    if at_text is not None and at_text != entry.at.strftime(_SQLITE_TIME_TEXT):
        raise IntegrityViolation(f"audit entry {row.seq}: stored time text was edited")
    return entry
