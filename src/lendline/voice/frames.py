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
