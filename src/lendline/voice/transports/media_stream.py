"""Cloud-telephony media streams over WebSocket: Twilio Media Streams and the Telnyx variant.

The carrier opens a WebSocket per call and sends JSON: ``connected``, ``start`` (stream and
call ids, custom parameters, the media format), ``media`` (base64 G.711 μ-law, 20 ms),
``dtmf``, ``mark`` (echo of ours, once the audio before it has played) and ``stop``. We send
``media``, ``mark`` and ``clear`` (drop what is buffered: barge-in). Telnyx uses the same
events with snake_case ids (``stream_id``, ``sequence_number``) and may stream PCMA.

pipecat ships serializers for both, but they are built to sit inside a pipeline (their setup
needs the pipeline's clock and task manager) and to hang up through the carrier's REST API;
here the WebSocket is one more call line, so the few message shapes are handled directly.
Agent audio is paced in real time (like RTP) so that barge-in only has a short lead to drop
and the carrier's buffer stays small; ``clear`` empties the carrier's side as well.

A malformed message (not JSON, not an object, bad base64, unknown event) is counted and
logged, never fatal: the call goes on.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiortp.codecs import PcmaCodec, PcmuCodec
from fastapi import WebSocket, WebSocketDisconnect
from loguru import logger

from lendline.voice.transports.handler import CallHandler, CallRecording
from lendline.voice.transports.line import CallerDigit
from lendline.voice.transports.paced_line import PacedLine

#: How long to wait for the carrier to echo the mark that ends an agent turn.
MARK_WAIT_SECS = 2.0


@dataclass(frozen=True, slots=True)
class Dialect:
    """Field names and habits of one carrier's media-stream protocol."""

    name: str
    stream_id: str
    call_id: str


TWILIO = Dialect("twilio", stream_id="streamSid", call_id="callSid")
TELNYX = Dialect("telnyx", stream_id="stream_id", call_id="call_control_id")


class MediaStreamError(ValueError):
    """A media-stream message that cannot be understood."""


def parse_message(raw: str | bytes) -> dict[str, Any]:
    """Parse one WebSocket message into a JSON object with an ``event``."""
    try:
        message = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MediaStreamError(f"not JSON: {error}") from error
    if not isinstance(message, dict) or not isinstance(message.get("event"), str):
        raise MediaStreamError("not an object with an 'event'")
    return message


def decode_payload(message: Mapping[str, Any], encoding: str) -> bytes:
    """The 16-bit PCM inside a ``media`` message."""
    media = message.get("media")
    if not isinstance(media, dict) or not isinstance(media.get("payload"), str):
        raise MediaStreamError("media message without a payload")
    try:
        codes = base64.b64decode(media["payload"], validate=True)
    except (binascii.Error, ValueError) as error:
        raise MediaStreamError(f"payload is not base64: {error}") from error
    return g711_codec(encoding).decode(codes)


def g711_codec(encoding: str) -> PcmaCodec | PcmuCodec:
    """The G.711 codec for "PCMA" or "PCMU"."""
    return PcmaCodec() if encoding == "PCMA" else PcmuCodec()


@dataclass
class StreamStart:
    """What the ``start`` message says about the call."""

    stream_id: str
    call_id: str
    caller_number: str
    encoding: str = "PCMU"
    custom: dict[str, str] = field(default_factory=dict)


def read_start(message: Mapping[str, Any], dialect: Dialect) -> StreamStart:
    """Read the ``start`` message (Twilio or Telnyx shape)."""
    start = message.get("start")
    if not isinstance(start, dict):
        raise MediaStreamError("start message without a 'start' object")
    stream_id = message.get(dialect.stream_id) or start.get(dialect.stream_id)
    if not isinstance(stream_id, str) or not stream_id:
        raise MediaStreamError(f"start message without {dialect.stream_id}")
    custom_raw = start.get("customParameters") or start.get("custom_parameters") or {}
    custom = {str(k): str(v) for k, v in custom_raw.items()} if isinstance(custom_raw, dict) else {}
    media_format = start.get("mediaFormat") or start.get("media_format") or {}
    encoding = str(media_format.get("encoding", "audio/x-mulaw")).upper()
    if "ALAW" in encoding or encoding == "PCMA":
        encoding = "PCMA"
    elif "MULAW" in encoding or encoding == "PCMU":
        encoding = "PCMU"
    else:
        raise MediaStreamError(f"unsupported media encoding {encoding!r}")
    caller = custom.get("from") or custom.get("caller") or start.get("from") or "anonymous"
    call_id = start.get(dialect.call_id) or start.get("callSid") or stream_id
    return StreamStart(stream_id, str(call_id), str(caller), encoding, custom)


class MediaStreamCall(PacedLine):
    """One media-stream call: the WebSocket as a call line's sink."""

    def __init__(self, socket: WebSocket, dialect: Dialect, start: StreamStart) -> None:
        self.socket = socket
        self.dialect = dialect
        self.start = start
        self.codec = g711_codec(start.encoding)
        super().__init__(start.call_id, start.caller_number)
        self.malformed = 0
        self._marks = 0
        self._echoed: dict[str, asyncio.Event] = {}
        self._outbox: asyncio.Queue[str] = asyncio.Queue()

    def _json(self, event: str, **body: Any) -> str:
        message: dict[str, Any] = {"event": event, self.dialect.stream_id: self.start.stream_id}
        message.update(body)
        return json.dumps(message)

    def send_frame(self, frame: bytes | None) -> None:
        """Queue one tick of agent audio as a media message (nothing for silence)."""
        if frame is None:
            return
        codes = self.codec.encode(frame)
        payload = base64.b64encode(codes).decode()
        self._outbox.put_nowait(self._json("media", media={"payload": payload}))

    async def pump(self) -> None:
        """Write queued messages to the socket (one writer, in order)."""
        while True:
            text = await self._outbox.get()
            try:
                await self.socket.send_text(text)
            finally:
                self._outbox.task_done()

    # caller side ----------------------------------------------------------------------

    def receive(self, message: Mapping[str, Any]) -> None:
        """Handle one message from the carrier after ``start``."""
        event = message["event"]
        if event == "media":
            media = message.get("media") or {}
            if isinstance(media, dict) and media.get("track", "inbound") not in (
                "inbound",
                "inbound_track",
            ):
                return
            self.hear(decode_payload(message, self.start.encoding))
        elif event == "dtmf":
            dtmf = message.get("dtmf")
            digit = dtmf.get("digit") if isinstance(dtmf, dict) else None
            if not isinstance(digit, str) or len(digit) != 1:
                raise MediaStreamError("dtmf message without a digit")
            self.line.events.put_nowait(CallerDigit(digit))
        elif event == "mark":
            mark = message.get("mark")
            name = mark.get("name") if isinstance(mark, dict) else None
            if isinstance(name, str) and name in self._echoed:
                self._echoed[name].set()
        elif event == "stop":
            self.caller_gone("stream stopped")
        elif event in ("connected", "start"):
            logger.debug(f"media stream {self.start.stream_id}: repeated {event}")
        else:
            raise MediaStreamError(f"unknown event {event!r}")

    # LineSink ---------------------------------------------------------------------------

    async def clear(self) -> None:
        """Barge-in: drop our queue and tell the carrier to drop its buffer."""
        await super().clear()
        self._outbox.put_nowait(self._json("clear"))

    async def agent_turn_done(self) -> None:
        """Wait until the turn has been sent and the carrier says it has played it."""
        await self.playout.drained()
        self._marks += 1
        name = f"turn-{self._marks}"
        echoed = self._echoed[name] = asyncio.Event()
        self._outbox.put_nowait(self._json("mark", mark={"name": name}))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(echoed.wait(), MARK_WAIT_SECS)
        self._echoed.pop(name, None)


async def serve_media_stream(socket: WebSocket, dialect: Dialect, handler: CallHandler) -> None:
    """Run one media-stream WebSocket from ``connected`` to ``stop``."""
    await socket.accept()
    try:
        start = await _await_start(socket, dialect)
    except MediaStreamError as error:
        logger.warning(f"media stream ({dialect.name}) refused: {error}")
        await socket.close(code=1003, reason=str(error)[:120])
        return
    except WebSocketDisconnect:
        return
    if not handler.has_room():
        logger.info(f"media stream {start.stream_id}: busy")
        await socket.close(code=1013, reason="busy")
        return
    call = MediaStreamCall(socket, dialect, start)
    writer = asyncio.create_task(call.pump())
    reader = asyncio.create_task(_read(socket, call))
    call.playout.start()
    network = {
        "transport": f"media-stream:{dialect.name}",
        "call_id": start.call_id,
        "stream_id": start.stream_id,
    }
    session_id = ""
    try:
        ended = await handler.handle(call.line, network)
        session_id = ended.session_id
    finally:
        await call.playout.stop()
        reader.cancel()
        # Let the last messages (the goodbye's tail, marks) go out before closing.
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(call._outbox.join(), 2.0)
        writer.cancel()
        with contextlib.suppress(Exception):
            await socket.close()
    await handler.store_recording(
        CallRecording(
            start.call_id, session_id, bytes(call.caller_leg), bytes(call.playout.recording)
        )
    )


async def _await_start(socket: WebSocket, dialect: Dialect) -> StreamStart:
    """Read messages up to ``start`` (``connected`` comes first; anything else is an error)."""
    for _ in range(10):
        message = parse_message(await socket.receive_text())
        if message["event"] == "connected":
            continue
        if message["event"] == "start":
            return read_start(message, dialect)
        raise MediaStreamError(f"expected start, got {message['event']!r}")
    raise MediaStreamError("no start message")


async def _read(socket: WebSocket, call: MediaStreamCall) -> None:
    try:
        while call.ended_by != "caller":
            raw = await socket.receive_text()
            try:
                call.receive(parse_message(raw))
            except MediaStreamError as error:
                call.malformed += 1
                logger.warning(f"media stream {call.start.stream_id}: ignored message: {error}")
    except WebSocketDisconnect:
        call.caller_gone("socket closed")
    except RuntimeError:
        # Starlette raises RuntimeError once the socket is closed from our side.
        call.caller_gone("socket closed")
