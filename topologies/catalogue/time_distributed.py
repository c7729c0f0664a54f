"""TimeDistributed: one small layer applied at every step, with the same weights each time.

After a layer that returns sequences, `TimeDistributed(Dense(n))` runs the same Dense layer on
the vector of each step separately: (batch, steps, units) becomes (batch, steps, n). It adds the
parameters of a single Dense layer, however many steps there are.

    hidden = layers.LSTM(4, return_sequences=True)(inputs)     # (batch, 5, 4)
    outputs = layers.TimeDistributed(layers.Dense(3))(hidden)  # (batch, 5, 3)

Reference: https://keras.io/api/layers/recurrent_layers/time_distributed/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, fed, per_step, recurrent

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """The input, one recurrent layer, the Dense applied at every step, one call."""
    batch, steps, units = config.batch, config.steps, config.units
    layer = recurrent(config.cell, batch, steps, config.features, units)
    per_step_dense = per_step(batch, steps, units, config.dense, time_distributed=True)
    return fed(batch, steps, config.features) + layer + per_step_dense + call()


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    hidden = Recurrent(config.units, return_sequences=True, name="rnn")(inputs)  # (batch, steps, units)
    dense = layers.Dense(config.dense, name="dense")
    outputs = layers.TimeDistributed(dense, name="per_step")(hidden)  # (batch, steps, dense)
    return keras.Model(inputs, outputs, name="time_distributed")
