"""The call service: admits calls from every transport and runs each through the voice pipeline.

Transports only carry audio. This is where a call becomes a loan session: capacity is
checked, the caller's session is opened (or resumed) with the network's call id in the audit
log, the pipeline runs, and both legs of the recording are stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from loguru import logger

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.bootstrap import App
from lendline.dialog.state import SessionStatus
from lendline.service_layer.audit_trail import AuditTrail
from lendline.voice.call import run_voice_call
from lendline.voice.transports.handler import CallEnded, CallRecording
from lendline.voice.transports.line import CallLine


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
        try:
            dialog = await asyncio.to_thread(
                self._app.open_call, line.caller_number, "voice", network
            )
            logger.info(
                f"call {line.call_id} from {line.caller_number} -> session "
                f"{dialog.state.session_id} ({network.get('transport', '?')})"
            )
            await run_voice_call(
                line,
                dialog,
                self._app.speech,
                silence_timeout=self._app.settings.silence_timeout_secs,
            )
            state = dialog.state
            return CallEnded(
                session_id=state.session_id, hand_off=state.status == SessionStatus.HANDED_OFF
            )
        finally:
            self.active -= 1
            self.completed += 1

    async def store_recording(self, recording: CallRecording) -> None:
        """Keep both legs of the call."""
        if self._recorder is None:
            return
        path = await self._recorder.store(recording)
        self.recordings.append(path)
        logger.info(f"call {recording.call_id}: recording stored ({path.name})")
