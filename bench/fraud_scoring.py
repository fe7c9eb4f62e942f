"""Fraud scoring on a call: rules and model latency, the facts builder, and ring detection.

Part 1, in process. Per application: the fraud rules over its facts, the pure-Python fraud
model (probability and reasons), and both together, as the loan desk runs them. Baseline in
the same run: scikit-learn's ``predict_proba`` of the same calibrated model on one row (the
row already a numpy array), which is what scoring would cost with the training stack loaded
in the server.

Part 2, the facts builder on a database holding ``--observations`` (default 100,000) keyed
observations: record one application's identifiers and count them (one unit of work each),
on SQLite and PostgreSQL.

Part 3, ring detection over the same ``--observations``: in memory (the core alone), and
read from each database (``detect_rings``), with one planted ring to find.

Usage: ``python bench/fraud_scoring.py [--iterations 5000] [--observations 100000]
[--postgres-url URL] [--sqlite-only]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import DEFAULT_PG, database, percentile  # noqa: E402

from lendline.modelling.fraud import LOG1P_FEATURES, document, train  # noqa: E402
from lendline.modelling.fraud_data import FEATURES  # noqa: E402
from lendline.persistence import tables as t  # noqa: E402
from lendline.persistence.uow import SqlUnitOfWork  # noqa: E402
from lendline.risk.fraud.facts import FraudFacts  # noqa: E402
from lendline.risk.fraud.history import KeyObservation, ObservationKind  # noqa: E402
from lendline.risk.fraud.model import FraudModel  # noqa: E402
from lendline.risk.fraud.rings import find_rings  # noqa: E402
from lendline.risk.fraud.rules import evaluate  # noqa: E402
from lendline.service_layer.fraud_facts import (  # noqa: E402
    ApplicationIdentifiers,
    build_fraud_facts,
)
from lendline.service_layer.ring_detection import detect_rings  # noqa: E402

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
console = Console()


def laps(fn: Callable[[], object], iterations: int) -> list[float]:
    """Seconds per call, one lap per call (after a short warm-up)."""
    for _ in range(min(200, iterations)):
        fn()
    out = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def facts_from_row(row: dict[str, float]) -> FraudFacts:
    """The facts a generated row stands for (counts and flags; night from the hour)."""
    values: dict[str, object] = {}
    for field in fields(FraudFacts):
        if field.name in row:
            raw = row[field.name]
            values[field.name] = bool(raw) if field.type == "bool" else int(raw)
    hour = 18 if row["night_application"] else 2  # UTC: 02:00 / 10:00 in Beijing
    return FraudFacts(applied_at=T0.replace(hour=hour), **values)  # type: ignore[arg-type]


def in_process(iterations: int) -> Table:
    """Part 1: rules and model per application, against sklearn on one row."""
    trained = train()
    model = FraudModel(document(trained))
    rows = trained.test.to_dict("records")[:500]
    facts = [facts_from_row(row) for row in rows]
    features = [{name: float(row[name]) for name in FEATURES} for row in rows]
    arrays = [
        np.array(
            [
                [
                    np.log1p(max(row[n], 0.0)) if n in LOG1P_FEATURES else row[n]
                    for n in trained.features
                ]
            ]
        )
        for row in rows
    ]
    it = iter(range(10**12))

    def pick() -> int:
        return next(it) % len(rows)

    def rules() -> object:
        return evaluate(facts[pick()])

    def scored() -> object:
        return model.score(features[pick()])

    def both() -> object:
        i = pick()
        return evaluate(facts[i]), model.score(features[i])

    def baseline() -> object:
        return trained.calibrated.predict_proba(arrays[pick()])

    table = Table(title=f"Fraud scoring in process: {iterations:,} applications each")
    for column in ("What", "p50 µs", "p99 µs", "per second", "vs baseline (p50)"):
        table.add_column(column, justify="right" if column != "What" else "left")
    results = [
        ("baseline: sklearn predict_proba, one row", laps(baseline, iterations)),
        ("rules (F01-F25)", laps(rules, iterations)),
        ("model, pure Python (probability + reasons)", laps(scored, iterations)),
        ("rules + model", laps(both, iterations)),
    ]
    base = percentile(results[0][1], 50)
    for label, values in results:
        p50 = percentile(values, 50)
        table.add_row(
            label,
            f"{p50 * 1e6:.1f}",
            f"{percentile(values, 99) * 1e6:.1f}",
            f"{len(values) / sum(values):,.0f}",
            f"x{base / p50:.1f} faster" if label != results[0][0] else "",
        )
    return table


def synthetic_observations(count: int, rng: random.Random) -> list[KeyObservation]:
    """``count`` observations of honest applicants (six identifiers each) plus a ring."""
    kinds = list(ObservationKind)
    people = count // len(kinds)
    out = []
    for n in range(people):
        at = T0 - timedelta(minutes=rng.randrange(60 * 24 * 80))
        for kind in kinds:
            value = (
                f"emp-{rng.randrange(people // 3)}"
                if kind is ObservationKind.EMPLOYER
                else f"{kind}-{n}"
            )
            out.append(KeyObservation(f"A{n:07d}", f"C{n:07d}", kind, f"{value:0>64}"[-64:], at))
    for i in range(6):
        for kind, value in (
            (ObservationKind.ACCOUNT, f"mule-{i % 2}"),
            (ObservationKind.CALLER_ID, "coach"),
        ):
            out.append(KeyObservation(f"R{i}", f"ring-{i}", kind, f"{value:0>64}", T0))
    return out


def bulk_load(engine: Engine, observations: list[KeyObservation]) -> None:
    """Insert the observations in batches (as a backfill would)."""
    batch = 10_000
    for start in range(0, len(observations), batch):
        with engine.begin() as conn:
            conn.execute(
                insert(t.risk_observations),
                [
                    {
                        "observed_at": o.observed_at,
                        "session_id": None,
                        "reference": o.application,
                        "kind": o.kind.value,
                        "key": o.key,
                        "subject": o.subject,
                    }
                    for o in observations[start : start + batch]
                ],
            )


def facts_builder(engine: Engine, applications: int) -> list[float]:
    """Seconds per ``build_fraud_facts`` (own unit of work and commit each)."""
    out = []
    for n in range(applications):
        identifiers = ApplicationIdentifiers(
            id_number=f"11010519491231{n:04d}",
            mobile=f"1380013{n:04d}",
            caller_number=f"1380013{n:04d}",
            account=f"62258800{n:08d}",
            employer=f"Employer {n % 50}",
        )
        start = time.perf_counter()
        with SqlUnitOfWork(engine) as uow:
            build_fraud_facts(
                uow,
                identifiers,
                at=T0,
                session_id=f"bench-{n}",
                reference=f"LL-B{n:06d}",
                customer_id=f"B{n:06d}",
            )
            uow.commit()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5_000)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=300)
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]

    console.print(in_process(args.iterations))

    rng = random.Random(5)
    observations = synthetic_observations(args.observations, rng)
    start = time.perf_counter()
    rings = find_rings(observations)
    in_memory = time.perf_counter() - start
    assert [r.members for r in rings] == [tuple(f"R{i}" for i in range(6))], rings

    facts_table = Table(
        title=f"Facts builder over {len(observations):,} stored observations "
        f"({args.applications} applications, one transaction each)"
    )
    for column in ("Database", "p50 ms", "p99 ms"):
        facts_table.add_column(column)
    ring_table = Table(title=f"Ring detection over {len(observations):,} observations")
    for column in ("Where", "seconds", "rings found"):
        ring_table.add_column(column)
    ring_table.add_row("in memory (core only)", f"{in_memory:.2f}", str(len(rings)))
    with tempfile.TemporaryDirectory() as tmp:
        for kind in backends:
            with database(kind, Path(tmp), args.postgres_url) as engine:
                bulk_load(engine, observations)
                values = facts_builder(engine, args.applications)
                facts_table.add_row(
                    kind,
                    f"{percentile(values, 50) * 1e3:.2f}",
                    f"{percentile(values, 99) * 1e3:.2f}",
                )
                start = time.perf_counter()
                found = detect_rings(engine, now=T0 + timedelta(hours=1))
                ring_table.add_row(
                    f"{kind} (read + detect)", f"{time.perf_counter() - start:.2f}", str(len(found))
                )
    console.print(facts_table)
    console.print(ring_table)


if __name__ == "__main__":
    main()
