"""Speaking more slowly: the voices' audio stretched in time, pitch kept, words still heard.

The Piper voice renders real sentences; the stretched audio goes through the phone line to
Whisper, which must hear the same words.
"""

from __future__ import annotations

import numpy as np
import pytest

from lendline.voice.engines.audio import to_telephone_band
from lendline.voice.engines.base import RecognitionHint, Synthesis
from lendline.voice.engines.models import piper_voice_paths
from lendline.voice.engines.pace import SLOW_RATIO, slowed
from lendline.voice.engines.piper_voice import PiperOnnxVoice


def _pitch(pcm: bytes, rate: int) -> float:
    """The strongest period of a voiced stretch, by autocorrelation (Hz)."""
    signal = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    middle = signal[len(signal) // 2 - rate // 10 : len(signal) // 2 + rate // 10]
    middle -= middle.mean()
    correlation = np.correlate(middle, middle, "full")[len(middle) - 1 :]
    low, high = rate // 400, rate // 60
    return rate / (low + int(np.argmax(correlation[low:high])))


def test_a_voiced_sound_lasts_a_quarter_longer_at_the_same_pitch() -> None:
    rate = 22_050
    t = np.arange(rate * 2) / rate
    vowel = 8000 * (np.sin(2 * np.pi * 140 * t) + 0.5 * np.sin(2 * np.pi * 280 * t))
    synthesis = Synthesis(vowel.astype(np.int16).tobytes(), rate, "ah", "test")
    slow = slowed(synthesis)
    assert slow.seconds == pytest.approx(synthesis.seconds * SLOW_RATIO, rel=0.03)
    assert _pitch(slow.pcm16, rate) == pytest.approx(_pitch(synthesis.pcm16, rate), rel=0.03)
    assert (slow.text, slow.voice, slow.sample_rate) == ("ah", "test", rate)


def test_a_stretch_outside_what_keeps_speech_natural_is_refused() -> None:
    synthesis = Synthesis(b"\x00\x00" * 100, 8000, "", "test")
    with pytest.raises(ValueError, match="outside"):
        slowed(synthesis, 3.0)
    assert slowed(synthesis, 1.0) is synthesis


def test_slowed_speech_is_still_heard_word_for_word(speech_engines) -> None:  # type: ignore[no-untyped-def]
    voice = PiperOnnxVoice(*piper_voice_paths(), noise_scale=0.0, noise_w=0.0)
    text = "Over how many months would you like to repay the loan?"
    normal = voice.synthesize(text, "en")
    slow = slowed(normal)
    assert slow.seconds == pytest.approx(normal.seconds * SLOW_RATIO, rel=0.05)
    line = to_telephone_band(slow.pcm16, slow.sample_rate)
    heard = speech_engines.stt.transcribe(line, 8000, "en", RecognitionHint.FREE).text
    words = heard.lower().replace("?", "").replace(",", "").split()
    assert words[-6:] == ["you", "like", "to", "repay", "the", "loan"], heard
