"""Call recordings as stereo WAV files: the caller on the left channel, the agent on the right.

One file per call, named by session and network call id, under one directory. A recording
is personal (and sensitive: a voiceprint, PIPL Art. 28), so the whole WAV file is sealed
with AES-256-GCM under the call session's key (``<session>-<call id>.wav.enc``); erasing the
session shreds that key and the file becomes unreadable. ``read`` decrypts one for a
data-subject access request or a dispute.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import wave
from pathlib import Path

import numpy as np

from lendline.compliance.ports import PersonalDataSealer, session_subject
from lendline.voice.transports.handler import CallRecording

#: The field a recording is sealed as (with the session as subject).
RECORDING_FIELD = "recording"
SEALED_SUFFIX = ".wav.enc"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class WavFileRecorder:
    """Stores :class:`CallRecording` objects as two-channel 16-bit WAV files.

    Parameters:
        directory: where the files go (created on first use).
        sealer: encrypts each file under its session's key.
    """

    def __init__(self, directory: Path, sealer: PersonalDataSealer) -> None:
        self.directory = directory
        self.sealer = sealer

    def path_for(self, recording: CallRecording) -> Path:
        """The file a recording is stored in."""
        name = _UNSAFE.sub("_", f"{recording.session_id}-{recording.call_id}")[:160]
        return self.directory / f"{name}{SEALED_SUFFIX}"

    def read(self, session_id: str, path: Path) -> bytes:
        """The plain WAV bytes of one of the session's recordings.

        Raises:
            SubjectErased: if the session's data was erased.
            DecryptionFailed: if the file was altered or belongs to another session.
        """
        return self.sealer.open(session_subject(session_id), RECORDING_FIELD, path.read_bytes())

    async def store(self, recording: CallRecording) -> Path:
        """Write the recording; returns its path."""
        return await asyncio.to_thread(self._write, recording)

    def _write(self, recording: CallRecording) -> Path:
        caller = np.frombuffer(recording.caller[: len(recording.caller) // 2 * 2], "<i2")
        agent = np.frombuffer(recording.agent[: len(recording.agent) // 2 * 2], "<i2")
        length = max(len(caller), len(agent))
        stereo = np.zeros((length, 2), dtype="<i2")
        stereo[: len(caller), 0] = caller
        stereo[: len(agent), 1] = agent
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(recording.sample_rate)
            out.writeframes(stereo.tobytes())
        # Sealed in memory: the plain audio never touches the disk.
        sealed = self.sealer.seal(
            session_subject(recording.session_id), RECORDING_FIELD, buffer.getvalue()
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(recording)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(sealed)
        return path
