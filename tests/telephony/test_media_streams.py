"""Media-stream calls (Twilio Media Streams, Telnyx) against ``lendline serve``'s HTTP side.

The client plays the carrier, written from the published message shapes: ``connected`` and
``start``, 20 ms base64 G.711 ``media`` in real time, ``dtmf``, ``mark`` echoes and ``stop``.
It checks what comes back (agent audio, marks, ``clear`` on barge-in) and that broken
messages are survived.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiortp.codecs import PcmaCodec, PcmuCodec
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.persistence.subject_keys import EngineSealer
from lendline.server.calls import CallService
from lendline.server.http import create_http_app
from telephony.baresip import free_port
from telephony.fake_asterisk import wav_pcm
from telephony.fixtures import fixture_for
from telephony.waiting import until

pytestmark = [pytest.mark.slow]
CALLER = "13987654321"


class Http:
    """The HTTP server in this test's loop."""

    def __init__(self, app: Any, service: CallService, port: int) -> None:
        self.app = app
        self.service = service
        self.port = port

    def url(self, carrier: str) -> str:
        return f"ws://127.0.0.1:{self.port}/media-stream/{carrier}"

    def query(self, sql: str) -> list[Any]:
        with self.app.engine.connect() as conn:
            return [row[0] for row in conn.execute(text(sql))]


StartHttp = Callable[..., Awaitable[Http]]


@pytest.fixture
async def start_http(make_app, tmp_path: Path) -> AsyncIterator[StartHttp]:
    """Serve the media-stream endpoints around the real call service."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(max_calls: int = 1) -> Http:
        app = make_app(with_speech=True)
        service = CallService(
            app, max_calls, WavFileRecorder(tmp_path / "recordings", EngineSealer(app.engine))
        )
        port = free_port()
        config = uvicorn.Config(
            create_http_app(service), host="127.0.0.1", port=port, log_level="warning"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn only has a flag
            await asyncio.sleep(0.05)
        servers.append((server, task))
        return Http(app, service, port)

    yield start
    for server, task in servers:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 20)


class Carrier:
    """The carrier's end of one media stream."""

    def __init__(self, socket: ClientConnection, ids: dict[str, str], codec: Any) -> None:
        self.socket = socket
        self.ids = ids
        self.codec = codec
        self.agent_audio = 0.0
        self.events: list[dict[str, Any]] = []
        self._speech: asyncio.Queue[bytes] = asyncio.Queue()

    async def listen(self) -> None:
        """Keep what the server sends; echo marks as a carrier does once audio has played."""
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.socket:
                message = json.loads(raw)
                self.events.append(message)
                if message["event"] == "media":
                    pcm = self.codec.decode(base64.b64decode(message["media"]["payload"]))
                    self.agent_audio += len(pcm) / 16000
                elif message["event"] == "mark":
                    await self.socket.send(json.dumps({**self.ids, **message}))

    async def talk(self) -> None:
        """Send 20 ms of caller audio every 20 ms (speech when queued, else silence)."""
        next_at = time.monotonic()
        chunk = 0
        with contextlib.suppress(ConnectionClosed):
            while True:
                pcm = b"\x00" * 320 if self._speech.empty() else self._speech.get_nowait()
                chunk += 1
                payload = base64.b64encode(self.codec.encode(pcm)).decode()
                media = {"track": "inbound", "chunk": str(chunk), "payload": payload}
                await self.socket.send(json.dumps({"event": "media", **self.ids, "media": media}))
                next_at += 0.02
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def speak(self, pcm: bytes) -> None:
        for offset in range(0, len(pcm), 320):
            self._speech.put_nowait(pcm[offset : offset + 320].ljust(320, b"\x00"))

    def kinds(self) -> list[str]:
        return [event["event"] for event in self.events]


@pytest.mark.voice
async def test_a_twilio_media_stream_call(start_http: StartHttp) -> None:
    http = await start_http()
    async with connect(http.url("twilio")) as socket:
        ids = {"streamSid": "MZ0001"}
        await socket.send(
            json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        )
        start = {
            "streamSid": "MZ0001",
            "accountSid": "AC0001",
            "callSid": "CA0001",
            "tracks": ["inbound"],
            "customParameters": {"from": CALLER},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        await socket.send(
            json.dumps({"event": "start", "sequenceNumber": "1", **ids, "start": start})
        )
        carrier = Carrier(socket, ids, PcmuCodec())
        tasks = [asyncio.create_task(carrier.listen()), asyncio.create_task(carrier.talk())]
        try:
            await until(lambda: carrier.agent_audio > 1.5, 60, "the greeting")
            # Broken messages are counted and ignored; the call goes on.
            for junk in [
                "not json",
                "[1, 2]",
                '{"no": "event"}',
                '{"event": "surprise"}',
                json.dumps({"event": "media", **ids, "media": {"payload": "%%%"}}),
                json.dumps({"event": "dtmf", **ids, "dtmf": {}}),
            ]:
                await socket.send(junk)
            # The caller talks over the greeting: the server clears the carrier's buffer.
            carrier.speak(wav_pcm(fixture_for("English, please.")))
            await until(lambda: "clear" in carrier.kinds(), 10, "a clear on barge-in")
            # Marks came for played turns and were echoed; the English greeting follows.
            await until(lambda: carrier.kinds().count("mark") >= 1, 60, "a mark")
            await until(
                lambda: len(http.query("SELECT seq FROM audit_log WHERE kind = 'call.turn'")) >= 2,
                60,
                "the English greeting",
            )
            await socket.send(
                json.dumps(
                    {"event": "dtmf", **ids, "dtmf": {"track": "inbound_track", "digit": "1"}}
                )
            )
            await socket.send(json.dumps({"event": "stop", **ids, "stop": {"callSid": "CA0001"}}))
            await until(lambda: http.service.active == 0, 30, "the call to end")
        finally:
            for task in tasks:
                task.cancel()
    assert http.query("SELECT status FROM call_sessions") == ["dropped"]
    (opened,) = http.query("SELECT payload FROM audit_log WHERE kind = 'session.opened'")
    assert json.loads(opened)["transport"] == "media-stream:twilio"
    assert json.loads(opened)["call_id"] == "CA0001"
    # The number is sealed at rest: read it through the repository, which decrypts it.
    from lendline.persistence.uow import SqlUnitOfWork

    (session_id,) = http.query("SELECT session_id FROM call_sessions")
    with SqlUnitOfWork(http.app.engine, read_only=True) as uow:
        stored = uow.sessions.get(session_id)
    assert stored is not None and stored.caller_number == CALLER
    assert http.query("SELECT caller_number FROM call_sessions") != [CALLER]
    await until(lambda: bool(http.service.recordings), 10, "the recording")


async def test_telnyx_pcma_stream_and_refusals(start_http: StartHttp) -> None:
    http = await start_http(max_calls=1)
    # A first message that is not a start is refused with a clear close reason.
    async with connect(http.url("telnyx")) as socket:
        await socket.send("hello")
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003
    # A Telnyx stream in PCMA: the agent's voice comes back in PCMA.
    async with connect(http.url("telnyx")) as socket:
        ids = {"stream_id": "st-1"}
        start = {
            "call_control_id": "v3:abc",
            "from": CALLER,
            "media_format": {"encoding": "PCMA", "sample_rate": 8000, "channels": 1},
        }
        await socket.send(json.dumps({"event": "connected", "version": "1.0.0"}))
        await socket.send(
            json.dumps({"event": "start", "sequence_number": "1", **ids, "start": start})
        )
        carrier = Carrier(socket, ids, PcmaCodec())
        tasks = [asyncio.create_task(carrier.listen()), asyncio.create_task(carrier.talk())]
        try:
            await until(lambda: carrier.agent_audio > 1.0, 60, "agent audio in PCMA")
            media = next(e for e in carrier.events if e["event"] == "media")
            assert media["stream_id"] == "st-1"
            # The only line is taken: a second stream is turned away as busy.
            async with connect(http.url("twilio")) as second:
                await second.send(
                    json.dumps({"event": "start", "streamSid": "MZ2", "start": {"callSid": "CA2"}})
                )
                with pytest.raises(ConnectionClosed) as busy:
                    await second.recv()
                assert busy.value.rcvd is not None and busy.value.rcvd.code == 1013
            await socket.close()  # the carrier drops the socket without a stop
            await until(lambda: http.service.active == 0, 30, "the call to end")
        finally:
            for task in tasks:
                task.cancel()
    assert http.query("SELECT status FROM call_sessions") == ["dropped"]
