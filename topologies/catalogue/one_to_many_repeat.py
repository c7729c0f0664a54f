"""One to many by repetition: copy one input vector to every step.

A recurrent layer needs an input at each step, so a single vector is not enough on its own.
`RepeatVector(steps)` copies it `steps` times, turning (batch, features) into
(batch, steps, features); the layer then returns a sequence from that constant input.

    inputs = keras.Input(shape=(2,))                          # (batch, features)
    repeated = layers.RepeatVector(5)(inputs)                 # (batch, 5, 2)
    outputs = layers.LSTM(4, return_sequences=True)(repeated) # (batch, 5, 4)

Reference: https://keras.io/api/layers/reshaping_layers/repeat_vector/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, data, fed, recurrent


def cost(config) -> Cost:
    """One vector per sequence, repeated over the steps, one recurrent layer, one call."""
    batch, steps, features = config.batch, config.steps, config.features
    repeated = fed(batch, 1, features) + data(batch, steps, features)
    return repeated + recurrent(config.cell, batch, steps, features, config.units) + call()


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(config.features,), name="x")  # (batch, features): no steps yet
    repeated = layers.RepeatVector(config.steps, name="repeat")(inputs)  # (batch, steps, features)
    outputs = Recurrent(config.units, return_sequences=True, name="rnn")(repeated)  # (batch, steps, units)
    return keras.Model(inputs, outputs, name="one_to_many_repeat")
