"""Sequence to sequence: an encoder reads one sequence, a decoder writes another of its own length.

Many to many with different lengths cannot be one layer: a recurrent layer hands on exactly as
many steps as it reads. So two layers share the work. The encoder reads the `steps` input steps
and keeps nothing but its final state (`return_state=True`): h and c for an LSTM, h alone for a
GRU or a SimpleRNN. That state is the decoder's `initial_state`, so the decoder starts where the
encoder stopped, and it runs over `target_steps` steps of its own. While training, the decoder
reads the target sequence shifted one step later (teacher forcing): to write y_t it is shown the
true y_(t-1), not its own guess. A Dense layer then turns each decoder h_t into the numbers of
that step. The model has two inputs, the source and the shifted target, and one output as long
as the target.

    encoded, h, c = layers.LSTM(4, return_state=True)(source)            # (batch, 4) three times
    decoded = layers.LSTM(4, return_sequences=True)(target_in, initial_state=[h, c])  # (batch, 3, 4)
    outputs = layers.Dense(2)(decoded)                                   # (batch, 3, 2)

Reference: https://keras.io/examples/nlp/lstm_seq2seq/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, data, fed, per_step, recurrent, replayed

# The Dense layer brings each decoder step back to `features` numbers, the target's own width.
LAST_AXIS = {"to_features": "features"}
STEPS_INPUTS = ("source",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """Both inputs; the encoder (its last step handed on, its states returned, and its h_t
    replayed over sample 0 for the picture); the decoder over the target's steps; the Dense per step."""
    batch, steps, target, features, units = (
        config.batch,
        config.steps,
        config.target_steps,
        config.features,
        config.units,
    )
    inputs = fed(batch, steps, features) + fed(batch, target, features)
    encoder = recurrent(config.cell, batch, steps, features, units, sequences=False) + data(batch, 2, units)
    replay = replayed(config.cell, steps, features, units)
    decoder = recurrent(config.cell, batch, target, features, units)
    return inputs + encoder + replay + decoder + per_step(batch, target, units, features) + call()


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    source = keras.Input(shape=(config.steps, config.features), name="source")  # (batch, steps, features)
    # The target, shifted one step later: at step t the decoder reads the true y_(t-1).
    target_in = keras.Input(shape=(config.target_steps, config.features), name="target_in")
    # [last h (batch, units), h (batch, units)] and c (batch, units) for an LSTM
    _, *state = Recurrent(config.units, return_state=True, name="encoder")(source)
    # Starts from the encoder's final state: (batch, target_steps, units)
    decoded = Recurrent(config.units, return_sequences=True, name="decoder")(target_in, initial_state=state)
    outputs = layers.Dense(config.features, name="to_features")(decoded)  # (batch, target_steps, features)
    return keras.Model([source, target_in], outputs, name="seq2seq")
