"""Each demo call in a records directory of its own, so every run shows the whole loan.

The demo borrower is the same person every time, and the fraud rules count applications by
ID number, mobile and device: a second demo against the same database is (rightly) referred
for velocity. So each run gets its own database, SMS outbox, simulated bank, recordings,
keys and audit heads under ``<data_dir>/demo-runs/<UTC time>-<language>/``, and the earlier
runs stay there to be inspected with the usual commands (pointing ``LENDLINE_DATA_DIR`` and
``LENDLINE_DATABASE__URL`` at a run). The speech models and the prompt cache are shared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lendline.config import DatabaseSettings, Settings

RUNS_DIR = "demo-runs"


def demo_run_settings(settings: Settings, language: str, now: datetime | None = None) -> Settings:
    """``settings`` with every record of the call moved into a new run directory."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    run = settings.data_dir / RUNS_DIR / f"{stamp}-{language}"
    run.mkdir(parents=True, exist_ok=False)
    return settings.model_copy(
        update={
            "data_dir": run,
            "database": DatabaseSettings(url=f"sqlite:///{run / 'lendline.db'}"),
            "sms_outbox": run / "sms-outbox.jsonl",
            "payment_rail_url": f"sqlite:///{run / 'payment-rail.db'}",
            "contracts_dir": None,
            "telephony": settings.telephony.model_copy(
                update={"recordings_dir": run / "recordings"}
            ),
            "keys": settings.keys.model_copy(update={"key_file": None}),
            "audit": settings.audit.model_copy(
                update={"signing_key_file": None, "heads_dir": None}
            ),
        }
    )


def inspect_hint(settings: Settings) -> str:
    """How to point the CLI at a run's records."""
    run: Path = settings.data_dir
    return (
        f"LENDLINE_DATA_DIR={run} LENDLINE_DATABASE__URL={settings.database.url} "
        "lendline audit verify"
    )
