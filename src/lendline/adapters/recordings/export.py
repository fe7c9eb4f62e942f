"""Reads a session's call recordings back from the recordings directory, for access exports.

Files are found by the name ``WavFileRecorder`` gives them (``<session>-<call id>.wav``).
When recordings are stored encrypted under the session's key, a decrypting reader takes this
one's place behind the same ``RecordingSource`` port.
"""

from __future__ import annotations

import re
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class WavDirectorySource:
    """Call recordings of a session, read from one directory.

    Parameters:
        directory: where the recorder writes its files.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def recordings_for(self, session_id: str) -> list[tuple[str, bytes]]:
        """Return ``(file name, bytes)`` of each recording of the session, by name."""
        if not self.directory.is_dir():
            return []
        prefix = _UNSAFE.sub("_", session_id) + "-"
        return [
            (path.name, path.read_bytes())
            for path in sorted(self.directory.glob("*.wav"))
            if path.name.startswith(prefix)
        ]
