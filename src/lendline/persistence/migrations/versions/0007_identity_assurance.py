"""Identity assurance: question-set fingerprints, code velocity, lockouts, call-backs (issue 6).

``identity_question_sets`` keeps a keyed hash of every security-question set drawn for a
customer (kinds and choices, never the answer) so no set is drawn twice.
``otp_velocity_events`` counts codes sent and checked across sessions, by customer and by
number segment (a keyed hash of the registered mobile's first 7 digits); ``identity_lockouts``
records why and until when codes were stopped. ``callback_requests`` holds call-backs to the
registered number that a step-up asked for.

On PostgreSQL the application role ``lendline_app`` may read and insert the fingerprints,
events and lockouts but not change or delete them (they are the evidence of each limit
applied); call-back requests also get UPDATE (the dialler moves their status on).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "lendline_app"


def upgrade() -> None:
    op.create_table(
        "identity_question_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.String(length=200), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_question_sets")),
    )
    op.create_index(
        "ix_identity_question_sets_customer_fingerprint",
        "identity_question_sets",
        ["customer_id", "fingerprint"],
        unique=True,
    )
    op.create_table(
        "otp_velocity_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("prefix_key", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('send', 'check')", name=op.f("ck_otp_velocity_events_action_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_velocity_events")),
    )
    op.create_index(
        "ix_otp_velocity_events_customer_at", "otp_velocity_events", ["customer_id", "at"]
    )
    op.create_index("ix_otp_velocity_events_prefix_at", "otp_velocity_events", ["prefix_key", "at"])
    op.create_table(
        "identity_lockouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("prefix_key", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "scope IN ('customer', 'prefix')", name=op.f("ck_identity_lockouts_scope_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_lockouts")),
    )
    op.create_index(
        "ix_identity_lockouts_customer_until", "identity_lockouts", ["customer_id", "until"]
    )
    op.create_index(
        "ix_identity_lockouts_prefix_until", "identity_lockouts", ["prefix_key", "until"]
    )
    op.create_table(
        "callback_requests",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('requested', 'dialled', 'completed', 'cancelled')",
            name=op.f("ck_callback_requests_status_known"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_callback_requests")),
    )
    op.create_index(op.f("ix_callback_requests_customer_id"), "callback_requests", ["customer_id"])
    op.create_index(op.f("ix_callback_requests_session_id"), "callback_requests", ["session_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                    GRANT SELECT, INSERT
                        ON identity_question_sets, otp_velocity_events, identity_lockouts
                        TO {APP_ROLE};
                    GRANT SELECT, INSERT, UPDATE ON callback_requests TO {APP_ROLE};
                    EXECUTE format(
                        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                        current_schema());
                END IF;
            END
            $$
            """
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_callback_requests_session_id"), table_name="callback_requests")
    op.drop_index(op.f("ix_callback_requests_customer_id"), table_name="callback_requests")
    op.drop_table("callback_requests")
    op.drop_index("ix_identity_lockouts_prefix_until", table_name="identity_lockouts")
    op.drop_index("ix_identity_lockouts_customer_until", table_name="identity_lockouts")
    op.drop_table("identity_lockouts")
    op.drop_index("ix_otp_velocity_events_prefix_at", table_name="otp_velocity_events")
    op.drop_index("ix_otp_velocity_events_customer_at", table_name="otp_velocity_events")
    op.drop_table("otp_velocity_events")
    op.drop_index(
        "ix_identity_question_sets_customer_fingerprint", table_name="identity_question_sets"
    )
    op.drop_table("identity_question_sets")
