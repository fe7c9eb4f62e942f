"""The fault test: SIGKILL at random and at the worst instants during 200 disbursements.

A worker process (``crash_worker.py``) pays 200 signed loans out through the outbox to the
simulated bank, which keeps its own books in a separate database. The test kills it with
SIGKILL again and again: at random moments, right after the bank paid (before LendLine
recorded the payment), and right after a payout was queued (before the bank was called).
Each restart replays the whole command list. When the worker finally runs to the end, a
last drain runs, and both books are compared: every loan paid exactly once (0 lost, 0 paid
twice), the ledger balanced and agreeing with the bank, every application disbursed, the
audit chain intact.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.persistence import tables as t
from lendline.persistence.subject_keys import KeyFile, bind_keys
from lendline.persistence.uow import SqlUnitOfWork
from lendline.service_layer.disbursements import Disbursements
from lendline.service_layer.loan_book import LoanBook
from lendline.shared.clock import SystemClock

LOANS = 200
WORKER = Path(__file__).with_name("crash_worker.py")

pytestmark = pytest.mark.slow


def run_worker(url: str, bank: Path, *extra: str, kill_after: float | None) -> str:
    """Run the worker; SIGKILL it ``kill_after`` seconds after it is ready. Return how it ended."""
    errors = bank.with_suffix(".stderr")
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(bank), str(LOANS), *extra],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        ) as process,
    ):
        assert process.stdout is not None
        ready = process.stdout.readline()
        if ready.strip() != "ready":
            process.kill()
            process.wait()
            raise AssertionError(f"worker did not start: {ready!r} {errors.read_text()}")
        if kill_after is not None:
            try:
                process.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        process.stdout.read()
        returncode = process.wait(timeout=300)
    if returncode == -signal.SIGKILL:
        return "killed"
    if returncode != 0:
        raise AssertionError(f"worker failed ({returncode}): {errors.read_text()}")
    return "finished"


def test_sigkill_during_200_disbursements_loses_nothing_and_pays_nothing_twice(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    bank_db = tmp_path / "bank.db"
    # The workers are other processes: they share the sealed data's keys through a key file.
    bind_keys(engine, KeyFile(bank_db.with_suffix(".keys.json")).keys())
    rng = random.Random(20261129)
    plan: list[tuple[str, ...]] = []
    for round_ in range(24):
        kind = round_ % 3
        if kind == 0:
            plan.append(("random",))
        elif kind == 1:
            plan.append(("--die-after-bank-pays", str(rng.randint(1, 6))))
        else:
            plan.append(("--die-before-bank", str(rng.randint(1, 6))))

    endings: Counter[str] = Counter()
    started = time.monotonic()
    for step in plan:
        if step[0] == "random":
            ending = run_worker(database_url, bank_db, kill_after=rng.uniform(0.05, 0.5))
        else:
            ending = run_worker(database_url, bank_db, *step, kill_after=None)
        endings[f"{step[0]}:{ending}"] += 1
    # Then let it run to the end, and drain once more as the service would on its next start.
    assert run_worker(database_url, bank_db, kill_after=None) == "finished"
    bank = SimulatedPaymentRail(bank_db)
    clock = SystemClock()
    Disbursements(engine, bank, clock).drain()
    elapsed = time.monotonic() - started

    per_loan = Counter(payout.reference for payout in bank.payouts())
    lost = [f"LL-TEST-{i:05d}" for i in range(LOANS) if per_loan[f"LL-TEST-{i:05d}"] == 0]
    doubled = [reference for reference, n in per_loan.items() if n > 1]
    with SqlUnitOfWork(engine, read_only=True) as uow:
        statuses = Counter(uow.connection.execute(select(t.applications.c.status)).scalars().all())
        duplicates_met = sum(
            1
            for entry in uow.audit.entries()
            if entry.kind == "loan.disbursed" and entry.payload.get("duplicate") is True
        )
        disbursed_events = uow.connection.execute(
            select(func.count()).where(t.audit_log.c.kind == "loan.disbursed")
        ).scalar_one()
        chain = uow.audit.verify()
    check = LoanBook(engine, clock).reconcile(bank)
    bank.close()
    kills = sum(n for key, n in endings.items() if key.endswith(":killed"))
    print(
        f"\n{database_url.split(':')[0]}: {kills} SIGKILLs {dict(endings)}; "
        f"{duplicates_met} payouts the bank had already made were met again after a restart; "
        f"{elapsed:.1f} s"
    )

    assert lost == [] and doubled == [], (lost, doubled)
    assert len(per_loan) == LOANS
    assert statuses == {"disbursed": LOANS}
    assert disbursed_events == LOANS
    assert check.balanced, check
    assert check.loans_paid == check.rail_payouts == LOANS
    assert chain.ok, chain
    # The worst instant was really hit: at least one payout reached the bank, the process died
    # before recording it, and the restart met the bank's first receipt.
    assert endings["--die-after-bank-pays:killed"] >= 1
    assert duplicates_met >= endings["--die-after-bank-pays:killed"]
    assert kills >= 20


def test_the_fault_test_notices_a_double_payout(engine: Engine, tmp_path: Path) -> None:
    """The checks above can fail: a second payout under another key is caught by reconciliation."""
    from signed_loans import ACCOUNT_NAME, account_number, sign_application

    from lendline.lending.ports import PayoutInstruction

    bank = SimulatedPaymentRail(tmp_path / "bank.db")
    clock = SystemClock()
    terms = sign_application(engine, 1, datetime.now(UTC))
    desk = Disbursements(engine, bank, clock)
    desk.request(
        terms,
        product_key="PL-STD@test",
        account_name=ACCOUNT_NAME,
        account_number=account_number(1),
    )
    desk.drain()
    bank.pay(
        PayoutInstruction(
            "a-careless-second-key",
            terms.reference,
            ACCOUNT_NAME,
            account_number(1),
            terms.principal,
        )
    )
    check = LoanBook(engine, clock).reconcile(bank)
    bank.close()
    assert not check.balanced
    assert check.paid_more_than_once == (terms.reference,)
