"""A text model: word ids become vectors, two recurrent layers read them, and every step
predicts a probability for each word of the vocabulary.

`Embedding(vocab, features)` replaces each integer id with a learned vector of `features`
numbers, so (batch, steps) of ids becomes (batch, steps, features). Two recurrent layers return
sequences; `TimeDistributed(Dense(vocab))` scores every word at every step and a softmax turns
the scores into probabilities.

    ids = keras.Input(shape=(5,), dtype="int32")                  # (batch, steps)
    vectors = layers.Embedding(50, 2)(ids)                        # (batch, 5, 2)
    hidden = layers.GRU(4, return_sequences=True)(vectors)        # (batch, 5, 4)
    hidden = layers.GRU(4, return_sequences=True)(hidden)         # (batch, 5, 4)
    scores = layers.TimeDistributed(layers.Dense(50))(hidden)     # (batch, 5, 50)
    probabilities = layers.Activation("softmax")(scores)          # (batch, 5, 50)

Reference: https://keras.io/api/layers/core_layers/embedding/
"""

import keras
from keras import layers

from topologies.cost import Cost, call, data, fed, per_step, recurrent

# The scores have one number per word of the vocabulary (and so, after it, the softmax).
LAST_AXIS = {"to_vocab": "vocab"}
STEPS_INPUTS = ("tokens",)  # build reads steps for this Input's axis 1 only (topologies.engine.shelf)


def cost(config) -> Cost:
    """Token ids, their embeddings, two recurrent layers, a score per word at every step, softmax."""
    batch, steps, units, vocab = config.batch, config.steps, config.units, config.vocab
    embedded = fed(batch, steps, 1) + data(batch, steps, config.features)
    layers_ = recurrent(config.cell, batch, steps, config.features, units) + recurrent(
        config.cell, batch, steps, units, units
    )
    scores = per_step(batch, steps, units, vocab, time_distributed=True) + data(batch, steps, vocab)
    return embedded + layers_ + scores + call()


def build(config) -> keras.Model:
    steps = None if config.any_length else config.steps
    Recurrent = getattr(layers, config.cell)  # layers.GRU in the classic recipe; any cell works
    ids = keras.Input(shape=(steps,), dtype="int32", name="tokens")  # (batch, steps) of word ids
    vectors = layers.Embedding(config.vocab, config.features, name="embedding")(ids)  # (batch, steps, features)
    hidden = Recurrent(config.units, return_sequences=True, name="rnn_1")(vectors)  # (batch, steps, units)
    hidden = Recurrent(config.units, return_sequences=True, name="rnn_2")(hidden)  # (batch, steps, units)
    scores = layers.TimeDistributed(layers.Dense(config.vocab), name="to_vocab")(hidden)  # (batch, steps, vocab)
    # Softmax acts on the last axis, so it needs no TimeDistributed wrapper.
    probabilities = layers.Activation("softmax", name="softmax")(scores)  # (batch, steps, vocab)
    return keras.Model(ids, probabilities, name="text_generator")
