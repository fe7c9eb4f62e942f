"""Text chat: the same script and the same session state as a voice call, in writing.

A caller on a noisy line can move to chat (the voice dialog sends a chat link); the chat
session then continues the same session at the same step. Numbers are written as digits
rather than spelled out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lendline.dialog.flow import CallerInput, Dialog, Reply
from lendline.dialog.state import DialogState

DialogFactory = Callable[[DialogState, bool], Dialog]


@dataclass
class ChatSession:
    """One chat conversation over a dialog.

    Parameters:
        dialog: the script, made with ``spoken=False``.
        ended: whether the agent closed the conversation.
    """

    dialog: Dialog
    ended: bool = False

    def open(self) -> Reply:
        """Return the agent's opening message (a call-back resumes the session's step)."""
        reply = self.dialog.start()
        self.ended = reply.end_call or reply.hand_off
        return reply

    def send(self, text: str) -> Reply:
        """Send one message from the customer and return the agent's answer."""
        if self.ended:
            raise RuntimeError("the conversation has ended")
        if not text.strip():
            reply = self.dialog.handle(CallerInput(silence=True))
        else:
            reply = self.dialog.handle(CallerInput(text=text))
        self.ended = reply.end_call or reply.hand_off
        return reply

    def leave(self) -> None:
        """The customer closed the chat before the end: keep the session resumable."""
        if not self.ended:
            self.dialog.hang_up()
            self.ended = True
