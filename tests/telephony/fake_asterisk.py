"""A test client that speaks Asterisk's side of AudioSocket, written from the protocol notes.

It sends the call's UUID, then 20 ms slin frames in real time (silence, or a recorded
answer), DTMF and hang-up frames, and keeps every audio frame LendLine sends back with the
time it arrived, so the tests can see when the agent spoke and when it went quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import uuid
import wave
from pathlib import Path

FRAME = 320  # 20 ms of 8 kHz 16-bit mono
SILENCE = b"\x00" * FRAME


def frame(kind: int, payload: bytes = b"") -> bytes:
    """One AudioSocket frame."""
    return struct.pack(">BH", kind, len(payload)) + payload


def wav_pcm(path: Path) -> bytes:
    """The frames of an 8 kHz mono WAV file."""
    with wave.open(str(path)) as wav:
        return wav.readframes(wav.getnframes())


class FakeAsterisk:
    """Asterisk's end of one AudioSocket call."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.call_id = uuid.uuid4()
        self.agent_frames: list[tuple[float, bytes]] = []
        self.other_frames: list[tuple[int, bytes]] = []
        self.closed = asyncio.Event()
        self._speech: asyncio.Queue[bytes] = asyncio.Queue()
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self, first: bytes | None = None) -> None:
        """Connect and send the UUID frame (or ``first`` instead, to break the protocol)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._writer = writer
        writer.write(first if first is not None else frame(0x01, self.call_id.bytes))
        await writer.drain()
        self._tasks = [
            asyncio.create_task(self._read(reader)),
            asyncio.create_task(self._send_audio()),
        ]

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are (for malformed frames)."""
        assert self._writer is not None
        self._writer.write(data)

    def speak(self, pcm: bytes) -> float:
        """Queue speech (sent in real time); returns when it will start, in monotonic time."""
        start = time.monotonic() + self._speech.qsize() * 0.02
        for offset in range(0, len(pcm), FRAME):
            self._speech.put_nowait(pcm[offset : offset + FRAME].ljust(FRAME, b"\x00"))
        return start

    def press(self, digit: str) -> None:
        """Send a DTMF frame."""
        self.send_raw(frame(0x03, digit.encode()))

    def hang_up(self) -> None:
        """Send the hang-up frame."""
        self.send_raw(frame(0x00))

    def agent_audio_between(self, start: float, end: float) -> float:
        """Seconds of agent audio that arrived between two monotonic times."""
        return sum(1 for at, _ in self.agent_frames if start <= at < end) * 0.02

    def last_agent_audio_before(self, end: float) -> float | None:
        """When the last agent frame before ``end`` arrived."""
        times = [at for at, _ in self.agent_frames if at < end]
        return max(times) if times else None

    async def close(self) -> None:
        """Stop sending and close the connection."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()

    async def _send_audio(self) -> None:
        assert self._writer is not None
        next_at = time.monotonic()
        while not self._writer.is_closing():
            chunk = SILENCE if self._speech.empty() else self._speech.get_nowait()
            self._writer.write(frame(0x10, chunk))
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                kind, length = struct.unpack(">BH", await reader.readexactly(3))
                payload = await reader.readexactly(length)
                if kind == 0x10:
                    self.agent_frames.append((time.monotonic(), payload))
                else:
                    self.other_frames.append((kind, payload))
                    if kind in (0x00, 0xFF):
                        break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed.set()
