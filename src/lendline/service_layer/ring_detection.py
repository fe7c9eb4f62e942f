"""Ring detection over the stored fraud history (the after-the-fact review calls it).

Reads the observations of a recent window through a read-only unit of work and hands them
to the core's :func:`lendline.risk.fraud.rings.find_rings`; the caller raises alerts from the
rings returned (codes, references and keyed hashes only, never personal data).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.fraud.rings import (
    DEFAULT_RING_CONFIG,
    LINKING_KINDS,
    FraudRing,
    RingConfig,
    find_rings,
)

__all__ = ["detect_rings"]


def detect_rings(
    engine: Engine,
    *,
    now: datetime,
    window: timedelta = timedelta(days=90),
    config: RingConfig = DEFAULT_RING_CONFIG,
) -> tuple[FraudRing, ...]:
    """The rings among applications observed in the last ``window``, most suspicious first.

    Args:
        engine: LendLine's database.
        now: the end of the window (UTC-aware).
        window: how far back to look.
        config: thresholds and weights of ring detection.
    """
    with SqlUnitOfWork(engine, read_only=True) as uow:
        observations = uow.risk_history.observations(now - window, LINKING_KINDS)
        return find_rings(observations, config)
