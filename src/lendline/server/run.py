"""Start every enabled transport around one call service, and stop them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import timedelta

import uvicorn
from loguru import logger

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.bootstrap import App, data_subject_service
from lendline.persistence.subject_keys import EngineSealer
from lendline.server.calls import CallService
from lendline.server.http import create_http_app
from lendline.server.retention_schedule import enforce_retention
from lendline.voice.transports.audiosocket import AudioSocketServer
from lendline.voice.transports.sip import SipServer

READY_LINE = "LendLine ready"


async def _publish_heads(app: App) -> None:
    """Sign and publish audit heads every ``sign_every`` entries, and on the timer."""
    max_age = timedelta(seconds=app.settings.audit.publish_interval_secs)
    while True:
        await asyncio.sleep(min(2.0, max_age.total_seconds()))
        try:
            await asyncio.to_thread(app.audit.publish_if_due, max_age)
        except Exception:
            logger.exception("publishing the audit head failed; retrying on the next tick")


async def serve(
    app: App, *, stop: asyncio.Event | None = None, question_seed: int | None = None
) -> None:
    """Answer calls on every enabled transport until ``stop`` is set (or cancelled)."""
    telephony = app.settings.telephony
    if question_seed is not None:
        app.desk.rng = random.Random(question_seed)
    # Load the models before the first call rings, not during it.
    await asyncio.to_thread(lambda: app.speech.stt.warm_up())
    service = CallService(
        app,
        telephony.max_calls,
        WavFileRecorder(telephony.recordings_dir, EngineSealer(app.engine, app.clock)),
    )
    sip = SipServer(telephony.sip, service) if telephony.sip.enabled else None
    audiosocket = (
        AudioSocketServer(telephony.audiosocket, service) if telephony.audiosocket.enabled else None
    )
    http: uvicorn.Server | None = None
    http_task: asyncio.Task[None] | None = None
    if sip is not None:
        await sip.start()
    if audiosocket is not None:
        await audiosocket.start()
    if telephony.media_streams.enabled:
        config = uvicorn.Config(
            create_http_app(service),
            host=telephony.media_streams.host,
            port=telephony.media_streams.port,
            log_level="warning",
            # uvicorn's own handlers would write to stderr past the masking: its records go
            # to the root logger instead (lendline.logs).
            log_config=None,
            lifespan="off",
        )
        # uvicorn catches Ctrl-C while it runs, stops, then raises it again for the rest.
        http = uvicorn.Server(config)
        http_task = asyncio.create_task(http.serve())
        # uvicorn reports readiness only as a flag.
        while not http.started and not http_task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if http_task.done():
            http_task.result()
    background = [asyncio.create_task(_publish_heads(app))]
    retention = app.settings.retention
    if retention.run_every_hours > 0:
        background.append(
            asyncio.create_task(
                enforce_retention(
                    data_subject_service(app),
                    every=timedelta(hours=retention.run_every_hours),
                    first_after=timedelta(seconds=retention.first_run_after_secs),
                )
            )
        )
    logger.info("LendLine is answering calls")
    print(READY_LINE, flush=True)
    try:
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        for task in background:
            task.cancel()
        for task in background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # The last calls' and retention's events get a signed head before the process goes.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(app.audit.publish)
        if http is not None and http_task is not None:
            http.should_exit = True
            with contextlib.suppress(Exception):
                await http_task
        for server in (sip, audiosocket):
            if server is not None:
                with contextlib.suppress(Exception):
                    await server.stop()
