"""Sliding windows: how one long series becomes (samples, steps, features).

A single series of N values is cut into overlapping windows of `steps` values (the look back),
each paired with the value that follows it: N - steps windows, so X is (N - steps, steps, 1)
and y is (N - steps, 1). Keras sees each window as a separate sequence: a pattern longer than
the window cannot be learned. The classic recipe then trains an LSTM(4) with a fixed batch of
one window, stateful, resetting the state after each pass over the data.

Here the series has `batch + steps` values, so it yields `batch` windows, and `features`
series side by side (two stocks, say) give `features` numbers per step.

    X = np.stack([series[i : i + 3] for i in range(len(series) - 3)])   # (N - 3, 3, 1)
    inputs = keras.Input(batch_shape=(1, 3, 1))
    hidden = layers.LSTM(4, stateful=True)(inputs)                       # (1, 4)
    outputs = layers.Dense(1)(hidden)                                    # (1, 1)

Reference: https://keras.io/api/data_loading/timeseries/
"""

import keras
import numpy as np
from keras import layers

SUMMARY = "Cut one long series into overlapping windows of steps values: (samples, steps, features)."

# Each window is one call of the batch-of-one model; the first few show the pattern.
WINDOWS_RUN = 3


def windows(series: np.ndarray, look_back: int) -> tuple[np.ndarray, np.ndarray]:
    """(N, features) -> X (N - look_back, look_back, features), y (N - look_back, features)."""
    count = len(series) - look_back
    inputs = np.stack([series[start : start + look_back] for start in range(count)])
    targets = series[look_back:]
    return inputs, targets


def synthetic_series(config, noise: np.ndarray) -> np.ndarray:
    """batch + steps values of a noisy sine wave per feature: (batch + steps, features)."""
    time = np.arange(config.batch + config.steps)[:, None]
    return (np.sin(0.2 * time + np.arange(config.features)) + 0.1 * noise).astype("float32")


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(batch_shape=(1, config.steps, config.features), name="window")  # one window
    hidden = Recurrent(config.units, stateful=True, name="rnn")(inputs)  # (1, units)
    outputs = layers.Dense(config.features, name="to_features")(hidden)  # (1, features)
    return keras.Model(inputs, outputs, name="sliding_windows")


def calls(model, config, runner):
    """Cut the windows, then feed the first few to the model one at a time."""
    noise = runner.random((config.batch + config.steps, config.features))
    inputs, targets = windows(synthetic_series(config, noise), config.steps)
    runner.reset()
    for number in range(1, min(WINDOWS_RUN, len(inputs)) + 1):
        runner.call(f"window {number}", inputs[number - 1 : number])  # (1, steps, features)
        yield
    runner.reset()
    return {"windows_shape": list(inputs.shape), "targets_shape": list(targets.shape)}
