"""Many to many: one output for every input step.

A recurrent layer always walks the whole sequence, one step at a time, carrying its state h_t
to the right. With `return_sequences=True` it also hands on what it computed at every step, so
the output keeps the steps axis and swaps features for units.

    inputs = keras.Input(shape=(5, 2))                        # (batch, steps, features)
    outputs = layers.LSTM(4, return_sequences=True)(inputs)   # (batch, 5, 4) = (batch, steps, units)

Reference: https://keras.io/api/layers/recurrent_layers/lstm/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, fed, recurrent

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """The input, one recurrent layer handing on every step, one call."""
    batch, steps = config.batch, config.steps
    return (
        fed(batch, steps, config.features)
        + recurrent(config.cell, batch, steps, config.features, config.units)
        + call()
    )


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    outputs = Recurrent(config.units, return_sequences=True, name="rnn")(inputs)  # (batch, steps, units)
    return keras.Model(inputs, outputs, name="many_to_many")
