"""LendLine's tables, declared with SQLAlchemy Core.

The migration in ``migrations/versions`` builds exactly these tables; a test compares the two
on SQLite and PostgreSQL. Conventions:

- Money is an integer count of minor units (``*_minor``, BIGINT) next to its ``currency``.
- Times are timezone-aware UTC (``UtcDateTime``); SQLite keeps no offset, so values are
  stored as UTC and given back their ``UTC`` tzinfo when read.
- Rates are Decimal written as text with at least 8 decimals, never floats.
- JSON documents (session state, reason codes, audit payloads) are stored as text, so both
  databases keep exactly the bytes that were written (the audit chain hashes that text).
- Constraints are named by ``NAMING_CONVENTION`` so migrations can refer to them.
- Personal data is stored encrypted (PIPL; see ``subject_keys`` and ``repositories``): those
  columns are ``Text`` holding base64 AES-GCM ciphertext under the data key of the row's
  subject (``customer:<id>`` or ``session:<id>``). Equality lookups go through ``*_index``
  columns, keyed hashes (HMAC) of the normalised value; they are cleared when the subject is
  erased. Numbers that are personal (income) are ciphertext too, so the database cannot check
  their sign: the repositories do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "NAMING_CONVENTION",
    "UtcDateTime",
    "applications",
    "audit_log",
    "audit_tree_heads",
    "audit_tree_nodes",
    "call_sessions",
    "call_turn_texts",
    "consent_withdrawals",
    "consents",
    "customers",
    "data_subject_requests",
    "ledger_entries",
    "ledger_postings",
    "legal_holds",
    "loans",
    "metadata",
    "otp_challenges",
    "outbox",
    "payouts",
    "subject_keys",
]

NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: Final = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always written and read as UTC.

    Naive datetimes are refused on the way in: their meaning depends on the machine.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Check the value is aware and convert it to UTC before it is written."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing naive datetime {value!r}; use an aware UTC time")
        utc = value.astimezone(UTC)
        # SQLite stores no offset; writing naive UTC keeps the text sortable and unambiguous.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give the value read back its UTC tzinfo."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(name: str, *, nullable: bool = False) -> Column[datetime]:
    return Column(name, UtcDateTime(), nullable=nullable)


customers: Final = Table(
    "customers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    # Sealed under the customer's key (subject ``customer:<customer_id>``).
    Column("full_name", Text(), nullable=False),
    Column("id_number", Text(), nullable=False),
    # Keyed hashes for lookups; NULL once the customer is erased.
    Column("id_number_index", String(64), nullable=True, unique=True),
    Column("mobile", Text(), nullable=False),
    Column("mobile_index", String(64), nullable=True, index=True),
    Column("city", Text(), nullable=False),
    Column("employer", Text(), nullable=False),
    Column("bank_name", String(100), nullable=False),
    Column("account_number", Text(), nullable=False),
    Column("customer_since", Date(), nullable=False),
    Column("monthly_income_minor", Text(), nullable=False),
    Column("currency", String(3), nullable=False),
)

call_sessions: Final = Table(
    "call_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    # Sealed under the session's key (subject ``session:<session_id>``), like ``state``
    # (the dialog's slots hold the caller's name, ID number, mobile and answers).
    Column("caller_number", Text(), nullable=False),
    Column("caller_number_index", String(64), nullable=True, index=True),
    Column("channel", String(16), nullable=False),
    Column("language", String(8), nullable=True),
    Column("status", String(16), nullable=False),
    Column("step", String(64), nullable=False),
    Column("state", Text(), nullable=False),
    Column("application_ref", String(32), nullable=True),
    _ts("started_at"),
    _ts("updated_at"),
    _ts("ended_at", nullable=True),
)

applications: Final = Table(
    "applications",
    metadata,
    Column("reference", String(32), primary_key=True),
    Column(
        "session_id",
        String(64),
        ForeignKey("call_sessions.session_id"),
        nullable=False,
        index=True,
    ),
    Column("customer_id", String(64), nullable=True, index=True),
    Column("status", String(32), nullable=False),
    Column("amount_minor", BigInteger(), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("term_months", Integer(), nullable=True),
    Column("purpose", String(64), nullable=True),
    # Sealed under the session's key.
    Column("monthly_income_minor", Text(), nullable=True),
    Column("employment", String(64), nullable=True),
    Column("decision", String(16), nullable=True),
    Column("reasons", Text(), nullable=True),
    Column("policy_version", String(32), nullable=True),
    Column("product_code", String(32), nullable=True),
    Column("annual_rate", String(40), nullable=True),
    Column("apr", String(40), nullable=True),
    Column("monthly_payment_minor", BigInteger(), nullable=True),
    Column("total_repayment_minor", BigInteger(), nullable=True),
    Column("contract_sha256", String(64), nullable=True),
    _ts("signed_at", nullable=True),
    _ts("disbursed_at", nullable=True),
    Column("payout_reference", String(64), nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    CheckConstraint("amount_minor > 0", name="amount_minor_positive"),
    CheckConstraint("term_months > 0", name="term_months_positive"),
    CheckConstraint("monthly_payment_minor > 0", name="monthly_payment_positive"),
    CheckConstraint("total_repayment_minor > 0", name="total_repayment_positive"),
)

otp_challenges: Final = Table(
    "otp_challenges",
    metadata,
    Column(
        "session_id",
        String(64),
        ForeignKey("call_sessions.session_id"),
        primary_key=True,
    ),
    # Sealed under the session's key.
    Column("mobile", Text(), nullable=False),
    Column("sends", Integer(), nullable=False),
    Column("checks", Integer(), nullable=False),
    Column("code_hash", String(128), nullable=True),
    Column("salt", String(64), nullable=True),
    _ts("issued_at", nullable=True),
    _ts("expires_at", nullable=True),
    Column("verified", Boolean(), nullable=False),
    Column("locked", Boolean(), nullable=False),
    _ts("updated_at"),
    CheckConstraint("sends >= 0", name="sends_not_negative"),
    CheckConstraint("checks >= 0", name="checks_not_negative"),
)

consents: Final = Table(
    "consents",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column(
        "session_id",
        String(64),
        ForeignKey("call_sessions.session_id"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(64), nullable=False),
    Column("granted", Boolean(), nullable=False),
    Column("notice_version", String(32), nullable=False),
    _ts("at"),
    Column("audio_offset_ms", BigInteger(), nullable=True),
    CheckConstraint("audio_offset_ms >= 0", name="audio_offset_not_negative"),
)

payouts: Final = Table(
    "payouts",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column(
        "application_ref",
        String(32),
        ForeignKey("applications.reference"),
        nullable=False,
        unique=True,
    ),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("currency", String(3), nullable=False),
    # Sealed under the key of the application's session.
    Column("account_number", Text(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("rail_reference", String(64), nullable=True),
    _ts("requested_at"),
    _ts("completed_at", nullable=True),
    CheckConstraint("amount_minor > 0", name="amount_minor_positive"),
)

loans: Final = Table(
    "loans",
    metadata,
    # One loan per signed application; its terms are copied here at booking, so a later
    # change of product never alters what servicing works from.
    Column("reference", String(32), ForeignKey("applications.reference"), primary_key=True),
    Column("principal_minor", BigInteger(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("annual_rate", String(40), nullable=False),
    Column("method", String(32), nullable=False),
    Column("term_months", Integer(), nullable=False),
    Column("product_key", String(64), nullable=False),
    Column("schedule", Text(), nullable=False),
    Column("disbursed_on", Date(), nullable=False),
    _ts("booked_at"),
    CheckConstraint("principal_minor > 0", name="principal_minor_positive"),
    CheckConstraint("term_months > 0", name="term_months_positive"),
)

ledger_entries: Final = Table(
    "ledger_entries",
    metadata,
    Column("entry_id", String(40), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("loan_ref", String(32), ForeignKey("loans.reference"), nullable=False, index=True),
    # One entry per business event: a replayed command finds the entry it already made.
    Column("idempotency_key", String(160), nullable=False, unique=True),
    # At most one reversal per entry; a reversal points at what it undoes.
    Column(
        "reverses", String(40), ForeignKey("ledger_entries.entry_id"), nullable=True, unique=True
    ),
    _ts("occurred_at"),
    _ts("recorded_at"),
)

ledger_postings: Final = Table(
    "ledger_postings",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        String(40),
        ForeignKey("ledger_entries.entry_id"),
        nullable=False,
        index=True,
    ),
    Column("account", String(80), nullable=False, index=True),
    Column("side", String(1), nullable=False),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("currency", String(3), nullable=False),
    CheckConstraint("side IN ('D', 'C')", name="side_debit_or_credit"),
    CheckConstraint("amount_minor > 0", name="amount_minor_positive"),
)

outbox: Final = Table(
    "outbox",
    metadata,
    # Messages written in the same transaction as the change they announce; a relay sends
    # them after the commit and retries until the receiver has them (at least once; the
    # receivers deduplicate by ``key``).
    Column("message_id", String(40), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("key", String(160), nullable=False, unique=True),
    Column("payload", Text(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer(), nullable=False),
    _ts("available_at"),
    _ts("created_at"),
    _ts("done_at", nullable=True),
    Column("last_error", Text(), nullable=True),
    CheckConstraint("status IN ('pending', 'done', 'failed')", name="status_known"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    Index("ix_outbox_status_available_at", "status", "available_at"),
)

audit_log: Final = Table(
    "audit_log",
    metadata,
    # Assigned by the appender (last + 1 under a lock), never by the database: the chain
    # needs gap-free numbers, which sequences do not promise.
    Column("seq", BigInteger(), primary_key=True, autoincrement=False),
    _ts("at"),
    # No foreign key: audit entries outlive the sessions they mention (erasure, retention).
    Column("session_id", String(64), nullable=True, index=True),
    Column("kind", String(64), nullable=False),
    Column("payload", Text(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

audit_tree_nodes: Final = Table(
    "audit_tree_nodes",
    metadata,
    # The perfect subtrees of the audit log's Merkle tree (RFC 6962): level 0 holds the leaf
    # hash of entry ``seq = index + 1``; a node at (level, index) covers leaves
    # [index << level, (index + 1) << level). Each is written once, when its last leaf
    # arrives, and never changes, so proofs for any tree size need only O(log n) rows.
    Column("level", Integer(), primary_key=True, autoincrement=False),
    Column("idx", BigInteger(), primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint("level >= 0 AND level < 64", name="level_in_range"),
    CheckConstraint("idx >= 0", name="idx_not_negative"),
)

audit_tree_heads: Final = Table(
    "audit_tree_heads",
    metadata,
    # Signed tree heads (RFC 6962 TreeHeadSignature): one per published tree size.
    Column("tree_size", BigInteger(), primary_key=True, autoincrement=False),
    Column("root_hash", String(64), nullable=False),
    # Milliseconds since the epoch, exactly as signed (a timestamp column would round).
    Column("timestamp_ms", BigInteger(), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", String(256), nullable=False),
    CheckConstraint("tree_size >= 0", name="tree_size_not_negative"),
)

subject_keys: Final = Table(
    "subject_keys",
    metadata,
    # One data key per subject (``customer:<id>``, ``session:<id>``), wrapped by the KEK
    # ``kek_id``. Shredding empties ``wrapped_key`` and ``kek_id`` and stamps ``shredded_at``;
    # the row stays so the key is never created again.
    Column("subject", String(100), primary_key=True),
    Column("kek_id", String(64), nullable=True, index=True),
    Column("wrapped_key", LargeBinary(), nullable=True),
    _ts("created_at"),
    _ts("shredded_at", nullable=True),
    CheckConstraint("(wrapped_key IS NULL) = (shredded_at IS NOT NULL)", name="key_or_shredded"),
)

call_turn_texts: Final = Table(
    "call_turn_texts",
    metadata,
    # What the caller said in each turn, sealed under the session's key. The audit event
    # ``call.turn`` carries only a salted commitment, SHA-256(salt || text), so the
    # append-only log holds no personal data and a transcript can still be proven against it.
    # A turn number may repeat (a resumed call), so rows have their own id.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("turn", Integer(), nullable=False),
    # JSON {"text", "salt"} sealed under the session's key (subject ``session:<id>``).
    Column("sealed_text", Text(), nullable=False),
    _ts("at"),
    CheckConstraint("turn >= 0", name="turn_not_negative"),
)

data_subject_requests: Final = Table(
    "data_subject_requests",
    metadata,
    # Every data-subject request (PIPL Art. 44-50) and how it ended. The subject is the
    # registry's customer id, never the ID number; ``detail`` holds the legal reason of a
    # refusal or which fields a correction changed -- never the values.
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("customer_id", String(64), nullable=True, index=True),
    _ts("requested_at"),
    _ts("completed_at", nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("detail", Text(), nullable=True),
    Column("operator", String(64), nullable=False),
    CheckConstraint(
        "kind IN ('access', 'correction', 'deletion', 'explanation')", name="kind_known"
    ),
)

legal_holds: Final = Table(
    "legal_holds",
    metadata,
    # A hold keeps a subject's data past every retention period and blocks erasure until
    # released (litigation, a regulator's or a court's request).
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("subject", String(100), nullable=False, index=True),
    # Sealed under the held subject's key: an operator's reason may name a case or a person.
    Column("sealed_reason", Text(), nullable=False),
    Column("placed_by", String(64), nullable=False),
    _ts("placed_at"),
    _ts("released_at", nullable=True),
    Column("released_by", String(64), nullable=True),
)

consent_withdrawals: Final = Table(
    "consent_withdrawals",
    metadata,
    # A consent withdrawn (PIPL Art. 15): effective from ``withdrawn_at`` on, never undoing
    # earlier processing. ``stops`` lists (JSON) the processing that ends because of it.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("kind", String(64), nullable=False),
    _ts("withdrawn_at"),
    Column("recorded_by", String(64), nullable=False),
    Column("stops", Text(), nullable=False),
)

risk_alerts: Final = Table(
    "risk_alerts",
    metadata,
    # The review queue and the record of every risk warning (lendline.risk.alerts). Codes and
    # figures only: an alert names the session or application, never the person.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    _ts("raised_at"),
    Column("code", String(64), nullable=False),
    Column("level", String(16), nullable=False),
    Column("source", String(32), nullable=False),
    Column("route", String(32), nullable=False),
    Column("session_id", String(64), nullable=True, index=True),
    Column("reference", String(64), nullable=True, index=True),
    # JSON lists/objects as text (see the module docs).
    Column("reasons", Text(), nullable=False),
    Column("figures", Text(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("handled_by", String(64), nullable=True),
    _ts("handled_at", nullable=True),
    CheckConstraint("level IN ('info', 'warn', 'critical')", name="level_known"),
    CheckConstraint("status IN ('open', 'acknowledged', 'closed')", name="status_known"),
)

risk_decisions: Final = Table(
    "risk_decisions",
    metadata,
    # One row per decision with the figures behind it, for monitoring: score drift (PSI),
    # approval and decline rates, re-scoring with a newer model. No personal data.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    _ts("decided_at"),
    Column("reference", String(64), nullable=False, index=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("credit_model_version", String(64), nullable=True),
    Column("credit_points", Integer(), nullable=True),
    Column("credit_probability_bad", String(32), nullable=True),
    Column("fraud_model_version", String(64), nullable=True),
    Column("fraud_probability", String(32), nullable=True),
    Column("fraud_rules_version", String(64), nullable=True),
    Column("reasons", Text(), nullable=False),
    # The fraud model's inputs (rule counts and call signals), so a later model can re-score.
    Column("features", Text(), nullable=False),
)

_RISK_KINDS: Final = "kind IN ('id_number', 'phone', 'caller_id', 'device', 'account', 'employer')"

risk_observations: Final = Table(
    "risk_observations",
    metadata,
    # Which identifiers each application used, for fraud velocity, reuse across identities
    # and ring detection (lendline.persistence.risk_store). ``key`` is a keyed HMAC blind
    # index of the value, never the value; ``subject`` is the customer id. Append-only.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    _ts("observed_at"),
    Column("session_id", String(64), nullable=True, index=True),
    Column("reference", String(64), nullable=True, index=True),
    Column("kind", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("subject", String(64), nullable=True),
    CheckConstraint(_RISK_KINDS, name="kind_known"),
    Index("ix_risk_observations_kind_key_observed_at", "kind", "key", "observed_at"),
    Index("ix_risk_observations_observed_at", "observed_at"),
)

risk_blacklist: Final = Table(
    "risk_blacklist",
    metadata,
    # Keyed hashes of identifiers confirmed as fraudulent; an entry is lifted by stamping
    # ``removed_at`` (kept as the record of who listed and who lifted it).
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("reason", Text(), nullable=False),
    _ts("added_at"),
    Column("added_by", String(64), nullable=False),
    _ts("removed_at", nullable=True),
    Column("removed_by", String(64), nullable=True),
    CheckConstraint(_RISK_KINDS, name="kind_known"),
    Index("ix_risk_blacklist_kind_key", "kind", "key"),
)

# --- identity assurance (migration 0007) ---------------------------------------------------

identity_question_sets: Final = Table(
    "identity_question_sets",
    metadata,
    # One row per security-question set drawn for a customer: a keyed hash (HMAC) of the
    # kinds and choices, never the choices or the answer, so no set is drawn twice.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("customer_id", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("kinds", String(200), nullable=False),
    Column("session_id", String(64), nullable=True),
    _ts("drawn_at"),
    Index(
        "ix_identity_question_sets_customer_fingerprint",
        "customer_id",
        "fingerprint",
        unique=True,
    ),
)

otp_velocity_events: Final = Table(
    "otp_velocity_events",
    metadata,
    # Every code sent or checked, counted across sessions by customer and by number segment
    # (``prefix_key``: a keyed hash of the registered mobile's first 7 digits).
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("action", String(8), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("prefix_key", String(64), nullable=False),
    Column("session_id", String(64), nullable=False),
    _ts("at"),
    CheckConstraint("action IN ('send', 'check')", name="action_known"),
    Index("ix_otp_velocity_events_customer_at", "customer_id", "at"),
    Index("ix_otp_velocity_events_prefix_at", "prefix_key", "at"),
)

identity_lockouts: Final = Table(
    "identity_lockouts",
    metadata,
    # Codes stopped for a customer (or a whole number segment) until ``until``, with why.
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("reason", String(40), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("prefix_key", String(64), nullable=False),
    Column("session_id", String(64), nullable=True),
    _ts("locked_at"),
    _ts("until"),
    CheckConstraint("scope IN ('customer', 'prefix')", name="scope_known"),
    Index("ix_identity_lockouts_customer_until", "customer_id", "until"),
    Index("ix_identity_lockouts_prefix_until", "prefix_key", "until"),
)

callback_requests: Final = Table(
    "callback_requests",
    metadata,
    # Call-backs to the registered number (a step-up); the dialler looks the number up by
    # customer. The matching ``telephony.callback`` outbox message commits with the row.
    Column("request_id", String(40), primary_key=True),
    Column("session_id", String(64), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("reason", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    _ts("requested_at"),
    _ts("completed_at", nullable=True),
    CheckConstraint(
        "status IN ('requested', 'dialled', 'completed', 'cancelled')", name="status_known"
    ),
)
