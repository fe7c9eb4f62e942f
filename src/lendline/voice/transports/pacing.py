"""Real-time playout of the agent's voice on lines that need the sender to keep time.

RTP and AudioSocket carry one 20 ms frame every 20 ms: whoever sends must pace. The pipeline
renders a whole prompt in a fraction of its length, so :class:`PacedPlayout` queues it and
hands the line one frame per tick. ``play`` waits while more than a short lead is queued,
which keeps pipecat's idea of "the bot is speaking" true to what the caller hears and keeps
barge-in cheap: :meth:`clear` drops at most that lead. It also keeps the agent leg of the
recording, aligned with the ticks (silence where the agent said nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from lendline.voice.engines.audio import resample_pcm16
from lendline.voice.transports.line import FRAME_BYTES, PHONE_RATE

#: Frames the sender may run ahead of the line (5 x 20 ms): what barge-in has to drop.
DEFAULT_LEAD_FRAMES = 5
_TICK = 0.02
#: The longest the agent's voice is held for a caller speaking over it (2 s).
MAX_DUCK_TICKS = 100
_SILENCE = b"\x00" * FRAME_BYTES


class PacedPlayout:
    """A queue of 20 ms frames of 8 kHz PCM sent to the line on a 20 ms clock.

    Parameters:
        send: called once per tick with a frame of agent audio, or None for a tick of
            silence (the line decides what silence is: nothing, or a silent frame).
        lead_frames: how far ``play`` may run ahead of the line.
        record: keep the agent leg (what was sent, silence included) in :attr:`recording`.
    """

    def __init__(
        self,
        send: Callable[[bytes | None], None],
        lead_frames: int = DEFAULT_LEAD_FRAMES,
        record: bool = True,
    ) -> None:
        self._send = send
        self._lead = lead_frames
        self._record = record
        self._queue: deque[bytes] = deque()
        self._room = asyncio.Event()
        self._room.set()
        self._drained = asyncio.Event()
        self._drained.set()
        self._partial = b""
        self._task: asyncio.Task[None] | None = None
        self.recording = bytearray()
        self.frames_sent = 0
        self.frames_cleared = 0
        #: The caller put us on hold (SIP re-INVITE): nothing is sent until resumed.
        self.held = False
        #: The caller started speaking over the agent: hold the prompt until it is clear
        #: whether they are taking the turn (then it is cleared) or only said "uh-huh".
        self.ducked = False
        self._ducked_ticks = 0
        self._gone = False

    @property
    def paused(self) -> bool:
        """Whether the clock is running without sending (on hold or ducked)."""
        return self.held or self.ducked

    def start(self) -> None:
        """Start the clock."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the clock; whatever is still queued is dropped."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._drop()

    async def play(self, pcm: bytes, sample_rate: int) -> None:
        """Queue agent audio; returns once the queue is back within the lead."""
        if self._gone:
            return
        if sample_rate != PHONE_RATE:
            pcm = resample_pcm16(pcm, sample_rate, PHONE_RATE)
        data = self._partial + pcm
        whole = len(data) - len(data) % FRAME_BYTES
        self._partial = data[whole:]
        for start in range(0, whole, FRAME_BYTES):
            self._queue.append(data[start : start + FRAME_BYTES])
        if self._queue:
            self._drained.clear()
        while len(self._queue) > self._lead:
            self._room.clear()
            await self._room.wait()

    def flush_partial(self) -> None:
        """Queue the last part-frame of a turn, padded with silence."""
        if self._partial:
            self._queue.append(self._partial.ljust(FRAME_BYTES, b"\x00"))
            self._partial = b""
            self._drained.clear()

    async def drained(self) -> None:
        """Wait until everything queued has gone out on the line."""
        self.flush_partial()
        await self._drained.wait()

    def hung_up(self) -> None:
        """The caller is gone: drop what is queued and take no more audio."""
        self._gone = True
        self.clear()

    def clear(self) -> None:
        """Barge-in: drop what has not been sent yet (and stop ducking: nothing is left)."""
        self.frames_cleared += len(self._queue)
        self.ducked = False
        self._drop()

    def _drop(self) -> None:
        self._queue.clear()
        self._partial = b""
        self._room.set()
        self._drained.set()

    @property
    def queued_frames(self) -> int:
        """Frames waiting to be sent."""
        return len(self._queue)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            self._tick()
            # Keep the long-run rate exact; after a stall, do not burst to catch up.
            next_at = max(next_at + _TICK, loop.time() - _TICK)
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def _tick(self) -> None:
        if self.ducked:
            self._ducked_ticks += 1
            if self._ducked_ticks > MAX_DUCK_TICKS:
                # Nobody took the turn and nobody let go (noise, a dropped VAD stop): go on.
                self.ducked = False
        else:
            self._ducked_ticks = 0
        frame = self._queue.popleft() if self._queue and not self.paused else None
        if frame is not None:
            self.frames_sent += 1
        if self._record:
            self.recording += frame if frame is not None else _SILENCE
        self._send(frame)
        if len(self._queue) <= self._lead:
            self._room.set()
        if not self._queue:
            self._drained.set()
