"""Fraud history: observations of keyed identifiers and the blacklist (issue 6).

``risk_observations`` records, for every application, which identifiers it used (ID number,
mobile, caller ID, device, bank account, employer) as keyed HMAC blind indexes, never the
values: velocity and reuse-across-identities rules count rows by (kind, key, time), and ring
detection links applications that share a key. ``risk_blacklist`` holds keyed hashes of
values confirmed as fraudulent, with who added them and why.

On PostgreSQL the application role ``lendline_app`` may read and insert observations but not
change or delete them (they are evidence of what each decision saw); blacklist entries can be
lifted (``removed_at``), so that table also gets UPDATE, still no DELETE.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "lendline_app"
_KINDS = "kind IN ('id_number', 'phone', 'caller_id', 'device', 'account', 'employer')"


def upgrade() -> None:
    op.create_table(
        "risk_observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.CheckConstraint(_KINDS, name=op.f("ck_risk_observations_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_observations")),
    )
    op.create_index(
        "ix_risk_observations_kind_key_observed_at",
        "risk_observations",
        ["kind", "key", "observed_at"],
        unique=False,
    )
    op.create_index(op.f("ix_risk_observations_observed_at"), "risk_observations", ["observed_at"])
    op.create_index(op.f("ix_risk_observations_reference"), "risk_observations", ["reference"])
    op.create_index(op.f("ix_risk_observations_session_id"), "risk_observations", ["session_id"])
    op.create_table(
        "risk_blacklist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(_KINDS, name=op.f("ck_risk_blacklist_kind_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_blacklist")),
    )
    op.create_index("ix_risk_blacklist_kind_key", "risk_blacklist", ["kind", "key"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                    GRANT SELECT, INSERT ON risk_observations TO {APP_ROLE};
                    GRANT SELECT, INSERT, UPDATE ON risk_blacklist TO {APP_ROLE};
                    EXECUTE format(
                        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                        current_schema());
                END IF;
            END
            $$
            """
        )


def downgrade() -> None:
    op.drop_index("ix_risk_blacklist_kind_key", table_name="risk_blacklist")
    op.drop_table("risk_blacklist")
    op.drop_index(op.f("ix_risk_observations_session_id"), table_name="risk_observations")
    op.drop_index(op.f("ix_risk_observations_reference"), table_name="risk_observations")
    op.drop_index(op.f("ix_risk_observations_observed_at"), table_name="risk_observations")
    op.drop_index("ix_risk_observations_kind_key_observed_at", table_name="risk_observations")
    op.drop_table("risk_observations")
