"""The after-the-fact risk review: the jobs a risk officer runs (or schedules) over the book.

Each job reads the database, works out its figures with the framework-free risk core and
raises alerts (``AlertDesk``), never twice for the same loan or ring:

* ``rates`` — approval, decline and referral rates of this window against the previous one;
* ``early_defaults`` — loans with an early installment unpaid ``epd_days`` after it fell due;
* ``drift`` — the population stability index of credit scores against the scorecard's
  training distribution (bands 0.10 / 0.25);
* ``rescore`` — decisions re-scored by the current fraud model (a newer model may see what
  the one in force on the day did not);
* ``rings`` — groups of applications sharing phones, accounts, devices or employers.

``run`` does them all and returns one :class:`ReviewReport`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from lendline.lending.ledger import JournalEntry
from lendline.lending.servicing import LoanTerms, position
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.alerts import Alert, AlertLevel, AlertSource
from lendline.risk.credit.stability import Stability, StabilityReport, score_stability
from lendline.risk.fraud.rings import DEFAULT_RING_CONFIG, FraudRing, RingConfig
from lendline.risk.monitoring import (
    MonitoringConfig,
    OutcomeRates,
    early_default_level,
    outcome_rates,
    rate_shifts,
)
from lendline.risk.policy import PolicyConfig
from lendline.service_layer.alerts import AlertDesk
from lendline.service_layer.ring_detection import detect_rings
from lendline.service_layer.risk_assessment import RiskAssessor
from lendline.shared.clock import Clock, business_day

Progress = Callable[[str], None]

_PSI_LEVELS = {
    Stability.STABLE: AlertLevel.INFO,
    Stability.WATCH: AlertLevel.WARN,
    Stability.SHIFT: AlertLevel.CRITICAL,
}


def ring_reference(ring: FraudRing) -> str:
    """A stable name for a ring (its members' hash): the same ring is alerted once."""
    return "ring-" + hashlib.sha256(",".join(ring.members).encode()).hexdigest()[:40]


@dataclass
class ReviewReport:
    """What one review found.

    Parameters:
        started_at: when the review ran.
        window: the period reviewed (ending at ``started_at``).
        figures: job -> its figures (decimal strings and counts), for the report.
        alerts: ids of the alerts raised.
    """

    started_at: datetime
    window: timedelta
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    alerts: list[int] = field(default_factory=list)


@dataclass
class RiskReview:
    """Runs the after-the-fact jobs.

    Args:
        engine: LendLine's database.
        clock: the time source.
        alerts: where alerts go.
        config: the jobs' thresholds.
        assessor: the scorecard (drift reference) and fraud model (re-scoring) in force.
        policy: the decision policy (its fraud referral threshold).
        rings_config: thresholds of ring detection.
        ring_window: how far back ring detection looks (rings build up over weeks).
        critical_ring_identities: a ring tying this many identities or more is critical.
    """

    engine: Engine
    clock: Clock
    alerts: AlertDesk
    config: MonitoringConfig = field(default_factory=MonitoringConfig)
    assessor: RiskAssessor = field(default_factory=RiskAssessor)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    rings_config: RingConfig = DEFAULT_RING_CONFIG
    ring_window: timedelta = timedelta(days=90)
    critical_ring_identities: int = 4

    def _raise(self, report: ReviewReport, alert: Alert) -> None:
        report.alerts.append(self.alerts.raise_alert(alert).alert_id)

    def _raise_once(self, report: ReviewReport, alert: Alert) -> None:
        assert alert.reference is not None
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            if uow.alerts.already_raised(alert.code, alert.reference):
                return
        self._raise(report, alert)

    # ------------------------------------------------------------------ jobs

    def rates(self, report: ReviewReport) -> tuple[OutcomeRates, OutcomeRates]:
        """Outcome rates of this window and the one before; alerts for large shifts."""
        end = report.started_at
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            current = uow.risk_decisions.between(end - report.window, end)
            previous = uow.risk_decisions.between(end - 2 * report.window, end - report.window)
        now_rates = outcome_rates(item.outcome for item in current)
        before_rates = outcome_rates(item.outcome for item in previous)
        report.figures["rates"] = {
            "decisions": str(now_rates.decisions),
            "previous_decisions": str(before_rates.decisions),
            **{f"{name}_rate": str(value) for name, value in now_rates.rates.items()},
        }
        for shift in rate_shifts(before_rates, now_rates, self.config):
            self._raise(
                report,
                Alert(
                    code=f"{shift.outcome}_rate_shift",
                    level=shift.level,
                    source=AlertSource.AFTER_THE_FACT,
                    raised_at=self.clock.now(),
                    reasons=(self.config.version,),
                    figures={"before": str(shift.before), "after": str(shift.after)},
                ),
            )
        return before_rates, now_rates

    def early_defaults(self, report: ReviewReport) -> list[str]:
        """References of loans in early payment default; an alert per loan and for the book."""
        today = business_day(report.started_at)
        as_of = today - timedelta(days=self.config.epd_days)
        defaults: list[str] = []
        seasoned = 0
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            for reference in uow.loans.references():
                terms = uow.loans.get(reference)
                if terms is None or terms.due_date(1) > as_of:
                    continue
                seasoned += 1
                if self._early_default(terms, uow.ledger.for_loan(reference), as_of):
                    defaults.append(reference)
        for reference in defaults:
            self._raise_once(
                report,
                Alert(
                    code="early_payment_default",
                    level=AlertLevel.WARN,
                    source=AlertSource.AFTER_THE_FACT,
                    raised_at=self.clock.now(),
                    reference=reference,
                    reasons=(self.config.version,),
                    figures={"days_past_due_at_least": str(self.config.epd_days)},
                ),
            )
        level = early_default_level(len(defaults), seasoned, self.config)
        rate = Decimal(len(defaults)) / Decimal(seasoned) if seasoned else Decimal(0)
        report.figures["early_defaults"] = {
            "seasoned_loans": str(seasoned),
            "defaults": str(len(defaults)),
            "rate": str(rate.quantize(Decimal("0.0001"))),
            "level": level.value,
        }
        if level is AlertLevel.CRITICAL:
            self._raise(
                report,
                Alert(
                    code="early_payment_default_rate",
                    level=level,
                    source=AlertSource.AFTER_THE_FACT,
                    raised_at=self.clock.now(),
                    reasons=(self.config.version,),
                    figures=report.figures["early_defaults"],
                ),
            )
        return defaults

    def _early_default(
        self, terms: LoanTerms, entries: Sequence[JournalEntry], as_of: date
    ) -> bool:
        """An installment among the first few fell due by ``as_of`` and is still unpaid."""
        early = [
            item
            for item in terms.installments_due_by(as_of)
            if item.period <= self.config.epd_installments
        ]
        if not early:
            return False
        owed = position(terms, entries, as_of)
        return not owed.principal_due.is_zero()

    def drift(self, report: ReviewReport) -> StabilityReport | None:
        """PSI of this window's credit scores against the scorecard's reference."""
        end = report.started_at
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            decided = uow.risk_decisions.between(end - report.window, end)
        points = [item.credit_points for item in decided if item.credit_points is not None]
        if len(points) < self.config.min_decisions:
            report.figures["drift"] = {"scored": str(len(points)), "psi": "-"}
            return None
        card = self.assessor.scorecard
        stability = score_stability(points, card.reference_edges, card.reference_counts)
        report.figures["drift"] = {
            "scored": str(len(points)),
            "psi": str(stability.psi),
            "reading": stability.stability.value,
        }
        level = _PSI_LEVELS[stability.stability]
        if level is not AlertLevel.INFO:
            self._raise(
                report,
                Alert(
                    code=f"psi_{stability.stability.value}",
                    level=level,
                    source=AlertSource.AFTER_THE_FACT,
                    raised_at=self.clock.now(),
                    reasons=(card.version,),
                    figures=report.figures["drift"],
                ),
            )
        return stability

    def rescore(self, report: ReviewReport) -> list[str]:
        """Re-score this window's decisions with the fraud model in force.

        Raises a warning for each application that was not referred for fraud on the day
        but reaches the referral threshold now (a newer model, or a newer reading).
        """
        end = report.started_at
        with SqlUnitOfWork(self.engine, read_only=True) as uow:
            decided = uow.risk_decisions.between(end - report.window, end)
        model = self.assessor.fraud_model
        threshold = self.policy.fraud_refer_probability
        flagged: list[str] = []
        for item in decided:
            if item.features is None or item.outcome in ("decline", "refer"):
                continue
            now = model.score(item.features)
            before = item.fraud_probability
            if now.probability >= threshold and (before is None or before < threshold):
                flagged.append(item.reference)
                self._raise_once(
                    report,
                    Alert(
                        code="rescored_fraud_risk",
                        level=AlertLevel.WARN,
                        source=AlertSource.AFTER_THE_FACT,
                        raised_at=self.clock.now(),
                        session_id=item.session_id,
                        reference=item.reference,
                        reasons=tuple(reason.code for reason in now.reasons),
                        figures={
                            "before": str(before) if before is not None else "-",
                            "now": str(now.probability),
                            "model": now.version,
                        },
                    ),
                )
        report.figures["rescore"] = {"rescored": str(len(decided)), "flagged": str(len(flagged))}
        return flagged

    def rings(self, report: ReviewReport) -> tuple[FraudRing, ...]:
        """Fraud rings among the applications of the ring window; an alert per ring."""
        found = detect_rings(
            self.engine, now=report.started_at, window=self.ring_window, config=self.rings_config
        )
        for ring in found:
            level = (
                AlertLevel.CRITICAL
                if ring.identities >= self.critical_ring_identities
                else AlertLevel.WARN
            )
            self._raise_once(
                report,
                Alert(
                    code="fraud_ring",
                    level=level,
                    source=AlertSource.AFTER_THE_FACT,
                    raised_at=self.clock.now(),
                    reference=ring_reference(ring),
                    reasons=tuple(sorted({key.kind.value for key in ring.shared_keys})),
                    figures={
                        "applications": str(len(ring.members)),
                        "identities": str(ring.identities),
                        "score": str(ring.score),
                        "members": ",".join(ring.members),
                    },
                ),
            )
        report.figures["rings"] = {
            "rings": str(len(found)),
            "largest": str(max((ring.identities for ring in found), default=0)),
        }
        return found

    # ------------------------------------------------------------------ all of it

    def _jobs(self) -> list[tuple[str, Callable[[ReviewReport], object]]]:
        return [
            ("rates", self.rates),
            ("early_defaults", self.early_defaults),
            ("drift", self.drift),
            ("rescore", self.rescore),
            ("rings", self.rings),
        ]

    @property
    def job_names(self) -> list[str]:
        """The jobs ``run`` runs, in order."""
        return [name for name, _ in self._jobs()]

    def run(self, window: timedelta, progress: Progress | None = None) -> ReviewReport:
        """Run every job over the last ``window``; ``progress`` is told as each one ends."""
        report = ReviewReport(started_at=self.clock.now(), window=window)
        for name, job in self._jobs():
            job(report)
            if progress is not None:
                progress(name)
        return report
