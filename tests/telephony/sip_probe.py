"""Hand-made SIP requests for the protocol-edge tests: what a broken or unusual peer sends.

baresip is the well-behaved phone; these are the requests it would never send (no SDP, only
codecs we do not speak, garbage, missing headers), sent over UDP or TCP from a plain socket.
"""

from __future__ import annotations

import asyncio
import re
import secrets


def offer_sdp(payload_types: list[tuple[int, str]], port: int = 49170) -> str:
    """An SDP audio offer with the given (payload type, rtpmap) pairs."""
    formats = " ".join(str(pt) for pt, _ in payload_types)
    lines = [
        "v=0",
        "o=probe 1 1 IN IP4 127.0.0.1",
        "s=probe",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        f"m=audio {port} RTP/AVP {formats}",
        *[f"a=rtpmap:{pt} {name}" for pt, name in payload_types],
        "a=sendrecv",
    ]
    return "\r\n".join(lines) + "\r\n"


def request(
    method: str,
    target: str,
    *,
    local_port: int | str = "{port}",
    transport: str = "UDP",
    sdp: str | None = None,
    call_id: str | None = None,
    user: str = "13800000000",
    drop: tuple[str, ...] = (),
) -> bytes:
    """A SIP request from ``user`` at 127.0.0.1:``local_port``; ``drop`` leaves headers out.

    The default port is a placeholder the exchange functions fill with their socket's port.
    """
    body = sdp or ""
    headers = {
        "Via": (
            f"SIP/2.0/{transport} 127.0.0.1:{local_port};branch=z9hG4bK{secrets.token_hex(6)};rport"
        ),
        "Max-Forwards": "70",
        "From": f"<sip:{user}@127.0.0.1:{local_port}>;tag={secrets.token_hex(4)}",
        "To": f"<{target}>",
        "Call-ID": call_id or secrets.token_hex(8),
        "CSeq": f"1 {method}",
        "Contact": f"<sip:{user}@127.0.0.1:{local_port}>",
    }
    if sdp is not None:
        headers["Content-Type"] = "application/sdp"
    headers["Content-Length"] = str(len(body.encode()))
    text = f"{method} {target} SIP/2.0\r\n"
    text += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k not in drop)
    return (text + "\r\n" + body).encode()


def status_codes(responses: list[bytes]) -> list[int]:
    """The status codes of SIP responses, in order."""
    codes = []
    for response in responses:
        match = re.match(rb"SIP/2\.0 (\d{3})", response)
        if match:
            codes.append(int(match.group(1)))
    return codes


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:  # type: ignore[override]
        self.received.put_nowait(data)


async def udp_exchange(
    port: int, messages: list[bytes], *, until: set[int], within: float = 5.0
) -> list[bytes]:
    """Send datagrams to 127.0.0.1:``port``; collect responses until a code in ``until``."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _Collector, local_addr=("127.0.0.1", 0)
    )
    local_port = transport.get_extra_info("sockname")[1]
    responses: list[bytes] = []
    try:
        for message in messages:
            transport.sendto(
                message.replace(b"{port}", str(local_port).encode()), ("127.0.0.1", port)
            )
        deadline = loop.time() + within
        while loop.time() < deadline:
            try:
                data = await asyncio.wait_for(protocol.received.get(), deadline - loop.time())
            except TimeoutError:
                break
            responses.append(data)
            if set(status_codes([data])) & until:
                break
    finally:
        transport.close()
    return responses


async def tcp_exchange(
    port: int, message: bytes, *, until: set[int], within: float = 5.0
) -> list[bytes]:
    """Send one request over TCP; collect responses until a code in ``until``."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    local_port = writer.get_extra_info("sockname")[1]
    writer.write(message.replace(b"{port}", str(local_port).encode()))
    await writer.drain()
    responses: list[bytes] = []
    buffer = b""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    try:
        while loop.time() < deadline:
            try:
                chunk = await asyncio.wait_for(reader.read(4096), deadline - loop.time())
            except TimeoutError:
                break
            if not chunk:
                break
            buffer += chunk
            parts = [p for p in re.split(rb"(?=SIP/2\.0 \d{3})", buffer) if p]
            responses = parts
            if set(status_codes(parts)) & until:
                break
    finally:
        writer.close()
    return responses
