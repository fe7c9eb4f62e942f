"""Whisper decoding over an encoder window sized to the turn, not padded to 30 seconds.

faster-whisper pads every segment's features to 3,000 frames (30 s) before the encoder, so a
two-second answer costs the encoder as much as half a minute of speech. CTranslate2's Whisper
encoder accepts shorter inputs. This module feeds CTranslate2 directly with a window sized
to the turn and decodes the way faster-whisper's ``transcribe`` does at temperature 0 (same
features, prompt, suppressed tokens, beam search, length cap and no-speech rule): with a
30-second window its results are exactly faster-whisper's, so the padding is all that
differs. Measured on telephone-band loan-call speech (``bench/recognition_window.py``):
windows of 8-20 s are two to three times faster; accuracy held or improved at 10 dB SNR but
clean Mandarin lost key fields, so the engine keeps 30 s unless told otherwise.

It is an adapter over the model faster-whisper loaded (its feature extractor, tokenizer and
CTranslate2 model): no weights of its own, no decoding logic beyond the parameters passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

#: Whisper's feature frames per second (10 ms hop) and the most its encoder takes (30 s).
FRAMES_PER_SECOND: Final = 100
MAX_FRAMES: Final = 3000
#: faster-whisper's defaults for a segment that is probably not speech: dropped when the
#: no-speech probability is above 0.6 and the mean log-probability below -1.0.
NO_SPEECH_THRESHOLD: Final = 0.6
LOG_PROB_THRESHOLD: Final = -1.0


@dataclass(frozen=True, slots=True)
class WindowPlan:
    """How long an encoder window to give a turn.

    Parameters:
        min_seconds: the shortest window. Whisper was trained on 30-second windows, and
            windows much shorter than that lose words even around a short turn.
        margin_seconds: silence added after the turn's audio (the encoder is trained on
            windows that end in silence; a window cut at the last word loses it).
        step_seconds: windows are rounded up to a multiple of this, so that turns of similar
            length share a shape (and can later be batched).
    """

    min_seconds: float = 16.0
    margin_seconds: float = 2.0
    step_seconds: float = 2.0

    def frames_for(self, audio_seconds: float) -> int:
        """The window for a turn of ``audio_seconds``, in feature frames."""
        wanted = max(self.min_seconds, audio_seconds + self.margin_seconds)
        steps = math.ceil(wanted / self.step_seconds)
        return min(MAX_FRAMES, round(steps * self.step_seconds * FRAMES_PER_SECOND))


@dataclass(frozen=True, slots=True)
class Decoded:
    """One decoded turn: its text and Whisper's own confidence figures."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    frames: int


def decode_windowed(
    model: WhisperModel,
    samples: np.ndarray,
    language: str,
    *,
    plan: WindowPlan,
    beam_size: int,
    max_new_tokens: int,
    initial_prompt: str | None,
) -> Decoded:
    """Decode one turn of 16 kHz float samples over a window sized by ``plan``.

    Audio longer than the largest window is cut at 30 s, as faster-whisper's first segment
    would be; a caller turn is far shorter.
    """
    import ctranslate2
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    features = model.feature_extractor(samples)
    audio_seconds = len(samples) / model.feature_extractor.sampling_rate
    frames = plan.frames_for(audio_seconds)
    window = np.zeros((features.shape[0], frames), dtype=np.float32)
    # The last frame is left out as faster-whisper leaves it out (it covers the extractor's
    # own padding): with a 30 s window the result is then exactly faster-whisper's.
    content = min(frames, features.shape[-1] - 1)
    window[:, :content] = features[:, :content]

    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    previous = tokenizer.encode(" " + initial_prompt.strip()) if initial_prompt else []
    prompt = model.get_prompt(tokenizer, previous, without_timestamps=True)
    encoded = model.model.encode(
        ctranslate2.StorageView.from_array(np.ascontiguousarray(window[np.newaxis])),
        to_cpu=False,
    )
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=beam_size,
        patience=1,
        length_penalty=1,
        max_length=len(prompt) + max_new_tokens,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
    )[0]
    tokens = result.sequences_ids[0]
    # The score is the length-normalised log-probability (length penalty 1): faster-whisper's
    # mean log-probability divides the cumulated one by the length plus one.
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    text = tokenizer.decode(tokens).strip()
    if result.no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOG_PROB_THRESHOLD:
        text = ""
    return Decoded(text, float(avg_logprob), float(result.no_speech_prob), frames)
