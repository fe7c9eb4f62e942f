"""The scheduled retention job on SQLite and PostgreSQL: it erases, survives failures, stops."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from loguru import logger
from sqlalchemy import Engine

from lendline.compliance.ports import session_subject
from lendline.persistence.db import upgrade
from lendline.persistence.records import SessionRecord
from lendline.persistence.subject_keys import EngineVault
from lendline.persistence.uow import SqlUnitOfWork
from lendline.server.retention_schedule import enforce_retention
from lendline.service_layer.data_subjects import DataSubjectService
from lendline.shared.clock import ManualClock

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
#: Past the 6-month call-log rule.
EXPIRED = timedelta(days=200)
TICK = timedelta(seconds=0.02)
#: Bounded waits: long enough for a slow PostgreSQL round trip, short enough to fail fast.
PATIENCE = timedelta(seconds=20)


def anonymous_call(engine: Engine, at: datetime) -> str:
    """An anonymous call session (a call log only) last active at ``at``; its subject ref."""
    session_id = str(uuid.uuid4())
    with SqlUnitOfWork(engine) as uow:
        uow.sessions.save(
            SessionRecord(
                session_id=session_id,
                caller_number="+8613700137000",
                channel="voice",
                status="ended",
                step="greeting",
                started_at=at,
                updated_at=at,
            )
        )
        uow.commit()
    return session_subject(session_id)


def audit_kinds(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with SqlUnitOfWork(engine, read_only=True) as uow:
        return [(e.kind, json.loads(e.payload_json)) for e in uow.audit.entries()]


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait (bounded) until ``condition`` holds; it runs in a thread, as it reads the database."""
    deadline = asyncio.get_running_loop().time() + PATIENCE.total_seconds()
    while not await asyncio.to_thread(condition):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await asyncio.sleep(TICK.total_seconds())


async def stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def logged() -> Iterator[list[tuple[str, str, bool]]]:
    """The job's log records as (level, message, has a traceback)."""
    records: list[tuple[str, str, bool]] = []
    sink = logger.add(
        lambda message: records.append(
            (
                message.record["level"].name,
                message.record["message"],
                message.record["exception"] is not None,
            )
        ),
        level="INFO",
        filter="lendline.server.retention_schedule",
    )
    yield records
    logger.remove(sink)


async def test_the_schedule_erases_expired_call_logs_and_keeps_young_ones(
    engine: Engine, clock: ManualClock, logged: list[tuple[str, str, bool]]
) -> None:
    vault = EngineVault(engine, clock)
    expired = anonymous_call(engine, clock.now())
    clock.advance(EXPIRED)
    young = anonymous_call(engine, clock.now())
    job = asyncio.create_task(
        enforce_retention(DataSubjectService(engine, vault, clock), every=TICK, first_after=TICK)
    )
    try:
        await eventually(lambda: vault.is_shredded(expired), "the expired call log is shredded")
        # A few more runs: they find nothing more to do.
        await eventually(lambda: len(logged) >= 4, "three runs were logged")
    finally:
        await stopped(job)
    assert not vault.is_shredded(young)
    erasures = [payload for kind, payload in audit_kinds(engine) if kind == "retention.erased"]
    assert erasures == [{"subject": expired, "subjects_shredded": 1}]
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok
    summaries = [message for level, message, _ in logged if message.startswith("retention run")]
    assert summaries[0] == "retention run: 2 subject(s) assessed, 1 erased, 1 kept"
    assert summaries[1] == "retention run: 1 subject(s) assessed, 0 erased, 1 kept"
    # Counts only: the log says nothing of which subjects.
    for subject in (expired, young):
        assert not any(subject.split(":")[1] in message for _, message, _ in logged)


async def test_a_failed_run_is_logged_and_the_next_tick_runs_again(
    blank_engine: Engine, clock: ManualClock, logged: list[tuple[str, str, bool]]
) -> None:
    # A database that is not migrated yet: the first runs fail on the missing tables.
    vault = EngineVault(blank_engine, clock)
    job = asyncio.create_task(
        enforce_retention(
            DataSubjectService(blank_engine, vault, clock), every=TICK, first_after=TICK
        )
    )
    try:
        await eventually(lambda: any(level == "ERROR" for level, *_ in logged), "a run failed")
        (failure, *_) = [entry for entry in logged if entry[0] == "ERROR"]
        assert failure[1] == "the retention run failed; retrying on the next tick"
        assert failure[2]  # with its traceback
        await asyncio.to_thread(upgrade, blank_engine)
        expired = await asyncio.to_thread(anonymous_call, blank_engine, clock.now())
        clock.advance(EXPIRED)
        await eventually(lambda: vault.is_shredded(expired), "a later run shreds")
    finally:
        await stopped(job)
    assert [kind for kind, _ in audit_kinds(blank_engine)].count("retention.erased") == 1


class GatedVault(EngineVault):
    """The SQL vault, whose first shred waits at a gate until the test opens it."""

    def __init__(self, engine: Engine, clock: ManualClock) -> None:
        super().__init__(engine, clock)
        self.reached = threading.Event()
        self.gate = threading.Event()

    def shred(self, subject: str, at: datetime) -> bool:
        if not self.reached.is_set():
            self.reached.set()
            if not self.gate.wait(PATIENCE.total_seconds()):
                raise TimeoutError("the test never opened the gate")
        return super().shred(subject, at)


async def test_cancelling_mid_run_finishes_the_subject_in_hand_and_erases_no_more(
    engine: Engine, clock: ManualClock
) -> None:
    vault = GatedVault(engine, clock)
    expired = [anonymous_call(engine, clock.now()) for _ in range(3)]
    clock.advance(EXPIRED)
    job = asyncio.create_task(
        enforce_retention(DataSubjectService(engine, vault, clock), every=TICK, first_after=TICK)
    )
    await eventually(vault.reached.is_set, "the run is erasing its first subject")
    job.cancel()
    await asyncio.sleep(0.05)  # the cancellation reaches the job while the shred waits
    assert not job.done()  # it waits for the subject in hand
    vault.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await job
    shredded = [subject for subject in expired if vault.is_shredded(subject)]
    erasures = [payload for kind, payload in audit_kinds(engine) if kind == "retention.erased"]
    # The subject in hand is erased and audited in full; the next run takes the rest.
    assert len(shredded) == 1
    assert erasures == [{"subject": shredded[0], "subjects_shredded": 1}]
    with SqlUnitOfWork(engine, read_only=True) as uow:
        assert uow.audit.verify().ok


async def test_cancelling_before_the_first_run_ends_the_job_at_once(
    engine: Engine, clock: ManualClock
) -> None:
    expired = anonymous_call(engine, clock.now())
    clock.advance(EXPIRED)
    vault = EngineVault(engine, clock)
    job = asyncio.create_task(
        enforce_retention(
            DataSubjectService(engine, vault, clock),
            every=timedelta(hours=24),
            first_after=timedelta(hours=1),
        )
    )
    await asyncio.sleep(0.05)
    await asyncio.wait_for(stopped(job), timeout=1)
    assert not vault.is_shredded(expired)
    assert "retention.erased" not in [kind for kind, _ in audit_kinds(engine)]


async def test_a_schedule_without_a_positive_interval_is_refused(engine: Engine) -> None:
    service = DataSubjectService(engine, EngineVault(engine))
    with pytest.raises(ValueError, match="positive interval"):
        await enforce_retention(service, every=timedelta(0), first_after=timedelta(0))
