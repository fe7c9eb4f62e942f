"""Data-subject requests, legal holds and consent withdrawals (PIPL Art. 15, 44-50).

On PostgreSQL the application role made by 0003 (``lendline_app``) gets read, insert and
update rights on the new tables (it was granted the tables that existed then); no DELETE:
these records are kept as evidence of how each request was handled.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("data_subject_requests", "legal_holds", "consent_withdrawals")
APP_ROLE = "lendline_app"


def upgrade() -> None:
    op.create_table(
        "data_subject_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('access', 'correction', 'deletion', 'explanation')",
            name=op.f("ck_data_subject_requests_kind_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_subject_requests")),
    )
    op.create_index(
        op.f("ix_data_subject_requests_customer_id"), "data_subject_requests", ["customer_id"]
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_subject"), "legal_holds", ["subject"])
    op.create_table(
        "consent_withdrawals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("stops", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
    )
    op.create_index(
        op.f("ix_consent_withdrawals_customer_id"), "consent_withdrawals", ["customer_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        tables = ", ".join(_TABLES)
        op.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                    GRANT SELECT, INSERT, UPDATE ON {tables} TO {APP_ROLE};
                    EXECUTE format(
                        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                        current_schema());
                END IF;
            END
            $$
            """
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_consent_withdrawals_customer_id"), table_name="consent_withdrawals")
    op.drop_table("consent_withdrawals")
    op.drop_index(op.f("ix_legal_holds_subject"), table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_index(op.f("ix_data_subject_requests_customer_id"), table_name="data_subject_requests")
    op.drop_table("data_subject_requests")
