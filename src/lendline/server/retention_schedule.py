"""The retention rules enforced on a timer while ``lendline serve`` runs.

Each run is :meth:`DataSubjectService.run_retention`: it shreds every subject whose retention
period has run out and that no legal hold or open loan keeps, and audits each erasure
(``retention.erased``). A failed run is logged and tried again on the next tick; the server
goes on answering calls. The log line of a run holds counts only, never which subjects.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from lendline.compliance.retention import RetentionVerdict
    from lendline.service_layer.data_subjects import DataSubjectService, RetentionReport

__all__ = ["enforce_retention"]


class _Stopped(Exception):
    """Raised between two subjects of a run to end it early (the server is stopping)."""


async def enforce_retention(
    service: DataSubjectService, *, every: timedelta, first_after: timedelta
) -> None:
    """Run retention after ``first_after``, then again ``every`` after each run ends.

    Runs until cancelled. A run in progress when the task is cancelled stops after the
    subject it is erasing (each erasure is complete on its own, so the next run picks up
    the rest), and the cancellation then ends the loop.

    Raises:
        ValueError: ``every`` is not positive (``lendline serve`` does not start the job then).
    """
    if every <= timedelta(0):
        raise ValueError("retention must run at a positive interval")
    logger.info(
        "retention enforced every {:g} h, first run in {:g} s",
        every.total_seconds() / 3600,
        first_after.total_seconds(),
    )
    await asyncio.sleep(first_after.total_seconds())
    while True:
        try:
            report = await _run_once(service)
        except Exception:
            logger.exception("the retention run failed; retrying on the next tick")
        else:
            erased = len(report.erased)
            logger.info(
                "retention run: {} subject(s) assessed, {} erased, {} kept",
                len(report.assessed),
                erased,
                len(report.assessed) - erased,
            )
        await asyncio.sleep(every.total_seconds())


async def _run_once(service: DataSubjectService) -> RetentionReport:
    """One retention run in a worker thread, stopped between subjects on cancellation."""
    stopping = threading.Event()

    def between_subjects(_verdict: RetentionVerdict) -> None:
        if stopping.is_set():
            raise _Stopped

    run = asyncio.ensure_future(
        asyncio.to_thread(service.run_retention, on_subject=between_subjects)
    )
    try:
        # Shielded: a cancelled wait must not abandon the thread, which would go on
        # erasing while the server closes the database under it.
        return await asyncio.shield(run)
    except asyncio.CancelledError:
        stopping.set()
        # Whatever the run ends with (_Stopped, most likely), the cancellation is what goes on.
        with contextlib.suppress(Exception):
            await run
        raise
