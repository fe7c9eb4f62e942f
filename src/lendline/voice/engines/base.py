"""What every speech engine offers: recognition and synthesis behind small protocols.

The voice pipeline only knows these protocols, so an engine (a Whisper model, a Piper voice,
a worker process, a hosted service) can be swapped without touching the call code. Engines
are synchronous and CPU-bound; the pipeline runs them in a worker thread.

Audio everywhere is raw 16-bit little-endian mono PCM (``pcm16``) with an explicit sample rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from lendline.shared.errors import ErrorCategory, ProviderError


class RecognitionHint(StrEnum):
    """What kind of answer the dialog expects next, so recognition can be steered."""

    FREE = "free"
    DIGITS = "digits"
    YES_NO = "yes_no"
    AMOUNT = "amount"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Transcript:
    """The result of recognising one speech segment.

    Attributes:
        text: what was recognised, as the engine wrote it (no normalisation).
        language: the language the segment was recognised in ("zh", "en").
        audio_seconds: length of the audio that was recognised.
        processing_seconds: wall time the recognition took.
        avg_logprob: mean token log-probability of the best hypothesis, when the engine
            reports one (closer to 0 is more confident).
        no_speech_prob: the engine's probability that the segment held no speech, if known.
    """

    text: str
    language: str
    audio_seconds: float
    processing_seconds: float
    avg_logprob: float | None = None
    no_speech_prob: float | None = None

    @property
    def real_time_factor(self) -> float:
        """Processing seconds per second of audio (below 1 is faster than real time)."""
        if self.audio_seconds <= 0:
            return 0.0
        return self.processing_seconds / self.audio_seconds


@dataclass(frozen=True, slots=True)
class Synthesis:
    """Audio rendered from text.

    Attributes:
        pcm16: 16-bit little-endian mono PCM.
        sample_rate: samples per second of ``pcm16``.
        text: the text that was spoken.
        voice: name of the voice that spoke it.
    """

    pcm16: bytes
    sample_rate: int
    text: str
    voice: str

    @property
    def seconds(self) -> float:
        """Length of the audio in seconds."""
        return len(self.pcm16) / (2 * self.sample_rate) if self.sample_rate else 0.0


@runtime_checkable
class SpeechToText(Protocol):
    """A recogniser that turns one caller speech segment into text.

    Attributes:
        name: a short name for logs and metrics.
    """

    name: str

    def transcribe(
        self,
        pcm16: bytes,
        sample_rate: int,
        language: str,
        hint: RecognitionHint = RecognitionHint.FREE,
    ) -> Transcript:
        """Recognise one speech segment.

        Synchronous and CPU-bound: callers on an event loop run it in a thread.

        Args:
            pcm16: the segment, 16-bit mono PCM (the VAD already cut it).
            sample_rate: sample rate of ``pcm16`` (8000 or 16000 on a phone line).
            language: the call's language ("zh" or "en"), fixed rather than detected.
            hint: what the dialog expects, for engines that can use it.

        Returns:
            The transcript with timings.
        """
        ...

    def warm_up(self) -> None:
        """Load the model and run it once, so the first caller turn is not slow."""
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    """A voice that renders text to audio.

    Attributes:
        name: the voice's name, part of the prompt-cache key.
        languages: language codes the voice can speak ("zh", "en").
    """

    name: str
    languages: frozenset[str]

    def synthesize(self, text: str, language: str) -> Synthesis:
        """Render ``text``, which the caller has already made speakable.

        Args:
            text: what to say; numbers and codes are expected to be written out as words.
            language: one of :attr:`languages`.

        Returns:
            The rendered audio.
        """
        ...


class EngineUnavailable(ProviderError):
    """A speech engine or its model is not installed or cannot start.

    Args:
        message: what is missing.
        install_hint: how to install it, appended to the message.
    """

    def __init__(self, message: str, install_hint: str = "") -> None:
        full = f"{message} ({install_hint})" if install_hint else message
        # Retrying cannot install a missing package: this needs an operator.
        super().__init__(full, ErrorCategory.PERMANENT)
        self.install_hint = install_hint


def sentence_pause(voice: object) -> float:
    """Seconds of silence ``voice`` puts between two sentences it renders together.

    A voice that trims its sentences and joins them with a pause declares it as
    ``sentence_pause_seconds`` (Kokoro); one whose sentences end in their own silence
    declares nothing (Piper). Whoever renders a prompt sentence by sentence joins the
    sentences with this pause, so the prompt lasts as long as the voice would make it.
    """
    return float(getattr(voice, "sentence_pause_seconds", 0.0))


def check_language(voice: TextToSpeech, language: str) -> None:
    """Raise ``ValueError`` if ``voice`` cannot speak ``language``.

    Args:
        voice: the voice asked to speak.
        language: the language asked for.

    Raises:
        ValueError: the voice does not speak that language.
    """
    if language not in voice.languages:
        raise ValueError(f"voice {voice.name!r} speaks {sorted(voice.languages)}, not {language!r}")
