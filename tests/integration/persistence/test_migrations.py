"""Migrations: they build exactly ``tables.py``, run from the package, and protect the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from lendline.persistence import tables
from lendline.persistence.db import alembic_config, downgrade, upgrade


def schema_differences(engine: Engine, metadata: sa.MetaData) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def user_tables(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def add_audit_entry(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.audit_log).values(
                seq=1,
                at=datetime(2026, 11, 28, tzinfo=UTC),
                session_id=None,
                kind="test",
                payload="{}",
                prev_hash="0" * 64,
                hash="a" * 64,
            )
        )


def test_upgrade_creates_every_table_of_the_metadata(engine: Engine) -> None:
    assert user_tables(engine) == set(tables.metadata.tables)


def test_the_migrated_schema_matches_tables_py_exactly(engine: Engine) -> None:
    assert schema_differences(engine, tables.metadata) == []


def test_the_comparison_does_notice_a_schema_that_differs(engine: Engine) -> None:
    changed = sa.MetaData(naming_convention=tables.NAMING_CONVENTION)
    for table in tables.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["payouts"].append_column(sa.Column("note", sa.Text(), nullable=True))
    differences = schema_differences(engine, changed)
    assert [d[0] for d in differences if isinstance(d, tuple)] == ["add_column"]


def test_the_database_is_stamped_with_the_newest_revision(engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    # The newest revision is the highest-numbered migration file: a new file that alembic
    # did not pick up (a broken down_revision chain) would show here.
    newest = max(rev.revision for rev in script.walk_revisions())
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head == newest


def test_upgrade_needs_no_alembic_ini_in_the_working_directory(
    blank_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    upgrade(blank_engine)
    assert "audit_log" in user_tables(blank_engine)


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    assert schema_differences(engine, tables.metadata) == []


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(engine: Engine) -> None:
    downgrade(engine, "base")
    assert user_tables(engine) == set()
    upgrade(engine)
    assert schema_differences(engine, tables.metadata) == []
    add_audit_entry(engine)  # the append-only guard came back without clashing


def test_the_audit_log_rejects_updates(engine: Engine) -> None:
    add_audit_entry(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.update(tables.audit_log).values(kind="edited"))
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.audit_log.c.kind)).scalar_one() == "test"


def test_the_audit_log_rejects_deletes(engine: Engine) -> None:
    add_audit_entry(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.delete(tables.audit_log))
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.audit_log)).scalar() == 1


@pytest.mark.postgres
def test_the_audit_log_rejects_truncate_on_postgresql(postgres_engine: Engine) -> None:
    add_audit_entry(postgres_engine)
    with pytest.raises(DBAPIError, match="append-only"), postgres_engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_log")


def test_check_constraints_are_in_force(engine: Engine) -> None:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables.call_sessions).values(
                session_id="s1",
                # The column holds ciphertext (written by the repositories); this raw row
                # only needs a value, not a number in clear.
                caller_number="sealed-elsewhere",
                channel="voice",
                status="active",
                step="start",
                state="{}",
                started_at=now,
                updated_at=now,
            )
        )
    base = {
        "reference": "LL-1",
        "session_id": "s1",
        "status": "open",
        "currency": "CNY",
        "created_at": now,
        "updated_at": now,
    }
    for bad in ({"amount_minor": 0}, {"term_months": 0}, {"amount_minor": -100}):
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(tables.applications).values(**base, **bad))


def test_foreign_keys_are_in_force(engine: Engine) -> None:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.insert(tables.applications).values(
                reference="LL-1",
                session_id="no-such-session",
                status="open",
                currency="CNY",
                created_at=now,
                updated_at=now,
            )
        )


def test_sealing_hold_reasons_refuses_a_table_with_reasons_in_clear(blank_engine: Engine) -> None:
    upgrade(blank_engine, "0008")
    with blank_engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO legal_holds (subject, reason, placed_by, placed_at) "
            "VALUES ('customer:C1', 'court case 1', 'op', '2026-11-29 00:00:00+00:00')"
        )
    with pytest.raises(RuntimeError, match="1 rows: their reasons cannot be sealed"):
        upgrade(blank_engine)
    with blank_engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM legal_holds")
    upgrade(blank_engine)
    assert schema_differences(blank_engine, tables.metadata) == []
