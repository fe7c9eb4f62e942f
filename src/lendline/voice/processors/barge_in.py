"""When a caller who speaks over the agent is taking the turn, and when it is only "uh-huh".

On a phone line people say "嗯", "对", "uh-huh" while the other side talks; that is
listening, not interrupting. Speech that goes on is a real barge-in. So, while the agent is
speaking, a caller's voice first only *holds* the prompt (the line output ducks at the VAD
start, ~0.2 s after the first syllable: the agent goes quiet at once); the caller's turn
starts, and the rest of the prompt is dropped, only once the speech has lasted
``min_speech_secs`` more. If the caller stops before that, it was a backchannel: the prompt
goes on where it stopped and nothing is sent to the recogniser. When the agent is silent,
the turn starts at the VAD start as usual.
"""

from __future__ import annotations

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    Frame,
    InputAudioRawFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.turns.types import ProcessFrameResult
from pipecat.turns.user_start.base_user_turn_start_strategy import BaseUserTurnStartStrategy

#: Caller audio after the VAD start (its stop comes 0.2 s after the last syllable, so this is
#: about the length of the speech) that makes talking over the agent a barge-in: longer than
#: "uh-huh" or "嗯", short enough that the caller is not kept waiting.
DEFAULT_MIN_SPEECH_SECS = 0.6


class BargeInTurnStartStrategy(BaseUserTurnStartStrategy):  # type: ignore[no-untyped-call]
    """Starts the caller's turn at once, or after sustained speech while the agent talks.

    Parameters:
        min_speech_secs: speech after the VAD start needed to take the turn from the agent.
    """

    def __init__(self, min_speech_secs: float = DEFAULT_MIN_SPEECH_SECS, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._min_speech = min_speech_secs
        self._bot_speaking = False
        self._pending: float | None = None
        self.backchannels = 0
        self.barge_ins = 0

    async def handle_user_turn_started(self) -> None:
        """Forget a pending barge-in (a turn has begun)."""
        await super().handle_user_turn_started()  # type: ignore[no-untyped-call]
        self._pending = None

    async def process_frame(self, frame: Frame) -> ProcessFrameResult:
        """Watch VAD, the caller's audio and the agent's speaking state."""
        if isinstance(frame, BotStartedSpeakingFrame):
            self._bot_speaking = True
        elif isinstance(frame, BotStoppedSpeakingFrame):
            self._bot_speaking = False
            if self._pending is not None:
                # The agent finished while the caller was already talking: it is their turn.
                return await self._start()
        elif isinstance(frame, VADUserStartedSpeakingFrame):
            if not self._bot_speaking:
                return await self._start()
            self._pending = 0.0
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            if self._pending is not None:
                self.backchannels += 1
                self._pending = None
        elif isinstance(frame, InputAudioRawFrame) and self._pending is not None:
            self._pending += len(frame.audio) / (2 * frame.sample_rate * frame.num_channels)
            if self._pending >= self._min_speech:
                self.barge_ins += 1
                return await self._start()
        return ProcessFrameResult.CONTINUE

    async def _start(self) -> ProcessFrameResult:
        self._pending = None
        await self.trigger_user_turn_started()
        return ProcessFrameResult.STOP
