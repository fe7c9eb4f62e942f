"""Small audio helpers for 16-bit mono PCM: resampling, WAV files, the telephone band, levels.

G.711 μ-law is implemented here with numpy because the standard library's ``audioop`` is
deprecated (and gone in Python 3.13).
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import soxr

#: Sample rate of a narrowband telephone line.
TELEPHONE_RATE = 8000
_MU = 255.0
_INT16_FULL_SCALE = 32768.0


class AudioFormatError(ValueError):
    """An audio file is not the 16-bit mono PCM WAV LendLine works with."""


def _samples(pcm: bytes) -> np.ndarray:
    if len(pcm) % 2:
        raise AudioFormatError(f"16-bit PCM must have an even byte count, got {len(pcm)}")
    return np.frombuffer(pcm, dtype="<i2")


def resample_pcm16(pcm: bytes, src_rate: int, dst_rate: int) -> bytes:
    """Resample 16-bit mono PCM.

    Args:
        pcm: 16-bit little-endian mono samples.
        src_rate: their sample rate.
        dst_rate: the wanted sample rate.

    Returns:
        The resampled audio (the input itself when the rates are equal).
    """
    if src_rate <= 0 or dst_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {src_rate} -> {dst_rate}")
    if src_rate == dst_rate or not pcm:
        return pcm
    samples = _samples(pcm)
    # soxr's high-quality filter band-limits properly when going down to 8 kHz.
    out = soxr.resample(samples, src_rate, dst_rate, quality="HQ")
    return np.asarray(out, dtype="<i2").tobytes()


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    """Convert 16-bit PCM to float32 samples in [-1, 1).

    Args:
        pcm: 16-bit little-endian mono samples.

    Returns:
        The samples as float32.
    """
    return _samples(pcm).astype(np.float32) / _INT16_FULL_SCALE


def float_to_pcm16(samples: np.ndarray) -> bytes:
    """Convert float samples in [-1, 1] to 16-bit PCM, clipping anything outside.

    Args:
        samples: mono float samples.

    Returns:
        16-bit little-endian PCM.
    """
    scaled = np.clip(np.asarray(samples, dtype=np.float64) * 32767.0, -32768, 32767)
    return np.rint(scaled).astype("<i2").tobytes()


def read_wav(path: Path) -> tuple[bytes, int]:
    """Read a mono 16-bit PCM WAV file.

    Args:
        path: the file.

    Returns:
        (pcm16, sample_rate).

    Raises:
        AudioFormatError: the file is not a readable mono 16-bit PCM WAV.
    """
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"{path} is not a PCM WAV file: {exc}") from exc
    if channels != 1 or width != 2:
        raise AudioFormatError(
            f"{path} has {channels} channel(s) of {8 * width}-bit samples; "
            "LendLine reads mono 16-bit PCM (convert it first, e.g. to 8 or 16 kHz mono)"
        )
    if rate <= 0:
        raise AudioFormatError(f"{path} declares a sample rate of {rate}")
    # A truncated file yields a partial last sample: drop it rather than fail later.
    return frames[: len(frames) - len(frames) % 2], rate


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    """Write 16-bit mono PCM as a WAV file.

    Args:
        path: where to write (parent directories must exist).
        pcm: 16-bit little-endian mono samples.
        rate: their sample rate.
    """
    _samples(pcm)  # validates the byte count
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)


def mulaw_encode(pcm: bytes) -> bytes:
    """Encode 16-bit PCM as G.711 μ-law bytes (one byte per sample).

    Args:
        pcm: 16-bit little-endian mono samples.

    Returns:
        μ-law codes as the wire carries them (bit-inverted, ITU-T G.711).
    """
    # The ITU-T reference works on 14-bit magnitudes; shifting before negating rounds
    # negative samples the same way it does, so codes match other G.711 encoders bit for bit.
    x = _samples(pcm).astype(np.int32) >> 2
    negative = x < 0
    # Clipping the biased magnitude to 13 bits gives the top code, as the reference does.
    magnitude = np.minimum(np.where(negative, -x, x) + 0x21, 0x1FFF)
    # The segment (exponent) is the position of the highest set bit above bit 5.
    segment = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0, 7)
    code: np.ndarray = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)
    code = code ^ np.where(negative, 0x7F, 0xFF)
    return bytes(code.astype(np.uint8).tobytes())


def mulaw_decode(codes: bytes) -> bytes:
    """Decode G.711 μ-law bytes to 16-bit PCM.

    Args:
        codes: μ-law bytes, one per sample.

    Returns:
        16-bit little-endian mono samples.
    """
    u = ~np.frombuffer(codes, dtype=np.uint8).astype(np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype("<i2").tobytes()


def to_telephone_band(pcm: bytes, rate: int, mulaw: bool = True) -> bytes:
    """Make audio sound as it arrives over a narrowband phone line.

    Args:
        pcm: 16-bit mono samples.
        rate: their sample rate.
        mulaw: also pass the audio through G.711 μ-law encoding and decoding, as the line does.

    Returns:
        16-bit mono PCM at 8 kHz.
    """
    narrow = resample_pcm16(pcm, rate, TELEPHONE_RATE)
    if mulaw:
        narrow = mulaw_decode(mulaw_encode(narrow))
    return narrow


def rms_dbfs(pcm: bytes) -> float:
    """Return the RMS level of 16-bit PCM in dB relative to full scale.

    Args:
        pcm: 16-bit little-endian mono samples.

    Returns:
        The level (0 dBFS is a full-scale square wave); ``-inf`` for silence or no audio.
    """
    samples = _samples(pcm)
    if samples.size == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))
    if rms == 0.0:
        return -math.inf
    return 20.0 * math.log10(rms / _INT16_FULL_SCALE)
