"""The RTP session of a SIP call: aiortp, with RFC 4733 telephone-events taken out first.

aiortp 0.8 passes telephone-event packets through its jitter buffer as sequence markers and
pauses playout on them. Against baresip that left the buffer waiting on a marker ahead of
the audio, so the caller went silent after the first key press, and the last digit of a
sequence was only reported when the next began (both measured: see the protocol tests).
Here telephone-events never reach the buffer (their sequence slots read as a short loss,
which the playout conceals) and a digit is reported on the first packet of its event that
arrives, once, so a code keyed at the end of a turn arrives at once and a lost or reordered
packet neither drops nor repeats a digit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import aiortp
from aiortp.dtmf import DtmfEvent
from aiortp.packet import RtpPacket
from loguru import logger

DigitListener = Callable[[str], None]


class KeypadRtpSession(aiortp.RTPSession):
    """An aiortp session that reports DTMF digits itself, once per event.

    Set :attr:`on_digit` after :meth:`create`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_digit: DigitListener | None = None
        self.malformed_packets = 0
        # Timestamps of recent key presses: packets of one press arrive late or out of order.
        self._recent_events: deque[int] = deque(maxlen=32)

    def _handle_rtp(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) >= 2 and data[1] & 0x7F == self._dtmf_payload_type:
            self._handle_telephone_event(data)
            return
        if len(data) < 12 or data[0] >> 6 != 2:
            # Not RTP version 2: count it and move on (aiortp would log each one).
            self.malformed_packets += 1
            return
        super()._handle_rtp(data, addr)

    def _handle_telephone_event(self, data: bytes) -> None:
        try:
            packet = RtpPacket.parse(data)
            event = DtmfEvent.parse(packet.payload)
        except ValueError:
            self.malformed_packets += 1
            return
        # All packets of one key press share its RTP timestamp (RFC 4733 §2.5.1.1); the end
        # packet is sent three times, and on a bad line they come late or reordered.
        if packet.timestamp in self._recent_events:
            return
        self._recent_events.append(packet.timestamp)
        digit = event.digit
        if digit == "?":
            logger.debug(f"RTP: ignoring telephone-event {event.event}")
            return
        if self.on_digit is not None:
            self.on_digit(digit)
