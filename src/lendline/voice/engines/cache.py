"""A disk cache of rendered prompts in front of any voice.

Most of what the agent says is fixed, regulated text (disclosures, consent questions, the
contract summary), so each prompt is rendered once and then played from disk: the caller does
not wait for synthesis, and the CPU stays free for recognition. Files are WAVs named by the
SHA-256 of (voice name, language, text), written atomically; a file that is unreadable or
shorter than its header says (a crash mid-write on another filesystem, a disk error) is
rendered again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import wave
from pathlib import Path

from lendline.voice.engines.audio import write_wav
from lendline.voice.engines.base import Synthesis, TextToSpeech, sentence_pause


def cache_key(voice: str, language: str, text: str) -> str:
    """Return the cache key of a prompt.

    Args:
        voice: the voice's name.
        language: the language it speaks the text in.
        text: the exact text.

    Returns:
        A hex SHA-256; NUL separators keep ("ab", "c") and ("a", "bc") apart.
    """
    material = "\0".join((voice, language, text)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()


class CachedTextToSpeech:
    """Wraps a voice and keeps every rendered text on disk.

    Args:
        inner: the voice that renders on a miss.
        directory: where the WAV files go (created if missing).

    Attributes:
        hits: prompts served from disk since creation.
        renders: prompts the inner voice had to render.
    """

    def __init__(self, inner: TextToSpeech, directory: Path) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.name = inner.name
        self.languages = inner.languages
        self.sentence_pause_seconds = sentence_pause(inner)
        self.hits = 0
        self.renders = 0
        self._counter_lock = threading.Lock()

    def path_for(self, text: str, language: str) -> Path:
        """Return where the rendering of ``text`` is (or would be) stored.

        Args:
            text: the prompt text.
            language: its language.

        Returns:
            The WAV path, sharded by the first two hex digits to keep directories small.
        """
        key = cache_key(self.inner.name, language, text)
        return self.directory / key[:2] / f"{key}.wav"

    def synthesize(self, text: str, language: str) -> Synthesis:
        """Return the cached rendering of ``text``, rendering and storing it on a miss.

        Args:
            text: what to say.
            language: the language to say it in.

        Returns:
            The audio, identical to what the inner voice rendered the first time.
        """
        path = self.path_for(text, language)
        cached = _load(path)
        if cached is not None:
            with self._counter_lock:
                self.hits += 1
            pcm, rate = cached
            return Synthesis(pcm, rate, text, self.inner.name)
        synthesis = self.inner.synthesize(text, language)
        with self._counter_lock:
            self.renders += 1
        _store(path, synthesis)
        return synthesis


def _load(path: Path) -> tuple[bytes, int] | None:
    """Read a cached WAV, or return None if it is missing or damaged."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                return None
            expected = wav.getnframes()
            rate = wav.getframerate()
            pcm = wav.readframes(expected)
    except (OSError, EOFError, wave.Error):
        return None
    # A truncated file still opens: compare with the frame count its header promises.
    if expected == 0 or len(pcm) != 2 * expected or rate <= 0:
        return None
    return pcm, rate


def _store(path: Path, synthesis: Synthesis) -> None:
    """Write a rendering atomically (temporary file in the same directory, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:12]}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_wav(tmp, synthesis.pcm16, synthesis.sample_rate)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
