"""The English Piper voice on onnxruntime: Piper's phonemes and ids, and speech Whisper understands.

Speech goes through the phone line as a caller's would (8 kHz, G.711 μ-law) before Whisper
hears it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lendline.voice.engines.audio import rms_dbfs, to_telephone_band
from lendline.voice.engines.base import RecognitionHint, SpeechToText
from lendline.voice.engines.models import piper_voice_paths
from lendline.voice.engines.piper_voice import (
    Clause,
    PiperOnnxVoice,
    phoneme_ids,
    split_clauses,
)
from speech_measures import edit_distance

LOAN_SENTENCES = [
    "Hello, how can I help you today?",
    "Yes, I agree to the terms.",
    "Please tell me your national identity number, one digit at a time.",
    "We could not verify your identity, so we cannot continue with this application.",
    "Your one-time code has been sent by text message.",
    "This call may be recorded for quality and compliance purposes.",
    "The total cost of the loan includes interest and fees.",
    "Would you like me to repeat that?",
    "Thank you for calling. Goodbye.",
]
DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.fixture(scope="module")
def voice() -> PiperOnnxVoice:
    return PiperOnnxVoice(*piper_voice_paths())


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split()


def _heard(stt: SpeechToText, voice: PiperOnnxVoice, text: str, hint: RecognitionHint) -> str:
    synthesis = voice.synthesize(text, "en")
    line = to_telephone_band(synthesis.pcm16, synthesis.sample_rate)
    return stt.transcribe(line, 8000, "en", hint).text


def test_clauses_end_at_punctuation_before_a_space_as_espeak_ng_ends_them() -> None:
    assert split_clauses("Hello, world. How are you?") == [
        Clause("Hello", ",", False),
        Clause("world", ".", True),
        Clause("How are you", "?", True),
    ]
    # "3.5" and "5,000" are numbers; "e.g." before a lower-case word is an abbreviation.
    assert split_clauses("I owe 3.5 or 5,000 e.g. five") == [
        Clause("I owe 3.5 or 5,000 e.g. five", "", True)
    ]
    # An ellipsis ends a clause without a mark; a blank line ends a sentence.
    assert split_clauses("Wait... what\n\nNext") == [
        Clause("Wait", "", False),
        Clause("what", "", True),
        Clause("Next", "", True),
    ]


def test_phonemes_keep_pauses_and_split_sentences_as_piper_does(voice: PiperOnnxVoice) -> None:
    sentences = voice.phonemize("Hello, world. How are you?")
    assert ["".join(s) for s in sentences] == ["həlˈoʊ, wˈɜːld.", "hˈaʊ ɑːɹ juː?"]


def test_ids_are_framed_by_bos_and_eos_with_pads_between(voice: PiperOnnxVoice) -> None:
    phonemes = voice.phonemize("Yes.")[0]
    ids = phoneme_ids(phonemes, voice.id_map)
    pad, bos, eos = voice.id_map["_"][0], voice.id_map["^"][0], voice.id_map["$"][0]
    assert ids[:2] == [bos, pad] and ids[-1] == eos
    assert ids[3:-1:2] == [pad] * len(phonemes)
    assert [voice.id_map[p][0] for p in phonemes] == ids[2:-1:2]


@pytest.mark.slow
def test_the_voice_renders_audible_speech_at_the_configured_rate(voice: PiperOnnxVoice) -> None:
    synthesis = voice.synthesize("Your loan has been approved.", "en")
    assert synthesis.sample_rate == 22050
    assert 1.0 < synthesis.seconds < 4.0
    samples = np.frombuffer(synthesis.pcm16, dtype="<i2")
    assert np.abs(samples).max() > 30000  # Piper normalises each sentence to full scale
    assert rms_dbfs(synthesis.pcm16) > -30


@pytest.mark.slow
def test_without_noise_the_voice_is_deterministic(voice: PiperOnnxVoice) -> None:
    ids = phoneme_ids(voice.phonemize("Repeat after me.")[0], voice.id_map)
    quiet = np.array([0.0, 1.0, 0.0], dtype=np.float32)
    assert np.array_equal(voice.ids_to_audio(ids, quiet), voice.ids_to_audio(ids, quiet))
    steady = PiperOnnxVoice(*piper_voice_paths(), noise_scale=0.0, noise_w=0.0)
    text = "Repeat after me."
    assert steady.synthesize(text).pcm16 == steady.synthesize(text).pcm16


@pytest.mark.slow
def test_a_larger_length_scale_speaks_more_slowly() -> None:
    normal = PiperOnnxVoice(*piper_voice_paths(), noise_scale=0.0, noise_w=0.0)
    slow = PiperOnnxVoice(*piper_voice_paths(), noise_scale=0.0, noise_w=0.0, length_scale=1.3)
    text = "Your repayment is due on the fifth of every month."
    assert slow.synthesize(text).seconds > 1.1 * normal.synthesize(text).seconds


@pytest.mark.slow
def test_whisper_understands_the_voice_over_a_phone_line(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    errors = words = 0
    for text in LOAN_SENTENCES:
        heard = _heard(speech_engines.stt, voice, text, RecognitionHint.FREE)
        errors += edit_distance(_words(text), _words(heard))
        words += len(_words(text))
    assert errors / words < 0.10


@pytest.mark.slow
def test_digits_read_one_by_one_come_through_a_mulaw_line(speech_engines, voice) -> None:  # type: ignore[no-untyped-def]
    number = "4279130586"
    groups = ("427", "913", "0586")
    spoken = ", ".join(" ".join(DIGIT_WORDS[int(d)] for d in group) for group in groups)
    heard = _heard(speech_engines.stt, voice, spoken + ".", RecognitionHint.DIGITS)
    digits = "".join(
        str(DIGIT_WORDS.index(token)) if token in DIGIT_WORDS else token
        for token in re.findall(r"\d|[a-z]+", heard.lower().replace("oh", "zero"))
        if token.isdigit() or token in DIGIT_WORDS
    )
    assert edit_distance(list(number), list(digits)) <= 1


def test_the_voice_speaks_english_only(voice: PiperOnnxVoice) -> None:
    with pytest.raises(ValueError, match="not 'zh'"):
        voice.synthesize("你好", "zh")
