"""The default SMS gateway: a local outbox file the operator (and the tests) read.

It stands in for a carrier's SMS network, which cannot be reached here. One JSON object per
line; writers take an exclusive file lock so several processes can share one outbox.
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
from typing import IO

from lendline.identity.phone import MobileNumber

_CODE = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message in the outbox."""

    id: str
    to: str
    text: str
    sent_at: datetime


@contextmanager
def _locked(path: Path, mode: str) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if "a" in mode else fcntl.LOCK_SH)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class OutboxSmsGateway:
    """Appends each message to a JSON-lines file instead of sending it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, to: MobileNumber, text: str) -> str:
        """Write the message to the outbox and return its id."""
        message_id = uuid.uuid4().hex
        record = {
            "id": message_id,
            "to": to.digits,
            "text": text,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        with _locked(self.path, "a") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return message_id


def read_outbox(path: Path) -> list[OutboxMessage]:
    """Read every message in the outbox, oldest first (a missing outbox is empty)."""
    if not path.exists():
        return []
    with _locked(path, "r") as handle:
        lines = handle.read().splitlines()
    messages = []
    for line in lines:
        if not line.strip():
            continue
        data = json.loads(line)
        messages.append(
            OutboxMessage(
                data["id"], data["to"], data["text"], datetime.fromisoformat(data["sent_at"])
            )
        )
    return messages


def latest_code_for(path: Path, mobile: str) -> str | None:
    """Return the code in the newest code message sent to ``mobile``, if any."""
    for message in reversed(read_outbox(path)):
        if message.to != mobile:
            continue
        match = _CODE.search(message.text)
        if match and ("码" in message.text or "code" in message.text.lower()):
            return match.group(1)
    return None
