"""Stacked layers: the sequence one layer hands on is the input of the next.

Every layer but the last must return sequences, because the layer above needs an input at every
step. Each layer has its own state size; the last one decides the output's shape.

    inputs = keras.Input(shape=(5, 2))                        # (batch, steps, features)
    hidden = layers.LSTM(4, return_sequences=True)(inputs)    # (batch, 5, 4)
    outputs = layers.LSTM(4)(hidden)                          # (batch, 4)

Reference: https://keras.io/guides/working_with_rnns/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, fed, recurrent, replayed

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """depth recurrent layers, the last handing on its last step (its h_t replayed over sample 0)."""
    batch, steps, units = config.batch, config.steps, config.units
    total = fed(batch, steps, config.features) + call()
    for level in range(1, config.depth + 1):
        inputs = config.features if level == 1 else units
        total += recurrent(config.cell, batch, steps, inputs, units, sequences=level < config.depth)
    return total + replayed(config.cell, steps, units if config.depth > 1 else config.features, units)


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    outputs = inputs
    for level in range(1, config.depth + 1):
        is_last = level == config.depth
        # (batch, steps, units) below the top; (batch, units) from the top layer.
        outputs = Recurrent(config.units, return_sequences=not is_last, name=f"rnn_{level}")(outputs)
    return keras.Model(inputs, outputs, name="stacked")
