"""The retention schedule's settings: read from the environment, refused when negative."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lendline.config import RetentionSettings, Settings


def test_by_default_serve_enforces_retention_daily_a_minute_after_start() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.retention == RetentionSettings(run_every_hours=24, first_run_after_secs=60)


def test_zero_hours_from_the_environment_turns_the_schedule_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LENDLINE_RETENTION__RUN_EVERY_HOURS", "0")
    monkeypatch.setenv("LENDLINE_RETENTION__FIRST_RUN_AFTER_SECS", "5.5")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.retention.run_every_hours == 0
    assert settings.retention.first_run_after_secs == 5.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RUN_EVERY_HOURS", "-1"),
        ("FIRST_RUN_AFTER_SECS", "-0.5"),
        ("RUN_EVERY_HOURS", "inf"),
        ("RUN_EVERY_HOURS", "nan"),
    ],
)
def test_negative_infinite_or_nan_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"LENDLINE_RETENTION__{name}", value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings(_env_file=None)  # type: ignore[call-arg]
