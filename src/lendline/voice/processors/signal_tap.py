"""The fraud-signal tap: measures every caller turn as the call runs.

It sits between the transcriber and the dialog bridge. It keeps the caller's audio of each
turn (from pipecat's user-turn start, with a pre-roll, to its stop), and when the turn's
transcript arrives it measures the turn (:func:`~lendline.voice.analysis.prosody.measure_turn`),
adds it to the call's :class:`CallSignalsAccumulator` and writes the audio signals into
``dialog.state.signals`` before the turn reaches the dialog, so the loan desk reads them at
decision time and a call-back carries on from them. The word-cue counts there are the
dialog's own (it counts them in chat too); the tap leaves them alone.

Answer latency is counted in line audio time, not wall-clock time, from the moment the
line output reports the agent's turn played out (:class:`AgentTurnPlayedFrame`, seen by
:meth:`SignalTap.played_watcher`, which goes after the bridge) to the caller's first speech
in the turn's audio; a test call that sends speech faster than real time measures the same.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from loguru import logger
from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from lendline.dialog.flow import Dialog
from lendline.risk.fraud.call_signals import (
    CallSignals,
    CallSignalsAccumulator,
    TurnMeasurement,
)
from lendline.risk.fraud.lexicon import Cue, CueKind, count, scan
from lendline.voice.analysis.prosody import measure_turn, samples, segment
from lendline.voice.frames import AgentTurnPlayedFrame, CallerTurnFrame

#: Caller audio kept from before the turn start (VAD and turn start lag the first syllable).
PRE_ROLL_SECS = 1.0
#: Longest turn kept for measurement.
MAX_TURN_SECS = 30.0


#: How far before the agent's "played" mark a caller's speech may start and still count as
#: an answer given at once rather than speech over the agent.
PLAYOUT_SLACK_SECS = 0.3
#: ``played_at`` of a turn that was already under way when the agent's turn was played out.
ANSWERED_AT_ONCE = -1.0


@dataclass
class _HeldTurn:
    audio: bytes
    starts_at: float  # line audio time of the first sample
    played_at: float | None  # line audio time the agent's turn finished playing
    rate: int


class SignalTap(FrameProcessor):
    """Measures caller turns and keeps the call's signals in the dialog state.

    Args:
        dialog: the call's dialog; its ``state.signals`` is read at start (a call-back
            resumes) and updated before each caller turn is handed on.
    """

    def __init__(self, dialog: Dialog) -> None:
        super().__init__()
        self._dialog = dialog
        self.accumulator = CallSignalsAccumulator.resume(dialog.state.signals)
        self._clock = 0.0
        self._rate = 8000
        self._pre_roll: deque[bytes] = deque()
        self._pre_roll_bytes = 0
        self._turn: bytearray | None = None
        self._turn_starts_at = 0.0
        self._played_at: float | None = None
        self._held: deque[_HeldTurn] = deque()

    @property
    def signals(self) -> CallSignals:
        """The call's signals so far."""
        return self.accumulator.summary()

    def played_watcher(self) -> FrameProcessor:
        """A processor for after the bridge that tells this tap when agent turns end."""
        return _PlayedWatcher(self)

    def agent_turn_played(self) -> None:
        """The agent's turn has been played out: the caller's answer latency starts now.

        When the caller is already speaking as the mark arrives (an answer given at once:
        the mark and the caller's audio reach the pipeline on separate paths, and a test
        line sends speech faster than real time), the turn under way answered at once.
        """
        self._played_at = ANSWERED_AT_ONCE if self._turn is not None else self._clock

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Keep turn audio; measure each recognised turn before passing it on."""
        await super().process_frame(frame, direction)
        if isinstance(frame, InputAudioRawFrame):
            self._collect(frame)
        elif isinstance(frame, UserStartedSpeakingFrame):
            self._turn = bytearray(b"".join(self._pre_roll))
            self._turn_starts_at = self._clock - len(self._turn) / (2 * self._rate)
        elif isinstance(frame, UserStoppedSpeakingFrame) and self._turn is not None:
            self._held.append(
                _HeldTurn(bytes(self._turn), self._turn_starts_at, self._played_at, self._rate)
            )
            # The next turn, without an agent turn between, has no answer latency.
            self._played_at = None
            self._turn = None
        elif isinstance(frame, CallerTurnFrame):
            held = self._held.popleft() if self._held else None
            if held is not None and frame.text:
                await self._measure(held, frame.text)
        await self.push_frame(frame, direction)

    def _collect(self, frame: InputAudioRawFrame) -> None:
        self._rate = frame.sample_rate
        self._clock += len(frame.audio) / (2 * frame.sample_rate)
        if self._turn is not None:
            if len(self._turn) < MAX_TURN_SECS * self._rate * 2:
                self._turn += frame.audio
            return
        self._pre_roll.append(frame.audio)
        self._pre_roll_bytes += len(frame.audio)
        while self._pre_roll_bytes > PRE_ROLL_SECS * self._rate * 2 and self._pre_roll:
            self._pre_roll_bytes -= len(self._pre_roll.popleft())

    async def _measure(self, held: _HeldTurn, text: str) -> None:
        state = self._dialog.state
        language = state.language or "zh"
        cues = scan(text, language)
        step = state.step.value  # the question this turn answers
        try:
            turn = await asyncio.to_thread(self._measure_audio, held, text, language, step, cues)
        except Exception:  # a measurement never costs the caller their turn
            logger.exception(f"{self}: could not measure the turn")
            return
        self.accumulator.add_turn(turn)
        # A new dict, swapped in whole: the dialog thread may be saving the state.
        state.signals = {**state.signals, **self.accumulator.summary().audio_features()}

    @staticmethod
    def _measure_audio(
        held: _HeldTurn, text: str, language: str, step: str, cues: tuple[Cue, ...]
    ) -> TurnMeasurement:
        onset = segment(samples(held.audio), held.rate).onset_secs
        latency = None
        if held.played_at == ANSWERED_AT_ONCE:
            latency = 0.0
        elif onset is not None and held.played_at is not None:
            gap = held.starts_at + onset - held.played_at
            if gap >= -PLAYOUT_SLACK_SECS:
                # Speech that starts within the slack of the "played" mark answered at once
                # (the mark and the caller's audio cross the line on separate paths);
                # earlier than that, the caller spoke over the agent: no latency.
                latency = max(0.0, gap)
        return measure_turn(
            held.audio,
            held.rate,
            text=text,
            language=language,
            step=step,
            answer_latency_secs=latency,
            fillers=count(cues, CueKind.FILLER),
        )


class _PlayedWatcher(FrameProcessor):
    """Passes every frame on; tells the tap when the line has played an agent turn."""

    def __init__(self, tap: SignalTap) -> None:
        super().__init__()
        self._tap = tap

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, AgentTurnPlayedFrame):
            self._tap.agent_turn_played()
        await self.push_frame(frame, direction)
