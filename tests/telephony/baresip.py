"""A real SIP phone for the tests: baresip (Debian ``baresip-core``), headless, driven by a test.

baresip dials, sends a WAV file as its microphone (``aufile``) and records what it hears
(``sndfile``). The test steers it through the ``cons`` module, which takes menu commands as
UDP datagrams: switch the microphone to the next recorded answer, key DTMF digits, hold,
resume, hang up. baresip hangs up when its microphone file ends, so every answer is padded
with a long silence (made in the test's temporary directory) and the next answer replaces it.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

PHONE_RATE = 8000
#: Silence after each answer, so the microphone file outlasts the agent's next turn.
PAD_SECS = 240


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A port free on 127.0.0.1 for both UDP and TCP (as far as one can tell)."""
    while True:
        with socket.socket(socket.AF_INET, kind) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        other = socket.SOCK_STREAM if kind == socket.SOCK_DGRAM else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, other) as check:
            try:
                check.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def port_block(base: int, size: int, blocks: int) -> int:
    """The first port of a block of ``size`` ports (RTP) for one server or phone.

    Each test worker (pytest-xdist runs the speech suite side by side) draws from its own
    ``blocks`` blocks above ``base``, at random, and takes a block whose first ports are free:
    servers and phones running at the same time never share an RTP port.
    """
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0")
    first_of_worker = base + worker * blocks * size
    for _ in range(20):
        first = first_of_worker + random.randrange(blocks) * size
        if all(_udp_free(port) for port in range(first, first + 4)):
            return first
    return first


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def baresip_available() -> bool:
    """Whether the baresip program is installed."""
    return shutil.which("baresip") is not None


def padded_copy(source: Path, target: Path, pad_secs: float = PAD_SECS) -> Path:
    """Copy a mono 8 kHz WAV with ``pad_secs`` of silence after it."""
    with wave.open(str(source), "rb") as wav:
        if wav.getframerate() != PHONE_RATE or wav.getnchannels() != 1:
            raise ValueError(f"{source} is not 8 kHz mono")
        pcm = wav.readframes(wav.getnframes())
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PHONE_RATE)
        out.writeframes(pcm + b"\x00" * int(pad_secs * PHONE_RATE) * 2)
    return target


def read_pcm(path: Path) -> bytes:
    """The frames of a 16-bit WAV file (a file still being written is read as far as it goes)."""
    data = path.read_bytes()
    return data[44 : 44 + (len(data) - 44) // 2 * 2]


class Baresip:
    """One baresip phone, with its own config directory, SIP port and console port.

    Parameters:
        home: a directory of its own (config, accounts, recordings, padded answers).
        user: the caller's number (the From user part: the caller ID LendLine sees).
        codecs: the codecs it offers, in order of preference.
        trace: write the full SIP trace into its log (for asserting on SIP messages).
    """

    def __init__(
        self, home: Path, user: str, codecs: str = "PCMU,PCMA", trace: bool = False
    ) -> None:
        self.home = home
        self.trace = trace
        self.user = user
        self.sip_port = free_port()
        self.console_port = free_port()
        self.recordings = home / "rec"
        self.recordings.mkdir(parents=True, exist_ok=True)
        self._answers = 0
        silence = home / "silence.wav"
        with wave.open(str(silence), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(PHONE_RATE)
            out.writeframes(b"\x00" * PAD_SECS * PHONE_RATE * 2)
        rtp_first = port_block(20000, 50, 40)
        (home / "config").write_text(
            "\n".join(
                [
                    "poll_method epoll",
                    f"sip_listen 127.0.0.1:{self.sip_port}",
                    "net_interface 127.0.0.1",
                    "call_local_timeout 120",
                    "call_max_calls 1",
                    f"audio_source aufile,{silence}",
                    "audio_level no",
                    "ausrc_format s16",
                    "auplay_format s16",
                    "auenc_format s16",
                    "audec_format s16",
                    "audio_buffer 20-160",
                    f"rtp_ports {rtp_first}-{rtp_first + 49}",
                    "rtcp_mux no",
                    "jitter_buffer_delay 5-10",
                    "rtp_stats no",
                    "module_path /usr/lib/baresip/modules",
                    "module g711.so",
                    "module aufile.so",
                    "module sndfile.so",
                    "module_tmp account.so",
                    "module_app menu.so",
                    f"snd_path {self.recordings}",
                    "module cons.so",
                    f"cons_listen 127.0.0.1:{self.console_port}",
                    "",
                ]
            )
        )
        (home / "accounts").write_text(
            f"<sip:{user}@127.0.0.1:{self.sip_port}>;regint=0;audio_codecs={codecs}\n"
        )
        self.log = home / "baresip.log"
        self._process: subprocess.Popen[bytes] | None = None

    # control ----------------------------------------------------------------------------

    def dial(self, uri: str, quit_after: int = 1200) -> None:
        """Start baresip and dial ``uri``."""
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    "baresip",
                    "-f",
                    str(self.home),
                    *(["-s"] if self.trace else []),
                    "-e",
                    f"/dial {uri}",
                    "-t",
                    str(quit_after),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def command(self, text: str) -> None:
        """Send a menu command or keystrokes to the running phone."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(text.encode(), ("127.0.0.1", self.console_port))

    def say(self, wav: Path) -> None:
        """Speak a recorded answer (the microphone switches to it, then silence)."""
        self._answers += 1
        padded = padded_copy(wav, self.home / f"answer-{self._answers}.wav")
        self.command(f"/ausrc aufile,{padded}\n")

    def press(self, digits: str, gap: float = 0.25) -> None:
        """Key DTMF digits (RFC 4733 telephone-events)."""
        for digit in digits:
            self.command(digit)
            time.sleep(gap)

    def hang_up(self) -> None:
        """Hang up the call (BYE from the phone)."""
        self.command("b")

    def kill(self) -> None:
        """Pull the plug: the phone vanishes without a BYE (a dropped call)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self) -> int | None:
        """Quit baresip; returns its exit code."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            self.command("q")
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    @property
    def running(self) -> bool:
        """Whether baresip is still running."""
        return self._process is not None and self._process.poll() is None

    # what the phone heard -------------------------------------------------------------

    def heard_file(self) -> Path | None:
        """The WAV of what the phone heard (decoded agent audio), once the call is up."""
        files = sorted(self.recordings.glob("dump-*-dec.wav"))
        return files[-1] if files else None

    def heard_bytes(self) -> int:
        """How much agent audio the phone has received so far (grows only while audio arrives)."""
        path = self.heard_file()
        return path.stat().st_size if path is not None else 0

    def wait_until_quiet(self, quiet: float, timeout: float, since: int) -> int:
        """Wait until audio has arrived after ``since`` bytes and then none for ``quiet`` s.

        Returns the recording size when the agent went quiet.
        """
        deadline = time.monotonic() + timeout
        last_size, last_change = self.heard_bytes(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            size = self.heard_bytes()
            if size != last_size:
                last_size, last_change = size, time.monotonic()
            elif size > since and time.monotonic() - last_change >= quiet:
                return size
        raise TimeoutError(f"the agent did not finish speaking within {timeout:.0f} s")

    def log_text(self) -> str:
        """baresip's own log so far."""
        with contextlib.suppress(FileNotFoundError):
            return self.log.read_text(errors="replace")
        return ""


def energy_dbfs(pcm: bytes) -> float:
    """RMS level of 16-bit PCM in dBFS."""
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples**2))) / 32768.0
    return 20 * np.log10(max(rms, 1e-6))
