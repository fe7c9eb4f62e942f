"""Decision latency in process: the policy with live risk against the written rules alone.

Prints p50 / p99 (and peak memory) of

* the core: ``decide`` with the risk evidence (fraud rules, fraud model, scorecard all
  scored in pure Python) against the baseline ``decide`` on the written rules only;
* the whole desk call the dialog makes, ``LoanDesk.submit_application``, on SQLite and
  PostgreSQL: the fraud history written and counted, the models scored, the decision, its
  figures, alerts and audit entry committed; baseline the same desk with ``risk=None``.

Usage: ``python bench/decision_latency.py [--runs N] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from common import DEFAULT_PG, percentile  # noqa: E402


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up (imports, caches, prepared statements)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def core(runs: int) -> dict[str, list[float]]:
    from datetime import UTC, datetime

    from lendline.lending.limits import RegulatoryLimits
    from lendline.lending.product import DEFAULT_PRODUCT
    from lendline.lending.purpose import PurposeCategory
    from lendline.risk.fraud.call_signals import CallSignals
    from lendline.risk.fraud.facts import FraudFacts
    from lendline.risk.fraud.rules import evaluate, to_evidence
    from lendline.risk.policy import (
        ApplicationFacts,
        EmploymentStatus,
        ExplainedReason,
        PolicyConfig,
        RiskEvidence,
        decide,
    )
    from lendline.service_layer.risk_assessment import RiskAssessor
    from lendline.shared.money import Money

    facts = ApplicationFacts(
        amount=Money.of(50_000),
        term_months=12,
        purpose=PurposeCategory.HOME_RENOVATION,
        monthly_income=Money.of(15_000),
        employment=EmploymentStatus.EMPLOYED,
        age=38,
        identity_verified=True,
        security_questions_failed=0,
        registry_monthly_income=Money.of(15_000),
        existing_monthly_debt=Money.zero(),
    )
    limits, config = RegulatoryLimits(), PolicyConfig()
    assessor = RiskAssessor()
    fraud_facts = FraudFacts(applied_at=datetime(2026, 11, 29, 2, tzinfo=UTC))
    signals = CallSignals(speech_rate=3.5, pause_ratio=0.2, pitch_variation=0.15, turns=12)

    def with_risk() -> object:
        hits = evaluate(fraud_facts, assessor.rules)
        declines, refers, step_ups = to_evidence(hits)
        fraud = assessor.fraud_model.score({**fraud_facts.as_features(), **signals.as_features()})
        applicant = assessor._applicant(facts, DEFAULT_PRODUCT)
        assert applicant is not None
        credit = assessor.scorecard.score(applicant)
        evidence = RiskEvidence(
            credit_probability_bad=credit.probability_bad,
            credit_points=credit.points,
            credit_reasons=tuple(ExplainedReason(r.code, r.zh, r.en) for r in credit.reasons),
            fraud_probability=fraud.probability,
            fraud_reasons=tuple(ExplainedReason(r.code, r.zh, r.en) for r in fraud.reasons),
            fraud_declines=declines,
            fraud_refers=refers,
            fraud_step_ups=step_ups,
            model_versions=assessor.versions,
        )
        return decide(facts, DEFAULT_PRODUCT, limits, config, evidence)

    def rules_only() -> object:
        return decide(facts, DEFAULT_PRODUCT, limits, config)

    return {"core: live risk": timed(with_risk, runs), "core: rules only": timed(rules_only, runs)}


def desk(url: str, tmp: Path, runs: int, label: str) -> dict[str, list[float]]:
    from lendline.bootstrap import bootstrap
    from lendline.demo.borrowers import happy_borrower
    from lendline.demo.drive import resolve_answer
    from lendline.dialog.flow import CallerInput
    from lendline.dialog.ports import ApplicationInput
    from lendline.dialog.state import Step
    from lendline.lending.purpose import PurposeCategory
    from suite_settings import _settings

    app = bootstrap(_settings(tmp, url))
    app.load_demo_customers()
    persona = happy_borrower("zh")
    dialog = app.open_call(persona.caller_number, "chat")
    dialog.start()
    while dialog.state.step is not Step.EMPLOYMENT:
        answer = persona.answer(dialog.state.last_prompts[-1][0])
        assert answer is not None
        dialog.handle(
            CallerInput(text=resolve_answer(app, persona, answer, spoken=False, state=dialog.state))
        )
    application = ApplicationInput(
        amount=Decimal(50_000),
        term_months=12,
        purpose=PurposeCategory.HOME_RENOVATION,
        monthly_income=Decimal(15_000),
        employment="employed",
    )
    state = dialog.state
    live = timed(lambda: app.desk.submit_application(state, application), runs)
    assessor, app.desk.risk = app.desk.risk, None
    baseline = timed(lambda: app.desk.submit_application(state, application), runs)
    app.desk.risk = assessor
    app.close()
    return {f"desk ({label}): live risk": live, f"desk ({label}): rules only": baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    figures = core(args.runs * 10)
    with tempfile.TemporaryDirectory() as tmp:
        figures |= desk(f"sqlite:///{tmp}/lendline.db", Path(tmp), args.runs, "SQLite")
    with tempfile.TemporaryDirectory() as tmp:
        from common import database

        with database("postgresql", Path(tmp), args.pg) as engine:
            url = engine.url.render_as_string(hide_password=False)
            engine.dispose()
            figures |= desk(url, Path(tmp), args.runs, "PostgreSQL")
    table = Table(title=f"Decision latency in process ({args.runs} desk runs, 10x for the core)")
    for column in ("path", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right" if column != "path" else "left")
    for name, samples in figures.items():
        table.add_row(
            name,
            f"{percentile(samples, 50):.3f}",
            f"{percentile(samples, 99):.3f}",
            f"{max(samples):.3f}",
        )
    Console().print(table)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Console().print(f"peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
