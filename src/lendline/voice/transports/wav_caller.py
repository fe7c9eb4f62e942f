"""A caller made of audio files: the demo's borrower and the scenario tests' caller.

The scripted caller behaves like a person on a phone: it waits until the agent has finished
its turn, then speaks the next utterance (or keys digits, or stays silent, or hangs up). The
line carries 20 ms frames of 8 kHz PCM. Between utterances the caller's line carries silence
paced in real time, so silence timeouts behave as on a real call; the speech itself can be
sent faster than real time (``realtime=False``) to keep test calls short, since the speech
pipeline counts audio, not wall-clock time, for voice activity and end of turn.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from lendline.voice.transports.line import (
    FRAME_BYTES,
    PHONE_RATE,
    CallerAudio,
    CallerDigit,
    CallerHangup,
    CallLine,
)


@dataclass(frozen=True, slots=True)
class Speak:
    """Say an utterance: 8 kHz 16-bit mono PCM, with a label for logs.

    ``pause_before`` replaces the caller's usual ``answer_delay`` for this utterance (a
    caller thinking, or one reading from notes).
    """

    pcm: bytes
    label: str = ""
    pause_before: float | None = None


@dataclass(frozen=True, slots=True)
class Keys:
    """Press DTMF keys, ~150 ms apart."""

    digits: str


@dataclass(frozen=True, slots=True)
class StaySilent:
    """Say nothing for this turn (the agent's silence timeout answers)."""


@dataclass(frozen=True, slots=True)
class HangUp:
    """Put the phone down."""


CallerAction = Speak | Keys | StaySilent | HangUp
_SILENCE = b"\x00" * FRAME_BYTES


@dataclass
class ScriptedCaller:
    """Plays a script of actions into a :class:`CallLine`, one per agent turn.

    Parameters:
        next_action: called after each agent turn; returns what the caller does next
            (None: nothing more to say, listen until the agent hangs up).
        realtime: pace speech at real time (True) or send it as fast as the pipeline takes it.
        answer_delay: seconds between the agent's turn ending and the caller's answer.
        give_up_after: seconds to wait for an agent turn before hanging up.
    """

    next_action: Callable[[], Awaitable[CallerAction | None]]
    realtime: bool = False
    answer_delay: float = 0.3
    give_up_after: float = 120.0
    agent_audio: bytearray = field(default_factory=bytearray)
    caller_audio: bytearray = field(default_factory=bytearray)
    agent_turns: int = 0
    hung_up_by: str | None = None
    _turn_done: asyncio.Event = field(default_factory=asyncio.Event)
    _agent_gone: asyncio.Event = field(default_factory=asyncio.Event)
    _speaking: asyncio.Lock = field(default_factory=asyncio.Lock)

    # LineSink ---------------------------------------------------------------

    async def play(self, pcm: bytes, sample_rate: int) -> None:
        """Receive agent audio (kept as the agent leg of the recording)."""
        self.agent_audio += pcm

    async def clear(self) -> None:
        """Nothing is queued on a file line; barge-in has nothing to drop."""

    async def duck(self, on: bool) -> None:
        """Nothing plays in real time on a file line; there is nothing to hold."""

    async def hang_up(self, reason: str) -> None:
        """The agent hung up."""
        if self.hung_up_by is None:
            self.hung_up_by = "agent"
        self._agent_gone.set()
        self._turn_done.set()

    async def agent_turn_done(self) -> None:
        """The agent's turn has been played out: the caller may answer."""
        self.agent_turns += 1
        self._turn_done.set()

    # The call ---------------------------------------------------------------

    async def run(self, line: CallLine) -> None:
        """Play the script on ``line`` until the agent hangs up or the script ends."""
        pump = asyncio.create_task(self._pump_silence(line))
        try:
            while True:
                if not await self._wait_for_agent():
                    return
                action = await self.next_action()
                if action is None:
                    break
                pause = action.pause_before if isinstance(action, Speak) else None
                await asyncio.sleep(self.answer_delay if pause is None else pause)
                if isinstance(action, HangUp):
                    self.hung_up_by = "caller"
                    await line.caller_sends(CallerHangup())
                    return
                if isinstance(action, Speak):
                    await self._speak(line, action.pcm)
                elif isinstance(action, Keys):
                    for digit in action.digits:
                        await line.caller_sends(CallerDigit(digit))
                        await asyncio.sleep(0.15)
            # Nothing more to say: hang up (the agent keeps the session resumable).
            if not self._agent_gone.is_set():
                self.hung_up_by = "caller"
                await line.caller_sends(CallerHangup("caller has nothing more to say"))
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump

    async def _wait_for_agent(self) -> bool:
        try:
            await asyncio.wait_for(self._turn_done.wait(), timeout=self.give_up_after)
        except TimeoutError:
            return False
        self._turn_done.clear()
        return not self._agent_gone.is_set()

    async def _speak(self, line: CallLine, pcm: bytes) -> None:
        async with self._speaking:
            for start in range(0, len(pcm), FRAME_BYTES):
                chunk = pcm[start : start + FRAME_BYTES].ljust(FRAME_BYTES, b"\x00")
                self.caller_audio += chunk
                await line.caller_sends(CallerAudio(chunk, PHONE_RATE))
                await asyncio.sleep(0.02 if self.realtime else 0)

    async def _pump_silence(self, line: CallLine) -> None:
        """Keep the line carrying silence, in real time, whenever the caller is not speaking."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while not self._agent_gone.is_set():
            if not self._speaking.locked():
                self.caller_audio += _SILENCE
                await line.caller_sends(CallerAudio(_SILENCE, PHONE_RATE))
            # Never burst to catch up after a stall: a real line just loses that time.
            next_at = max(next_at + 0.02, loop.time())
            await asyncio.sleep(max(0.0, next_at - loop.time()))


def from_actions(actions: list[CallerAction]) -> Callable[[], Awaitable[CallerAction | None]]:
    """Turn a fixed list of actions into a ``next_action`` callback."""
    remaining = list(actions)

    async def next_action() -> CallerAction | None:
        return remaining.pop(0) if remaining else None

    return next_action
