"""Alert levels and routing: critical during a call pauses and hands off; warn is queued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lendline.risk.alerts import Alert, AlertLevel, AlertRoute, AlertSource, highest, route

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("level", "live", "expected"),
    [
        (AlertLevel.INFO, True, AlertRoute.RECORD),
        (AlertLevel.INFO, False, AlertRoute.RECORD),
        (AlertLevel.WARN, True, AlertRoute.REVIEW_QUEUE),
        (AlertLevel.WARN, False, AlertRoute.REVIEW_QUEUE),
        (AlertLevel.CRITICAL, True, AlertRoute.PAUSE_AND_HAND_OFF),
        (AlertLevel.CRITICAL, False, AlertRoute.PAGE_RISK_OFFICER),
    ],
)
def test_each_level_has_its_route(level: AlertLevel, live: bool, expected: AlertRoute) -> None:
    assert route(level, call_live=live) is expected


def test_levels_order_by_severity() -> None:
    assert [level.rank for level in AlertLevel] == [0, 1, 2]
    assert highest([AlertLevel.WARN, AlertLevel.CRITICAL, AlertLevel.INFO]) is AlertLevel.CRITICAL
    assert highest([]) is None


def test_an_alert_needs_a_code_and_an_aware_time() -> None:
    with pytest.raises(ValueError, match="code"):
        Alert("", AlertLevel.INFO, AlertSource.CALL, NOW)
    with pytest.raises(ValueError, match="UTC"):
        Alert("x", AlertLevel.INFO, AlertSource.CALL, NOW.replace(tzinfo=None))


def test_the_audit_record_holds_codes_and_figures_only() -> None:
    alert = Alert(
        "scam_cue",
        AlertLevel.CRITICAL,
        AlertSource.CALL,
        NOW,
        session_id="s1",
        reference="LL-1",
        reasons=("scam_fee",),
        figures={"fraud_probability": "0.71"},
    )
    assert alert.as_record() == {
        "code": "scam_cue",
        "level": "critical",
        "source": "call",
        "reference": "LL-1",
        "reasons": ["scam_fee"],
        "figures": {"fraud_probability": "0.71"},
    }
