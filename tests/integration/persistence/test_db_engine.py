"""Engine set-up: SQLite pragmas and locking, PostgreSQL driver, UTC timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import OperationalError, StatementError

from lendline.persistence.db import READ_ONLY, make_engine, session_factory
from lendline.persistence.tables import UtcDateTime


@pytest.fixture
def sqlite_file_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    yield engine
    engine.dispose()


def times_table() -> Table:
    metadata = MetaData()
    return Table(
        "times", metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime())
    )


def test_sqlite_files_run_in_wal_mode_with_foreign_keys_and_a_busy_timeout(
    sqlite_file_engine: Engine,
) -> None:
    with sqlite_file_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_sqlite_memory_shares_one_database_across_connections() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (7)")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 7
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_a_sqlite_transaction_takes_the_write_lock_when_it_begins(
    sqlite_file_engine: Engine,
) -> None:
    with sqlite_file_engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    with sqlite_file_engine.connect() as first, sqlite_file_engine.connect() as second:
        first.begin()  # BEGIN IMMEDIATE: holds the write lock before any statement
        raw = second.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA busy_timeout = 50")  # give up quickly instead of waiting 30 s
        with pytest.raises(OperationalError, match="locked"):
            second.begin()
        first.rollback()


def test_a_read_only_sqlite_connection_reads_while_another_writes(
    sqlite_file_engine: Engine,
) -> None:
    with sqlite_file_engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        setup.exec_driver_sql("INSERT INTO t VALUES (1)")
    with sqlite_file_engine.connect() as writer, sqlite_file_engine.connect() as reader:
        writer.begin()
        writer.exec_driver_sql("INSERT INTO t VALUES (2)")
        reading = reader.execution_options(**READ_ONLY)
        with reading.begin():
            # WAL: the reader sees the last committed state without waiting for the writer.
            assert reading.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
        writer.commit()


def test_postgresql_urls_without_a_driver_use_psycopg() -> None:
    engine = make_engine("postgresql://someone@localhost:5432/somewhere")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
    finally:
        engine.dispose()


def test_times_come_back_as_the_same_instant_in_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    table = times_table()
    shanghai = datetime(2026, 11, 28, 17, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    try:
        table.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(table).values(id=1, at=shanghai))
        with engine.connect() as conn:
            stored = conn.execute(select(table.c.at)).scalar_one()
        assert stored == shanghai
        assert stored.tzinfo is UTC
        assert stored.hour == 9
        assert stored.microsecond == 123456
    finally:
        engine.dispose()


def test_naive_times_are_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    table = times_table()
    try:
        table.metadata.create_all(engine)
        with engine.begin() as conn, pytest.raises(StatementError, match="naive"):
            conn.execute(insert(table).values(id=1, at=datetime(2026, 1, 1, 12, 0)))
    finally:
        engine.dispose()


def test_the_session_factory_gives_orm_sessions_on_the_engine(engine: Engine) -> None:
    make_session = session_factory(engine)
    with make_session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1
        count = session.execute(text("SELECT count(*) FROM customers")).scalar_one()
        assert count == 0
