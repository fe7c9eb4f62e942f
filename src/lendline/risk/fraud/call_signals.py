"""What the call itself says about fraud: the per-call summary of how the caller speaks.

The voice pipeline measures each caller turn (timing from the line, pitch and energy from
the audio, words from the transcript) and this module turns the turns into one
:class:`CallSignals` per call. The fraud model and the rules read only this summary, so a
call over SIP, a media stream or chat is judged on the same named features.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class CallSignals:
    """One call's signals; every field is a plain number so the model can read it.

    Parameters:
        question_answer_latency_secs: median seconds from the end of a security question to
            the caller's first speech (very short = read from notes; very long = looked up
            or prompted).
        speech_rate: median speech rate of the caller's turns (syllables or words per second
            of speech).
        pause_ratio: share of the caller's turn time that is silence between words.
        filler_rate: fillers ("嗯", "呃", "um", "uh") per caller turn.
        pitch_variation: coefficient of variation of the caller's voiced pitch (flat,
            monotone reading is low).
        energy_variation: coefficient of variation of the caller's frame energy.
        second_voice: 0..1, how strongly a second speaker is heard on the caller's side.
        scripted_reading: 0..1, how much the answers sound read out (fast, even, fluent).
        coaching_cues: phrases of an intermediary or coach ("他让我说", "my agent said").
        urgency_cues: urgency and instruction cues ("马上", "right now", "someone told me to").
        scam_cues: fee or unfreezing words of a fake-lender scam ("解冻费", "unfreeze fee").
        turns: caller turns measured.
    """

    question_answer_latency_secs: float = 0.0
    speech_rate: float = 0.0
    pause_ratio: float = 0.0
    filler_rate: float = 0.0
    pitch_variation: float = 0.0
    energy_variation: float = 0.0
    second_voice: float = 0.0
    scripted_reading: float = 0.0
    coaching_cues: int = 0
    urgency_cues: int = 0
    scam_cues: int = 0
    turns: int = 0

    def as_features(self) -> dict[str, float]:
        """The signals by name, as the fraud model's inputs."""
        return {field.name: float(getattr(self, field.name)) for field in fields(self)}
