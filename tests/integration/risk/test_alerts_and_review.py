"""Risk alerts and the after-the-fact review on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from integration.lending.signed_loans import disburse, sign_application
from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.persistence.risk_monitoring import DecisionFigures
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.alerts import Alert, AlertLevel, AlertRoute, AlertSource, AlertStatus
from lendline.risk.fraud.history import ObservationKind
from lendline.risk.monitoring import MonitoringConfig
from lendline.service_layer.alerts import AlertDesk
from lendline.service_layer.loan_book import LoanBook
from lendline.service_layer.risk_assessment import RiskAssessor
from lendline.service_layer.risk_review import ReviewReport, RiskReview
from lendline.shared.clock import BUSINESS_TZ, ManualClock

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def rail(tmp_path) -> SimulatedPaymentRail:  # type: ignore[no-untyped-def]
    made = SimulatedPaymentRail(tmp_path / "bank.db")
    yield made  # type: ignore[misc]
    made.close()


def alert(level: AlertLevel, code: str = "fraud_refer", **changes: object) -> Alert:
    values: dict[str, object] = {
        "code": code,
        "level": level,
        "source": AlertSource.DECISION,
        "raised_at": T0,
        "session_id": "s1",
        "reference": "LL-1",
        "reasons": ("F03", "second_voice"),
        "figures": {"fraud_probability": "0.6412"},
    }
    values.update(changes)
    return Alert(**values)  # type: ignore[arg-type]


def test_an_alert_is_queued_routed_and_audited(engine: Engine) -> None:
    heard: list[int] = []
    desk = AlertDesk(
        engine, ManualClock(T0), listeners=[lambda stored: heard.append(stored.alert_id)]
    )
    warn = desk.raise_alert(alert(AlertLevel.WARN))
    critical = desk.raise_alert(alert(AlertLevel.CRITICAL, "scam_cue"), call_live=True)
    desk.raise_alert(alert(AlertLevel.INFO, "psi_stable"))
    assert warn.route is AlertRoute.REVIEW_QUEUE
    assert critical.route is AlertRoute.PAUSE_AND_HAND_OFF
    assert heard == [warn.alert_id, critical.alert_id, critical.alert_id + 1]
    queue = desk.queue()
    assert [item.alert.code for item in queue] == ["scam_cue", "fraud_refer", "psi_stable"]
    assert [item.alert.code for item in desk.queue(min_level=AlertLevel.WARN)] == [
        "scam_cue",
        "fraud_refer",
    ]
    assert queue[1].alert == alert(AlertLevel.WARN)
    with SqlUnitOfWork(engine, read_only=True) as uow:
        raised = [entry for entry in uow.audit.entries() if entry.kind == "alert.raised"]
    assert [entry.payload["code"] for entry in raised] == ["fraud_refer", "scam_cue", "psi_stable"]
    assert raised[1].payload["route"] == "pause_and_hand_off"


def test_handling_an_alert_is_audited_and_a_closed_alert_stays_closed(engine: Engine) -> None:
    desk = AlertDesk(engine, ManualClock(T0))
    stored = desk.raise_alert(alert(AlertLevel.WARN))
    acknowledged = desk.handle(stored.alert_id, AlertStatus.ACKNOWLEDGED, "officer-7")
    assert (acknowledged.status, acknowledged.handled_by) == (AlertStatus.ACKNOWLEDGED, "officer-7")
    desk.handle(stored.alert_id, AlertStatus.CLOSED, "officer-7")
    assert desk.queue() == []
    with pytest.raises(ValueError, match="closed"):
        desk.handle(stored.alert_id, AlertStatus.ACKNOWLEDGED, "officer-8")
    with pytest.raises(LookupError):
        desk.handle(999, AlertStatus.CLOSED, "officer-7")
    with SqlUnitOfWork(engine, read_only=True) as uow:
        handled = [entry.payload for entry in uow.audit.entries() if entry.kind == "alert.handled"]
    assert [item["status"] for item in handled] == ["acknowledged", "closed"]


def _decisions(engine: Engine, start: datetime, outcomes: list[str]) -> None:
    with SqlUnitOfWork(engine) as uow:
        for index, outcome in enumerate(outcomes):
            uow.risk_decisions.add(
                DecisionFigures(
                    reference=f"LL-{start:%m%d}-{index}",
                    session_id=f"s-{start:%m%d}-{index}",
                    decided_at=start + timedelta(minutes=index),
                    outcome=outcome,
                    policy_version="policy-test",
                    features={"second_voice": 0.1},
                )
            )
        uow.commit()


def test_a_jump_in_the_decline_rate_is_a_critical_alert(engine: Engine) -> None:
    clock = ManualClock(T0 + timedelta(days=14))
    _decisions(engine, T0, ["approve"] * 18 + ["decline"] * 2)  # 10 % declined
    _decisions(engine, T0 + timedelta(days=7), ["approve"] * 12 + ["decline"] * 8)  # 40 %
    review = RiskReview(engine, clock, AlertDesk(engine, clock))
    report = review.run(timedelta(days=7))
    assert report.figures["rates"]["decline_rate"] == "0.4000"
    codes = {item.alert.code: item.alert.level for item in review.alerts.queue()}
    assert codes["decline_rate_shift"] is AlertLevel.CRITICAL
    assert codes["approve_rate_shift"] is AlertLevel.CRITICAL


def test_too_few_decisions_say_nothing_about_rates(engine: Engine) -> None:
    clock = ManualClock(T0 + timedelta(days=14))
    _decisions(engine, T0, ["approve"] * 5)
    _decisions(engine, T0 + timedelta(days=7), ["decline"] * 5)
    review = RiskReview(engine, clock, AlertDesk(engine, clock))
    review.run(timedelta(days=7))
    assert review.alerts.queue() == []


def test_a_loan_with_its_first_installment_unpaid_for_30_days_is_an_early_default(
    engine: Engine, rail: SimulatedPaymentRail
) -> None:
    clock = ManualClock(T0)
    paid = [sign_application(engine, index, clock.now()) for index in (1, 2)]
    for index, terms in zip((1, 2), paid, strict=True):
        disburse(engine, rail, clock, terms, index)
    book = LoanBook(engine, clock)
    first_due = paid[0].due_date(1)
    clock.advance(
        datetime.combine(first_due, time(10), tzinfo=BUSINESS_TZ).astimezone(UTC) - clock.now()
    )
    book.post_all_due()
    book.repay(paid[1].reference, paid[1].schedule.installments[0].payment, "bank-1")
    review = RiskReview(engine, clock, AlertDesk(engine, clock), MonitoringConfig())
    # On the due day nobody is in default yet.
    assert review.run(timedelta(days=7)).figures["early_defaults"]["defaults"] == "0"
    clock.advance(timedelta(days=31))
    report = review.run(timedelta(days=7))
    assert report.figures["early_defaults"] == {
        "seasoned_loans": "2",
        "defaults": "1",
        "rate": "0.5000",
        "level": "critical",
    }
    queue = {(item.alert.code, item.alert.reference) for item in review.alerts.queue()}
    assert ("early_payment_default", paid[0].reference) in queue
    assert ("early_payment_default", paid[1].reference) not in queue
    assert ("early_payment_default_rate", None) in queue
    # Running the review again does not raise the loan's alert twice.
    review.run(timedelta(days=7))
    per_loan = [
        item for item in review.alerts.queue() if item.alert.code == "early_payment_default"
    ]
    assert len(per_loan) == 1


def test_a_planted_ring_is_raised_once_and_critical_when_large(engine: Engine) -> None:
    clock = ManualClock(T0 + timedelta(days=1))
    with SqlUnitOfWork(engine) as uow:
        history = uow.risk_history
        mule_account = history.key_for(ObservationKind.ACCOUNT, "6225880099990000")
        for index in range(5):
            # Five identities, one payout account: account renting.
            for kind, key in (
                (ObservationKind.ACCOUNT, mule_account),
                (
                    ObservationKind.PHONE,
                    history.key_for(ObservationKind.PHONE, f"1381234{index:04d}"),
                ),
            ):
                history.observe(
                    at=T0,
                    session_id=f"ring-{index}",
                    reference=f"LL-RING-{index}",
                    subject=f"C-RING-{index}",
                    kind=kind,
                    key=key,
                )
        for index in range(20):
            # Unrelated applicants with their own phones and accounts.
            for kind, value in (
                (ObservationKind.ACCOUNT, f"62216600{index:08d}"),
                (ObservationKind.PHONE, f"1390000{index:04d}"),
            ):
                history.observe(
                    at=T0,
                    session_id=f"other-{index}",
                    reference=f"LL-OTHER-{index}",
                    subject=f"C-OTHER-{index}",
                    kind=kind,
                    key=history.key_for(kind, value),
                )
        uow.commit()
    review = RiskReview(engine, clock, AlertDesk(engine, clock))
    report = review.run(timedelta(days=7))
    assert report.figures["rings"] == {"rings": "1", "largest": "5"}
    (ring,) = [item for item in review.alerts.queue() if item.alert.code == "fraud_ring"]
    assert ring.alert.level is AlertLevel.CRITICAL
    assert ring.route is AlertRoute.PAGE_RISK_OFFICER
    assert ring.alert.figures["members"] == ",".join(f"LL-RING-{i}" for i in range(5))
    assert "account" in ring.alert.reasons
    review.run(timedelta(days=7))
    assert [item.alert.code for item in review.alerts.queue()].count("fraud_ring") == 1


def _scored(engine: Engine, start: datetime, points: list[int], **figures: object) -> None:
    with SqlUnitOfWork(engine) as uow:
        for index, value in enumerate(points):
            uow.risk_decisions.add(
                DecisionFigures(
                    reference=f"LL-S-{start:%m%d}-{index}",
                    session_id=f"s-s-{index}",
                    decided_at=start + timedelta(minutes=index),
                    outcome="approve",
                    policy_version="policy-test",
                    credit_points=value,
                    **figures,  # type: ignore[arg-type]
                )
            )
        uow.commit()


def test_scores_like_the_reference_are_stable_and_a_shifted_population_is_critical(
    engine: Engine,
) -> None:
    clock = ManualClock(T0 + timedelta(days=7))
    card = RiskAssessor().scorecard
    # A window drawn in the reference's own proportions.
    like = [
        edge
        for edge, count in zip(
            [card.reference_edges[0] - 1, *card.reference_edges], card.reference_counts, strict=True
        )
        for _ in range(count // 5 + 1)
    ]
    _scored(engine, T0, like)
    review = RiskReview(engine, clock, AlertDesk(engine, clock))
    report = review.run(timedelta(days=7))
    assert report.figures["drift"]["reading"] == "stable"
    assert not [item for item in review.alerts.queue() if item.alert.code.startswith("psi_")]
    # A week later every applicant scores in the lowest band.
    later = T0 + timedelta(days=8)
    _scored(engine, later, [card.reference_edges[0] - 5] * 40)
    clock.advance(timedelta(days=8))
    report = review.run(timedelta(days=7))
    assert report.figures["drift"]["reading"] == "shift"
    (alert,) = [item for item in review.alerts.queue() if item.alert.code == "psi_shift"]
    assert alert.alert.level is AlertLevel.CRITICAL


def test_rescoring_flags_an_approval_the_model_in_force_would_refer(engine: Engine) -> None:
    clock = ManualClock(T0 + timedelta(days=1))
    risky = {
        "account_identities": 4.0,
        "phone_identities": 3.0,
        "id_applications_24h": 4.0,
        "second_voice": 0.9,
        "scripted_reading": 0.9,
        "coaching_cues": 2.0,
    }
    _scored(engine, T0, [520], fraud_probability=Decimal("0.05"), features=risky)
    _scored(engine, T0 + timedelta(hours=1), [520], fraud_probability=Decimal("0.05"), features={})
    review = RiskReview(engine, clock, AlertDesk(engine, clock))
    assert review.rescore(ReviewReport(clock.now(), timedelta(days=7))) == [f"LL-S-{T0:%m%d}-0"]
    (alert,) = review.alerts.queue()
    assert alert.alert.code == "rescored_fraud_risk"
    assert Decimal(alert.alert.figures["now"]) >= Decimal("0.60")
