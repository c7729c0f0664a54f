"""return_state: hand on the final state as well as the outputs.

With `return_state=True` the layer returns a list: the outputs (a sequence here, since
`return_sequences=True` too), then the state after the last step. An LSTM carries two states,
h (which is also its output) and the cell state c, so it returns three tensors; GRU and
SimpleRNN carry only h and return two. The final states are what an encoder passes to a decoder
as its `initial_state`.

    sequence, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inputs)
    # sequence: (batch, 5, 4)   h: (batch, 4)   c: (batch, 4)

Reference: https://keras.io/guides/working_with_rnns/#rnn-state-reuse
"""

import keras
from keras import layers

from topologies.cost import Cost, call, data, fed, recurrent

STEPS_INPUTS = ("x",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """The input, one recurrent layer handing on every step and its final states, one call."""
    batch, steps, units = config.batch, config.steps, config.units
    layer = recurrent(config.cell, batch, steps, config.features, units)
    return fed(batch, steps, config.features) + layer + data(batch, 2, units) + call()


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    inputs = keras.Input(shape=(steps, config.features), name="x")  # (batch, steps, features)
    # [sequence (batch, steps, units), h (batch, units)] plus c (batch, units) for an LSTM
    outputs = Recurrent(config.units, return_sequences=True, return_state=True, name="rnn")(inputs)
    return keras.Model(inputs, outputs, name="return_state")
