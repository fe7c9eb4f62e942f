"""The default SMS gateway: a local outbox file the operator (and the tests) read.

It stands in for a carrier's SMS network: the operator's own outbox, so it holds the
full 11-digit number a carrier would need. One JSON object per line; writers take an
exclusive ``fcntl`` lock around each append (and flush before releasing it), so several
processes can share one outbox without interleaving lines. POSIX only.
"""

from __future__ import annotations

import fcntl
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Final

from lendline.identity.phone import InvalidMobileNumber, MobileNumber
from lendline.shared.clock import Clock, SystemClock

_CODE: Final = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")
#: Words that mark a message as carrying a one-time code, so that amounts in a contract
#: summary are never taken for one.
_CODE_MARKERS: Final = ("码", "code", "otp")


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message in the outbox.

    Parameters:
        id: the message id the gateway returned.
        to: the recipient's 11 national digits.
        text: the message text.
        sent_at: when it was written (UTC).
    """

    id: str
    to: str
    text: str
    sent_at: datetime


@contextmanager
def _locked(path: Path, mode: str) -> Iterator[IO[str]]:
    with path.open(mode, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if "a" in mode else fcntl.LOCK_SH)
        try:
            yield handle
            # Flush while still holding the lock, or another writer's line could land
            # in the middle of this one.
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class OutboxSmsGateway:
    """Appends each message to a JSON-lines file instead of sending it (an ``SmsGateway``).

    Args:
        path: the outbox file; it and its folder are created on the first message.
        clock: where ``sent_at`` comes from; the system clock by default.
    """

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self.path = path
        self._clock = clock or SystemClock()

    def send(self, to: MobileNumber, text: str) -> str:
        """Write the message to the outbox.

        Args:
            to: the recipient.
            text: the message text.

        Returns:
            The new message's id.
        """
        message_id = uuid.uuid4().hex
        record = {
            "id": message_id,
            "to": to.digits,
            "text": text,
            "sent_at": self._clock.now().astimezone(UTC).isoformat(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path, "a") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return message_id


def read_outbox(path: Path) -> list[OutboxMessage]:
    """Read every message in the outbox, oldest first.

    Args:
        path: the outbox file; a missing file is an empty outbox.

    Returns:
        The messages in the order they were written.

    Raises:
        ValueError: if a complete line is not a message (the file is not an outbox).
    """
    if not path.exists():
        return []
    with _locked(path, "r") as handle:
        content = handle.read()
    lines = content.split("\n")
    messages = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            messages.append(
                OutboxMessage(
                    str(data["id"]),
                    str(data["to"]),
                    str(data["text"]),
                    datetime.fromisoformat(data["sent_at"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            if number == len(lines):
                # A last line without its newline is a write cut short by a crash.
                break
            raise ValueError(f"outbox line {number} is not a message") from exc
    return messages


def _national_digits(mobile: str) -> str:
    try:
        return MobileNumber.parse(mobile).digits
    except InvalidMobileNumber:
        return mobile.strip()


def latest_code_for(path: Path, mobile: str) -> str | None:
    """Return the one-time code in the newest code message sent to ``mobile``.

    Messages without a code (a contract summary, say) are skipped; in the message found,
    the last run of 4 to 8 digits is the code.

    Args:
        path: the outbox file.
        mobile: the recipient, as 11 digits or in any form ``MobileNumber.parse`` reads.

    Returns:
        The code, or None if no code was sent to that number.
    """
    wanted = _national_digits(mobile)
    for message in reversed(read_outbox(path)):
        if message.to != wanted:
            continue
        lowered = message.text.casefold()
        if not any(marker in lowered for marker in _CODE_MARKERS):
            continue
        codes = _CODE.findall(message.text)
        if codes:
            return str(codes[-1])
    return None
