"""LendLine's own pipecat frames."""

from __future__ import annotations

from dataclasses import dataclass

from pipecat.frames.frames import DataFrame, SystemFrame


@dataclass
class AgentTurnEndFrame(DataFrame):
    """Marks the end of one agent turn; it reaches the line after the turn's last audio.

    Parameters:
        end_call: the agent hangs up after this turn.
    """

    end_call: bool = False


@dataclass
class AgentTurnPlayedFrame(SystemFrame):
    """Sent upstream by the line output once an agent turn's audio has all been played."""


@dataclass
class CallerTurnFrame(DataFrame):
    """One whole caller turn, recognised.

    Parameters:
        text: what the recogniser heard (may be empty for noise).
        audio_sha256: hash of the turn's audio, for the audit log.
        speech_seconds: length of the audio recognised.
        speech_end_at: monotonic time the caller stopped speaking, for latency figures.
        speech_start_at: monotonic time the caller started this turn.
    """

    text: str = ""
    audio_sha256: str = ""
    speech_seconds: float = 0.0
    speech_end_at: float | None = None
    speech_start_at: float | None = None
