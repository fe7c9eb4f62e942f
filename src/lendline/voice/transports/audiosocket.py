"""Asterisk AudioSocket: Asterisk connects over TCP and streams the call as framed messages.

Every frame is a 3-byte header (type, then payload length as an unsigned big-endian 16-bit
number) and the payload. Types: 0x00 hang up, 0x01 the call's UUID (16 bytes, always first),
0x03 a DTMF digit (one ASCII byte), 0x10 audio (16-bit signed little-endian PCM, 8 kHz mono,
320 bytes per 20 ms), 0xff error (optional code). We send 0x10 audio paced in real time and
0x00 to hang up. Asterisk gives no caller ID over AudioSocket; the dialplan can map the UUID
to one, here the session is opened for the UUID's caller ``audiosocket``.

A frame we cannot read (odd-length audio, a bad UUID, a frame before the UUID) ends the
connection with an error frame; an unknown frame type is skipped and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import uuid
from dataclasses import dataclass

from loguru import logger

from lendline.config import AudioSocketSettings
from lendline.voice.transports.handler import CallHandler, CallRecording
from lendline.voice.transports.line import CallerDigit
from lendline.voice.transports.paced_line import PacedLine

KIND_HANGUP = 0x00
KIND_UUID = 0x01
KIND_DTMF = 0x03
KIND_SLIN = 0x10
KIND_ERROR = 0xFF
_HEADER = struct.Struct(">BH")
#: Seconds without any frame from Asterisk before the call counts as dropped.
READ_TIMEOUT_SECS = 10.0


class AudioSocketError(ValueError):
    """A frame that breaks the AudioSocket protocol."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One AudioSocket frame."""

    kind: int
    payload: bytes = b""

    def encode(self) -> bytes:
        """The frame as it goes on the wire."""
        return _HEADER.pack(self.kind, len(self.payload)) + self.payload


async def read_frame(reader: asyncio.StreamReader) -> Frame | None:
    """Read one frame; None at a clean end of stream."""
    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError as error:
        if error.partial:
            raise AudioSocketError("connection closed inside a frame header") from error
        return None
    kind, length = _HEADER.unpack(header)
    try:
        payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as error:
        raise AudioSocketError(f"frame of {length} bytes cut short") from error
    return Frame(kind, payload)


class AudioSocketCall(PacedLine):
    """One AudioSocket connection as a call line's sink."""

    def __init__(self, call_id: str, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        super().__init__(call_id, "audiosocket")
        self.skipped = 0

    def send_frame(self, frame: bytes | None) -> None:
        """Send one tick of agent audio as a slin frame (nothing for silence)."""
        if frame is not None and not self.writer.is_closing():
            self.writer.write(Frame(KIND_SLIN, frame).encode())

    def receive(self, frame: Frame) -> None:
        """Handle one frame from Asterisk after the UUID."""
        if frame.kind == KIND_SLIN:
            if len(frame.payload) % 2:
                raise AudioSocketError("audio frame with an odd number of bytes")
            self.hear(frame.payload)
        elif frame.kind == KIND_DTMF:
            digit = frame.payload[:1].decode("ascii", errors="replace")
            self.line.events.put_nowait(CallerDigit(digit))
        elif frame.kind == KIND_HANGUP:
            self.caller_gone("Asterisk hung up")
        elif frame.kind == KIND_ERROR:
            code = frame.payload.hex() or "none"
            logger.warning(f"AudioSocket {self.line.call_id}: Asterisk reported error {code}")
            self.caller_gone(f"Asterisk error {code}")
        else:
            self.skipped += 1
            logger.warning(f"AudioSocket {self.line.call_id}: skipped frame type {frame.kind:#04x}")


class AudioSocketServer:
    """Accepts AudioSocket connections from Asterisk and runs each as a call."""

    def __init__(self, settings: AudioSocketSettings, handler: CallHandler) -> None:
        self._settings = settings
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._calls: dict[str, AudioSocketCall] = {}
        self._connections: set[asyncio.Task[None]] = set()
        self.refused = 0

    async def start(self) -> None:
        """Listen for Asterisk."""
        self._server = await asyncio.start_server(
            self._connection, self._settings.host, self._settings.port
        )
        logger.info(f"AudioSocket listening on {self._settings.host}:{self._settings.port}")

    async def stop(self) -> None:
        """Stop listening, end the calls in progress (their state is kept) and wait for them."""
        if self._server is not None:
            self._server.close()
        for call in list(self._calls.values()):
            call.caller_gone("server shutting down")
        if self._connections:
            _, late = await asyncio.wait(self._connections, timeout=15)
            for task in late:
                task.cancel()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)
        try:
            await self._run(reader, writer)
        except Exception:
            logger.exception("AudioSocket connection failed")
        finally:
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()

    async def _run(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await asyncio.wait_for(read_frame(reader), READ_TIMEOUT_SECS)
            if first is None:
                return
            if first.kind != KIND_UUID or len(first.payload) != 16:
                raise AudioSocketError("the first frame must be the call's 16-byte UUID")
        except (AudioSocketError, TimeoutError) as error:
            self.refused += 1
            logger.warning(f"AudioSocket refused: {error}")
            writer.write(Frame(KIND_ERROR, b"\x01").encode())
            return
        call_id = str(uuid.UUID(bytes=first.payload))
        if not self._handler.has_room():
            self.refused += 1
            logger.info(f"AudioSocket {call_id}: busy")
            writer.write(Frame(KIND_HANGUP).encode())
            return
        call = AudioSocketCall(call_id, writer)
        self._calls[call_id] = call
        call.playout.start()
        reading = asyncio.get_running_loop().create_task(self._read(reader, writer, call))
        session_id = ""
        try:
            ended = await self._handler.handle(
                call.line, {"transport": "audiosocket", "call_id": call_id}
            )
            session_id = ended.session_id
        finally:
            self._calls.pop(call_id, None)
            await call.playout.stop()
            reading.cancel()
            if not writer.is_closing():
                writer.write(Frame(KIND_HANGUP).encode())
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
        await self._handler.store_recording(
            CallRecording(
                call_id, session_id, bytes(call.caller_leg), bytes(call.playout.recording)
            )
        )

    async def _read(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, call: AudioSocketCall
    ) -> None:
        try:
            while call.ended_by != "caller":
                frame = await asyncio.wait_for(read_frame(reader), READ_TIMEOUT_SECS)
                if frame is None:
                    call.caller_gone("Asterisk closed the connection")
                    return
                call.receive(frame)
        except TimeoutError:
            call.caller_gone(f"no frames for {READ_TIMEOUT_SECS:.0f} s")
        except (AudioSocketError, ConnectionError) as error:
            logger.warning(f"AudioSocket {call.line.call_id}: {error}")
            if not writer.is_closing():
                writer.write(Frame(KIND_ERROR, b"\x02").encode())
            call.caller_gone(str(error))
