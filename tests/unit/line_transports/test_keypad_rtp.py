"""RFC 4733 key presses on the RTP session: once each, in order, despite repeats and reordering."""

from __future__ import annotations

import asyncio
import socket
import struct

from lendline.voice.transports.rtp import KeypadRtpSession


def rtp(seq: int, timestamp: int, payload_type: int, payload: bytes) -> bytes:
    return struct.pack("!BBHII", 0x80, payload_type, seq, timestamp, 0x1234) + payload


def event(code: int, end: bool, duration: int) -> bytes:
    return struct.pack("!BBH", code, (0x80 if end else 0) | 10, duration)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1]) // 2 * 2


async def test_each_key_press_is_reported_once_and_audio_goes_on() -> None:
    port = free_udp_port()
    session = await KeypadRtpSession.create(
        local_addr=("127.0.0.1", port),
        remote_addr=("127.0.0.1", 9),
        payload_type=0,
        dtmf_payload_type=101,
    )
    digits: list[str] = []
    audio: list[bytes] = []
    session.on_digit = digits.append
    session.on_audio = lambda pcm, ts: audio.append(pcm)
    packets: list[bytes] = []
    seq, ts = 100, 8000
    for _ in range(10):  # audio before
        packets.append(rtp(seq, ts, 0, b"\xff" * 160))
        seq, ts = seq + 1, ts + 160
    for code in (4, 8, 11):  # "4", "8", "#": updates, then the end packet three times
        for step in range(1, 4):
            packets.append(rtp(seq, ts, 101, event(code, False, 160 * step)))
            seq += 1
        for _ in range(3):
            packets.append(rtp(seq, ts, 101, event(code, True, 480)))
            seq += 1
        ts += 800
    # A late, reordered packet of the first press must not count again.
    packets.append(rtp(seq, 8000 + 1600, 101, event(4, True, 480)))
    seq += 1
    for _ in range(20):  # audio after
        packets.append(rtp(seq, ts, 0, b"\xff" * 160))
        seq, ts = seq + 1, ts + 160
    packets.extend([b"", b"\x00\x01", b"junk" * 10])  # not RTP at all
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for packet in packets:
            sender.sendto(packet, ("127.0.0.1", port))
            await asyncio.sleep(0.002)
    await asyncio.sleep(0.5)
    await session.close()
    assert digits == ["4", "8", "#"]
    assert session.malformed_packets >= 2
    # 10 audio frames came before the key presses; those after them must get through too.
    assert len(audio) >= 20, "audio after the key presses must still be delivered"
