"""Call recordings as stereo WAV files: the caller on the left channel, the agent on the right.

One file per call, named by session and network call id, under one directory. Encryption of
recordings comes with the personal-data work; until then the directory must be protected
like the database.
"""

from __future__ import annotations

import asyncio
import re
import wave
from pathlib import Path

import numpy as np

from lendline.voice.transports.handler import CallRecording

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class WavFileRecorder:
    """Stores :class:`CallRecording` objects as two-channel 16-bit WAV files.

    Parameters:
        directory: where the files go (created on first use).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, recording: CallRecording) -> Path:
        """The file a recording is stored in."""
        name = _UNSAFE.sub("_", f"{recording.session_id}-{recording.call_id}")[:160]
        return self.directory / f"{name}.wav"

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
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(recording)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(recording.sample_rate)
            out.writeframes(stereo.tobytes())
        return path
