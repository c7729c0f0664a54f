"""Bidirectional: one layer reads the sequence forwards, a twin reads it backwards.

`Bidirectional` makes a copy of the layer that starts at the last step and walks to the first.
Both copies read the same x_t; each carries its own state, the forward one from step 1 to T,
the backward one from T to 1. At every step the two outputs are joined: side by side with
merge_mode="concat", so the output has twice as many numbers as units, or number by number
with "sum", "mul" or "ave", which keep units numbers. Either way each step now knows about both
its past and its future.

    outputs = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(inputs)
    # (batch, 5, 8) = (batch, steps, 2 x units)

Reference: https://keras.io/api/layers/recurrent_layers/bidirectional/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, data, fed, recurrent, replayed

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """Two recurrent layers over the same input, one each way, joined at every step; each
    direction's h_t replayed over sample 0."""
    batch, steps, features, units = config.batch, config.steps, config.features, config.units
    direction = recurrent(config.cell, batch, steps, features, units)
    joined = data(batch, steps, 2 * units if config.merge_mode == "concat" else units)
    replays = replayed(config.cell, steps, features, units) * 2
    return fed(batch, steps, features) + direction * 2 + joined + replays + call()


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    forward = Recurrent(config.units, return_sequences=True, name="rnn")
    both = layers.Bidirectional(forward, merge_mode=config.merge_mode, name="bidirectional")
    outputs = both(inputs)  # (batch, steps, 2 x units) with concat, (batch, steps, units) otherwise
    return keras.Model(inputs, outputs, name="bidirectional")
