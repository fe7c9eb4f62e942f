"""Personal data encrypted at rest: subject keys, sealed columns, blind indexes, transcripts.

* ``subject_keys``: one wrapped data key per subject (``customer:<id>``, ``session:<id>``).
* Personal columns become ``Text`` holding base64 ciphertext: customers (name, ID number,
  mobile, account number, income, employer, city), call sessions (caller number, dialog
  state), applications (income), OTP challenges (mobile), payouts (account number). Their
  CHECK constraints on income go (the database cannot read the value any more; the
  repositories check it).
* Blind-index columns (keyed hashes) take over lookups: ``customers.id_number_index``
  (unique), ``customers.mobile_index``, ``call_sessions.caller_number_index``.
* ``call_turn_texts``: what callers said, sealed; the audit log keeps only a commitment.

Existing rows cannot be encrypted here (the keys live outside the database), so the upgrade
refuses to run over a database that already holds customers or call sessions: re-create a
development database (delete the SQLite file or drop the schema) and load the customers again.
The downgrade restores the column types but not the data (ciphertext stays ciphertext).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLE_GRANT = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lendline_app') THEN
        EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON subject_keys, call_turn_texts '
                'TO lendline_app';
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO lendline_app',
                       current_schema());
    END IF;
END
$$
"""


#: The registry's personal columns and their types before they held ciphertext.
_CUSTOMER_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("full_name", sa.String(200)),
    ("id_number", sa.String(18)),
    ("mobile", sa.String(20)),
    ("city", sa.String(100)),
    ("employer", sa.String(200)),
    ("account_number", sa.String(40)),
    ("monthly_income_minor", sa.BigInteger()),
)


def _refuse_plaintext_rows() -> None:
    bind = op.get_bind()
    for table in ("customers", "call_sessions"):
        count = bind.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        if count:
            raise RuntimeError(
                f"migration 0004 encrypts personal data, but {table} already holds {count} "
                "plaintext row(s) it cannot encrypt (the keys are not in the database): "
                "re-create this development database and load the customers again"
            )


def _to_text(batch: object, column: str, old: sa.types.TypeEngine[Any], nullable: bool) -> None:
    using = {"postgresql_using": f"{column}::text"}
    batch.alter_column(  # type: ignore[attr-defined]
        column, existing_type=old, type_=sa.Text(), existing_nullable=nullable, **using
    )


def upgrade() -> None:
    _refuse_plaintext_rows()
    op.create_table(
        "subject_keys",
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("kek_id", sa.String(length=64), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(wrapped_key IS NULL) = (shredded_at IS NOT NULL)",
            name=op.f("ck_subject_keys_key_or_shredded"),
        ),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_subject_keys")),
    )
    op.create_index(op.f("ix_subject_keys_kek_id"), "subject_keys", ["kek_id"], unique=False)
    op.create_table(
        "call_turn_texts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("sealed_text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("turn >= 0", name=op.f("ck_call_turn_texts_turn_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_turn_texts")),
    )
    op.create_index(
        op.f("ix_call_turn_texts_session_id"), "call_turn_texts", ["session_id"], unique=False
    )

    with op.batch_alter_table("customers") as batch:
        batch.drop_constraint(op.f("uq_customers_id_number"), type_="unique")
        batch.drop_constraint(op.f("ck_customers_monthly_income_not_negative"), type_="check")
        for column, old in _CUSTOMER_COLUMNS:
            _to_text(batch, column, old, False)
        batch.add_column(sa.Column("id_number_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("mobile_index", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_customers_id_number_index"), ["id_number_index"])
        batch.create_index(op.f("ix_customers_mobile_index"), ["mobile_index"], unique=False)

    with op.batch_alter_table("call_sessions") as batch:
        batch.drop_index(op.f("ix_call_sessions_caller_number"))
        _to_text(batch, "caller_number", sa.String(32), False)
        batch.add_column(sa.Column("caller_number_index", sa.String(length=64), nullable=True))
        batch.create_index(
            op.f("ix_call_sessions_caller_number_index"), ["caller_number_index"], unique=False
        )

    with op.batch_alter_table("applications") as batch:
        batch.drop_constraint(op.f("ck_applications_monthly_income_not_negative"), type_="check")
        _to_text(batch, "monthly_income_minor", sa.BigInteger(), True)

    with op.batch_alter_table("otp_challenges") as batch:
        _to_text(batch, "mobile", sa.String(20), False)

    with op.batch_alter_table("payouts") as batch:
        _to_text(batch, "account_number", sa.String(40), False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_ROLE_GRANT)


def downgrade() -> None:
    # Only the shapes come back: the columns keep whatever ciphertext they hold.
    pg = op.get_bind().dialect.name == "postgresql"

    def back(batch: object, column: str, new: sa.types.TypeEngine[Any], null: bool) -> None:
        cast = "bigint" if isinstance(new, sa.BigInteger) else "varchar"
        batch.alter_column(  # type: ignore[attr-defined]
            column,
            existing_type=sa.Text(),
            type_=new,
            existing_nullable=null,
            **({"postgresql_using": f"{column}::{cast}"} if pg else {}),
        )

    with op.batch_alter_table("payouts") as batch:
        back(batch, "account_number", sa.String(40), False)
    with op.batch_alter_table("otp_challenges") as batch:
        back(batch, "mobile", sa.String(20), False)
    with op.batch_alter_table("applications") as batch:
        back(batch, "monthly_income_minor", sa.BigInteger(), True)
        batch.create_check_constraint(
            op.f("ck_applications_monthly_income_not_negative"), "monthly_income_minor >= 0"
        )
    with op.batch_alter_table("call_sessions") as batch:
        batch.drop_index(op.f("ix_call_sessions_caller_number_index"))
        batch.drop_column("caller_number_index")
        back(batch, "caller_number", sa.String(32), False)
        batch.create_index(op.f("ix_call_sessions_caller_number"), ["caller_number"], unique=False)
    with op.batch_alter_table("customers") as batch:
        batch.drop_index(op.f("ix_customers_mobile_index"))
        batch.drop_constraint(op.f("uq_customers_id_number_index"), type_="unique")
        batch.drop_column("mobile_index")
        batch.drop_column("id_number_index")
        for column, new in _CUSTOMER_COLUMNS:
            back(batch, column, new, False)
        batch.create_unique_constraint(op.f("uq_customers_id_number"), ["id_number"])
        batch.create_check_constraint(
            op.f("ck_customers_monthly_income_not_negative"), "monthly_income_minor >= 0"
        )
    op.drop_index(op.f("ix_call_turn_texts_session_id"), table_name="call_turn_texts")
    op.drop_table("call_turn_texts")
    op.drop_index(op.f("ix_subject_keys_kek_id"), table_name="subject_keys")
    op.drop_table("subject_keys")
