"""Pipecat speech-to-text service over any :class:`SpeechToText` engine.

Pipecat's segmented STT base collects the audio between the VAD's start and stop and hands it
over; this service runs the engine off the event loop with the call's fixed language and the
dialog's current hint, and records how long recognition took (for real-time-factor figures).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

from loguru import logger
from pipecat.frames.frames import ErrorFrame, Frame, TranscriptionFrame
from pipecat.services.settings import STTSettings
from pipecat.services.stt_service import SegmentedSTTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601

from lendline.voice.call_context import CallContext
from lendline.voice.engines.base import SpeechToText

_LANGUAGES = {"zh": Language.ZH, "en": Language.EN}


class EngineSTTService(SegmentedSTTService):
    """Transcribes each caller speech segment with a LendLine :class:`SpeechToText` engine."""

    def __init__(
        self,
        engine: SpeechToText,
        context: CallContext,
        on_segment: Callable[[bytes], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            settings=STTSettings(model=getattr(engine, "name", "engine"), language=None),
            **kwargs,
        )
        self._engine = engine
        self._context = context
        self._on_segment = on_segment
        # Recognition per segment, summed per caller turn by the dialog bridge.
        self.segment_seconds: list[tuple[float, float]] = []

    @property
    def wants_wav_segments(self) -> bool:
        """Our engines read raw 16-bit PCM."""
        return False

    def can_generate_metrics(self) -> bool:
        """Report processing metrics to pipecat observers."""
        return True

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame | None, None]:
        """Transcribe one segment."""
        language = self._context.language
        if self._on_segment is not None:
            self._on_segment(audio)
        started = time.perf_counter()
        try:
            transcript = await asyncio.to_thread(
                self._engine.transcribe, audio, self.sample_rate, language, self._context.hint
            )
        except Exception as exc:  # an engine failure must not drop the call silently
            logger.exception(f"{self}: recognition failed")
            yield ErrorFrame(error=f"speech recognition failed: {exc}")
            return
        elapsed = time.perf_counter() - started
        speech_seconds = len(audio) / (2 * self.sample_rate)
        self.segment_seconds.append((speech_seconds, elapsed))
        self._context.asr_samples.append((language, speech_seconds, elapsed))
        text = transcript.text.strip()
        logger.debug(f"{self}: [{language}] {text!r} in {elapsed:.2f}s")
        if text:
            yield TranscriptionFrame(
                text, "caller", time_now_iso8601(), _LANGUAGES.get(language), result=transcript
            )
