"""Sliding windows: how one long series becomes (samples, steps, features).

A single series of N values is cut into overlapping windows of `steps` values (the look back),
each paired with the value that follows it: N - steps windows, so X is (N - steps, steps, 1)
and y is (N - steps, 1). Each window is a sequence of its own: the windows go to the model as
one batch of independent sequences, the state starts from zero in each, and the order of the
windows does not matter. A pattern longer than the window cannot be learned.

The seed's recipe feeds the windows one at a time to a stateful layer with a fixed batch of one,
without a reset between them. That carries the state of window k into window k + 1, although
window k + 1 starts only one step later and reads again what window k read: the state has seen
those steps already. The `stateful_recipe` option runs that recipe next to the windows as one
batch and measures how far apart the two come out: nothing apart in window 1, apart from window 2.

Here the series has `batch + steps` values, so it yields `batch` windows, and `features`
series side by side (two stocks, say) give `features` numbers per step.

    X = np.stack([series[i : i + 3] for i in range(len(series) - 3)])   # (N - 3, 3, 1)
    inputs = keras.Input(shape=(3, 1))                                   # (windows, 3, 1)
    hidden = layers.LSTM(4)(inputs)                                      # (windows, 4)
    outputs = layers.Dense(1)(hidden)                                    # (windows, 1)

Reference: https://keras.io/api/data_loading/timeseries/
"""

import keras
import numpy as np
from keras import layers

from topologies.contract import Event
from topologies.cost import Cost, call, fed, per_step, recurrent, replayed
from topologies.records import Facts
from topologies.series import noisy_sine, windows

# The Dense layer predicts the next value of each series: `features` numbers.
LAST_AXIS = {"to_features": "features"}


def cost(config) -> Cost:
    """The windows as one batch through a recurrent layer handing on its last step and a Dense;
    then window 0's h_1..h_T replayed in NumPy."""
    windows, steps, features, units = config.batch, config.steps, config.features, config.units
    layer = recurrent(config.cell, windows, steps, features, units, sequences=False)
    replay = replayed(config.cell, steps, features, units)
    return fed(windows, steps, features) + layer + replay + per_step(windows, 1, units, features) + call()


def build(config, stateful: bool = False) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    if stateful:  # the seed's recipe: one window per call, the state kept between calls
        inputs = keras.Input(batch_shape=(1, config.steps, config.features), name="window")  # (1, steps, features)
    else:  # every window an independent sequence of the batch
        inputs = keras.Input(shape=(config.steps, config.features), name="windows")  # (windows, steps, features)
    hidden = Recurrent(config.units, stateful=stateful, name="rnn")(inputs)  # (windows, units)
    outputs = layers.Dense(config.features, name="to_features")(hidden)  # (windows, features)
    return keras.Model(inputs, outputs, name="sliding_windows")


def event_count(config, **options) -> int:
    return 1  # the windows, as one batch


def what_ran(trace) -> str:
    count, steps = trace.calls[0].input_shapes[0][:2]
    windows_cut = f"{count} window{'s' if count != 1 else ''} of {steps} step{'s' if steps != 1 else ''}"
    return f"{windows_cut} cut from {count + steps} values, as one batch of independent sequences"


def calls(model, config, runner, stateful_recipe: bool = False):
    """Cut the windows and run them as one batch; with `stateful_recipe`, also feed them one at a
    time to a stateful twin with the same weights, as the seed does, and measure the difference."""
    series = noisy_sine(config.batch + config.steps, config.features, runner.rng)  # (batch + steps, features)
    inputs, targets = windows(series, config.steps)  # (batch, steps, features), (batch, features)
    (predicted,) = runner.call("windows", inputs)  # (batch, features)
    yield Event("call", "windows")
    facts = {"windows_shape": list(inputs.shape), "targets_shape": list(targets.shape)}
    if stateful_recipe:
        facts["stateful_recipe_max_abs_diff"] = _recipe_against_batch(model, config, runner, inputs, predicted)
    return Facts(**facts)


def _recipe_against_batch(model, config, runner, inputs: np.ndarray, predicted: np.ndarray) -> list[float]:
    """Per window, the largest |difference| between the stateful recipe's prediction and the batch's."""
    twin = build(config, stateful=True)
    twin.set_weights(model.get_weights())
    differences = []
    for number in range(len(inputs)):  # in order, no reset: the state runs on from window to window
        (one,) = runner.run_unrecorded(twin, inputs[number : number + 1])  # (1, features)
        differences.append(round(float(np.max(np.abs(one[0] - predicted[number]))), 6))
    return differences
