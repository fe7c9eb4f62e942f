"""The audit log's Merkle tree: perfect-subtree nodes and signed tree heads.

Both tables are append-only like ``audit_log`` itself: triggers reject UPDATE and DELETE on
both databases (and TRUNCATE on PostgreSQL). On PostgreSQL there is also an application role,
``lendline_app``, that may read and insert the three audit tables but has no UPDATE, DELETE or
TRUNCATE privilege on them, so a service running under that role cannot rewrite history even
if the triggers were dropped. (The role is cluster-wide; the migration creates it if missing
and grants it what the service needs on this schema's tables.)

Existing audit entries get their leaves and nodes computed here, so a database upgraded from
0002 has a complete tree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TREE_TABLES = ("audit_tree_nodes", "audit_tree_heads")
_AUDIT_TABLES = ("audit_log", *_TREE_TABLES)
APP_ROLE = "lendline_app"


def _pg_rules() -> list[str]:
    rules = [
        """
        CREATE FUNCTION audit_tree_reject_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % rejected', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    ]
    for table in _TREE_TABLES:
        rules += [
            f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION audit_tree_reject_change()
            """,
            f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_tree_reject_change()
            """,
        ]
    audit = ", ".join(_AUDIT_TABLES)
    rules.append(
        f"""
        DO $$
        BEGIN
            BEGIN
                CREATE ROLE {APP_ROLE} NOLOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- made by another schema's migration (the role is cluster-wide)
            END;
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', current_schema());
            EXECUTE format(
                'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {APP_ROLE}',
                current_schema());
            EXECUTE format(
                'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}',
                current_schema());
            REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {APP_ROLE};
        END
        $$
        """
    )
    return rules


def _sqlite_rules() -> list[str]:
    rules = []
    for table in _TREE_TABLES:
        for op_name in ("UPDATE", "DELETE"):
            rules.append(
                f"""
                CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op_name} rejected'); END
                """
            )
    return rules


def _backfill(nodes: sa.Table) -> None:
    # Reads the entries through the application's own table definition and canonical form:
    # the leaves must be exactly what the running code computes for the same entries.
    from lendline.audit.chain import canonical_json, sealed_text
    from lendline.audit.merkle import leaf_hash, perfect_subtrees
    from lendline.persistence.tables import audit_log

    conn = op.get_bind()
    rows = conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))
    leaves: list[bytes] = []
    for row in rows:
        payload_json = canonical_json(json.loads(row.payload))
        text = sealed_text(
            int(row.seq), row.at, row.session_id, row.kind, payload_json, row.prev_hash
        )
        leaves.append(leaf_hash(text.encode("utf-8")))
    if leaves:
        conn.execute(
            nodes.insert(),
            [
                {"level": level, "idx": idx, "hash": value.hex()}
                for (level, idx), value in perfect_subtrees(leaves).items()
            ],
        )


def upgrade() -> None:
    nodes = op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "level >= 0 AND level < 64", name=op.f("ck_audit_tree_nodes_level_in_range")
        ),
        sa.CheckConstraint("idx >= 0", name=op.f("ck_audit_tree_nodes_idx_not_negative")),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_tree_heads",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=256), nullable=False),
        sa.CheckConstraint(
            "tree_size >= 0", name=op.f("ck_audit_tree_heads_tree_size_not_negative")
        ),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_audit_tree_heads")),
    )
    _backfill(nodes)
    rules = _pg_rules() if op.get_bind().dialect.name == "postgresql" else _sqlite_rules()
    for statement in rules:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TREE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_tree_reject_change()")
    else:
        for table in _TREE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.drop_table("audit_tree_heads")
    op.drop_table("audit_tree_nodes")
