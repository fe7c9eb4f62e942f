"""Speaking more slowly on request: the rendered speech stretched in time, its pitch kept.

A caller who asks "请说慢一点" / "could you speak more slowly" hears the rest of the call
slower. The voices differ in what they can do (Piper has a duration scale, the Mandarin
voice has none), so the audio of every voice is stretched the same way after synthesis:
time-domain harmonic scaling (the audio-stretch algorithm, BSD-3-Clause, through the
``audiostretchy`` package) repeats whole pitch periods, which suits a single speaking voice
and leaves its pitch and timbre as they were.
"""

from __future__ import annotations

import numpy as np
from audiostretchy.interface.tdhs import TDHSAudioStretch

from lendline.voice.engines.base import Synthesis

#: How much longer slow speech lasts: a quarter slower is clearly slower and still natural.
SLOW_RATIO = 1.25
#: The pitch range searched for periods (Hz): low male to high female speaking voices.
_LOWEST_PITCH = 55
_HIGHEST_PITCH = 333


def slowed(synthesis: Synthesis, ratio: float = SLOW_RATIO) -> Synthesis:
    """Return ``synthesis`` stretched to ``ratio`` times its length, at the same pitch.

    Args:
        synthesis: mono 16-bit speech as a voice rendered it.
        ratio: the new length over the old, between 0.5 and 2.

    Returns:
        The same text and voice, its audio ``ratio`` times as long.
    """
    if not 0.5 <= ratio <= 2.0:
        raise ValueError(f"a stretch of {ratio} is outside 0.5..2")
    samples = np.frombuffer(synthesis.pcm16, dtype=np.int16)
    if ratio == 1.0 or samples.size == 0:
        return synthesis
    rate = synthesis.sample_rate
    flags = TDHSAudioStretch.STRETCH_FAST_FLAG if rate >= 32_000 else 0
    stretcher = TDHSAudioStretch(rate // _HIGHEST_PITCH, rate // _LOWEST_PITCH, 1, flags)
    try:
        out = np.zeros(stretcher.output_capacity(samples.size, ratio), dtype=np.int16)
        written = stretcher.process_samples(samples.copy(), samples.size, out, ratio)
        written += stretcher.flush(out[written:])
    finally:
        stretcher.deinit()
    return Synthesis(out[:written].tobytes(), rate, synthesis.text, synthesis.voice)
