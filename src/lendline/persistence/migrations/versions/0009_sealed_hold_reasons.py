"""Legal-hold reasons sealed under the held subject's key (they may name a case or a person).

A hold's reason is free text an operator types ("court case 2027-001 (张三)"); until now it
was stored in clear. The column becomes ``sealed_reason`` (AES-256-GCM under the subject's
data key, like every other personal field). A migration cannot seal existing reasons (the keys
are not in the database), so it refuses to run over a table that holds any: export the holds
(``lendline dsr`` shows them), clear the table and place them again after the upgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _refuse_if_holds_exist(direction: str) -> None:
    held = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM legal_holds")).scalar_one()
    if held:
        raise RuntimeError(
            f"legal_holds has {held} rows: their reasons cannot be {direction} by a migration "
            "(the keys are not in the database); export the holds, clear the table, upgrade, "
            "and place them again"
        )


def upgrade() -> None:
    _refuse_if_holds_exist("sealed")
    # Both databases rename a column in place (SQLite since 3.25), keeping grants and indexes.
    op.execute("ALTER TABLE legal_holds RENAME COLUMN reason TO sealed_reason")


def downgrade() -> None:
    _refuse_if_holds_exist("unsealed")
    op.execute("ALTER TABLE legal_holds RENAME COLUMN sealed_reason TO reason")
