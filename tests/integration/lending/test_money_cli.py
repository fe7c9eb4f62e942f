"""The money commands on a real database: drain queued payouts, show a loan, check the books."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from signed_loans import ACCOUNT_NAME, account_number, sign_application
from typer.testing import CliRunner

from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.cli.main import app
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.subject_keys import KeyFile, bind_keys
from lendline.service_layer.disbursements import Disbursements
from lendline.shared.clock import SystemClock


def test_payouts_queued_before_a_crash_are_sent_by_the_drain_command_and_the_books_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = f"sqlite:///{tmp_path / 'lendline.db'}"
    bank = f"sqlite:///{tmp_path / 'bank.db'}"
    monkeypatch.setenv("LENDLINE_DATABASE__URL", database)
    monkeypatch.setenv("LENDLINE_PAYMENT_RAIL_URL", bank)
    engine = make_engine(database)
    upgrade(engine)
    # The CLI seals personal data with the local key file under its data dir: use the same.
    bind_keys(engine, KeyFile(tmp_path / "var" / "keys" / "personal-data-keys.json").keys())
    rail = SimulatedPaymentRail(tmp_path / "bank.db")
    queued = Disbursements(engine, rail, SystemClock())
    refs = []
    for index in range(3):  # queued by a process that died before sending them
        terms = sign_application(engine, index, datetime.now(UTC))
        queued.request(
            terms,
            product_key="PL-STD@test",
            account_name=ACCOUNT_NAME,
            account_number=account_number(index),
        )
        refs.append(terms.reference)
    runner = CliRunner()

    unpaid = runner.invoke(app, ["ledger", "check"])
    assert unpaid.exit_code == 0, unpaid.output  # booked, not yet paid: still balanced

    drained = runner.invoke(app, ["payouts", "drain"])
    assert drained.exit_code == 0, drained.output
    assert "3 paid" in drained.output and "0 still queued" in drained.output
    assert len(rail.payouts()) == 3

    again = runner.invoke(app, ["payouts", "drain"])
    assert "0 paid" in again.output and len(rail.payouts()) == 3

    checked = runner.invoke(app, ["ledger", "check"])
    assert checked.exit_code == 0 and "Balanced" in checked.output

    shown = runner.invoke(app, ["loans", "show", refs[0]])
    assert shown.exit_code == 0 and "1,000.00" in shown.output  # loan 0 lends 1,000 CNY
    missing = runner.invoke(app, ["loans", "show", "LL-NOPE"])
    assert missing.exit_code == 1 and "no booked loan" in missing.output
    rail.close()
    engine.dispose()
