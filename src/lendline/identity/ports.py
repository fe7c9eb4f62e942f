"""Ports of the identity context: the outside systems identity checks reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lendline.identity.phone import MobileNumber


class SmsGateway(Protocol):
    """Sends text messages (one-time codes, contract summaries) to a mobile number."""

    def send(self, to: MobileNumber, text: str) -> str:
        """Send ``text`` to ``to`` and return the gateway's message id."""
        ...


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A call-back to the customer's registered number, as requested.

    Parameters:
        request_id: unique id of the request.
        session_id: the session that asked for it (resumed when the customer answers).
        customer_id: whose registered number to dial (the dialler looks the number up).
        reason: why a call-back was chosen (a step-up reason code).
        requested_at: when it was requested (UTC).
    """

    request_id: str
    session_id: str
    customer_id: str
    reason: str
    requested_at: datetime


class CallbackScheduler(Protocol):
    """Arranges an outbound call to a customer's registered number (a step-up).

    The request is durable once ``schedule`` returns: the telephony side dials it later,
    whatever happens to the call that asked for it.
    """

    def schedule(self, request: CallbackRequest) -> None:
        """Record ``request`` for the dialler."""
        ...
