"""Credit scoring on a call: the pure-Python scorecard against optbinning, in process.

Per applicant, what the loan desk runs: ``Scorecard.score`` from the shipped JSON (feature
mapping, bins, points, Decimal logistic link, ranked reasons), and ``Scorecard.load_default``
once (cold, file read and parse). Baseline in the same run: optbinning's own
``Scorecard.score`` and ``predict_proba`` on a one-row DataFrame, the same scorecard refitted
on the same training split (what scoring would cost with the training stack in the server).
Applicants are the German Credit holdout, mapped to call-time inputs with and without their
bureau facts.

Usage: ``python bench/credit_scoring.py [--iterations 5000]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import percentile  # noqa: E402

from lendline.modelling import credit as model  # noqa: E402
from lendline.modelling import credit_data as data  # noqa: E402
from lendline.risk.credit import scorecard as core  # noqa: E402


def timed(action: Callable[[int], object], count: int) -> list[float]:
    laps = []
    for i in range(count):
        started = time.perf_counter()
        action(i)
        laps.append(time.perf_counter() - started)
    return laps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    console = Console(width=130)

    frame, _ = data.load_german_credit()
    x = data.scorecard_frame(frame)
    x_train, x_test, y_train, _ = model.split(x, data.german_target(frame))
    fitted = model.fit_scorecard(x_train, y_train, data.CATEGORICAL)
    blank = model.blank_bureau(x_test)
    rows = {
        "bureau known": x_test.to_dict(orient="records"),
        "call only (bureau missing)": [
            {k: (v if k not in data.BUREAU_FEATURES else None) for k, v in row.items()}
            for row in x_test.to_dict(orient="records")
        ],
    }
    frames = {
        "bureau known": [x_test.iloc[[i]] for i in range(len(x_test))],
        "call only (bureau missing)": [blank.iloc[[i]] for i in range(len(blank))],
    }

    core._default.cache_clear()
    started = time.perf_counter()
    card = core.Scorecard.load_default()
    load = time.perf_counter() - started

    table = Table(title=f"Credit scoring, one applicant per call ({args.iterations:,} calls)")
    for column in ("inputs", "scorer", "p50 µs", "p99 µs", "per second", "vs optbinning"):
        table.add_column(column, justify="left" if column in ("inputs", "scorer") else "right")
    for label, records in rows.items():
        one_row = frames[label]
        ours = timed(lambda i, r=records: card.score_features(r[i % len(r)]), args.iterations)
        # optbinning's points and probability together are what the core's one call gives.
        iterations = max(200, args.iterations // 10)
        theirs = timed(
            lambda i, f=one_row: (fitted.score(f[i % len(f)]), fitted.predict_proba(f[i % len(f)])),
            iterations,
        )
        points_only = timed(lambda i, f=one_row: fitted.score(f[i % len(f)]), iterations)
        base = percentile(theirs, 50)
        for scorer, laps, vs in (
            ("pure Python (points, probability, reasons)", ours, base),
            ("baseline: optbinning score + predict_proba, 1-row DataFrame", theirs, None),
            ("optbinning score only, 1-row DataFrame", points_only, None),
        ):
            p50 = percentile(laps, 50)
            table.add_row(
                label,
                scorer,
                f"{p50 * 1e6:,.1f}",
                f"{percentile(laps, 99) * 1e6:,.1f}",
                f"{1 / p50:,.0f}",
                "" if vs is None else f"x{vs / p50:,.0f} faster",
            )
    console.print(table)
    console.print(f"Scorecard.load_default, cold (read and parse the JSON): {load * 1000:.2f} ms")


if __name__ == "__main__":
    main()
