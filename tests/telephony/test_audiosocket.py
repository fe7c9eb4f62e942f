"""Asterisk AudioSocket calls against the real call service, from a client written to the protocol.

The same call pipeline as SIP, on the framing Asterisk speaks. These tests also show barge-in
on a real-time line: a caller who talks over a prompt silences it and takes the turn, while
a caller who only says "uh-huh" does not stop it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.config import AudioSocketSettings
from lendline.persistence.subject_keys import EngineSealer
from lendline.server.calls import CallService
from lendline.voice.transports.audiosocket import AudioSocketServer
from telephony.baresip import free_port
from telephony.fake_asterisk import FakeAsterisk, frame, wav_pcm
from telephony.fixtures import BACKCHANNEL, fixture_for
from telephony.waiting import until

pytestmark = [pytest.mark.slow]


class Socket:
    """LendLine's AudioSocket server in this test's loop, with its app and call service."""

    def __init__(self, app: Any, server: AudioSocketServer, service: CallService, port: int):
        self.app = app
        self.server = server
        self.service = service
        self.port = port

    def query(self, sql: str) -> list[Any]:
        with self.app.engine.connect() as conn:
            return [row[0] for row in conn.execute(text(sql))]

    def caller_turns(self) -> int:
        # The audit log holds only commitments; the texts are sealed in the transcript store.
        from lendline.persistence.uow import SqlUnitOfWork

        sessions = self.query("SELECT session_id FROM call_sessions")
        with SqlUnitOfWork(self.app.engine, read_only=True) as uow:
            return sum(
                1 for sid in sessions for turn in uow.turn_texts.for_session(sid) if turn.text
            )

    def turns(self) -> int:
        return len(self.query("SELECT seq FROM audit_log WHERE kind = 'call.turn'"))


StartSocket = Callable[..., Awaitable[Socket]]


@pytest.fixture
async def start_socket(make_app, tmp_path: Path) -> AsyncIterator[StartSocket]:
    """Start an AudioSocket server around the real call service."""
    started: list[AudioSocketServer] = []

    async def start(max_calls: int = 1) -> Socket:
        app = make_app(with_speech=True)
        port = free_port()
        service = CallService(
            app, max_calls, WavFileRecorder(tmp_path / "recordings", EngineSealer(app.engine))
        )
        server = AudioSocketServer(AudioSocketSettings(port=port), service)
        await server.start()
        started.append(server)
        return Socket(app, server, service, port)

    yield start
    for server in started:
        await server.stop()


def speech_onset(pcm: bytes, threshold: float = 500.0) -> float:
    """Seconds from the start of ``pcm`` to its first loud 10 ms."""
    samples = np.frombuffer(pcm[: len(pcm) // 160 * 160], "<i2").reshape(-1, 80)
    loud = np.where(np.abs(samples).mean(axis=1) > threshold)[0]
    return float(loud[0]) * 0.01 if loud.size else 0.0


@pytest.mark.voice
async def test_talking_over_a_prompt_takes_the_turn_but_uh_huh_does_not(
    start_socket: StartSocket,
) -> None:
    line = await start_socket()
    asterisk = FakeAsterisk(line.port)
    await asterisk.connect()
    try:
        # The greeting plays; the caller speaks over it.
        await until(lambda: len(asterisk.agent_frames) > 75, 60, "the agent to speak 1.5 s")
        answer = wav_pcm(fixture_for("English, please."))
        onset = asterisk.speak(answer) + speech_onset(answer)
        speech_end = onset + len(answer) / 16000 - speech_onset(answer)
        await asyncio.sleep(len(answer) / 16000 + 0.5)
        stopped_at = asterisk.last_agent_audio_before(speech_end)
        assert stopped_at is not None
        # The agent went quiet while the caller was still speaking, and stayed quiet.
        assert stopped_at < speech_end - 0.3, (stopped_at - onset, speech_end - onset)
        assert asterisk.agent_audio_between(stopped_at + 0.05, speech_end) == 0
        print(f"barge-in: agent quiet {1000 * (stopped_at - onset):.0f} ms after speech onset")
        # The interruption was the caller's turn: the English greeting follows.
        await until(lambda: line.caller_turns() == 1, 30, "the caller's turn")
        await until(lambda: line.turns() >= 2, 30, "the English greeting")
        await until(
            lambda: asterisk.agent_audio_between(time.monotonic() - 1.0, time.monotonic()) > 0.5,
            30,
            "the agent to speak again",
        )
        # A backchannel during the (long) greeting does not stop it.
        await asyncio.sleep(1.0)
        backchannel = wav_pcm(fixture_for(BACKCHANNEL))
        said_at = asterisk.speak(backchannel)
        said_end = said_at + len(backchannel) / 16000
        await asyncio.sleep(len(backchannel) / 16000 + 2.5)
        assert asterisk.agent_audio_between(said_end + 0.5, said_end + 2.5) > 1.5, (
            "the prompt did not go on after uh-huh"
        )
        assert line.caller_turns() == 1, "uh-huh was taken as an answer"
        # Asterisk hangs up: the session is kept for a call-back and both legs are stored.
        asterisk.hang_up()
        await until(lambda: line.service.active == 0, 30, "the call to end")
        await until(lambda: bool(line.service.recordings), 10, "the recording")
        assert line.query("SELECT status FROM call_sessions") == ["dropped"]
        (opened,) = line.query("SELECT payload FROM audit_log WHERE kind = 'session.opened'")
        assert str(asterisk.call_id) in opened and "audiosocket" in opened
    finally:
        await asterisk.close()


async def test_protocol_errors_are_refused_and_the_server_keeps_serving(
    start_socket: StartSocket,
) -> None:
    line = await start_socket(max_calls=1)
    # Audio before the UUID: an error frame, the connection closes.
    early = FakeAsterisk(line.port)
    await early.connect(first=frame(0x10, b"\x00" * 320))
    await asyncio.wait_for(early.closed.wait(), 15)
    assert [kind for kind, _ in early.other_frames] == [0xFF]
    await early.close()
    # A UUID of the wrong size is refused the same way.
    short = FakeAsterisk(line.port)
    await short.connect(first=frame(0x01, b"\x01\x02"))
    await asyncio.wait_for(short.closed.wait(), 15)
    assert [kind for kind, _ in short.other_frames] == [0xFF]
    await short.close()
    # A good call: an unknown frame type is skipped, the call goes on.
    call = FakeAsterisk(line.port)
    await call.connect()
    await until(lambda: line.service.active == 1, 30, "the call to start")
    call.send_raw(frame(0x42, b"future"))
    await asyncio.sleep(1.0)
    assert line.service.active == 1 and not call.closed.is_set()
    # While it runs the line is full: a second call is turned away with a hang-up frame.
    busy = FakeAsterisk(line.port)
    await busy.connect()
    await asyncio.wait_for(busy.closed.wait(), 15)
    assert [kind for kind, _ in busy.other_frames] == [0x00]
    await busy.close()
    # Audio with an odd number of bytes breaks the framing: error frame, call ends, state kept.
    call.send_raw(frame(0x10, b"\x00" * 321))
    await asyncio.wait_for(call.closed.wait(), 30)
    assert 0xFF in [kind for kind, _ in call.other_frames]
    await call.close()
    await until(lambda: line.service.active == 0, 30, "the broken call to end")
    assert line.query("SELECT status FROM call_sessions") == ["dropped"]
