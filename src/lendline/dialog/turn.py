"""One turn of the conversation: what the caller gave, and what the agent answers."""

from __future__ import annotations

from dataclasses import dataclass, field

#: A prompt as said: (prompt id, text).
Prompt = tuple[str, str]


@dataclass(frozen=True, slots=True)
class CallerInput:
    """One caller turn.

    Parameters:
        text: what the caller said (recognised) or typed.
        digits: DTMF keys pressed for this turn.
        audio_sha256: hash of the caller's audio for the audit log.
        silence: True when the caller said nothing before the timeout.
    """

    text: str | None = None
    digits: str | None = None
    audio_sha256: str | None = None
    silence: bool = False


@dataclass
class Reply:
    """The agent's turn.

    Parameters:
        prompts: (prompt id, text) pairs to say in order.
        end_call: hang up after speaking.
        hand_off: transfer to a human after speaking.
        expects: what kind of answer comes next (a recognition hint).
    """

    prompts: list[Prompt] = field(default_factory=list)
    end_call: bool = False
    hand_off: bool = False
    expects: str = "free"

    @property
    def text(self) -> str:
        """All prompts as one text."""
        return " ".join(text for _, text in self.prompts)
