"""The risk officers' commands on a real database: review, the queue, handling an alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from lendline.cli import risk as risk_cli
from lendline.cli.main import app
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.risk_monitoring import DecisionFigures
from lendline.persistence.uow import SqlUnitOfWork


def test_review_raises_a_shift_alert_the_officer_lists_acknowledges_and_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # A wide console, so no column of the alert table is cut short.
    monkeypatch.setattr(risk_cli, "console", Console(width=200))
    database = f"sqlite:///{tmp_path / 'lendline.db'}"
    monkeypatch.setenv("LENDLINE_DATABASE__URL", database)
    monkeypatch.setenv("LENDLINE_PAYMENT_RAIL_URL", f"sqlite:///{tmp_path / 'bank.db'}")
    engine = make_engine(database)
    upgrade(engine)
    now = datetime.now(UTC)
    with SqlUnitOfWork(engine) as uow:
        for index in range(40):
            # Last week 5 % declined; this week 50 %.
            this_week = index >= 20
            declined = index % 20 < (10 if this_week else 1)
            uow.risk_decisions.add(
                DecisionFigures(
                    reference=f"LL-{index}",
                    session_id=f"s-{index}",
                    decided_at=now - timedelta(days=2 if this_week else 9, minutes=index),
                    outcome="decline" if declined else "approve",
                    policy_version="policy-test",
                )
            )
        uow.commit()
    engine.dispose()
    runner = CliRunner()

    reviewed = runner.invoke(app, ["risk", "review", "--days", "7"])
    assert reviewed.exit_code == 0, reviewed.output
    assert "decline_rate" in reviewed.output and "0.5000" in reviewed.output
    assert "alert(s) raised" in reviewed.output

    listed = runner.invoke(app, ["risk", "alerts", "--level", "critical"])
    assert listed.exit_code == 0, listed.output
    assert "decline_rate_shift" in listed.output
    alert_id = next(
        line.split("│")[1].strip()
        for line in listed.output.splitlines()
        if "decline_rate_shift" in line
    )

    acked = runner.invoke(app, ["risk", "ack", alert_id, "--operator", "officer-7"])
    assert acked.exit_code == 0 and "acknowledged by officer-7" in acked.output
    closed = runner.invoke(app, ["risk", "close", alert_id, "--operator", "officer-7"])
    assert closed.exit_code == 0, closed.output
    again = runner.invoke(app, ["risk", "close", alert_id, "--operator", "officer-7"])
    assert again.exit_code == 1 and "already closed" in again.output
    bad = runner.invoke(app, ["risk", "alerts", "--level", "severe"])
    assert bad.exit_code != 0
