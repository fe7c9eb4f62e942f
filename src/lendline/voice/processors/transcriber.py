"""Transcribe each caller turn once, as a whole.

pipecat's segmented STT transcribes every VAD segment on its own. A caller reading an ID
number pauses between digit groups, so one answer becomes four segments and four Whisper
runs, each paying for a full 30-second encoder window, each seeing only part of the number.
Here the turn is what Smart Turn says it is (pipecat's user-turn processor upstream decides
when the caller has finished); the whole turn's audio, with a short pre-roll, goes to the
recogniser once, and one :class:`CallerTurnFrame` comes out.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque

from loguru import logger
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from lendline.voice.call_context import CallContext
from lendline.voice.engines.base import SpeechToText
from lendline.voice.frames import CallerTurnFrame

#: Audio kept from before the turn started: VAD and turn start lag the first syllable.
PRE_ROLL_SECS = 1.0
#: Silence appended so the recogniser hears the end of the last word.
TAIL_SECS = 0.3
#: Longest turn sent to the recogniser (Whisper's window is 30 s).
MAX_TURN_SECS = 28.0


class TurnTranscriber(FrameProcessor):
    """Buffers each caller turn and recognises it with a :class:`SpeechToText` engine.

    Args:
        engine: the recogniser.
        context: the call's language and the dialog's hint.
        vad_stop_secs: the VAD's silence window, to date the end of speech.
    """

    def __init__(
        self,
        engine: SpeechToText,
        context: CallContext,
        *,
        vad_stop_secs: float,
    ) -> None:
        super().__init__()
        self._engine = engine
        self._context = context
        self._vad_stop_secs = vad_stop_secs
        self._pre_roll: deque[bytes] = deque()
        self._pre_roll_bytes = 0
        self._turn: bytearray | None = None
        self._rate = 8000
        self._speech_end_at: float | None = None
        self._speech_start_at: float | None = None
        self._pending: set[asyncio.Task[None]] = set()
        # One recognition at a time: two at once on two cores only slow both down.
        self._engine_lock = asyncio.Lock()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Collect turn audio; on the end of a turn, recognise it off the event loop."""
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._rate = frame.sample_rate
            self._collect(frame.audio)
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            self._speech_end_at = time.monotonic() - self._vad_stop_secs
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._turn = bytearray(b"".join(self._pre_roll))
            self._speech_start_at = time.monotonic()
        elif isinstance(frame, UserStoppedSpeakingFrame):
            await self._finish_turn()
        elif isinstance(frame, EndFrame):
            # A caller who hangs up mid-sentence: what they said still counts.
            await self._finish_turn()
            if self._pending:
                await asyncio.gather(*self._pending)
        elif isinstance(frame, CancelFrame):
            for task in self._pending:
                task.cancel()
        await self.push_frame(frame, direction)

    def _collect(self, audio: bytes) -> None:
        if self._turn is not None:
            if len(self._turn) < MAX_TURN_SECS * self._rate * 2:
                self._turn += audio
            return
        self._pre_roll.append(audio)
        self._pre_roll_bytes += len(audio)
        while self._pre_roll_bytes > PRE_ROLL_SECS * self._rate * 2 and self._pre_roll:
            self._pre_roll_bytes -= len(self._pre_roll.popleft())

    async def _finish_turn(self) -> None:
        if self._turn is None:
            return
        audio = bytes(self._turn) + bytes(int(TAIL_SECS * self._rate) * 2)
        self._turn = None
        self._pre_roll.clear()
        self._pre_roll_bytes = 0
        task = asyncio.get_running_loop().create_task(
            self._recognise(audio, self._speech_start_at, self._speech_end_at)
        )
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _recognise(
        self, audio: bytes, speech_start_at: float | None, speech_end_at: float | None
    ) -> None:
        language = self._context.language
        hint = self._context.hint
        async with self._engine_lock:
            started = time.perf_counter()
            try:
                transcript = await asyncio.to_thread(
                    self._engine.transcribe, audio, self._rate, language, hint
                )
            except Exception as exc:  # an engine failure is reported, and the turn is not lost
                logger.exception(f"{self}: recognition failed")
                await self.push_error(f"speech recognition failed: {exc}")
                transcript = None
            elapsed = time.perf_counter() - started
        seconds = len(audio) / (2 * self._rate)
        self._context.asr_samples.append((language, seconds, elapsed))
        text = transcript.text.strip() if transcript else ""
        # Not the words: they are the caller's name or ID number as often as not, and the
        # dialog has not yet said which (see DialogBridge: values are masked once known).
        logger.debug(
            f"{self}: [{language}] {len(text)} characters ({seconds:.1f}s audio in {elapsed:.2f}s)"
        )
        await self.push_frame(
            CallerTurnFrame(
                text=text,
                audio_sha256=hashlib.sha256(audio).hexdigest(),
                speech_seconds=seconds,
                speech_end_at=speech_end_at,
                speech_start_at=speech_start_at,
            )
        )
