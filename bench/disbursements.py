"""Disbursement throughput and latency: the transactional outbox against paying inline.

For each database (SQLite file; PostgreSQL when reachable) N signed loans are paid out to
the simulated bank (its own SQLite ledger) three ways:

* ``outbox, per call``: what a call does: one transaction books the loan (ledger entry),
  records the payout, queues the outbox message and writes the audit event; then the relay
  sends that one payout and a second transaction records the result (settlement entry,
  application, outbox, audit). Latency per loan is measured around both.
* ``outbox, batch drain``: all N queued first, then one relay run sends them; throughput of
  the relay alone (what ``lendline payouts drain`` does after an outage).
* baseline ``inline, no outbox``: the pre-ledger way (issue 2): record the payout request,
  commit, call the bank, record completion. No ledger, no outbox, no booking; it is what the
  safety costs are measured against.

Usage: ``python bench/disbursements.py [--loans 300] [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration" / "lending"))
sys.path.insert(0, str(REPO / "bench"))

from common import DEFAULT_PG, database, percentile  # noqa: E402
from signed_loans import ACCOUNT_NAME, account_number, sign_application  # noqa: E402

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail  # noqa: E402
from lendline.lending.ports import PayoutInstruction  # noqa: E402
from lendline.lending.servicing import LoanTerms  # noqa: E402
from lendline.persistence.db import make_engine  # noqa: E402
from lendline.persistence.uow import SqlUnitOfWork  # noqa: E402
from lendline.service_layer.disbursements import Disbursements, payout_key  # noqa: E402
from lendline.shared.clock import SystemClock  # noqa: E402


def signed_loans(engine: Engine, count: int, offset: int) -> list[LoanTerms]:
    now = datetime.now(UTC)
    return [sign_application(engine, offset + i, now) for i in range(count)]


def queue(desk: Disbursements, terms: LoanTerms, index: int) -> None:
    desk.request(
        terms,
        product_key="PL-STD@bench",
        account_name=ACCOUNT_NAME,
        account_number=account_number(index),
    )


def run_outbox_per_call(
    engine: Engine, rail: SimulatedPaymentRail, loans: list[LoanTerms], tick: Callable[[], None]
) -> list[float]:
    desk = Disbursements(engine, rail, SystemClock())
    latencies = []
    for index, terms in enumerate(loans):
        started = time.perf_counter()
        queue(desk, terms, index)
        desk.drain(only_key=payout_key(terms.reference))
        latencies.append(time.perf_counter() - started)
        tick()
    return latencies


def run_outbox_batch(
    engine: Engine, rail: SimulatedPaymentRail, loans: list[LoanTerms], tick: Callable[[], None]
) -> tuple[list[float], float]:
    desk = Disbursements(engine, rail, SystemClock())
    for index, terms in enumerate(loans):
        queue(desk, terms, index)
    latencies: list[float] = []
    last = time.perf_counter()

    def lap(_message: object) -> None:
        nonlocal last
        now = time.perf_counter()
        latencies.append(now - last)
        last = now
        tick()

    desk.on_attempt = lap
    started = time.perf_counter()
    report = desk.drain()
    elapsed = time.perf_counter() - started
    assert report.count("completed") == len(loans)
    return latencies[1:] or latencies, elapsed


def run_inline_baseline(
    engine: Engine, rail: SimulatedPaymentRail, loans: list[LoanTerms], tick: Callable[[], None]
) -> list[float]:
    clock = SystemClock()
    latencies = []
    for index, terms in enumerate(loans):
        started = time.perf_counter()
        key = payout_key(terms.reference)
        with SqlUnitOfWork(engine) as uow:
            uow.payouts.record_request(
                application_ref=terms.reference,
                idempotency_key=key,
                amount_minor=terms.principal.to_minor(),
                currency="CNY",
                account_number=account_number(index),
                requested_at=clock.now(),
            )
            uow.commit()
        receipt = rail.pay(
            PayoutInstruction(
                key, terms.reference, ACCOUNT_NAME, account_number(index), terms.principal
            )
        )
        with SqlUnitOfWork(engine) as uow:
            uow.payouts.mark_completed(key, receipt.rail_reference, clock.now())
            uow.commit()
        latencies.append(time.perf_counter() - started)
        tick()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=300)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LENDLINE_TEST_POSTGRES_URL", DEFAULT_PG)
    )
    args = parser.parse_args()
    console = Console(width=max(Console().width, 110))
    backends = ["sqlite"]
    try:
        probe = make_engine(args.postgres_url)
        with probe.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        probe.dispose()
        backends.append("postgresql")
    except Exception as exc:
        console.print(f"[yellow]PostgreSQL unreachable ({type(exc).__name__}); SQLite only[/]")

    rows = []
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        workdir = Path(tmp)
        for backend in backends:
            modes: list[tuple[str, Callable[..., object]]] = [
                ("baseline: inline, no outbox", run_inline_baseline),
                ("outbox, per call", run_outbox_per_call),
                ("outbox, batch drain", run_outbox_batch),
            ]
            for mode, runner in modes:
                task = progress.add_task(f"{backend}: {mode}", total=args.loans)
                with database(backend, workdir, args.postgres_url) as engine:
                    rail = SimulatedPaymentRail(workdir / f"bank-{uuid.uuid4().hex[:6]}.db")
                    loans = signed_loans(engine, args.loans, 0)
                    started = time.perf_counter()
                    result = runner(engine, rail, loans, lambda task=task: progress.advance(task))
                    elapsed = time.perf_counter() - started
                    if isinstance(result, tuple):
                        latencies, elapsed = result
                    else:
                        latencies = result  # type: ignore[assignment]
                    assert len(rail.payouts()) == args.loans
                    rail.close()
                rows.append((backend, mode, latencies, args.loans / elapsed))

    table = Table(title=f"Disbursements: {args.loans} loans per run, simulated bank on SQLite")
    for column in ("database", "mode", "p50 ms", "p99 ms", "max ms", "payouts/s", "vs baseline"):
        table.add_column(column, justify="right" if column not in ("database", "mode") else "left")
    baseline: dict[str, float] = {}
    for backend, mode, latencies, rate in rows:
        if mode.startswith("baseline"):
            baseline[backend] = rate
        ms = [value * 1000 for value in latencies]
        table.add_row(
            backend,
            mode,
            f"{percentile(ms, 50):.1f}",
            f"{percentile(ms, 99):.1f}",
            f"{max(ms):.1f}",
            f"{rate:.0f}",
            f"x{rate / baseline[backend]:.2f}",
        )
    console.print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"Peak memory of the bench process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
