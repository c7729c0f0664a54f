"""Sequence autoencoder: squeeze a sequence into one vector, then grow it back.

The encoder is a many-to-one model: sequence layers, then a layer that keeps only the last step,
so a whole (steps, features) sequence becomes one vector. The decoder is a one-to-many model:
RepeatVector copies that vector to every step and sequence layers unfold it; its last layer has
`features` units so the output has exactly the input's shape. Both halves are Models of their
own, used as layers of the autoencoder, which is trained with fit(X, X).

    code = encoder(inputs)    # (batch, 5, 2) -> (batch, 4)
    outputs = decoder(code)   # (batch, 4) -> (batch, 5, 2): the input's shape again

Reference: https://blog.keras.io/building-autoencoders-in-keras.html
"""

import keras
from keras import layers

from topologies.config import ConfigError
from topologies.cost import Cost, call, data, fed, recurrent, replayed

# 2 x depth recurrent layers each walk every step, and each step costs a fixed overhead.
MAX_STEPS_TIMES_DEPTH = 200


def check(config) -> None:
    if config.steps * config.depth > MAX_STEPS_TIMES_DEPTH:
        raise ConfigError(
            f"steps x depth is {config.steps} x {config.depth}, but the autoencoder runs "
            f"2 x depth recurrent layers over every step, so it must be at most "
            f"{MAX_STEPS_TIMES_DEPTH}; lower steps or depth.",
            fix={"steps": MAX_STEPS_TIMES_DEPTH // config.depth},
        )


# The decoder's last layer has `features` units, so the output matches the input.
LAST_AXIS = {"decode_to_features": "features"}


def cost(config) -> Cost:
    """The encoder's depth layers (the last one's h_t replayed over sample 0), the code repeated
    over the steps, and the decoder's depth layers back to features. The encoder and the decoder
    are observed one at a time, so each of their 2 x depth loops pays a part of its own: its
    tracing past topologies.engine.observe.EAGER_STEP_LIMIT steps, or up to that many eager steps
    (about 4 ms each) below it, about the same."""
    batch, steps, features, units, cell = config.batch, config.steps, config.features, config.units, config.cell
    total = fed(batch, steps, features) + call() + Cost(traced_loops=2 * config.depth)
    for level in range(1, config.depth + 1):
        total += recurrent(cell, batch, steps, features if level == 1 else units, units, sequences=level < config.depth)
    total += replayed(cell, steps, features if config.depth == 1 else units, units)
    total += data(batch, steps, units)  # RepeatVector
    for _ in range(1, config.depth):
        total += recurrent(cell, batch, steps, units, units)
    return total + recurrent(cell, batch, steps, units, features)


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN

    sequence = keras.Input(shape=(config.steps, config.features), name="sequence")  # (batch, steps, features)
    encoded = sequence
    for level in range(1, config.depth):
        encoded = Recurrent(config.units, return_sequences=True, name=f"encode_{level}")(encoded)
    encoded = Recurrent(config.units, name="encode_last")(encoded)  # (batch, units): many to one
    encoder = keras.Model(sequence, encoded, name="encoder")

    code = keras.Input(shape=(config.units,), name="code")  # (batch, units)
    decoded = layers.RepeatVector(config.steps, name="repeat")(code)  # (batch, steps, units)
    for level in range(1, config.depth):
        decoded = Recurrent(config.units, return_sequences=True, name=f"decode_{level}")(decoded)
    # features units, so the output can be compared with the input: (batch, steps, features)
    decoded = Recurrent(config.features, return_sequences=True, name="decode_to_features")(decoded)
    decoder = keras.Model(code, decoded, name="decoder")

    inputs = keras.Input(shape=(config.steps, config.features), name="x")
    outputs = decoder(encoder(inputs))  # (batch, steps, features)
    return keras.Model(inputs, outputs, name="autoencoder")
