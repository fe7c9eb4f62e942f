"""Risk alerts and decision figures in the database: the review queue and the monitoring data.

Both tables hold codes, versions and figures only (no personal data), so they need no
sealing and survive a subject's erasure, like the audit log. Rows are written inside the
caller's unit of work; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from lendline.persistence import tables as t
from lendline.risk.alerts import Alert, AlertLevel, AlertRoute, AlertSource, AlertStatus
from lendline.risk.policy import ExplainedReason


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """An alert as kept in the queue.

    Parameters:
        alert_id: the row's id.
        alert: the alert itself.
        route: where it was sent.
        status: open, acknowledged or closed.
        handled_by: who acknowledged or closed it.
        handled_at: when.
    """

    alert_id: int
    alert: Alert
    route: AlertRoute
    status: AlertStatus
    handled_by: str | None
    handled_at: datetime | None


class AlertRepository:
    """The ``risk_alerts`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, alert: Alert, route: AlertRoute) -> int:
        """Store an alert; returns its id."""
        result = self._conn.execute(
            insert(t.risk_alerts)
            .values(
                raised_at=alert.raised_at,
                code=alert.code,
                level=alert.level.value,
                source=alert.source.value,
                route=route.value,
                session_id=alert.session_id,
                reference=alert.reference,
                reasons=json.dumps(list(alert.reasons)),
                figures=json.dumps(dict(alert.figures), sort_keys=True),
                status=AlertStatus.OPEN.value,
            )
            .returning(t.risk_alerts.c.id)
        )
        return int(result.scalar_one())

    def get(self, alert_id: int) -> StoredAlert | None:
        """One alert by id."""
        row = self._conn.execute(
            select(t.risk_alerts).where(t.risk_alerts.c.id == alert_id)
        ).first()
        return self._row(row) if row is not None else None

    def queue(
        self, *, status: AlertStatus | None = AlertStatus.OPEN, min_level: AlertLevel | None = None
    ) -> list[StoredAlert]:
        """Alerts by status (open by default), most severe first, then oldest first."""
        query = select(t.risk_alerts)
        if status is not None:
            query = query.where(t.risk_alerts.c.status == status.value)
        rows = [self._row(row) for row in self._conn.execute(query.order_by(t.risk_alerts.c.id))]
        if min_level is not None:
            rows = [row for row in rows if row.alert.level.rank >= min_level.rank]
        return sorted(rows, key=lambda row: -row.alert.level.rank)

    def already_raised(self, code: str, reference: str) -> bool:
        """Whether an alert with this code was already raised about ``reference``.

        The after-the-fact jobs run again and again over the same loans and rings; this
        keeps them from raising the same alert twice.
        """
        found = self._conn.execute(
            select(t.risk_alerts.c.id)
            .where(t.risk_alerts.c.code == code, t.risk_alerts.c.reference == reference)
            .limit(1)
        ).first()
        return found is not None

    def for_session(self, session_id: str) -> list[StoredAlert]:
        """Every alert about one call session, oldest first."""
        rows = self._conn.execute(
            select(t.risk_alerts)
            .where(t.risk_alerts.c.session_id == session_id)
            .order_by(t.risk_alerts.c.id)
        )
        return [self._row(row) for row in rows]

    def handle(self, alert_id: int, status: AlertStatus, by: str, at: datetime) -> StoredAlert:
        """Acknowledge or close an alert.

        Raises:
            LookupError: if there is no such alert.
            ValueError: if the alert was already closed (a closed alert stays closed).
        """
        current = self.get(alert_id)
        if current is None:
            raise LookupError(f"no alert {alert_id}")
        if current.status is AlertStatus.CLOSED:
            raise ValueError(f"alert {alert_id} is already closed")
        self._conn.execute(
            update(t.risk_alerts)
            .where(t.risk_alerts.c.id == alert_id)
            .values(status=status.value, handled_by=by, handled_at=at)
        )
        handled = self.get(alert_id)
        assert handled is not None
        return handled

    @staticmethod
    def _row(row: Row[Any]) -> StoredAlert:
        alert = Alert(
            code=row.code,
            level=AlertLevel(row.level),
            source=AlertSource(row.source),
            raised_at=row.raised_at,
            session_id=row.session_id,
            reference=row.reference,
            reasons=tuple(json.loads(row.reasons)),
            figures=json.loads(row.figures),
        )
        return StoredAlert(
            alert_id=int(row.id),
            alert=alert,
            route=AlertRoute(row.route),
            status=AlertStatus(row.status),
            handled_by=row.handled_by,
            handled_at=row.handled_at,
        )


@dataclass(frozen=True, slots=True)
class DecisionFigures:
    """The figures behind one decision.

    Parameters:
        reference: the application.
        session_id: the call session.
        decided_at: when (UTC).
        outcome: approve, decline, refer or step_up.
        policy_version: the decision policy's version.
        credit_model_version: the scorecard's version, if one scored.
        credit_points: the scorecard's points.
        credit_probability_bad: the scorecard's probability of default.
        fraud_model_version: the fraud model's version, if one scored.
        fraud_probability: the fraud model's calibrated probability.
        fraud_rules_version: the version of the real-time fraud rules.
        reasons: every reason of the decision in words: the policy's own codes and the
            scorecard's and fraud engine's reasons behind them (PIPL Art. 24).
        features: the fraud model's inputs by name.
    """

    reference: str
    session_id: str
    decided_at: datetime
    outcome: str
    policy_version: str
    credit_model_version: str | None = None
    credit_points: int | None = None
    credit_probability_bad: Decimal | None = None
    fraud_model_version: str | None = None
    fraud_probability: Decimal | None = None
    fraud_rules_version: str | None = None
    reasons: tuple[ExplainedReason, ...] = ()
    features: Mapping[str, float] | None = None

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The codes of :attr:`reasons`."""
        return tuple(reason.code for reason in self.reasons)


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class RiskDecisionRepository:
    """The ``risk_decisions`` table (append-only for the application)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, figures: DecisionFigures) -> None:
        """Store a decision's figures."""
        self._conn.execute(
            insert(t.risk_decisions).values(
                decided_at=figures.decided_at,
                reference=figures.reference,
                session_id=figures.session_id,
                outcome=figures.outcome,
                policy_version=figures.policy_version,
                credit_model_version=figures.credit_model_version,
                credit_points=figures.credit_points,
                credit_probability_bad=_decimal_text(figures.credit_probability_bad),
                fraud_model_version=figures.fraud_model_version,
                fraud_probability=_decimal_text(figures.fraud_probability),
                fraud_rules_version=figures.fraud_rules_version,
                reasons=json.dumps(
                    [[reason.code, reason.zh, reason.en] for reason in figures.reasons],
                    ensure_ascii=False,
                ),
                features=json.dumps(dict(figures.features or {}), sort_keys=True),
            )
        )

    def between(self, start: datetime, end: datetime) -> list[DecisionFigures]:
        """Decisions made in ``[start, end)``, oldest first."""
        rows = self._conn.execute(
            select(t.risk_decisions)
            .where(t.risk_decisions.c.decided_at >= start, t.risk_decisions.c.decided_at < end)
            .order_by(t.risk_decisions.c.id)
        )
        return [self._row(row) for row in rows]

    def latest_for(self, reference: str) -> DecisionFigures | None:
        """The last decision on an application."""
        row = self._conn.execute(
            select(t.risk_decisions)
            .where(t.risk_decisions.c.reference == reference)
            .order_by(t.risk_decisions.c.id.desc())
            .limit(1)
        ).first()
        return self._row(row) if row is not None else None

    @staticmethod
    def _row(row: Row[Any]) -> DecisionFigures:
        return DecisionFigures(
            reference=row.reference,
            session_id=row.session_id,
            decided_at=row.decided_at,
            outcome=row.outcome,
            policy_version=row.policy_version,
            credit_model_version=row.credit_model_version,
            credit_points=row.credit_points,
            credit_probability_bad=(
                Decimal(row.credit_probability_bad) if row.credit_probability_bad else None
            ),
            fraud_model_version=row.fraud_model_version,
            fraud_probability=Decimal(row.fraud_probability) if row.fraud_probability else None,
            fraud_rules_version=row.fraud_rules_version,
            reasons=tuple(ExplainedReason(*item) for item in json.loads(row.reasons)),
            features=json.loads(row.features),
        )
