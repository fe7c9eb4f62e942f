"""The agent's prompts are rendered and played sentence by sentence, with the real voices."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pipecat.frames.frames import ErrorFrame, Frame, TTSAudioRawFrame

from lendline.voice.call_context import CallContext
from lendline.voice.engines.base import Synthesis, TextToSpeech, sentence_pause
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.kokoro_voice import KokoroMandarinVoice
from lendline.voice.engines.models import piper_voice_paths
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.processors.tts import (
    EngineTTSService,
    spoken_sentences,
)

pytestmark = pytest.mark.slow
RATE = 16000
OFFER = "审核通过。每月还款四千四百一十四元四角二分。请问您接受这个方案吗？"


class RecordingVoice:
    """The real Kokoro voice, with a log of what was asked of it and when audio went out."""

    languages = frozenset({"zh"})

    def __init__(self, voice: TextToSpeech, log: list[str]) -> None:
        self.voice = voice
        self.name = voice.name
        self.sentence_pause_seconds = sentence_pause(voice)
        self.log = log

    def synthesize(self, text: str, language: str) -> Synthesis:
        self.log.append(f"render {text}")
        return self.voice.synthesize(text, language)


def _run(voice: TextToSpeech, text: str, log: list[str]) -> tuple[list[Frame], CallContext]:
    context = CallContext(language="zh")
    service = EngineTTSService({"zh": voice}, context)
    service._sample_rate = RATE  # set from the StartFrame in a pipeline

    async def collect() -> list[Frame]:
        frames: list[Frame] = []
        async for frame in service.run_tts(text, "prompt-1"):
            if frame is not None:
                if isinstance(frame, TTSAudioRawFrame) and not any(
                    isinstance(f, TTSAudioRawFrame) for f in frames
                ):
                    log.append("first audio out")
                frames.append(frame)
        return frames

    return asyncio.run(collect()), context


def test_prompts_are_split_into_the_sentences_they_are_rendered_in() -> None:
    assert spoken_sentences(OFFER, "zh") == [
        "审核通过。",
        "每月还款四千四百一十四元四角二分。",
        "请问您接受这个方案吗？",
    ]
    assert spoken_sentences("Your rate is 10.8 percent. Do you accept?", "en") == [
        "Your rate is 10.8 percent.",
        "Do you accept?",
    ]
    assert spoken_sentences("e.g. this, and 3.5 that", "en") == ["e.g. this, and 3.5 that"]
    assert spoken_sentences("", "zh") == [""]


def test_the_first_sentence_plays_before_the_next_is_rendered() -> None:
    log: list[str] = []
    voice = KokoroMandarinVoice()
    frames, context = _run(RecordingVoice(voice, log), OFFER, log)
    assert log[:3] == [
        "render 审核通过。",
        "first audio out",
        "render 每月还款四千四百一十四元四角二分。",
    ]
    audio = b"".join(f.audio for f in frames if isinstance(f, TTSAudioRawFrame))
    parts = [voice.synthesize(s, "zh").seconds for s in spoken_sentences(OFFER, "zh")]
    expected = sum(parts) + voice.sentence_pause_seconds * (len(parts) - 1)
    assert len(audio) / (2 * RATE) == pytest.approx(expected, abs=0.01)
    # Kokoro's own rendering of the whole prompt lasts as long: it pauses the same between.
    assert voice.synthesize(OFFER, "zh").seconds == pytest.approx(expected, abs=0.01)
    assert context.spoken == [(OFFER, pytest.approx(expected, abs=0.01))]
    assert not any(isinstance(f, ErrorFrame) for f in frames)


def test_the_pause_between_sentences_is_the_voices_own_through_the_prompt_cache(
    tmp_path: Path,
) -> None:
    kokoro = KokoroMandarinVoice()
    assert sentence_pause(CachedTextToSpeech(kokoro, tmp_path)) == kokoro.sentence_pause_seconds
    model, config = piper_voice_paths()
    piper = PiperOnnxVoice(model, config)  # Piper's sentences end in their own silence
    assert sentence_pause(piper) == sentence_pause(CachedTextToSpeech(piper, tmp_path)) == 0.0


def test_a_voice_that_cannot_speak_the_language_is_an_error_not_silence() -> None:
    frames, _ = _run(KokoroMandarinVoice(), OFFER, [])
    assert frames  # the Mandarin voice speaks; an English-only context would refuse
    context = CallContext(language="en")
    service = EngineTTSService({"zh": KokoroMandarinVoice()}, context)

    async def collect() -> list[Frame | None]:
        return [frame async for frame in service.run_tts("Hello.", "prompt-2")]

    (frame,) = asyncio.run(collect())
    assert isinstance(frame, ErrorFrame) and "no voice for language 'en'" in frame.error
