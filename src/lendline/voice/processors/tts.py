"""Pipecat text-to-speech service over LendLine :class:`TextToSpeech` engines, one per language."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from typing import Any

from loguru import logger
from pipecat.frames.frames import ErrorFrame, Frame
from pipecat.services.settings import TTSSettings
from pipecat.services.tts_service import TTSService

from lendline.voice.call_context import CallContext
from lendline.voice.engines.audio import resample_pcm16
from lendline.voice.engines.base import TextToSpeech, sentence_pause
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
        """Synthesise ``text`` in the call's language and stream it out, sentence by sentence.

        The first sentence plays while the next is rendered, so a prompt that is not in the
        prompt cache (a read-back, an offer with the borrower's figures) starts after one
        sentence's rendering rather than the whole prompt's. Sentences are joined by the
        voice's own pause between sentences (:func:`~lendline.voice.engines.base.sentence_pause`),
        so a prompt lasts as long as the voice makes it.
        """
        language = self._context.language
        voice = self._voices.get(language)
        if voice is None:
            yield ErrorFrame(error=f"no voice for language {language!r}")
            return
        sentences = spoken_sentences(text, language)
        try:
            first = await self._render(voice, sentences[0], language)
        except Exception as exc:  # a voice failure is reported upstream, never silent
            logger.exception(f"{self}: synthesis failed")
            yield ErrorFrame(error=f"speech synthesis failed: {exc}")
            return
        seconds = 0.0
        failed: list[Exception] = []

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal seconds
            pcm, length = first
            seconds += length
            yield pcm
            for sentence in sentences[1:]:
                try:
                    pcm, length = await self._render(voice, sentence, language)
                except Exception as exc:  # the rest of the prompt is lost, and said so
                    logger.exception(f"{self}: synthesis failed mid-prompt")
                    failed.append(exc)
                    return
                pause = sentence_pause(voice)
                seconds += pause + length
                yield bytes(int(pause * self.sample_rate) * 2) + pcm

        async for frame in self._stream_audio_frames_from_iterator(
            chunks(), in_sample_rate=self.sample_rate, context_id=context_id
        ):
            yield frame
        self._context.spoken.append((text, seconds))
        if failed:
            yield ErrorFrame(error=f"speech synthesis failed: {failed[0]}")

    async def _render(self, voice: TextToSpeech, text: str, language: str) -> tuple[bytes, float]:
        """One sentence as PCM at the output rate, and its length in seconds."""
        synthesis = await asyncio.to_thread(voice.synthesize, text, language)
        if self._context.slow_speech:
            synthesis = await asyncio.to_thread(slowed, synthesis)
        # Resample here: pipecat's stream resampler is fixed to one input rate, and the
        # voices differ (Kokoro 24 kHz, Piper 22.05 kHz) when a call switches language.
        pcm = await asyncio.to_thread(
            resample_pcm16, synthesis.pcm16, synthesis.sample_rate, self.sample_rate
        )
        return pcm, synthesis.seconds


def spoken_sentences(text: str, language: str) -> list[str]:
    """Split a prompt into the sentences it is rendered in (never an empty list).

    Mandarin sentences end at 。！？ and English ones at . ! ? before a capital or a quote;
    "3.5" or "e.g. this" do not end a sentence.
    """
    pattern = _ZH_SENTENCE_END if language == "zh" else _EN_SENTENCE_END
    sentences = [piece.strip() for piece in pattern.split(text) if piece.strip()]
    return sentences or [text]


_ZH_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
_EN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'])")
