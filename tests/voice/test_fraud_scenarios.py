"""Staged fraud patterns as real voice calls: each is flagged for its own reason, honest
callers are not. Synthesized speech (a second voice mixed in for the coached applicant),
8 kHz G.711, VAD, Smart Turn, Whisper, the dialog, the desk with the fraud rules, the fraud
model over the call's signals and the scorecard. The set's TPR and FPR are printed by
``bench/fraud_scenarios.py`` (and recorded in docs/risk.md)."""

from __future__ import annotations

import asyncio

import pytest

from lendline.demo.fraud_scenarios import fraud_scenarios, run_scenario
from lendline.persistence.uow import SqlUnitOfWork

pytestmark = [pytest.mark.slow, pytest.mark.voice]
SCENARIOS = {scenario.name: scenario for scenario in fraud_scenarios()}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_staged_call_is_flagged_for_its_own_reason_and_an_honest_one_is_not(
    make_app, name: str
) -> None:
    scenario = SCENARIOS[name]
    app = make_app(with_speech=True)
    result = asyncio.run(run_scenario(app, scenario))
    if scenario.is_fraud:
        assert result.detected, result
        # Every alert the call raised is also an event of the audit log.
        with SqlUnitOfWork(app.engine, read_only=True) as uow:
            raised = {item.alert_id for item in uow.alerts.for_session(result.session_id)}
            logged = {
                entry.payload["alert_id"]
                for entry in uow.audit.entries(result.session_id)
                if entry.kind == "alert.raised"
            }
        assert raised == logged
    else:
        assert not result.flagged, result
        assert result.status == "completed", result
