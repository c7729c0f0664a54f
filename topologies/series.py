"""Synthetic series, the sliding window and consecutive chunks: plain NumPy, shared by the engine and the pages.

windows(np.arange(8.0)[:, None], 3)      # X (5, 3, 1), y (5, 1)
noisy_sine(60, 2, rng)                   # (60, 2): pressure and temperature, say
sine_waves(batch=10, length=35, features=1)   # (10, 35, 1): one phase per sequence
chunk_sizes(steps=5, chunks=2)           # [2, 3]: a sequence fed in consecutive pieces
"""

from __future__ import annotations

import numpy as np


def windows(series: np.ndarray, look_back: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, features) -> X (N - look_back, look_back, features), y (N - look_back, features).

    Window k holds values k .. k + look_back - 1 and its target is value k + look_back."""
    count = len(series) - look_back
    inputs = np.stack([series[start : start + look_back] for start in range(count)])
    targets = series[look_back:]
    return inputs, targets


def noisy_sine(length: int, features: int, rng: np.random.Generator) -> np.ndarray:
    """One long series: a sine plus noise per feature, each feature a phase apart: (length, features).

    The noise is drawn feature by feature, so feature 1's values do not change when a second
    feature is added beside it."""
    noise = rng.standard_normal((features, length)).T
    time = np.arange(length)[:, None]
    return (np.sin(0.25 * time + 1.3 * np.arange(features)) + 0.15 * noise).astype("float32")


def sine_waves(batch: int, length: int, features: int) -> np.ndarray:
    """Clean sine waves, one phase per sequence and one frequency per feature: (batch, length, features)."""
    time = np.arange(length)[None, :, None]
    phase = np.linspace(0, np.pi, batch)[:, None, None]
    frequency = 0.3 + 0.1 * np.arange(features)[None, None, :]
    return np.sin(frequency * time + phase).astype("float32")


def chunk_sizes(steps: int, chunks: int) -> list[int]:
    """Split `steps` into `chunks` consecutive pieces, the later ones longer: 5, 2 -> [2, 3].

    How stateful_batches feeds a sequence to a stateful layer, and how the Stateful page draws
    the batches before the run: one rule for both."""
    size, longer = divmod(steps, chunks)
    return [size] * (chunks - longer) + [size + 1] * longer
