"""Ports of the identity context: the outside systems identity checks reach."""

from __future__ import annotations

from typing import Protocol

from lendline.identity.phone import MobileNumber


class SmsGateway(Protocol):
    """Sends text messages (one-time codes, contract summaries) to a mobile number."""

    def send(self, to: MobileNumber, text: str) -> str:
        """Send ``text`` to ``to`` and return the gateway's message id."""
        ...
