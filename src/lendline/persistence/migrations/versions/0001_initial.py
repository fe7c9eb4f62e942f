"""Initial schema: customers, call sessions, applications, OTP, consents, payouts, audit log.

Hand-written to match ``lendline.persistence.tables``; constraint names follow its naming
convention. The audit log is made append-only inside the database: on PostgreSQL a trigger
rejects UPDATE, DELETE and TRUNCATE; on SQLite triggers reject UPDATE and DELETE (anyone
holding the file can drop them: the hash chain is what exposes such edits).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


_PG_APPEND_ONLY = [
    """
    CREATE FUNCTION audit_log_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % rejected', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()
    """,
]

_SQLITE_APPEND_ONLY = [
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE rejected'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE rejected'); END
    """,
]


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("bank_name", sa.String(100), nullable=False),
        sa.Column("account_number", sa.String(40), nullable=False),
        sa.Column("customer_since", sa.Date(), nullable=False),
        sa.Column("monthly_income_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
        sa.UniqueConstraint("id_number", name=op.f("uq_customers_id_number")),
        sa.CheckConstraint(
            "monthly_income_minor >= 0",
            name=op.f("ck_customers_monthly_income_not_negative"),
        ),
    )

    op.create_table(
        "call_sessions",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("caller_number", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("application_ref", sa.String(32), nullable=True),
        _ts("started_at"),
        _ts("updated_at"),
        _ts("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_call_sessions")),
    )
    op.create_index(
        op.f("ix_call_sessions_caller_number"), "call_sessions", ["caller_number"], unique=False
    )

    op.create_table(
        "applications",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(64), nullable=True),
        sa.Column("monthly_income_minor", sa.BigInteger(), nullable=True),
        sa.Column("employment", sa.String(64), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("policy_version", sa.String(32), nullable=True),
        sa.Column("product_code", sa.String(32), nullable=True),
        sa.Column("annual_rate", sa.String(40), nullable=True),
        sa.Column("apr", sa.String(40), nullable=True),
        sa.Column("monthly_payment_minor", sa.BigInteger(), nullable=True),
        sa.Column("total_repayment_minor", sa.BigInteger(), nullable=True),
        sa.Column("contract_sha256", sa.String(64), nullable=True),
        _ts("signed_at", nullable=True),
        _ts("disbursed_at", nullable=True),
        sa.Column("payout_reference", sa.String(64), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_applications")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["call_sessions.session_id"],
            name=op.f("fk_applications_session_id_call_sessions"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_applications_amount_minor_positive")),
        sa.CheckConstraint("term_months > 0", name=op.f("ck_applications_term_months_positive")),
        sa.CheckConstraint(
            "monthly_income_minor >= 0",
            name=op.f("ck_applications_monthly_income_not_negative"),
        ),
        sa.CheckConstraint(
            "monthly_payment_minor > 0",
            name=op.f("ck_applications_monthly_payment_positive"),
        ),
        sa.CheckConstraint(
            "total_repayment_minor > 0",
            name=op.f("ck_applications_total_repayment_positive"),
        ),
    )
    op.create_index(
        op.f("ix_applications_session_id"), "applications", ["session_id"], unique=False
    )
    op.create_index(
        op.f("ix_applications_customer_id"), "applications", ["customer_id"], unique=False
    )

    op.create_table(
        "otp_challenges",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(128), nullable=True),
        sa.Column("salt", sa.String(64), nullable=True),
        _ts("issued_at", nullable=True),
        _ts("expires_at", nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_otp_challenges")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["call_sessions.session_id"],
            name=op.f("fk_otp_challenges_session_id_call_sessions"),
        ),
        sa.CheckConstraint("sends >= 0", name=op.f("ck_otp_challenges_sends_not_negative")),
        sa.CheckConstraint("checks >= 0", name=op.f("ck_otp_challenges_checks_not_negative")),
    )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sa.String(32), nullable=False),
        _ts("at"),
        sa.Column("audio_offset_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["call_sessions.session_id"],
            name=op.f("fk_consents_session_id_call_sessions"),
        ),
        sa.CheckConstraint(
            "audio_offset_ms >= 0", name=op.f("ck_consents_audio_offset_not_negative")
        ),
    )
    op.create_index(op.f("ix_consents_session_id"), "consents", ["session_id"], unique=False)

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_ref", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("account_number", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rail_reference", sa.String(64), nullable=True),
        _ts("requested_at"),
        _ts("completed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.ForeignKeyConstraint(
            ["application_ref"],
            ["applications.reference"],
            name=op.f("fk_payouts_application_ref_applications"),
        ),
        sa.UniqueConstraint("application_ref", name=op.f("uq_payouts_application_ref")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payouts_idempotency_key")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payouts_amount_minor_positive")),
    )

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        _ts("at"),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_index(op.f("ix_audit_log_session_id"), "audit_log", ["session_id"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _PG_APPEND_ONLY:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_reject_change()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.drop_index(op.f("ix_audit_log_session_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("payouts")
    op.drop_index(op.f("ix_consents_session_id"), table_name="consents")
    op.drop_table("consents")
    op.drop_table("otp_challenges")
    op.drop_index(op.f("ix_applications_customer_id"), table_name="applications")
    op.drop_index(op.f("ix_applications_session_id"), table_name="applications")
    op.drop_table("applications")
    op.drop_index(op.f("ix_call_sessions_caller_number"), table_name="call_sessions")
    op.drop_table("call_sessions")
    op.drop_table("customers")
