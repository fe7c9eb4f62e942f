"""The SMS outbox: one JSON line per message, shared safely by several writers."""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from lendline.adapters.sms.outbox import OutboxSmsGateway, latest_code_for, read_outbox
from lendline.identity.phone import MobileNumber
from lendline.identity.ports import SmsGateway
from lendline.shared.clock import ManualClock

ALICE = MobileNumber.parse("13812345678")
BOB = MobileNumber.parse("13987654321")
MESSAGES_PER_WRITER = 150


def test_a_sent_message_is_read_back_with_its_id_number_text_and_utc_time(
    tmp_path: Path,
) -> None:
    clock = ManualClock(datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    outbox = tmp_path / "sms" / "outbox.jsonl"
    gateway: SmsGateway = OutboxSmsGateway(outbox, clock=clock)
    message_id = gateway.send(ALICE, "【贷线】您的验证码为123456，10分钟内有效。")

    (message,) = read_outbox(outbox)
    assert message.id == message_id
    assert message.to == "13812345678"
    assert message.text == "【贷线】您的验证码为123456，10分钟内有效。"
    assert message.sent_at == clock.now()
    line = json.loads(outbox.read_text(encoding="utf-8"))
    assert line["sent_at"] == "2026-11-28T09:30:00+00:00"
    assert "贷线" in outbox.read_text(encoding="utf-8")  # kept readable, not \\u-escaped


def test_messages_come_back_oldest_first_with_distinct_ids(tmp_path: Path) -> None:
    gateway = OutboxSmsGateway(tmp_path / "outbox.jsonl")
    ids = [gateway.send(ALICE, f"message {n}") for n in range(3)]
    messages = read_outbox(tmp_path / "outbox.jsonl")
    assert [m.text for m in messages] == ["message 0", "message 1", "message 2"]
    assert [m.id for m in messages] == ids
    assert len(set(ids)) == 3


def test_a_missing_outbox_is_empty(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "none.jsonl") == []
    assert latest_code_for(tmp_path / "none.jsonl", "13812345678") is None


def test_the_latest_code_is_taken_from_the_newest_code_message_to_that_number(
    tmp_path: Path,
) -> None:
    outbox = tmp_path / "outbox.jsonl"
    clock = ManualClock()
    gateway = OutboxSmsGateway(outbox, clock=clock)
    gateway.send(ALICE, "[LendLine] Your verification code is 111111, valid for 10 minutes.")
    clock.advance(timedelta(minutes=1))
    gateway.send(ALICE, "【贷线】您的验证码为222222，10分钟内有效。")
    gateway.send(BOB, "【贷线】您的验证码为333333，10分钟内有效。")
    gateway.send(
        ALICE, "【贷线】借款合同摘要：借款20000元，期限12个月，合同编号LL-20261128-7KQ2M。"
    )

    assert latest_code_for(outbox, "13812345678") == "222222"
    assert latest_code_for(outbox, "+86 139 8765 4321") == "333333"
    assert latest_code_for(outbox, "13700001111") is None


def test_a_last_line_cut_short_by_a_crash_is_skipped_but_a_corrupt_middle_line_is_not(
    tmp_path: Path,
) -> None:
    outbox = tmp_path / "outbox.jsonl"
    OutboxSmsGateway(outbox).send(ALICE, "code 123456")
    with outbox.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "torn", "to": "1381')
    assert [m.text for m in read_outbox(outbox)] == ["code 123456"]

    with outbox.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    OutboxSmsGateway(outbox).send(ALICE, "code 654321")
    with pytest.raises(ValueError, match="line 2"):
        read_outbox(outbox)


def _write_many(path: str, digits: str) -> None:
    gateway = OutboxSmsGateway(Path(path))
    mobile = MobileNumber(digits)
    # Long texts make a torn or interleaved write likely if the lock did not hold.
    padding = "x" * 6000
    for n in range(MESSAGES_PER_WRITER):
        gateway.send(mobile, f"{digits} message {n} {padding}")


def test_two_processes_writing_at_once_leave_every_line_whole(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_many, args=(str(outbox), mobile.digits))
        for mobile in (ALICE, BOB)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0

    messages = read_outbox(outbox)
    assert len(messages) == 2 * MESSAGES_PER_WRITER
    for mobile in (ALICE, BOB):
        texts = [m.text.split(" x")[0] for m in messages if m.to == mobile.digits]
        # Each writer's messages arrive complete and in its own order.
        assert texts == [f"{mobile.digits} message {n}" for n in range(MESSAGES_PER_WRITER)]


def _send_one(path: str, ready: Event) -> None:
    gateway = OutboxSmsGateway(Path(path))
    ready.set()
    gateway.send(ALICE, "code 123456")


def test_a_writer_waits_while_another_process_holds_the_outbox_lock(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    with outbox.open("a", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        writer = context.Process(target=_send_one, args=(str(outbox), ready))
        writer.start()
        assert ready.wait(timeout=60)
        time.sleep(0.5)  # ample time to write, had the writer not waited for the lock
        assert outbox.stat().st_size == 0
        fcntl.flock(held, fcntl.LOCK_UN)
    writer.join(timeout=60)
    assert writer.exitcode == 0
    assert [m.text for m in read_outbox(outbox)] == ["code 123456"]
