"""The call service: admits calls from every transport and runs each through the voice pipeline.

Transports only carry audio. This is where a call becomes a loan session: capacity is
checked, the caller's session is opened (or resumed) with the network's call id in the audit
log, the pipeline runs, and both legs of the recording are stored.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.bootstrap import App
from lendline.dialog.state import SessionStatus
from lendline.logs import get_logger, masked_number, pseudonym
from lendline.service_layer.audit_trail import AuditTrail
from lendline.voice.call import run_voice_call
from lendline.voice.transports.handler import CallEnded, CallRecording
from lendline.voice.transports.line import CallLine

log = get_logger(__name__)


class CallService:
    """Runs calls for the transports, at most ``max_calls`` at once.

    Parameters:
        app: the wired application (desk, speech engines).
        max_calls: calls at once across all transports.
        recorder: where recordings go (None: not kept).
    """

    def __init__(self, app: App, max_calls: int, recorder: WavFileRecorder | None) -> None:
        self._app = app
        self._max_calls = max_calls
        self._recorder = recorder
        self.active = 0
        self.completed = 0
        self.recordings: list[Path] = []

    @property
    def audit(self) -> AuditTrail:
        """The audit log's signing and proof service (served by the HTTP API)."""
        return self._app.audit

    def has_room(self) -> bool:
        """Whether another call can be answered now."""
        return self.active < self._max_calls

    async def handle(self, line: CallLine, network: Mapping[str, str]) -> CallEnded:
        """Open the caller's session and run the call until either side hangs up."""
        self.active += 1
        started = time.monotonic()
        transport = network.get("transport", "?")
        session_id: str | None = None
        status = "failed"
        try:
            dialog = await asyncio.to_thread(
                self._app.open_call, line.caller_number, "voice", network
            )
            session_id = dialog.state.session_id
            # The caller's number only as its last digits and a keyed pseudonym (PIPL): enough
            # to follow one caller through the log, never the number itself.
            log.info(
                "call.started",
                call_id=line.call_id,
                session_id=session_id,
                transport=transport,
                caller=masked_number(line.caller_number),
                caller_key=pseudonym(line.caller_number),
                active_calls=self.active,
            )
            await run_voice_call(
                line,
                dialog,
                self._app.speech,
                silence_timeout=self._app.settings.silence_timeout_secs,
            )
            state = dialog.state
            status = state.status.value
            return CallEnded(
                session_id=state.session_id, hand_off=state.status == SessionStatus.HANDED_OFF
            )
        finally:
            self.active -= 1
            self.completed += 1
            log.info(
                "call.ended",
                call_id=line.call_id,
                session_id=session_id,
                transport=transport,
                status=status,
                duration_secs=round(time.monotonic() - started, 3),
            )

    async def store_recording(self, recording: CallRecording) -> None:
        """Keep both legs of the call."""
        if self._recorder is None:
            return
        path = await self._recorder.store(recording)
        self.recordings.append(path)
        log.info("call.recording_stored", call_id=recording.call_id, file=path.name)
