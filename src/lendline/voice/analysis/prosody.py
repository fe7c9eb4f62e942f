"""How one caller turn sounds: speech and pauses, rate, pitch, energy, a second voice.

Everything here works on the caller's 16-bit mono PCM of one turn at the pipeline's input
rate (8 kHz on a phone line) with numpy alone:

* **Speech and pauses**: 20 ms frames; a frame is speech when its level is well above the
  turn's noise floor (10th percentile) and within 35 dB of its loud frames. Gaps shorter
  than 150 ms (stop closures, between syllables) count as speech, runs shorter than 60 ms
  as noise. Pauses are the gaps that remain between the first and the last speech.
* **Pitch**: YIN (de Cheveigné and Kawahara, 2002) on 40 ms windows every 10 ms, 60–400 Hz,
  with parabolic interpolation. A frame is voiced when YIN's dip is clear (below 0.2) and
  the frame is speech. librosa's ``pyin`` would do the same job more slowly and pull in
  numba, scipy and audioread for one function; the 40 lines below are enough at 8 kHz.
* **Variation**: coefficients of variation of voiced pitch (Hz, octave slips removed) and
  of voiced frame energy (linear RMS).
* **Second voice**: voiced frames are split in two by pitch (the exact 1-D two-means split
  of their semitone values). A second speaker shows as a minority group of frames, far
  from the main voice in pitch, that holds for a phrase (≥ 0.5 s of voiced speech in a
  row), where the tones and intonation of one voice change group syllable by syllable.
  Octave slips of one voice are folded back first. A second voice of the caller's own
  pitch, or one only ever heard under the caller's speech, is not heard by this measure
  (see docs/call-signals.md).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lendline.risk.fraud.call_signals import TurnMeasurement

FRAME_SECS = 0.02
PITCH_HOP_SECS = 0.01
PITCH_WINDOW_SECS = 0.04
F0_MIN = 60.0
F0_MAX = 400.0
YIN_THRESHOLD = 0.15
VOICED_DIP = 0.2
#: Gaps shorter than this inside speech are not pauses.
MIN_PAUSE_SECS = 0.15
MIN_RUN_SECS = 0.06
#: Second voice: voiced runs of the minority pitch group at least this long count.
SECOND_RUN_SECS = 0.5
Floats = NDArray[np.float64]
Flags = NDArray[np.bool_]


@dataclass(frozen=True)
class Segmentation:
    """Where the speech is in one turn.

    Parameters:
        speech: one flag per 20 ms frame, after gap filling.
        runs: (start, end) seconds of each stretch of speech between pauses.
        frame_db: level of each frame in dB relative to full scale.
    """

    speech: Flags
    runs: list[tuple[float, float]]
    frame_db: Floats

    @property
    def speech_secs(self) -> float:
        """Seconds of speech."""
        return float(sum(end - start for start, end in self.runs))

    @property
    def span_secs(self) -> float:
        """Seconds from the first speech to the last."""
        return self.runs[-1][1] - self.runs[0][0] if self.runs else 0.0

    @property
    def onset_secs(self) -> float | None:
        """When the first speech starts, from the start of the audio."""
        return self.runs[0][0] if self.runs else None


def samples(pcm: bytes) -> Floats:
    """16-bit PCM as floats in [-1, 1)."""
    return np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64) / 32768


def _frames(x: Floats, size: int, hop: int) -> Floats:
    if len(x) < size:
        return np.zeros((0, size))
    count = 1 + (len(x) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return np.asarray(x[index], dtype=np.float64)


def _runs(flags: Flags) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True runs in ``flags``."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def segment(x: Floats, rate: int) -> Segmentation:
    """Find speech and pauses in ``x`` by frame level."""
    size = int(FRAME_SECS * rate)
    frames = _frames(x, size, size)
    if not len(frames):
        return Segmentation(np.zeros(0, bool), [], np.zeros(0))
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-10)
    floor, loud = np.percentile(db, 10), np.percentile(db, 95)
    speech = (db > max(floor + 12.0, loud - 35.0)) & (db > -60.0)
    max_gap = round(MIN_PAUSE_SECS / FRAME_SECS)
    runs = _runs(speech)
    for (_, end), (start, _) in itertools.pairwise(runs):
        if start - end < max_gap:
            speech[end:start] = True
    for start, end in _runs(speech):
        if end - start < round(MIN_RUN_SECS / FRAME_SECS):
            speech[start:end] = False
    spans = [(a * FRAME_SECS, b * FRAME_SECS) for a, b in _runs(speech)]
    return Segmentation(speech, spans, db)


def pitch_track(x: Floats, rate: int) -> tuple[Floats, Floats]:
    """YIN pitch per 10 ms hop: (f0 in Hz, 0 where unvoiced; the YIN dip, 1 = aperiodic)."""
    window = int(PITCH_WINDOW_SECS * rate)
    hop = int(PITCH_HOP_SECS * rate)
    tau_max = int(rate / F0_MIN)
    tau_min = int(rate / F0_MAX)
    frames = _frames(x, window + tau_max, hop)
    if not len(frames):
        return np.zeros(0), np.zeros(0)
    head = frames[:, :window]
    diff = np.empty((len(frames), tau_max + 1))
    diff[:, 0] = 0.0
    for tau in range(1, tau_max + 1):
        diff[:, tau] = np.sum((head - frames[:, tau : tau + window]) ** 2, axis=1)
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    taus = np.arange(1, tau_max + 1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * taus / np.maximum(cumulative, 1e-12)
    f0 = np.zeros(len(frames))
    dip = np.ones(len(frames))
    for i, row in enumerate(cmnd):
        below = np.flatnonzero(row[tau_min:tau_max] < YIN_THRESHOLD)
        if len(below):
            tau = tau_min + int(below[0])
            while tau + 1 < tau_max and row[tau + 1] < row[tau]:
                tau += 1  # down to the bottom of the first dip
        else:
            tau = tau_min + int(np.argmin(row[tau_min:tau_max]))
        if tau <= tau_min or float(np.mean(head[i] ** 2)) < 1e-7:
            continue  # a bound, not a dip; or line silence
        dip[i] = row[tau]
        a, b, c = row[tau - 1], row[tau], row[min(tau + 1, tau_max)]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) > 0 else 0.0
        f0[i] = rate / (tau + float(np.clip(shift, -1, 1)))
    return _fold_octaves(np.where(dip < VOICED_DIP, f0, 0.0)), dip


def _fold_octaves(f0: Floats, half_window: int = 12) -> Floats:
    """Bring octave slips back next to their neighbours.

    On a phone line the fundamental of a low voice is filtered out and YIN may lock onto the
    second harmonic for a few frames. A voiced frame an octave (±2 semitones) away from the
    median of the voiced frames within ±120 ms is moved by that octave. A second speaker
    talking on their own has their own neighbours, and keeps their pitch.
    """
    out = f0.copy()
    voiced = np.flatnonzero(f0 > 0)
    for i in voiced:
        near = f0[max(0, i - half_window) : i + half_window + 1]
        local = float(np.median(near[near > 0]))
        interval = 12 * np.log2(f0[i] / local)
        if abs(interval - 12) < 2:
            out[i] = f0[i] / 2
        elif abs(interval + 12) < 2:
            out[i] = f0[i] * 2
    return out


def _cv(values: Floats) -> float | None:
    if len(values) < 5 or float(np.mean(values)) <= 0:
        return None
    return float(np.std(values) / np.mean(values))


def _two_groups(semitones: Floats) -> tuple[Flags, float]:
    """Split values in two by the exact 1-D two-means cut; return (is_minority, separation).

    Separation is the gap between the group means in pooled standard deviations.
    """
    order = np.argsort(semitones)
    ordered = semitones[order]
    n = len(ordered)
    cs, cs2 = np.cumsum(ordered), np.cumsum(ordered**2)
    k = np.arange(1, n)
    left_mean, right_mean = cs[:-1] / k, (cs[-1] - cs[:-1]) / (n - k)
    within = (cs2[:-1] - k * left_mean**2) + (cs2[-1] - cs2[:-1] - (n - k) * right_mean**2)
    cut = int(np.argmin(within)) + 1
    pooled = np.sqrt(max(float(within[cut - 1]) / n, 1e-6))
    separation = float(abs(right_mean[cut - 1] - left_mean[cut - 1]) / pooled)
    low = np.zeros(n, bool)
    low[order[:cut]] = True
    minority = low if cut <= n - cut else ~low
    return minority, separation


def second_voice_score(f0: Floats) -> float:
    """0..1: how clearly the voiced frames form two pitch groups that both speak in runs."""
    voiced = f0 > 0
    if voiced.sum() < 30:
        return 0.0
    semitones = 12 * np.log2(f0[voiced] / 100.0)
    minority, separation = _two_groups(semitones)
    # Tones and intonation move one voice's pitch syllable by syllable; a second speaker
    # holds their own pitch over a phrase. Over the voiced frames alone (unvoiced
    # consonants and pauses skipped, labels smoothed over 50 ms), only phrase-long runs of
    # the minority group count.
    labels = minority.astype(np.float64)
    smooth = np.convolve(labels, np.ones(5) / 5, mode="same") > 0.5
    min_run = round(SECOND_RUN_SECS / PITCH_HOP_SECS)
    in_runs = sum(end - start for start, end in _runs(smooth) if end - start >= min_run)
    share = in_runs / len(semitones)
    gap = float(abs(np.mean(semitones[minority]) - np.mean(semitones[~minority])))
    # Full marks at a 5-semitone gap, 4 pooled deviations apart, 20 % of the voiced time.
    evidence = (
        np.clip((gap - 2.0) / 3.0, 0, 1)
        * np.clip((separation - 2.0) / 2.0, 0, 1)
        * np.clip(share / 0.2, 0, 1)
    )
    return float(evidence)


def count_units(text: str, language: str) -> int:
    """Syllables (Mandarin characters and digits) or words (English) in a transcript."""
    if language == "zh":
        return sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or ch.isdigit())
    return len([word for word in text.split() if any(ch.isalnum() for ch in word)])


def measure_turn(
    pcm: bytes,
    rate: int,
    *,
    text: str = "",
    language: str = "zh",
    step: str = "",
    answer_latency_secs: float | None = None,
    fillers: int = 0,
) -> TurnMeasurement:
    """Measure one caller turn.

    Args:
        pcm: the turn's audio, 16-bit mono.
        rate: its sample rate.
        text: what the recogniser heard (for the speech rate).
        language: "zh" or "en".
        step: the dialog step the caller was answering.
        answer_latency_secs: from the end of the agent's turn to the caller's first speech.
        fillers: fillers heard in ``text``.
    """
    x = samples(pcm)
    seg = segment(x, rate)
    if not seg.runs:
        return TurnMeasurement(step=step, answer_latency_secs=answer_latency_secs, fillers=fillers)
    f0, _ = pitch_track(x, rate)
    # Pitch hops are 10 ms, speech frames 20 ms: a hop is voiced only inside speech.
    hop_in_speech = np.repeat(seg.speech, 2)
    n = min(len(f0), len(hop_in_speech))
    f0 = np.where(hop_in_speech[:n], f0[:n], 0.0)
    voiced = f0[f0 > 0]
    if len(voiced):
        centre = float(np.median(voiced))
        voiced = voiced[(voiced > centre / 1.9) & (voiced < centre * 1.9)]  # octave slips
    levels = 10 ** (seg.frame_db[seg.speech] / 20)
    lengths = np.array([end - start for start, end in seg.runs])
    speech_secs, span = seg.speech_secs, seg.span_secs
    units = count_units(text, language)
    return TurnMeasurement(
        step=step,
        answer_latency_secs=answer_latency_secs,
        speech_secs=speech_secs,
        turn_secs=span,
        pause_ratio=(span - speech_secs) / span if span > 0 else None,
        speech_rate=units / speech_secs if units and speech_secs > 0.3 else None,
        pace_variation=float(np.std(lengths) / np.mean(lengths)) if len(lengths) >= 2 else None,
        fillers=fillers,
        pitch_variation=_cv(voiced),
        energy_variation=_cv(levels),
        second_voice=second_voice_score(f0),
    )
