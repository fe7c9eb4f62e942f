"""Demo runs one after another: each in records of its own, each showing the whole loan.

Over chat (the demo's script and desk without the speech engines, which the voice suite
covers), against real SQLite databases: the same borrower three times in a row would be
referred for velocity in one database; in runs of their own each is disbursed, and the
earlier runs' records stay on disk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lendline.bootstrap import bootstrap
from lendline.demo.borrowers import happy_borrower
from lendline.demo.drive import chat_as
from lendline.demo.runs import RUNS_DIR, demo_run_settings
from scenarios import CHECKS
from suite_settings import _settings


@pytest.mark.parametrize("language", ["zh", "en"])
def test_three_demo_runs_in_a_row_each_end_with_the_loan_paid_out(
    tmp_path: Path, language: str
) -> None:
    base = _settings(tmp_path, f"sqlite:///{tmp_path / 'lendline.db'}")
    started = datetime(2026, 12, 7, 9, tzinfo=UTC)
    runs = []
    for index in range(3):
        settings = demo_run_settings(base, language, started + timedelta(minutes=index))
        app = bootstrap(settings)
        try:
            app.load_demo_customers()
            report = chat_as(app, happy_borrower(language))
            CHECKS["happy"](app, report.state, language)
        finally:
            app.close()
        runs.append(settings.data_dir)
    assert len(set(runs)) == 3
    for run in runs:
        assert run.parent == tmp_path / RUNS_DIR
        assert (run / "lendline.db").is_file() and (run / "payment-rail.db").is_file()
    # Nothing of the runs is written where the settings pointed before.
    assert not (tmp_path / "lendline.db").exists()


def test_a_control_three_runs_in_one_database_are_not_all_paid_out(tmp_path: Path) -> None:
    # Why runs are kept apart: the fraud rules see the same borrower apply again and again.
    app = bootstrap(_settings(tmp_path, f"sqlite:///{tmp_path / 'lendline.db'}"))
    try:
        app.load_demo_customers()
        statuses = [chat_as(app, happy_borrower("zh")).state.status.value for _ in range(3)]
    finally:
        app.close()
    assert statuses[0] == "completed" and statuses[1:] != ["completed", "completed"], statuses
