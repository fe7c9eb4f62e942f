"""The stored audit chain: appends, verification, tampering in the database, concurrency."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lendline.audit.chain import GENESIS_HASH, ChainVerification
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.tables import audit_log
from lendline.persistence.uow import SqlUnitOfWork
from lendline.shared.clock import ManualClock

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def append_many(engine: Engine, count: int, session_id: str | None = "s1") -> None:
    clock = ManualClock(T0)
    for i in range(count):
        with SqlUnitOfWork(engine, clock=clock) as uow:
            uow.audit.append("turn", session_id, {"i": i, "said": f"第{i}句"})
            uow.commit()
        clock.advance(timedelta(milliseconds=1500))


def disable_append_only_guard(engine: Engine) -> None:
    """Do what an intruder with database rights would do first."""
    with engine.begin() as conn:
        for table in ("audit_log", "audit_tree_nodes", "audit_tree_heads"):
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")


def tamper(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(sql, params)


def verify(engine: Engine) -> ChainVerification:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return uow.audit.verify()


def _append_in_another_process(url: str, count: int, worker: int) -> None:
    engine = make_engine(url)
    try:
        for i in range(count):
            with SqlUnitOfWork(engine) as uow:
                uow.audit.append("process", None, {"worker": worker, "i": i})
                uow.commit()
    finally:
        engine.dispose()


def test_appended_entries_form_a_chain_that_verifies(engine: Engine) -> None:
    append_many(engine, 10)
    result = verify(engine)
    assert result.ok
    assert result.checked == 10


def test_an_empty_log_verifies_and_has_no_head(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow.audit.head() is None
        assert uow.audit.verify().ok


def test_entries_read_back_equal_the_entries_appended(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        first = uow.audit.append(
            "decision.made",
            "s1",
            {"amount": Decimal("50000.00"), "reasons": ("R1", "R2"), "at": T0},
            at=T0,
        )
        second = uow.audit.append("call.ended", None, {}, at=T0 + timedelta(seconds=1))
        uow.commit()
    assert first.seq == 1
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.payload == {
        "amount": "50000.00",
        "reasons": ["R1", "R2"],
        "at": "2026-11-28T09:00:00+00:00",
    }
    with SqlUnitOfWork(engine) as uow:
        assert uow.audit.entries() == [first, second]
        assert uow.audit.entries("s1") == [first]
        assert uow.audit.head() == second.head


def test_a_rolled_back_append_leaves_no_gap(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.audit.append("lost", None, {}, at=T0)
    with SqlUnitOfWork(engine) as uow:
        kept = uow.audit.append("kept", None, {}, at=T0)
        uow.commit()
    assert kept.seq == 1
    assert verify(engine).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("kind", "'edited'"),
        ("session_id", "'someone-else'"),
        ("session_id", "NULL"),
        ("payload", """'{"i":4,"said":"改了"}'"""),
        ("payload", """'{"i": 4, "said": "第4句"}'"""),  # same data, not the canonical text
        ("payload", "'{not json'"),
        ("payload", "'[]'"),
        ("prev_hash", "'" + "1" * 64 + "'"),
        ("hash", "'" + "2" * 64 + "'"),
        ("seq", "100"),
    ],
)
def test_editing_a_stored_entry_is_detected_at_that_entry(
    engine: Engine, column: str, value: str
) -> None:
    append_many(engine, 10)
    disable_append_only_guard(engine)
    tamper(engine, f"UPDATE audit_log SET {column} = {value} WHERE seq = 5")
    result = verify(engine)
    assert not result.ok
    assert result.first_bad_seq == 5
    assert result.problem


def test_moving_a_stored_time_is_detected_at_that_entry(engine: Engine) -> None:
    append_many(engine, 10)
    disable_append_only_guard(engine)
    with SqlUnitOfWork(engine) as uow:
        (moved,) = [e for e in uow.audit.entries() if e.seq == 7]
    with engine.begin() as conn:
        conn.execute(
            audit_log.update()
            .where(audit_log.c.seq == 7)
            .values(at=moved.at + timedelta(microseconds=1))
        )
    result = verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, 7)


def test_deleting_a_stored_entry_is_detected_where_it_was(engine: Engine) -> None:
    append_many(engine, 10)
    disable_append_only_guard(engine)
    tamper(engine, "DELETE FROM audit_log WHERE seq = 3")
    result = verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_deleting_the_newest_entries_is_detected_by_the_tree(engine: Engine) -> None:
    append_many(engine, 10)
    disable_append_only_guard(engine)
    tamper(engine, "DELETE FROM audit_log WHERE seq >= 9")
    result = verify(engine)
    assert (result.ok, result.first_bad_seq) == (False, 9)
    assert "entries do not exist" in (result.problem or "") or "deleted" in (result.problem or "")


def test_cutting_off_entries_and_their_tree_is_detected_against_a_kept_head(
    engine: Engine,
) -> None:
    append_many(engine, 10)
    with SqlUnitOfWork(engine) as uow:
        head = uow.audit.head()
    assert head is not None
    disable_append_only_guard(engine)
    tamper(engine, "DELETE FROM audit_log WHERE seq >= 9")
    # A careful intruder removes the leaves and the nodes over them too (entries 9 and 10
    # are leaves 8 and 9; the nodes covering them are (1, 4)).
    tamper(engine, "DELETE FROM audit_tree_nodes WHERE level = 0 AND idx >= 8")
    tamper(engine, "DELETE FROM audit_tree_nodes WHERE level = 1 AND idx >= 4")
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok  # without a checkpoint a clean cut cannot be seen
        result = uow.audit.verify(head)
    assert (result.ok, result.first_bad_seq) == (False, 9)


def test_two_threads_appending_200_times_each_keep_one_contiguous_chain(engine: Engine) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def appender(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(200):
                with SqlUnitOfWork(engine) as uow:
                    uow.audit.append("thread", f"worker-{worker}", {"i": i})
                    uow.commit()
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(w,)) for w in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    with SqlUnitOfWork(engine, read_only=True) as uow:
        entries = uow.audit.entries()
        result = uow.audit.verify()
        per_worker = [len(uow.audit.entries(f"worker-{w}")) for w in (1, 2)]
    assert [e.seq for e in entries] == list(range(1, 401))
    assert result.ok
    assert result.checked == 400
    assert per_worker == [200, 200]


def test_two_processes_appending_at_once_keep_one_contiguous_chain(
    engine: Engine, database_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_in_another_process, args=(database_url, 50, w))
        for w in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert [e.seq for e in uow.audit.entries()] == list(range(1, 101))
        assert uow.audit.verify().ok


def test_appending_from_a_read_only_sqlite_unit_of_work_is_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ro.db'}")
    try:
        upgrade(engine)
        with SqlUnitOfWork(engine, read_only=True) as uow, pytest.raises(RuntimeError):
            uow.audit.append("x", None, {})
    finally:
        engine.dispose()
