"""What every real-time network line shares: the call line, the paced agent voice, hang-ups.

SIP, media streams and AudioSocket differ in how a 20 ms frame goes on the wire and how the
caller's audio arrives; the sink side of the call (play, clear, duck, the end of a turn, who
hung up first) and the caller's leg of the recording are the same, and live here.
"""

from __future__ import annotations

from lendline.voice.transports.line import CallerAudio, CallerHangup, CallLine
from lendline.voice.transports.pacing import PacedPlayout


class PacedLine:
    """A call line whose agent audio is paced in real time; transports subclass it.

    Subclasses implement :meth:`send_frame` (one tick of agent audio, None for silence) and
    call :meth:`hear` with the caller's audio and :meth:`caller_gone` when the caller leaves.

    Parameters:
        call_id: the network's id for the call.
        caller_number: the caller's number as the network presents it.
    """

    def __init__(self, call_id: str, caller_number: str) -> None:
        self.line = CallLine(call_id=call_id, caller_number=caller_number, sink=self)
        self.playout = PacedPlayout(self.send_frame)
        self.caller_leg = bytearray()
        self.ended_by: str | None = None

    def send_frame(self, frame: bytes | None) -> None:
        """Put one 20 ms tick of agent audio on the wire."""
        raise NotImplementedError

    def hear(self, pcm: bytes) -> None:
        """Caller audio arrived: keep it for the recording and pass it to the pipeline."""
        self.caller_leg += pcm
        self.line.events.put_nowait(CallerAudio(pcm))

    def caller_gone(self, reason: str) -> None:
        """The caller hung up or the line went dead: end the call line."""
        if self.ended_by is None:
            self.ended_by = "caller"
            self.line.events.put_nowait(CallerHangup(reason))
            # Nobody is listening: let the pipeline finish instead of pacing into the void.
            self.playout.hung_up()

    # LineSink ---------------------------------------------------------------------------

    async def play(self, pcm: bytes, sample_rate: int) -> None:
        """Queue agent audio; paced out in real time."""
        await self.playout.play(pcm, sample_rate)

    async def clear(self) -> None:
        """Barge-in: drop the agent audio not yet sent."""
        self.playout.clear()

    async def duck(self, on: bool) -> None:
        """Hold the agent's voice while the caller may be taking the turn."""
        self.playout.ducked = on

    async def hang_up(self, reason: str) -> None:
        """The script ended; the transport ends the call once it is torn down."""
        if self.ended_by is None:
            self.ended_by = "agent"

    async def agent_turn_done(self) -> None:
        """Return once the turn's audio has gone out on the wire."""
        await self.playout.drained()
