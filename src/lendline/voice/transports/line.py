"""A transport-neutral call line, and the pipecat transport that runs a call over it.

Every way a caller reaches LendLine (a WAV-file caller, SIP/RTP, a media-stream WebSocket)
ends in a :class:`CallLine`: a queue of events from the caller (20 ms PCM frames, DTMF
digits, hang-up) and a :class:`LineSink` for what goes back (agent audio, ``clear`` for
barge-in, hang-up). :class:`LineTransport` turns a line into pipecat's input and output
processors, so the rest of the pipeline never knows which network carried the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from loguru import logger
from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    EndTaskFrame,
    Frame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    OutputAudioRawFrame,
    StartFrame,
    VADUserStartedSpeakingFrame,
    VADUserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection
from pipecat.transports.base_input import BaseInputTransport
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import BaseTransport, TransportParams

from lendline.voice.frames import AgentTurnEndFrame, AgentTurnPlayedFrame

#: Sample rate of a telephone line (G.711 narrowband).
PHONE_RATE = 8000
#: One 20 ms frame of 16-bit mono PCM at 8 kHz.
FRAME_BYTES = PHONE_RATE * 2 // 50


@dataclass(frozen=True, slots=True)
class CallerAudio:
    """A chunk of caller audio: 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int = PHONE_RATE


@dataclass(frozen=True, slots=True)
class CallerDigit:
    """A DTMF key the caller pressed (0-9, *, #)."""

    digit: str


@dataclass(frozen=True, slots=True)
class CallerHangup:
    """The caller hung up (BYE, WebSocket stop, end of a WAV script)."""

    reason: str = "caller hung up"


LineEvent = CallerAudio | CallerDigit | CallerHangup


class LineSink(Protocol):
    """Where the agent's side of the call goes."""

    async def play(self, pcm: bytes, sample_rate: int) -> None:
        """Send agent audio to the caller."""
        ...

    async def clear(self) -> None:
        """Drop agent audio queued but not yet played (barge-in)."""
        ...

    async def duck(self, on: bool) -> None:
        """Hold (on) or go on playing (off) the agent audio while the caller speaks over it."""
        ...

    async def hang_up(self, reason: str) -> None:
        """End the call from the agent's side."""
        ...

    async def agent_turn_done(self) -> None:
        """The agent finished a turn: all its audio has been handed to :meth:`play`."""
        ...


@dataclass
class CallLine:
    """One call as a transport sees it.

    Parameters:
        call_id: the network's id for the call (SIP Call-ID, stream sid, file name).
        caller_number: the caller's number as the network presents it.
        sink: where agent audio and hang-up go.
        channel: "voice" for audio lines.
    """

    call_id: str
    caller_number: str
    sink: LineSink
    channel: str = "voice"
    events: asyncio.Queue[LineEvent] = field(default_factory=asyncio.Queue)

    async def caller_sends(self, event: LineEvent) -> None:
        """Queue something the caller did for the pipeline to read."""
        await self.events.put(event)


_KEYS = {entry.value: entry for entry in KeypadEntry}


class LineInputTransport(BaseInputTransport):
    """Reads a :class:`CallLine` and pushes audio and DTMF frames into the pipeline."""

    def __init__(self, line: CallLine, params: TransportParams, **kwargs: object) -> None:
        super().__init__(params, **kwargs)
        self._line = line
        self._reader: asyncio.Task[None] | None = None

    async def start(self, frame: StartFrame) -> None:
        """Start reading the line once the pipeline is running."""
        await super().start(frame)
        await self.set_transport_ready(frame)
        if self._reader is None:
            self._reader = self.create_task(self._read_line())

    async def stop(self, frame: EndFrame) -> None:
        """Stop reading the line."""
        await super().stop(frame)
        await self._stop_reader()

    async def cancel(self, frame: CancelFrame) -> None:
        """Stop reading the line at once."""
        await super().cancel(frame)
        await self._stop_reader()

    async def _stop_reader(self) -> None:
        if self._reader is not None:
            await self.cancel_task(self._reader)
            self._reader = None

    async def _read_line(self) -> None:
        while True:
            event = await self._line.events.get()
            if isinstance(event, CallerAudio):
                await self.push_audio_frame(
                    InputAudioRawFrame(
                        audio=event.pcm, sample_rate=event.sample_rate, num_channels=1
                    )
                )
            elif isinstance(event, CallerDigit):
                key = _KEYS.get(event.digit)
                if key is None:
                    logger.warning(f"{self}: ignoring unknown DTMF key {event.digit!r}")
                    continue
                await self.push_frame(InputDTMFFrame(button=key))
            else:
                logger.info(f"{self}: {event.reason}")
                # The caller is gone: finish what is queued, then end the pipeline.
                await self.push_frame(EndTaskFrame(reason=event.reason), FrameDirection.UPSTREAM)
                return


class LineOutputTransport(BaseOutputTransport):
    """Writes the agent's audio to a :class:`CallLine` and hangs up at the end."""

    def __init__(
        self,
        line: CallLine,
        params: TransportParams,
        on_audio: Callable[[], None] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(params, **kwargs)
        self._line = line
        self._on_audio = on_audio

    async def start(self, frame: StartFrame) -> None:
        """Mark the output ready."""
        await super().start(frame)
        await self.set_transport_ready(frame)

    async def write_audio_frame(self, frame: OutputAudioRawFrame) -> bool:
        """Hand agent audio to the line; the line's endpoint paces it if it is real time."""
        if self._on_audio is not None:
            self._on_audio()
        await self._line.sink.play(frame.audio, frame.sample_rate)
        return True

    async def push_frame(
        self, frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM
    ) -> None:
        """Tell the line when a whole agent turn has been played out."""
        await super().push_frame(frame, direction)
        if isinstance(frame, AgentTurnEndFrame):
            await self._line.sink.agent_turn_done()
            await super().push_frame(AgentTurnPlayedFrame(), FrameDirection.UPSTREAM)

    async def stop(self, frame: EndFrame) -> None:
        """Hang up after the last audio has been written."""
        await super().stop(frame)
        await self._line.sink.hang_up("agent ended the call")

    async def cancel(self, frame: CancelFrame) -> None:
        """Hang up at once."""
        await super().cancel(frame)
        await self._line.sink.hang_up("call cancelled")

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        """Barge-in on the line.

        The prompt is held when the caller starts speaking over it, dropped when the caller
        takes the turn, and goes on when it was only a backchannel.
        """
        if isinstance(frame, VADUserStartedSpeakingFrame):
            await self._line.sink.duck(True)
        elif isinstance(frame, VADUserStoppedSpeakingFrame):
            await self._line.sink.duck(False)
        elif isinstance(frame, InterruptionFrame):
            await self._line.sink.clear()
        await super().process_frame(frame, direction)


class LineTransport(BaseTransport):
    """Pipecat transport over a :class:`CallLine`."""

    def __init__(
        self,
        line: CallLine,
        sample_rate: int = PHONE_RATE,
        on_audio: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name=f"line-{line.call_id}")
        self._params = TransportParams(
            audio_in_enabled=True,
            audio_in_sample_rate=sample_rate,
            audio_out_enabled=True,
            audio_out_sample_rate=sample_rate,
            # Telephony transports pace and packetise themselves; no trailing silence.
            audio_out_end_silence_secs=0,
        )
        self._input = LineInputTransport(line, self._params, name=f"{self.name}-in")
        self._output = LineOutputTransport(line, self._params, on_audio, name=f"{self.name}-out")

    def input(self) -> LineInputTransport:
        """Return the processor that reads the caller."""
        return self._input

    def output(self) -> LineOutputTransport:
        """Return the processor that plays to the caller."""
        return self._output
