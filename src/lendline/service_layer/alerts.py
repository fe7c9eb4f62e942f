"""Raising and handling risk alerts: stored, routed, logged and audited in one transaction.

An alert lands in three places at once: the ``risk_alerts`` queue, the audit log
(``alert.raised``, so a warning cannot be quietly dropped afterwards) and a structured log
line for whoever watches the logs. Listeners (the server's live console, a pager adapter)
are told after the commit, so nobody is told of an alert that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from sqlalchemy.engine import Engine

from lendline.persistence.risk_monitoring import StoredAlert
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.alerts import Alert, AlertLevel, AlertStatus, route
from lendline.shared.clock import Clock

log = structlog.get_logger(__name__)

AlertListener = Callable[[StoredAlert], None]


@dataclass
class AlertDesk:
    """The risk officers' side of alerts.

    Args:
        engine: LendLine's database.
        clock: the time source.
        listeners: told of each alert after it is committed (exceptions are logged, not
            raised: a broken listener must not lose the alert or break the call).
    """

    engine: Engine
    clock: Clock
    listeners: list[AlertListener] = field(default_factory=list)

    def raise_in(self, uow: SqlUnitOfWork, alert: Alert, *, call_live: bool) -> StoredAlert:
        """Store and audit ``alert`` inside the caller's unit of work (not committed here).

        Call :meth:`notify` with the result after the commit.
        """
        where = route(alert.level, call_live=call_live)
        alert_id = uow.alerts.add(alert, where)
        uow.audit.append(
            "alert.raised",
            alert.session_id,
            {**alert.as_record(), "alert_id": alert_id, "route": where.value},
            alert.raised_at,
        )
        stored = uow.alerts.get(alert_id)
        assert stored is not None
        return stored

    def raise_alert(self, alert: Alert, *, call_live: bool = False) -> StoredAlert:
        """Store, audit, log and announce one alert in its own transaction."""
        with SqlUnitOfWork(self.engine) as uow:
            stored = self.raise_in(uow, alert, call_live=call_live)
            uow.commit()
        self.notify(stored)
        return stored

    def notify(self, stored: StoredAlert) -> None:
        """Log a committed alert and tell the listeners."""
        alert = stored.alert
        emit = log.warning if alert.level is not AlertLevel.INFO else log.info
        emit(
            "risk.alert",
            alert_id=stored.alert_id,
            code=alert.code,
            level=alert.level.value,
            route=stored.route.value,
            session_id=alert.session_id,
            reference=alert.reference,
            reasons=list(alert.reasons),
        )
        for listener in self.listeners:
            try:
                listener(stored)
            except Exception:
                log.exception("risk.alert_listener_failed", alert_id=stored.alert_id)

    def queue(self, min_level: AlertLevel | None = None) -> list[StoredAlert]:
        """The open alerts, most severe first."""
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            return uow.alerts.queue(min_level=min_level)

    def handle(self, alert_id: int, status: AlertStatus, operator: str) -> StoredAlert:
        """Acknowledge or close an alert; who did it and when goes to the audit log.

        Raises:
            LookupError: no such alert.
            ValueError: the alert is already closed, or ``status`` is not a handling step.
        """
        if status is AlertStatus.OPEN:
            raise ValueError("an alert is handled by acknowledging or closing it")
        now = self.clock.now()
        with SqlUnitOfWork(self.engine) as uow:
            handled = uow.alerts.handle(alert_id, status, operator, now)
            uow.audit.append(
                "alert.handled",
                handled.alert.session_id,
                {"alert_id": alert_id, "status": status.value, "operator": operator},
                now,
            )
            uow.commit()
        return handled
