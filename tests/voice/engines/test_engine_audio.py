"""Audio helpers: G.711 μ-law, resampling, WAV files and levels, on real signals."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from lendline.voice.engines.audio import (
    AudioFormatError,
    float_to_pcm16,
    mulaw_decode,
    mulaw_encode,
    read_wav,
    resample_pcm16,
    rms_dbfs,
    to_telephone_band,
    write_wav,
)


def _tone(freq: float, rate: int, seconds: float = 1.0, level: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return float_to_pcm16(level * np.sin(2 * np.pi * freq * t))


def _peak_frequency(pcm: bytes, rate: int) -> float:
    x = np.frombuffer(pcm, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


def test_mulaw_uses_the_g711_codes_for_zero_and_the_extremes() -> None:
    samples = np.array([0, 32767, -32768], dtype="<i2").tobytes()
    assert mulaw_encode(samples) == bytes([0xFF, 0x80, 0x00])
    decoded = np.frombuffer(mulaw_decode(bytes([0xFF, 0x80, 0x00])), dtype="<i2")
    assert decoded.tolist() == [0, 32124, -32124]


def test_mulaw_round_trip_keeps_a_speech_level_tone_about_38_db_above_its_error() -> None:
    pcm = _tone(440.0, 8000, level=0.3)
    back = mulaw_decode(mulaw_encode(pcm))
    x = np.frombuffer(pcm, dtype="<i2").astype(float)
    y = np.frombuffer(back, dtype="<i2").astype(float)
    snr = 10 * math.log10(np.sum(x**2) / np.sum((x - y) ** 2))
    assert 35.0 < snr < 40.0  # G.711's nominal SNR is about 38 dB


def test_mulaw_decoding_every_code_and_encoding_it_again_is_stable() -> None:
    codes = bytes(range(256))
    # 0x7F and 0xFF both decode to 0 (negative and positive zero); zero encodes as 0xFF.
    again = mulaw_encode(mulaw_decode(codes))
    assert [a for a, b in zip(again, codes, strict=True) if a != b] == [0xFF]


def test_resampling_keeps_duration_and_pitch() -> None:
    pcm = _tone(1000.0, 16000, seconds=2.0)
    narrow = resample_pcm16(pcm, 16000, 8000)
    assert len(narrow) == len(pcm) // 2
    assert _peak_frequency(narrow, 8000) == pytest.approx(1000.0, abs=2.0)


def test_resampling_to_8_khz_removes_what_a_phone_line_cannot_carry() -> None:
    pcm = _tone(6000.0, 22050, seconds=1.0)  # above the 4 kHz Nyquist limit of the line
    narrow = resample_pcm16(pcm, 22050, 8000)
    assert rms_dbfs(narrow) < rms_dbfs(pcm) - 50


def test_telephone_band_is_8_khz_and_keeps_the_level() -> None:
    pcm = _tone(700.0, 24000, seconds=1.5, level=0.25)
    line = to_telephone_band(pcm, 24000)
    assert len(line) == 2 * 8000 * 3 // 2
    assert rms_dbfs(line) == pytest.approx(rms_dbfs(pcm), abs=0.5)


def test_levels_are_in_dbfs_and_silence_is_minus_infinity() -> None:
    assert rms_dbfs(_tone(1000.0, 8000, level=1.0)) == pytest.approx(-3.01, abs=0.05)
    assert rms_dbfs(b"\x00\x00" * 800) == -math.inf
    assert rms_dbfs(b"") == -math.inf


def test_wav_files_round_trip(tmp_path: Path) -> None:
    pcm = _tone(300.0, 8000, seconds=0.5)
    write_wav(tmp_path / "a.wav", pcm, 8000)
    assert read_wav(tmp_path / "a.wav") == (pcm, 8000)


def test_a_stereo_wav_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x01" * 1600)
    with pytest.raises(AudioFormatError, match=r"2 channel.*mono 16-bit"):
        read_wav(path)


def test_an_8_bit_wav_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "u8.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x80" * 800)
    with pytest.raises(AudioFormatError, match="8-bit"):
        read_wav(path)


def test_a_file_that_is_not_a_wav_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio", encoding="utf-8")
    with pytest.raises(AudioFormatError, match="not a PCM WAV"):
        read_wav(path)


def test_a_wav_cut_inside_its_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    write_wav(path, _tone(300.0, 8000), 8000)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(AudioFormatError):
        read_wav(path)


def test_odd_length_pcm_is_refused() -> None:
    with pytest.raises(AudioFormatError, match="even"):
        rms_dbfs(b"\x00\x00\x00")
