"""Many to one: the layer reads every step but hands on only the last.

The same layer as many-to-many does the same work at every step; `return_sequences=False`
(the default) just keeps the final state and discards the outputs of the earlier steps. The
steps axis disappears: a whole sequence becomes one vector of `units` numbers.

    inputs = keras.Input(shape=(10, 8))    # (batch, steps, features)
    outputs = layers.LSTM(4)(inputs)       # (batch, 4) = (batch, units)

Reference: https://keras.io/api/layers/recurrent_layers/lstm/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, fed, recurrent, replayed

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """The input, one recurrent layer handing on its last step, one call; then h_1..h_T of
    sample 0 replayed in NumPy for the picture."""
    batch, steps, features, units = config.batch, config.steps, config.features, config.units
    layer = recurrent(config.cell, batch, steps, features, units, sequences=False)
    return fed(batch, steps, features) + layer + replayed(config.cell, steps, features, units) + call()


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    outputs = Recurrent(config.units, name="rnn")(inputs)  # (batch, units): earlier steps discarded
    return keras.Model(inputs, outputs, name="many_to_one")
