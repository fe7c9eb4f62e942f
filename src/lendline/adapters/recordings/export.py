"""Reads a session's call recordings back, decrypted, for access exports.

Recordings are stored sealed under the call session's key (``WavFileRecorder``), as
``<session>-<call id>.wav.enc``; this source finds a session's files by that name and opens
them with the cipher it is given, so an access request gets plain WAV audio and an erased
session raises ``SubjectErased`` instead of yielding anything.
"""

from __future__ import annotations

import re
from pathlib import Path

from lendline.adapters.recordings.wav_files import RECORDING_FIELD, SEALED_SUFFIX
from lendline.compliance.ports import PersonalDataSealer, session_subject

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class SealedRecordingSource:
    """Call recordings of a session, decrypted from the recorder's directory.

    Parameters:
        directory: where ``WavFileRecorder`` writes them.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def recordings_for(
        self, session_id: str, cipher: PersonalDataSealer
    ) -> list[tuple[str, bytes]]:
        """Return ``(file name, plain WAV bytes)`` of each recording of the session, by name."""
        directory = self.directory
        subject = session_subject(session_id)
        if not directory.is_dir():
            return []
        prefix = _UNSAFE.sub("_", session_id) + "-"
        return [
            (
                path.name.removesuffix(".enc"),
                cipher.open(subject, RECORDING_FIELD, path.read_bytes()),
            )
            for path in sorted(directory.glob(f"*{SEALED_SUFFIX}"))
            if path.name.startswith(prefix)
        ]
