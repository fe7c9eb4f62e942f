"""Risk alerts (the review queue) and the figures behind each decision (monitoring).

On PostgreSQL the application role (``lendline_app``, made by 0003) may read and insert
both tables and update an alert's status; it cannot rewrite a decision's figures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "lendline_app"


def upgrade() -> None:
    op.create_table(
        "risk_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "level IN ('info', 'warn', 'critical')", name=op.f("ck_risk_alerts_level_known")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'closed')",
            name=op.f("ck_risk_alerts_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_alerts")),
    )
    op.create_index(op.f("ix_risk_alerts_session_id"), "risk_alerts", ["session_id"])
    op.create_index(op.f("ix_risk_alerts_reference"), "risk_alerts", ["reference"])
    op.create_table(
        "risk_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("credit_model_version", sa.String(length=64), nullable=True),
        sa.Column("credit_points", sa.Integer(), nullable=True),
        sa.Column("credit_probability_bad", sa.String(length=32), nullable=True),
        sa.Column("fraud_model_version", sa.String(length=64), nullable=True),
        sa.Column("fraud_probability", sa.String(length=32), nullable=True),
        sa.Column("fraud_rules_version", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_decisions")),
    )
    op.create_index(op.f("ix_risk_decisions_reference"), "risk_decisions", ["reference"])
    op.create_index(op.f("ix_risk_decisions_session_id"), "risk_decisions", ["session_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                    GRANT SELECT, INSERT, UPDATE ON risk_alerts TO {APP_ROLE};
                    GRANT SELECT, INSERT ON risk_decisions TO {APP_ROLE};
                    EXECUTE format(
                        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                        current_schema());
                END IF;
            END
            $$
            """
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_risk_decisions_session_id"), table_name="risk_decisions")
    op.drop_index(op.f("ix_risk_decisions_reference"), table_name="risk_decisions")
    op.drop_table("risk_decisions")
    op.drop_index(op.f("ix_risk_alerts_reference"), table_name="risk_alerts")
    op.drop_index(op.f("ix_risk_alerts_session_id"), table_name="risk_alerts")
    op.drop_table("risk_alerts")
