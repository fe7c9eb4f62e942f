"""What the voice processors of one call share: the language and what the dialog expects next."""

from __future__ import annotations

from dataclasses import dataclass, field

from lendline.voice.engines.base import RecognitionHint


@dataclass
class CallContext:
    """Mutable per-call settings the dialog bridge updates as the call moves on.

    Parameters:
        language: "zh" or "en"; fixed per call once chosen (auto-detection costs CPU).
        hint: what kind of answer the dialog expects next, so recognition can be steered.
        turn_metrics: one entry per caller turn, filled by the processors for benchmarks.
        asr_samples: (language, speech seconds, recognition seconds) per transcribed segment.
        slow_speech: speak more slowly (the caller asked to, see ``voice.engines.pace``).
        spoken: (text, seconds of audio) per prompt spoken, for tests and benchmarks.
    """

    language: str = "zh"
    hint: RecognitionHint = RecognitionHint.FREE
    turn_metrics: list[TurnMetrics] = field(default_factory=list)
    asr_samples: list[tuple[str, float, float]] = field(default_factory=list)
    slow_speech: bool = False
    spoken: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class TurnMetrics:
    """Timings of one caller turn (monotonic seconds), for voice-to-voice latency figures.

    Parameters:
        speech_end_at: when the caller stopped speaking (VAD stop, minus its silence window).
        first_audio_at: when the first agent audio of the reply reached the line.
        language: language of the turn.
        text: what was recognised.
    """

    speech_end_at: float | None = None
    first_audio_at: float | None = None
    language: str = ""
    text: str = ""

    @property
    def voice_to_voice(self) -> float | None:
        """Seconds from the end of the caller's speech to the first audio of the reply."""
        if self.speech_end_at is None or self.first_audio_at is None:
            return None
        return self.first_audio_at - self.speech_end_at
