"""The staged fraud scenario set through the real voice pipeline: TPR and FPR.

Runs every scenario of ``lendline.demo.fraud_scenarios`` (honest en/zh/hesitant callers,
a coached applicant with a second voice, a fast scripted reader, scam-fee victims in en and
zh, stacked applications) as a whole voice call on a fresh database and prints, per call,
how it ended, the decision, the markers it left and whether it was flagged; then the true-
positive rate (fraud flagged for its own reason) and false-positive rate (honest flagged).

Baseline, in the same run: the same calls judged by the written rules alone (the policy
without the fraud rules, fraud model and call signals: ``LoanDesk.risk = None``), which is
what LendLine decided before live risk. Usage: ``python bench/fraud_scenarios.py``.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))


def engines():  # type: ignore[no-untyped-def]
    from lendline.voice.call import SpeechEngines
    from lendline.voice.engines.factory import default_stt, default_tts
    from suite_settings import MODEL_CACHE, PROMPT_CACHE

    stt = default_stt(MODEL_CACHE)
    stt.warm_up()
    return SpeechEngines(
        stt=stt,
        voices={"zh": default_tts("zh", PROMPT_CACHE), "en": default_tts("en", PROMPT_CACHE)},
    )


def run_all(speech, live_risk: bool):  # type: ignore[no-untyped-def]
    from lendline.bootstrap import bootstrap
    from lendline.demo.fraud_scenarios import fraud_scenarios, run_scenario
    from suite_settings import DEMO_QUESTION_SEED, _settings

    results = []
    for scenario in fraud_scenarios():
        with tempfile.TemporaryDirectory() as tmp:
            app = bootstrap(_settings(Path(tmp), f"sqlite:///{tmp}/lendline.db"))
            app.load_demo_customers()
            app.speech_engines = speech
            app.desk.rng = random.Random(DEMO_QUESTION_SEED)
            if not live_risk:
                app.desk.risk = None
            started = time.perf_counter()
            result = asyncio.run(run_scenario(app, scenario))
            results.append((result, time.perf_counter() - started))
            app.close()
    return results


def main() -> None:
    from lendline.demo.fraud_scenarios import rates

    console = Console()
    speech = engines()
    summary = Table(title="Staged fraud scenarios: TPR / FPR")
    for column in ("decided by", "fraud detected", "TPR", "honest flagged", "FPR"):
        summary.add_column(column)
    for live in (True, False):
        label = "live risk (rules + model + signals)" if live else "baseline: written rules only"
        results = run_all(speech, live)
        table = Table(title=label)
        for column in ("scenario", "pattern", "status", "outcome", "markers", "flagged", "s"):
            table.add_column(column)
        for result, seconds in results:
            table.add_row(
                result.scenario.name,
                result.scenario.pattern or "honest",
                result.status,
                result.outcome,
                ", ".join(sorted(result.markers)) or "-",
                ("detected" if result.detected else "FLAGGED" if result.flagged else "no")
                if result.scenario.is_fraud
                else ("FALSE ALARM" if result.flagged else "no"),
                f"{seconds:.0f}",
            )
        console.print(table)
        figures = rates([result for result, _ in results])
        summary.add_row(
            label,
            f"{figures.detected}/{figures.positives}",
            f"{figures.tpr:.2f}",
            f"{figures.false_alarms}/{figures.negatives}",
            f"{figures.fpr:.2f}",
        )
    console.print(summary)


if __name__ == "__main__":
    main()
