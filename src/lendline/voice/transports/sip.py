"""SIP user agent server: answers phone calls over SIP/RTP and runs each as a call line.

Signalling is aiosipua (RFC 3261 UAS over UDP and TCP), media is aiortp (RTP with an adaptive
jitter buffer and loss concealment, RFC 4733 telephone-events). What this module adds is the
phone line's behaviour:

* INVITE: 486 when the service is at capacity, 488 when the offer has no G.711 audio (or no
  SDP at all: late offers are not supported), 503 when no RTP port is free, else 180 then
  200 with an answer that keeps the offerer's codec preference (PCMU or PCMA) and DTMF type.
* CANCEL before the answer: aiosipua answers 487; the call is never started.
* re-INVITE: hold (sendonly/inactive) pauses the agent's voice, resume (sendrecv) restarts
  it; the answer mirrors the direction (RFC 3264 §6.1).
* BYE from the caller ends the call line; when the script ends, LendLine sends BYE after
  the last prompt has played, or REFER to a human queue when the script hands off.
* No RTP for ``media_timeout_secs``: the call is treated as dropped (state is saved by the
  dialog, a call-back resumes) and a BYE is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Mapping
from typing import Any

from aiosipua import IncomingCall, SipUAC, SipUAS
from aiosipua.dialog import DialogState
from aiosipua.message import SipRequest
from aiosipua.sdp import SdpMessage, SdpNegotiationError, negotiate_sdp
from aiosipua.transport import SipTransport, TcpSipTransport, UdpSipTransport
from loguru import logger

from lendline.config import SipSettings
from lendline.voice.transports.handler import CallHandler, CallRecording
from lendline.voice.transports.line import FRAME_BYTES, CallerDigit
from lendline.voice.transports.paced_line import PacedLine
from lendline.voice.transports.rtp import KeypadRtpSession

#: G.711 payload types we answer with: PCMU (0) and PCMA (8).
G711 = (0, 8)
_SILENCE = b"\x00" * FRAME_BYTES
#: Ticks without caller audio (3 x 20 ms) before the line is fed silence: a caller on hold
#: or with silence suppression sends nothing, but the dialog's silence clock must run.
_GAP_TICKS = 3


class RtpPortPool:
    """Even RTP ports from a range (RTCP takes the odd port above each)."""

    def __init__(self, first: int, last: int) -> None:
        self._free = list(range(first + first % 2, last, 2))
        self._used: set[int] = set()

    def take(self) -> int | None:
        """Reserve a port, or None when every port is in use."""
        if not self._free:
            return None
        port = self._free.pop(0)
        self._used.add(port)
        return port

    def give_back(self, port: int) -> None:
        """Return a port to the pool."""
        if port in self._used:
            self._used.discard(port)
            self._free.append(port)


def caller_number(call: IncomingCall) -> str:
    """The caller's number: the user part of the From URI (display name as fallback)."""
    address = call.invite.from_addr
    user = address.uri.user if address is not None else None
    if user:
        return user
    if address is not None and address.display_name:
        return address.display_name
    return "anonymous"


def _cancelled(invite: IncomingCall) -> bool:
    """Whether the INVITE was cancelled (aiosipua answered the CANCEL and sent 487)."""
    return invite.dialog.state == DialogState.TERMINATED


def telephone_event_type(offer: SdpMessage) -> int | None:
    """The payload type the offer uses for RFC 4733 telephone-events, if any."""
    audio = offer.audio
    if audio is None:
        return None
    for codec in audio.codecs:
        if codec.encoding_name.lower() == "telephone-event":
            return codec.payload_type
    return None


class SipCall(PacedLine):
    """One answered call: the RTP session, the agent's paced voice, and the call line.

    Parameters:
        invite: the INVITE it answered (its dialog sends BYE and REFER).
        rtp: the call's RTP session.
        port: the local RTP port (back to the pool at the end).
        payload_type: the agreed codec, 0 (PCMU) or 8 (PCMA).
    """

    def __init__(self, invite: IncomingCall, rtp: Any, port: int, payload_type: int) -> None:
        self.invite = invite
        self.rtp = rtp
        self.port = port
        self.payload_type = payload_type
        self.held = False
        self.bye_received = asyncio.Event()
        self._timestamp = secrets.randbelow(2**32)
        self._ticks_without_audio = 0
        super().__init__(invite.call_id, caller_number(invite))
        self.rtp.on_audio = self._on_audio
        self.rtp.on_digit = self._on_digit

    def send_frame(self, frame: bytes | None) -> None:
        """Send one tick of agent audio as RTP; feed the line silence if the caller sends none."""
        if frame is not None and not self.held:
            self.rtp.send_audio_pcm(frame, self._timestamp)
        # The RTP clock runs on through silence: the gap shows as a timestamp jump.
        self._timestamp = (self._timestamp + len(_SILENCE) // 2) & 0xFFFFFFFF
        self._ticks_without_audio += 1
        if self._ticks_without_audio > _GAP_TICKS:
            self._deliver(_SILENCE)

    def _on_audio(self, pcm: bytes, timestamp: int) -> None:
        self._ticks_without_audio = 0
        self._deliver(pcm)

    def _deliver(self, pcm: bytes) -> None:
        if self.ended_by is None:
            self.hear(pcm)

    def _on_digit(self, digit: str) -> None:
        if self.ended_by is None:
            self.line.events.put_nowait(CallerDigit(digit))


class SipServer:
    """Answers SIP calls on UDP and TCP and hands each to the call handler.

    Parameters:
        settings: addresses, RTP ports, timeouts and the transfer target.
        handler: runs the calls (capacity, the loan dialog, recordings).
    """

    def __init__(self, settings: SipSettings, handler: CallHandler) -> None:
        self._settings = settings
        self._handler = handler
        self._ports = RtpPortPool(settings.rtp_port_min, settings.rtp_port_max)
        self._agents: list[tuple[SipUAS, SipUAC]] = []
        self._calls: dict[str, SipCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.rejected: dict[int, int] = {}

    @property
    def calls(self) -> dict[str, SipCall]:
        """Calls answered and not yet torn down, by SIP Call-ID (a copy)."""
        return dict(self._calls)

    async def start(self) -> None:
        """Bind the SIP transports."""
        address = (self._settings.host, self._settings.port)
        transports: list[SipTransport] = []
        if "udp" in self._settings.transports:
            transports.append(UdpSipTransport(local_addr=address))
        if "tcp" in self._settings.transports:
            transports.append(TcpSipTransport(local_addr=address))
        for transport in transports:
            uac = SipUAC(transport)
            uas = SipUAS(transport, user_agent="LendLine", uac=uac)
            uas.on_invite = lambda call, uas=uas, uac=uac: self._spawn(self._answer(call, uas, uac))
            uas.on_reinvite = self._on_reinvite
            uas.on_bye = self._on_bye
            uas.on_ack_timeout = lambda call: self._caller_gone(call.call_id, "no ACK")
            await uas.start()
            self._agents.append((uas, uac))
        logger.info(f"SIP listening on {address} ({', '.join(self._settings.transports)})")

    async def stop(self) -> None:
        """Hang up every call and close the transports."""
        for call in list(self._calls.values()):
            call.caller_gone("server shutting down")
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        for uas, _ in self._agents:
            await uas.stop()
        self._agents.clear()

    def _spawn(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.opt(exception=task.exception()).error("SIP call task failed")

    def _reject(self, call: IncomingCall, status: int, reason: str) -> None:
        self.rejected[status] = self.rejected.get(status, 0) + 1
        logger.info(f"SIP {call.call_id}: {status} {reason}")
        call.reject(status, reason)

    # call setup -------------------------------------------------------------------------

    async def _answer(self, invite: IncomingCall, uas: SipUAS, uac: SipUAC) -> None:
        offer = invite.sdp_offer
        if offer is None:
            self._reject(invite, 488, "Not Acceptable Here")
            return
        if not self._handler.has_room():
            self._reject(invite, 486, "Busy Here")
            return
        port = self._ports.take()
        if port is None:
            self._reject(invite, 503, "Service Unavailable")
            return
        try:
            call = await self._open_media(invite, offer, port)
        except SdpNegotiationError as error:
            self._ports.give_back(port)
            logger.info(f"SIP {invite.call_id}: {error}")
            self._reject(invite, 488, "Not Acceptable Here")
            return
        except OSError as error:
            self._ports.give_back(port)
            logger.warning(f"SIP {invite.call_id}: RTP port {port}: {error}")
            self._reject(invite, 503, "Service Unavailable")
            return
        if call is None:  # cancelled while ringing
            self._ports.give_back(port)
            return
        self._calls[invite.call_id] = call
        try:
            await self._run(call, uas, uac)
        finally:
            self._calls.pop(invite.call_id, None)
            # aiosipua keeps calls until their BYE; drop ours so a long run does not grow.
            uas._calls.pop(invite.call_id, None)
            await call.rtp.close()
            self._ports.give_back(port)

    async def _open_media(
        self, invite: IncomingCall, offer: SdpMessage, port: int
    ) -> SipCall | None:
        settings = self._settings
        dtmf = telephone_event_type(offer) or 101
        answer, payload_type = negotiate_sdp(
            offer=offer,
            local_ip=settings.advertised_ip or settings.host,
            rtp_port=port,
            supported_codecs=list(G711),
            dtmf_payload_type=dtmf,
            session_name="LendLine",
        )
        remote = offer.rtp_address
        if remote is None:
            raise SdpNegotiationError("offer has no RTP address")
        invite.ringing()
        if settings.answer_after_secs > 0:
            await asyncio.sleep(settings.answer_after_secs)
        if _cancelled(invite):
            return None
        rtp = await KeypadRtpSession.create(
            local_addr=(settings.host, port),
            remote_addr=remote,
            payload_type=payload_type,
            dtmf_payload_type=dtmf,
            playout=True,
            playout_max_delay_ms=settings.jitter_max_ms,
        )
        if _cancelled(invite):  # CANCEL arrived while the RTP port was being bound
            await rtp.close()
            return None
        invite.accept(answer)
        return SipCall(invite=invite, rtp=rtp, port=port, payload_type=payload_type)

    async def _run(self, call: SipCall, uas: SipUAS, uac: SipUAC) -> None:
        invite = call.invite
        network: Mapping[str, str] = {
            "transport": "sip",
            "call_id": invite.call_id,
            "codec": "PCMU" if call.payload_type == 0 else "PCMA",
        }
        call.playout.start()
        watchdog = asyncio.get_running_loop().create_task(self._watch_media(call))
        try:
            ended = await self._handler.handle(call.line, network)
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            await call.playout.stop()
        if invite.dialog.state == DialogState.CONFIRMED:
            transfer = self._settings.transfer_uri
            if ended.hand_off and transfer:
                logger.info(f"SIP {invite.call_id}: transferring to {transfer}")
                uac.send_refer(invite.dialog, transfer, invite.source_addr)
                # The caller's phone calls the queue and then sends BYE; don't wait forever.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(call.bye_received.wait(), self._settings.refer_wait_secs)
            if invite.dialog.state == DialogState.CONFIRMED:
                invite.hangup()
        await self._handler.store_recording(
            CallRecording(
                call_id=invite.call_id,
                session_id=ended.session_id,
                caller=bytes(call.caller_leg),
                agent=bytes(call.playout.recording),
            )
        )

    async def _watch_media(self, call: SipCall) -> None:
        """Treat a call whose RTP stopped (and is not on hold) as dropped."""
        timeout = self._settings.media_timeout_secs
        last_count = -1
        quiet = 0.0
        while call.ended_by is None:
            await asyncio.sleep(0.5)
            count = call.rtp.stats.get("packets_received", 0)
            if count != last_count or call.held:
                last_count, quiet = count, 0.0
                continue
            quiet += 0.5
            if quiet >= timeout:
                logger.info(f"SIP {call.invite.call_id}: no RTP for {timeout:.0f} s")
                call.caller_gone(f"no media for {timeout:.0f} s")

    # in-dialog requests -------------------------------------------------------------------

    def _on_reinvite(self, invite: IncomingCall) -> None:
        call = self._calls.get(invite.call_id)
        offer = invite.sdp_offer
        if call is None or offer is None or offer.audio is None:
            # Session refresh without SDP: answer with what was agreed.
            invite.accept(invite.sdp_answer)
            return
        settings = self._settings
        try:
            answer, _ = negotiate_sdp(
                offer=offer,
                local_ip=settings.advertised_ip or settings.host,
                rtp_port=call.port,
                supported_codecs=[call.payload_type],
                dtmf_payload_type=telephone_event_type(offer) or 101,
                session_name="LendLine",
            )
        except SdpNegotiationError:
            invite.reject(488, "Not Acceptable Here")
            return
        direction = offer.audio.direction
        call.held = direction in ("sendonly", "inactive")
        call.playout.held = call.held
        remote = offer.rtp_address
        if remote is not None and remote[0] not in ("0.0.0.0", "::"):
            call.rtp.update_remote(remote)
        logger.info(
            f"SIP {invite.call_id}: re-INVITE {direction} -> {'held' if call.held else 'resumed'}"
        )
        invite.accept(answer)

    def _on_bye(self, invite: IncomingCall, request: SipRequest) -> None:
        call = self._calls.get(invite.call_id)
        if call is not None:
            call.bye_received.set()
            call.caller_gone("caller hung up (BYE)")

    def _caller_gone(self, call_id: str, reason: str) -> None:
        call = self._calls.get(call_id)
        if call is not None:
            call.caller_gone(reason)
