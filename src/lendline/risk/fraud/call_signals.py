"""What the call itself says about fraud: the per-call summary of how the caller speaks.

The voice pipeline measures each caller turn (timing from the line, pitch and energy from
the audio, words from the transcript) as a :class:`TurnMeasurement`, and a
:class:`CallSignalsAccumulator` turns the turns into one :class:`CallSignals` per call. The
fraud model and the rules read only this summary, so a call over SIP, a media stream or chat
is judged on the same named features.

The word cues (coaching, urgency, scam, guarantor) are counted by the dialog on every caller
turn, in chat as on the phone; the pipeline's tap writes the audio features (:data:`AUDIO_FIELDS`)
next to them in the dialog state, and :meth:`CallSignals.from_features` reads both back.

Every signal is evidence for a step-up check or a human review, never a reason to decline
on its own: accents, age, speech and hearing disabilities and a noisy line all move them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from statistics import median
from typing import Final

from lendline.risk.fraud.lexicon import Cue, CueKind

#: Dialog step of the security questions (the answer latency that matters most).
SECURITY_STEP: Final = "security_question"
#: A turn's answer is "fast" below this latency and "slow" above the next (seconds).
FAST_ANSWER_SECS: Final = 0.5
SLOW_ANSWER_SECS: Final = 2.5
#: Turns with less speech than this say little about pacing.
MIN_SPEECH_SECS: Final = 0.8
#: A turn whose second-voice score reaches this counts as a second-voice turn.
SECOND_VOICE_THRESHOLD: Final = 0.5


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
        answer_latency_secs: median answer latency over every measured turn.
        guarantor_cues: "is this just a guarantee?" (the "AB loan" trick).
        second_voice_turns: turns whose second-voice score reached 0.5.
        question_answer_quickness: 0..1, how far below a second the median security answer
            starts (0 at a second or more, 1 at once): someone reading the customer's data
            off a sheet answers before anyone could recall it. A linear model cannot read
            this off the latency itself, whose other end (a long pause, a look-up) also
            means trouble.
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
    answer_latency_secs: float = 0.0
    guarantor_cues: int = 0
    second_voice_turns: int = 0
    question_answer_quickness: float = 0.0

    def as_features(self) -> dict[str, float]:
        """The signals by name, as the fraud model's inputs."""
        return {field.name: float(getattr(self, field.name)) for field in fields(self)}

    def audio_features(self) -> dict[str, float]:
        """The signals the voice pipeline measures (everything but the word-cue counts)."""
        return {name: value for name, value in self.as_features().items() if name in AUDIO_FIELDS}

    @classmethod
    def from_features(cls, features: Mapping[str, float]) -> CallSignals:
        """Rebuild the signals from :meth:`as_features` output; missing names stay zero."""
        values: dict[str, float | int] = {}
        for field in fields(cls):
            if field.name in features:
                raw = features[field.name]
                values[field.name] = int(raw) if field.type == "int" else float(raw)
        return cls(**values)  # type: ignore[arg-type]


#: The word-cue counts: the dialog counts them, in chat as on the phone.
CUE_FIELDS: Final = frozenset({"coaching_cues", "urgency_cues", "scam_cues", "guarantor_cues"})
#: What the voice pipeline measures.
AUDIO_FIELDS: Final = frozenset(f.name for f in fields(CallSignals)) - CUE_FIELDS
#: Which counter each cue kind feeds (fillers feed the filler rate instead).
CUE_COUNTERS: Final = {
    CueKind.COACHING: "coaching_cues",
    CueKind.URGENCY: "urgency_cues",
    CueKind.SCAM: "scam_cues",
    CueKind.GUARANTOR: "guarantor_cues",
}


@dataclass(frozen=True, slots=True)
class TurnMeasurement:
    """What one caller turn sounded like.

    Any measure may be None when the audio held too little speech to measure it.

    Parameters:
        step: the dialog step the caller was answering ("security_question", ...).
        answer_latency_secs: seconds from the end of the agent's turn (as played) to the
            caller's first speech; None when the caller spoke over the agent.
        speech_secs: seconds of voiced speech in the turn.
        turn_secs: seconds from the first to the last speech of the turn.
        pause_ratio: silence between words as a share of ``turn_secs``.
        speech_rate: words (English) or syllables (Mandarin characters) per second of speech.
        pace_variation: coefficient of variation of the lengths of the speech runs between
            pauses (even, read-out pacing is low).
        fillers: fillers heard in the transcript.
        pitch_variation: coefficient of variation of the voiced pitch (Hz).
        energy_variation: coefficient of variation of the voiced frame energy.
        second_voice: 0..1, evidence of a second speaker in this turn.
    """

    step: str = ""
    answer_latency_secs: float | None = None
    speech_secs: float = 0.0
    turn_secs: float = 0.0
    pause_ratio: float | None = None
    speech_rate: float | None = None
    pace_variation: float | None = None
    fillers: int = 0
    pitch_variation: float | None = None
    energy_variation: float | None = None
    second_voice: float = 0.0

    def scripted_reading(self) -> float | None:
        """0..1: a quick start, even pacing, few pauses and no fillers sound read out.

        None for turns too short to judge (a "yes" is always quick and even).
        """
        if self.speech_secs < MIN_SPEECH_SECS:
            return None
        parts: list[float] = []
        if self.answer_latency_secs is not None:
            span = SLOW_ANSWER_SECS - FAST_ANSWER_SECS
            parts.append(_clip((SLOW_ANSWER_SECS - self.answer_latency_secs) / span))
        if self.pace_variation is not None:
            # Conversational runs vary by about their own length (CV ~1); a read list is even.
            parts.append(_clip(1.0 - self.pace_variation))
        if self.pause_ratio is not None:
            parts.append(_clip(1.0 - 2.0 * self.pause_ratio))
        parts.append(1.0 if self.fillers == 0 else 0.0)
        return sum(parts) / len(parts)


#: A security answer started within this long of the question is quicker than recall.
RECALL_SECS: Final = 1.0


def quickness(latency_secs: float | None) -> float:
    """0..1: how far below :data:`RECALL_SECS` an answer started (0 when not measured)."""
    if latency_secs is None:
        return 0.0
    return _clip((RECALL_SECS - latency_secs) / RECALL_SECS)


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return median(present) if present else None


class CallSignalsAccumulator:
    """Collects one call's turn measurements and cues, and summarises them.

    A call-back carries on from the summary saved with the session (:meth:`resume`): the
    earlier call counts as that many turns of its own medians, an approximation, since the
    turns themselves are not kept.
    """

    def __init__(self) -> None:
        self._turns: list[TurnMeasurement] = []
        self._cues: dict[str, int] = dict.fromkeys(CUE_COUNTERS.values(), 0)
        self._fillers_from_cues = 0
        self._prior: CallSignals | None = None

    @classmethod
    def resume(cls, features: Mapping[str, float]) -> CallSignalsAccumulator:
        """Start from a summary saved earlier in the session (empty: a fresh start)."""
        accumulator = cls()
        prior = CallSignals.from_features(features)
        if prior.turns or any(getattr(prior, name) for name in CUE_FIELDS):
            accumulator._prior = prior
        return accumulator

    @property
    def turns(self) -> tuple[TurnMeasurement, ...]:
        """The turns measured in this call."""
        return tuple(self._turns)

    def add_turn(self, turn: TurnMeasurement) -> None:
        """Add one measured caller turn."""
        self._turns.append(turn)

    def add_cues(self, cues: Iterable[Cue]) -> None:
        """Count word cues heard in a caller turn (fillers go to the filler rate)."""
        for cue in cues:
            counter = CUE_COUNTERS.get(cue.kind)
            if counter is not None:
                self._cues[counter] += 1
            elif cue.kind is CueKind.FILLER:
                self._fillers_from_cues += 1

    def summary(self) -> CallSignals:
        """Return the call's signals so far."""
        turns = self._turns
        security = [t.answer_latency_secs for t in turns if t.step == SECURITY_STEP]
        turn_time = sum(t.turn_secs for t in turns if t.pause_ratio is not None)
        pause_time = sum(t.turn_secs * t.pause_ratio for t in turns if t.pause_ratio is not None)
        fillers = sum(t.fillers for t in turns) + self._fillers_from_cues
        voice_scores = [t.second_voice for t in turns]
        current = CallSignals(
            question_answer_latency_secs=_median(security) or 0.0,
            speech_rate=_median(t.speech_rate for t in turns) or 0.0,
            pause_ratio=pause_time / turn_time if turn_time > 0 else 0.0,
            filler_rate=fillers / len(turns) if turns else 0.0,
            pitch_variation=_median(t.pitch_variation for t in turns) or 0.0,
            energy_variation=_median(t.energy_variation for t in turns) or 0.0,
            second_voice=max(voice_scores, default=0.0),
            scripted_reading=_median(t.scripted_reading() for t in turns) or 0.0,
            coaching_cues=self._cues["coaching_cues"],
            urgency_cues=self._cues["urgency_cues"],
            scam_cues=self._cues["scam_cues"],
            turns=len(turns),
            answer_latency_secs=_median(t.answer_latency_secs for t in turns) or 0.0,
            guarantor_cues=self._cues["guarantor_cues"],
            second_voice_turns=sum(1 for s in voice_scores if s >= SECOND_VOICE_THRESHOLD),
            question_answer_quickness=quickness(_median(security)),
        )
        return current if self._prior is None else _combine(self._prior, current)


def _combine(before: CallSignals, now: CallSignals) -> CallSignals:
    """Merge an earlier call's summary with this call's, weighting averages by turns."""
    total = before.turns + now.turns
    values: dict[str, float | int] = {}
    for field in fields(CallSignals):
        a, b = getattr(before, field.name), getattr(now, field.name)
        if field.name in CUE_FIELDS or field.name in ("turns", "second_voice_turns"):
            values[field.name] = a + b
        elif field.name == "second_voice":
            values[field.name] = max(a, b)
        elif not a or not b or total == 0:
            values[field.name] = a or b  # a measure only one of the calls has
        else:
            values[field.name] = (a * before.turns + b * now.turns) / total
    return CallSignals(**values)  # type: ignore[arg-type]
