"""Loan maths throughput and latency: building schedules and solving the APR of 36-month loans.

For N random loans (1,000–200,000 CNY, 0–36 % a year, both repayment methods, a third with a
monthly fee) it times, one call at a time:

* ``build_schedule`` (Decimal, fen-rounded);
* the monthly IRR behind the APR, by LendLine's Decimal solver (``apr.monthly_irr``).

Baseline, in the same run and on the same loans: numpy-financial's float ``irr`` (polynomial
roots), and pyxirr's ``irr`` (Rust, Newton) when it is installed. Per implementation it prints
calls per second and p50/p99/max latency in microseconds, and for the IRR solvers the largest
difference from LendLine's answer. The baselines are given the cash flows already as floats,
so the conversion is not charged to them.

Usage: ``python bench/loan_math.py [--loans N] [--months 36] [--seed S]``.
"""

from __future__ import annotations

import argparse
import decimal
import importlib.metadata
import platform
import random
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy_financial as npf
from rich.console import Console
from rich.table import Table

from lendline.lending.apr import monthly_irr
from lendline.lending.schedule import RepaymentMethod, build_schedule
from lendline.shared.money import MONEY_CONTEXT, Money

try:
    import pyxirr
except ImportError:  # optional second baseline (dev extra)
    pyxirr = None

WARM_UP = 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def random_loans(count: int, months: int, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    loans = []
    for _ in range(count):
        principal = Money.from_minor(rng.randint(1_000_00, 200_000_00))
        with decimal.localcontext(MONEY_CONTEXT):
            rate = Decimal(rng.randint(0, 3600)) / 120_000  # annual ÷ 12, as products do
        method = rng.choice(list(RepaymentMethod))
        fee = Money.from_minor(rng.choice([0, 0, rng.randint(1, 500_00)]))
        loans.append((principal, rate, months, method, fee))
    return loans


def timed(call: Callable[..., Any], inputs: Sequence[tuple[Any, ...]]) -> tuple[list[Any], dict]:
    """Call ``call(*args)`` for each input; return the results and the timing figures."""
    for args in inputs[:WARM_UP]:  # imports, caches and branch predictors settle first
        call(*args)
    results, latencies = [], []
    started = time.perf_counter()
    for args in inputs:
        before = time.perf_counter_ns()
        results.append(call(*args))
        latencies.append((time.perf_counter_ns() - before) / 1_000)
    total = time.perf_counter() - started
    return results, {
        "rate": len(inputs) / total,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
    }


def version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=5_000, help="random loans to time")
    parser.add_argument("--months", type=int, default=36, help="term of every loan")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    console = Console()
    if not console.is_terminal:  # piped into a file or a log: do not squeeze to 80 columns
        console = Console(width=120)

    loans = random_loans(args.loans, args.months, args.seed)
    with console.status(f"Building {len(loans):,} schedules..."):
        schedules, build = timed(build_schedule, loans)
    cash = [(loan[0], schedule.payments()) for loan, schedule in zip(loans, schedules, strict=True)]
    floats = [
        ([-float(net.amount)] + [float(p.amount) for p in payments],) for net, payments in cash
    ]

    with console.status("Solving the IRR with LendLine's Decimal solver..."):
        ours, ours_timing = timed(monthly_irr, cash)
    solvers: list[tuple[str, dict, list[float]]] = []
    with console.status("Solving the IRR with numpy-financial (baseline)..."):
        theirs, timing = timed(npf.irr, floats)
        solvers.append(("numpy-financial (baseline)", timing, theirs))
    if pyxirr is not None:
        with console.status("Solving the IRR with pyxirr..."):
            theirs, timing = timed(pyxirr.irr, floats)
            solvers.append(("pyxirr", timing, theirs))
    baseline = solvers[0][1]

    table = Table(
        title=f"Loan maths: {len(loans):,} random {args.months}-month loans, one call at a time"
    )
    for column in [
        "task",
        "implementation",
        "calls/s",
        "p50 µs",
        "p99 µs",
        "max µs",
        "speed",
        "max |ΔIRR|",
    ]:
        table.add_column(column, justify="right")

    def row(operation: str, name: str, timing: dict, difference: str, compare: bool) -> None:
        table.add_row(
            operation,
            name,
            f"{timing['rate']:,.0f}",
            f"{timing['p50']:,.1f}",
            f"{timing['p99']:,.1f}",
            f"{timing['max']:,.1f}",
            f"x{baseline['p50'] / timing['p50']:,.2f}" if compare else "",
            difference,
        )

    row("schedule", "LendLine (Decimal)", build, "", compare=False)
    row("IRR", "LendLine (Decimal)", ours_timing, "—", compare=True)
    for name, timing, theirs in solvers:
        worst = max(abs(float(a) - b) for a, b in zip(ours, theirs, strict=True))
        row("IRR", name, timing, f"{worst:.1e}", compare=True)
    console.print(table)
    console.print(
        f"Python {platform.python_version()}, numpy {version('numpy')}, "
        f"numpy-financial {version('numpy-financial')}, pyxirr {version('pyxirr')}. "
        "speed: numpy-financial's median latency over this row's (x2 = twice as fast); "
        "max |ΔIRR|: largest difference from LendLine's monthly IRR. max µs includes garbage-"
        "collection pauses: the bench keeps every schedule alive, as a batch job would."
    )
    schedule_and_apr = 1e6 / (build["p50"] + ours_timing["p50"])
    console.print(
        f"One loan's schedule plus its APR at the median: {schedule_and_apr:,.0f} loans/s "
        "on one core."
    )


if __name__ == "__main__":
    main()
