"""Loans, the double-entry ledger and the transactional outbox.

The ledger's invariants live in the database as well as in ``lending/ledger.py``:

- ``ledger_postings.amount_minor > 0`` and ``side IN ('D', 'C')`` (CHECK, both databases);
- entries and postings are append-only (triggers reject UPDATE and DELETE on both databases,
  and TRUNCATE on PostgreSQL); corrections are reversing entries;
- on PostgreSQL, deferred constraint triggers check at COMMIT that every entry touched has at
  least two postings and that its debits equal its credits in each currency, so no
  transaction can leave an unbalanced entry behind, whatever code wrote it. SQLite has no
  deferred triggers; there the domain check and the tests cover it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEDGER_TABLES = ("ledger_entries", "ledger_postings")


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


_PG_LEDGER_RULES = [
    """
    CREATE FUNCTION ledger_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % rejected (post a reversal instead)',
            TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        checked_entry text := NEW.entry_id;
        posting_count bigint;
        unbalanced_currency text;
    BEGIN
        SELECT count(*) INTO posting_count FROM ledger_postings WHERE entry_id = checked_entry;
        IF posting_count < 2 THEN
            RAISE EXCEPTION 'ledger entry % has % posting(s); at least two are needed',
                checked_entry, posting_count USING ERRCODE = 'check_violation';
        END IF;
        SELECT currency INTO unbalanced_currency FROM ledger_postings
            WHERE entry_id = checked_entry
            GROUP BY currency
            HAVING sum(CASE WHEN side = 'D' THEN amount_minor ELSE -amount_minor END) <> 0
            LIMIT 1;
        IF unbalanced_currency IS NOT NULL THEN
            RAISE EXCEPTION 'ledger entry % does not balance in %',
                checked_entry, unbalanced_currency USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entries_balanced
    AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_postings_balanced
    AFTER INSERT ON ledger_postings
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced()
    """,
    *(
        statement
        for table in _LEDGER_TABLES
        for statement in (
            f"""
            CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()
            """,
            f"""
            CREATE TRIGGER {table}_no_truncate
            BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()
            """,
        )
    ),
]

_SQLITE_LEDGER_RULES = [
    statement
    for table in _LEDGER_TABLES
    for statement in (
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE rejected'); END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE rejected'); END
        """,
    )
]


def upgrade() -> None:
    op.create_table(
        "loans",
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("principal_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("annual_rate", sa.String(40), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("product_key", sa.String(64), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        _ts("booked_at"),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_loans")),
        sa.ForeignKeyConstraint(
            ["reference"], ["applications.reference"], name=op.f("fk_loans_reference_applications")
        ),
        sa.CheckConstraint("principal_minor > 0", name=op.f("ck_loans_principal_minor_positive")),
        sa.CheckConstraint("term_months > 0", name=op.f("ck_loans_term_months_positive")),
    )

    op.create_table(
        "ledger_entries",
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("loan_ref", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(160), nullable=False),
        sa.Column("reverses", sa.String(40), nullable=True),
        _ts("occurred_at"),
        _ts("recorded_at"),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_ledger_entries")),
        sa.ForeignKeyConstraint(
            ["loan_ref"], ["loans.reference"], name=op.f("fk_ledger_entries_loan_ref_loans")
        ),
        sa.ForeignKeyConstraint(
            ["reverses"],
            ["ledger_entries.entry_id"],
            name=op.f("fk_ledger_entries_reverses_ledger_entries"),
        ),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_ledger_entries_idempotency_key")),
        sa.UniqueConstraint("reverses", name=op.f("uq_ledger_entries_reverses")),
    )
    op.create_index(
        op.f("ix_ledger_entries_loan_ref"), "ledger_entries", ["loan_ref"], unique=False
    )

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("account", sa.String(80), nullable=False),
        sa.Column("side", sa.String(1), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["ledger_entries.entry_id"],
            name=op.f("fk_ledger_postings_entry_id_ledger_entries"),
        ),
        sa.CheckConstraint(
            "side IN ('D', 'C')", name=op.f("ck_ledger_postings_side_debit_or_credit")
        ),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_ledger_postings_amount_minor_positive")
        ),
    )
    op.create_index(
        op.f("ix_ledger_postings_entry_id"), "ledger_postings", ["entry_id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_postings_account"), "ledger_postings", ["account"], unique=False
    )

    op.create_table(
        "outbox",
        sa.Column("message_id", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("available_at"),
        _ts("created_at"),
        _ts("done_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_outbox_status_known")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
    )
    op.create_index(
        "ix_outbox_status_available_at", "outbox", ["status", "available_at"], unique=False
    )

    dialect = op.get_bind().dialect.name
    rules = {"postgresql": _PG_LEDGER_RULES, "sqlite": _SQLITE_LEDGER_RULES}.get(dialect, [])
    for statement in rules:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in _LEDGER_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_balanced ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_check_entry_balanced()")
        op.execute("DROP FUNCTION IF EXISTS ledger_reject_change()")
    elif dialect == "sqlite":
        for table in _LEDGER_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.drop_index("ix_outbox_status_available_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_ledger_postings_account"), table_name="ledger_postings")
    op.drop_index(op.f("ix_ledger_postings_entry_id"), table_name="ledger_postings")
    op.drop_table("ledger_postings")
    op.drop_index(op.f("ix_ledger_entries_loan_ref"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("loans")
