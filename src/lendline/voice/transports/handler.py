"""What a network transport hands a call to: the port between transports and the service.

A transport (SIP, media stream, AudioSocket) knows how to carry audio; it does not know
how many calls the machine can take or what a call is for. It asks :class:`CallHandler`
whether there is room before it answers, runs the call through :meth:`CallHandler.handle`,
and gives it both legs of the recording at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from lendline.voice.transports.line import CallLine


@dataclass(frozen=True, slots=True)
class CallEnded:
    """How a call ended, as the transport needs to know it.

    Parameters:
        session_id: the loan session the call ran.
        hand_off: the script asked for a human: transfer instead of hanging up.
    """

    session_id: str
    hand_off: bool = False


@dataclass(frozen=True, slots=True)
class CallRecording:
    """Both legs of a call as 16-bit mono PCM at ``sample_rate``.

    Parameters:
        call_id: the network's id for the call.
        session_id: the loan session.
        caller: what the caller sent.
        agent: what the agent sent.
    """

    call_id: str
    session_id: str
    caller: bytes
    agent: bytes
    sample_rate: int = 8000


class CallHandler(Protocol):
    """Runs calls that transports answer."""

    def has_room(self) -> bool:
        """Whether another call can be answered now (else: busy)."""
        ...

    async def handle(self, line: CallLine, network: Mapping[str, str]) -> CallEnded:
        """Run one call until either side hangs up."""
        ...

    async def store_recording(self, recording: CallRecording) -> None:
        """Keep both legs of a finished call."""
        ...
