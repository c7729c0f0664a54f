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
from keras import layers

from topologies.contract import Event
from topologies.records import Facts
from topologies.series import noisy_sine, windows

# Each window is one call of the batch-of-one model; the first few show the pattern.
WINDOWS_RUN = 3


# The Dense layer predicts the next value of each series: `features` numbers.
LAST_AXIS = {"to_features": "features"}


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(batch_shape=(1, config.steps, config.features), name="window")  # one window
    hidden = Recurrent(config.units, stateful=True, name="rnn")(inputs)  # (1, units)
    outputs = layers.Dense(config.features, name="to_features")(hidden)  # (1, features)
    return keras.Model(inputs, outputs, name="sliding_windows")


def event_count(config) -> int:
    return min(WINDOWS_RUN, config.batch)


def what_ran(trace) -> str:
    windows = trace.facts.windows_shape[0] if trace.facts.windows_shape else trace.config.batch
    fed = len(trace.calls)
    return f"{windows} windows of {trace.config.steps} steps; the first {fed} fed one at a time, batch 1"


def calls(model, config, runner):
    """Cut the windows, then feed the first few to the model one at a time."""
    series = noisy_sine(config.batch + config.steps, config.features, runner.rng)  # (batch + steps, features)
    inputs, targets = windows(series, config.steps)  # (batch, steps, features), (batch, features)
    runner.reset()
    for number in range(1, min(WINDOWS_RUN, len(inputs)) + 1):
        runner.call(f"window {number}", inputs[number - 1 : number])  # (1, steps, features)
        yield Event("call", f"window {number}")
    runner.reset()
    return Facts(windows_shape=list(inputs.shape), targets_shape=list(targets.shape))
