"""The prompt cache and the espeak-ng fallback voice, with the real espeak-ng program."""

from __future__ import annotations

from pathlib import Path

import pytest

from lendline.voice.engines.audio import rms_dbfs
from lendline.voice.engines.base import TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech, cache_key
from lendline.voice.engines.espeak_voice import EspeakVoice

PROMPT = "This call is recorded. Your annual percentage rate is twelve percent."


def test_espeak_speaks_english_and_mandarin_as_audible_audio() -> None:
    for voice, language, text in (("en-us", "en", PROMPT), ("cmn", "zh", "您好，欢迎致电。")):
        synthesis = EspeakVoice(voice).synthesize(text, language)
        assert synthesis.sample_rate == 22050
        assert synthesis.seconds > 1.0
        assert rms_dbfs(synthesis.pcm16) > -40
        assert synthesis.voice == f"espeak-ng-{voice}"


def test_espeak_refuses_a_language_its_voice_does_not_speak() -> None:
    with pytest.raises(ValueError, match="not 'en'"):
        EspeakVoice("cmn").synthesize("hello", "en")


def test_text_that_looks_like_an_option_is_spoken_not_parsed() -> None:
    synthesis = EspeakVoice("en-us").synthesize("--version minus five", "en")
    assert synthesis.seconds > 0.5


def test_the_cache_returns_identical_audio_without_rendering_again(tmp_path: Path) -> None:
    voice = CachedTextToSpeech(EspeakVoice("en-us"), tmp_path)
    first = voice.synthesize(PROMPT, "en")
    second = voice.synthesize(PROMPT, "en")
    assert (voice.renders, voice.hits) == (1, 1)
    assert second.pcm16 == first.pcm16 and second.sample_rate == first.sample_rate
    # A new process (a new cache object) finds the file too.
    again = CachedTextToSpeech(EspeakVoice("en-us"), tmp_path)
    assert again.synthesize(PROMPT, "en").pcm16 == first.pcm16
    assert (again.renders, again.hits) == (0, 1)


def test_a_truncated_cache_file_is_rendered_again(tmp_path: Path) -> None:
    voice = CachedTextToSpeech(EspeakVoice("en-us"), tmp_path)
    first = voice.synthesize(PROMPT, "en")
    path = voice.path_for(PROMPT, "en")
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    repaired = voice.synthesize(PROMPT, "en")
    assert voice.renders == 2
    assert repaired.pcm16 == first.pcm16  # espeak-ng is deterministic
    assert voice.synthesize(PROMPT, "en").pcm16 == first.pcm16
    assert voice.hits == 1


def test_a_cache_file_that_is_not_audio_is_rendered_again(tmp_path: Path) -> None:
    voice = CachedTextToSpeech(EspeakVoice("en-us"), tmp_path)
    path = voice.path_for(PROMPT, "en")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage")
    assert voice.synthesize(PROMPT, "en").seconds > 1.0
    assert voice.renders == 1


def test_the_cache_key_separates_voice_language_and_text() -> None:
    keys = {
        cache_key("v", "en", "ab"),
        cache_key("v", "en", "abc"),
        cache_key("v", "zh", "ab"),
        cache_key("w", "en", "ab"),
        cache_key("ve", "n", "ab"),
    }
    assert len(keys) == 5


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    voice = CachedTextToSpeech(EspeakVoice("en-us"), tmp_path)
    voice.synthesize("One.", "en")
    voice.synthesize("Two.", "en")
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert len(names) == 2 and all(n.endswith(".wav") for n in names)


def test_the_cache_speaks_for_its_voice() -> None:
    voice: TextToSpeech = CachedTextToSpeech(EspeakVoice("cmn"), Path("unused"))
    assert voice.name == "espeak-ng-cmn" and voice.languages == frozenset({"zh"})
