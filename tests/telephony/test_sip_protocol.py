"""The SIP line's protocol edges, against LendLine's SIP server running the real call service.

A real phone (baresip) for what phones do: PCMA-only offers, hold and resume by re-INVITE,
hanging up, cancelling while it rings, vanishing without a BYE. Hand-made requests for what
broken peers do: no SDP, codecs we do not speak, garbage, missing headers, and RTP garbage
thrown at a live call. Each time the server answers correctly and keeps serving.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lendline.adapters.recordings.wav_files import WavFileRecorder
from lendline.config import SipSettings
from lendline.persistence.subject_keys import EngineSealer
from lendline.server.calls import CallService
from lendline.voice.transports.sip import SipCall, SipServer
from telephony.baresip import Baresip, free_port, port_block
from telephony.fixtures import ASK_FOR_AGENT, fixture_for
from telephony.sip_probe import offer_sdp, request, status_codes, tcp_exchange, udp_exchange
from telephony.waiting import until

pytestmark = [pytest.mark.slow, pytest.mark.sip]

CALLER = "13987654321"


class Line:
    """LendLine's SIP server in this test's event loop, with its app and call service."""

    def __init__(self, app: Any, server: SipServer, service: CallService, settings: SipSettings):
        self.app = app
        self.server = server
        self.service = service
        self.settings = settings

    @property
    def uri(self) -> str:
        return f"sip:loans@127.0.0.1:{self.settings.port}"

    def turns(self) -> int:
        with self.app.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM audit_log WHERE kind = 'call.turn'")
                ).scalar_one()
            )

    def statuses(self) -> list[str]:
        with self.app.engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT status FROM call_sessions"))]

    async def one_call(self, within: float = 20) -> SipCall:
        await until(lambda: len(self.server.calls) == 1, within, "the call to be answered")
        return next(iter(self.server.calls.values()))


StartLine = Callable[..., Awaitable[Line]]


@pytest.fixture
async def start_line(make_app, tmp_path: Path) -> AsyncIterator[StartLine]:
    """Start a SIP server (settings overridable) around the real call service."""
    started: list[SipServer] = []

    async def start(max_calls: int = 2, silence: float | None = None, **overrides: Any) -> Line:
        app = make_app(with_speech=True)
        if silence is not None:
            app.settings.silence_timeout_secs = silence
        port = free_port()
        first = port_block(41000, 20, 50)
        settings = SipSettings(port=port, rtp_port_min=first, rtp_port_max=first + 19, **overrides)
        service = CallService(
            app, max_calls, WavFileRecorder(tmp_path / "recordings", EngineSealer(app.engine))
        )
        server = SipServer(settings, service)
        await server.start()
        started.append(server)
        return Line(app, server, service, settings)

    yield start
    for server in started:
        await server.stop()


Phones = Callable[..., Baresip]


@pytest.fixture
def phones(tmp_path: Path) -> Iterator[Phones]:
    """baresip phones for a test (each stopped at the end)."""
    made: list[Baresip] = []

    def make(**kwargs: Any) -> Baresip:
        phone = Baresip(tmp_path / f"phone-{len(made)}", user=CALLER, **kwargs)
        made.append(phone)
        return phone

    yield make
    for phone in made:
        phone.stop()


async def test_a_pcma_only_phone_is_answered_in_pcma_and_its_bye_ends_the_call(
    start_line: StartLine, phones: Phones
) -> None:
    line = await start_line()
    phone = phones(codecs="PCMA", trace=True)
    phone.dial(line.uri)
    call = await line.one_call()
    assert call.payload_type == 8
    await until(lambda: "Set audio encoder: PCMA" in phone.log_text(), 10, "PCMA on the phone")
    # The agent's greeting reaches the phone over PCMA.
    await until(lambda: phone.heard_bytes() > 44 + 8000, 30, "agent audio at the phone")
    phone.hang_up()
    await until(lambda: not line.server.calls, 15, "the call to end on the phone's BYE")
    assert call.ended_by == "caller"
    assert "SIP/2.0 200 OK" in phone.log_text()
    # A caller who hangs up mid-step leaves a session that a call-back resumes.
    await until(lambda: line.statuses() == ["dropped"], 10, "the session to be saved as dropped")
    # The recording of both legs was stored.
    await until(lambda: bool(line.service.recordings), 10, "the recording")


async def test_hold_and_resume_are_answered_and_pause_the_agent(
    start_line: StartLine, phones: Phones
) -> None:
    line = await start_line()
    phone = phones(trace=True)
    phone.dial(line.uri)
    call = await line.one_call()
    await until(lambda: call.playout.frames_sent > 10, 20, "the agent to start speaking")
    phone.command("x")  # hold: re-INVITE with a=sendonly
    await until(lambda: call.held, 10, "the hold re-INVITE")
    assert call.playout.paused
    await until(lambda: "a=recvonly" in phone.log_text(), 5, "a=recvonly in our answer")
    sent_on_hold = call.playout.frames_sent
    await asyncio.sleep(1.0)
    assert call.playout.frames_sent == sent_on_hold, "the agent kept talking to a held caller"
    phone.command("X")  # resume: re-INVITE with a=sendrecv
    await until(lambda: not call.held, 10, "the resume re-INVITE")
    log = phone.log_text()
    assert log.count("SIP/2.0 200 OK") >= 3  # INVITE, hold, resume
    assert line.server.calls, "hold/resume must not end the call"
    phone.hang_up()
    await until(lambda: not line.server.calls, 15, "the call to end")


async def test_a_caller_who_asks_for_a_person_is_transferred_by_refer(
    start_line: StartLine, phones: Phones
) -> None:
    queue = f"sip:queue@127.0.0.1:{free_port()}"
    line = await start_line(transfer_uri=queue, refer_wait_secs=3.0)
    phone = phones(trace=True)
    phone.dial(line.uri)
    await line.one_call()
    await asyncio.to_thread(phone.wait_until_quiet, 1.2, 60, 0)
    phone.say(fixture_for("English, please."))
    await until(lambda: line.turns() >= 2, 60, "the English greeting")
    since = phone.heard_bytes()
    await asyncio.to_thread(phone.wait_until_quiet, 1.2, 90, since)
    phone.say(fixture_for(ASK_FOR_AGENT))
    # The script hands off; the line REFERs the caller to the human queue.
    await until(lambda: "REFER sip:" in phone.log_text(), 60, "the REFER")
    assert f"Refer-To: <{queue}>" in phone.log_text()
    await until(lambda: not line.server.calls, 30, "the call to end after the transfer")
    assert line.statuses() == ["handed_off"]


async def test_cancel_while_ringing_starts_no_session(
    start_line: StartLine, phones: Phones
) -> None:
    line = await start_line(answer_after_secs=3.0)
    phone = phones(trace=True)
    phone.dial(line.uri)
    await until(lambda: "180 Ringing" in phone.log_text(), 10, "ringing")
    phone.hang_up()  # before the answer: CANCEL
    await until(lambda: "487 Request Terminated" in phone.log_text(), 10, "487 for the INVITE")
    await asyncio.sleep(3.5)
    assert not line.server.calls
    assert line.statuses() == []


async def test_a_phone_that_vanishes_is_dropped_after_the_media_timeout(
    start_line: StartLine, phones: Phones
) -> None:
    line = await start_line(media_timeout_secs=2.0)
    phone = phones()
    phone.dial(line.uri)
    call = await line.one_call()
    # Garbage thrown at the call's RTP port is ignored; the call goes on.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (b"", b"\x00", b"\x80" * 3, b"not rtp at all" * 20, bytes(range(256))):
            sock.sendto(junk, ("127.0.0.1", call.port))
    await asyncio.sleep(1.0)
    assert line.server.calls and call.ended_by is None
    phone.kill()  # no BYE: only the silence of the RTP stream tells
    await until(lambda: not line.server.calls, 15, "the media timeout")
    assert call.ended_by == "caller"
    await until(lambda: line.statuses() == ["dropped"], 10, "a resumable session")


async def test_busy_when_every_line_is_taken(start_line: StartLine) -> None:
    line = await start_line(max_calls=0)
    invite = request("INVITE", line.uri, sdp=offer_sdp([(0, "PCMU/8000")]))
    responses = await udp_exchange(line.settings.port, [invite], until={486})
    assert 486 in status_codes(responses)


@pytest.mark.parametrize("transport", ["UDP", "TCP"])
async def test_offers_we_cannot_speak_get_488(start_line: StartLine, transport: str) -> None:
    line = await start_line()
    offers = [
        offer_sdp([(9, "G722/8000"), (96, "opus/48000/2")]),  # no G.711 at all
        None,  # no SDP: late offer is not supported
    ]
    for sdp in offers:
        invite = request("INVITE", line.uri, transport=transport, sdp=sdp)
        if transport == "UDP":
            responses = await udp_exchange(line.settings.port, [invite], until={488})
        else:
            responses = await tcp_exchange(line.settings.port, invite, until={488})
        assert 488 in status_codes(responses), responses
    assert not line.server.calls


async def test_garbage_and_broken_requests_do_not_stop_the_server(start_line: StartLine) -> None:
    line = await start_line()
    garbage = [
        b"",
        b"\xff\xfe\x00garbage",
        b"INVITE\r\n\r\n",
        b"SIP/2.0 200 OK\r\n\r\n",  # a response nobody asked for
        b"INVITE sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\nshort",
    ]
    missing_call_id = request("OPTIONS", line.uri, drop=("Call-ID",)).replace(b":0", b":{port}")
    responses = await udp_exchange(line.settings.port, [*garbage, missing_call_id], until={400})
    assert 400 in status_codes(responses)
    options = request("OPTIONS", line.uri)
    responses = await udp_exchange(line.settings.port, [options], until={200})
    assert 200 in status_codes(responses), "the server stopped answering after garbage"
    responses = await tcp_exchange(line.settings.port, options, until={200})
    assert 200 in status_codes(responses), "the TCP listener stopped answering after garbage"
