"""Measures shared by the speech tests and the recognition bench: edit distance, pink noise."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance between two sequences (characters for CER, words for WER)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def pink_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` samples of pink (1/f) noise with a peak of 1."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    x = np.fft.irfft(spectrum, n)
    return x / np.abs(x).max()
