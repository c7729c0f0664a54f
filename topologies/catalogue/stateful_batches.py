"""Stateful batches: batch k+1 continues the sequences of batch k.

With `stateful=True` the state a layer ends a batch with becomes the starting state of the next
batch, sample by sample: sample i of batch 2 continues sample i of batch 1. So a long sequence
can be fed in consecutive pieces (steps 1-2, then steps 3-5), and the result is the same as
feeding it whole. That only holds if the samples keep their order: hence `shuffle=False` when
training, and a reset when new sequences begin.

This trace proves it: it feeds the pieces to a stateful layer, feeds the whole sequences to a
stateless twin with the same weights, and reports the largest difference between the two
outputs. It comes out at rounding error.

    inputs = keras.Input(batch_shape=(10, None, 2))   # fixed batch, any number of steps
    outputs = layers.LSTM(4, stateful=True, return_sequences=True)(inputs)
    model(x[:, :2]); model(x[:, 2:])                  # (10, 2, 4) then (10, 3, 4)

Reference: https://keras.io/guides/working_with_rnns/#crossbatch-statefulness
"""

import re

import keras
import numpy as np
from keras import layers

from topologies.config import ConfigError
from topologies.contract import Event
from topologies.cost import Cost, call, fed, recurrent
from topologies.records import Facts
from topologies.series import chunk_sizes


def check(config) -> None:
    if config.chunks > config.steps:
        raise ConfigError(
            f"chunks is {config.chunks}, but a sequence of steps={config.steps} can be split "
            f"into at most {config.steps} chunks; lower chunks or raise steps.",
            fix={"chunks": config.steps},
        )


def cost(config) -> Cost:
    """The pieces, one call each, then the whole sequences once more through the stateless twin."""
    batch, steps, features = config.batch, config.steps, config.features
    layer = recurrent(config.cell, batch, steps, features, config.units)
    return fed(batch, steps, features) + layer + call() * config.chunks + layer + call()


def build(config, stateful: bool = True) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    # A stateful layer needs a fixed batch: the state of sample i is kept in row i.
    inputs = keras.Input(batch_shape=(config.batch, None, config.features), name="x")
    outputs = Recurrent(config.units, stateful=stateful, return_sequences=True, name="rnn")(inputs)
    return keras.Model(inputs, outputs, name="stateful_batches" if stateful else "stateless_twin")


def event_count(config, uneven_batch: bool = False, **options) -> int:
    return 1 if uneven_batch else config.chunks  # a batch one sample short is refused at the second


def what_ran(trace) -> str:
    batch = trace.calls[0].input_shapes[0][0]
    pieces = " + ".join(str(call.input_shapes[0][1]) for call in trace.calls)
    calls = f"{len(trace.calls)} call{'s' if len(trace.calls) > 1 else ''}"
    return f"batch {batch} · {trace.config.steps} steps fed in {calls}: {pieces}"


def calls(model, config, runner, shuffle: bool = False, reset_between: bool = False, uneven_batch: bool = False):
    """Feed the pieces in order, then compare with the whole sequences read at once.

    The options break the rule on purpose, so the difference shows what the rule protects:
    `shuffle` lets row i of every later batch hold the steps of sample i + 1 (tank A's state
    then continues tank B's measurements), `reset_between` resets the state between batches,
    and `uneven_batch` feeds batch 2 with one sample fewer, which Keras refuses.
    """
    sequences = runner.random((config.batch, config.steps, config.features))
    in_order = np.arange(config.batch)
    shifted = np.roll(in_order, -1)  # row i holds sample i + 1
    runner.reset()
    pieces, expected_rows = [], []
    start = 0
    for number, size in enumerate(chunk_sizes(config.steps, config.chunks), start=1):
        later = number > 1
        if later and reset_between:
            runner.reset()
        if later and uneven_batch:
            return Facts(keras_error=_refusal(runner, sequences[1:, start : start + size]))
        rows = shifted if later and shuffle else in_order
        label = f"batch {number}" + (" (shuffled)" if later and shuffle else "")
        (piece,) = runner.call(label, sequences[rows, start : start + size])  # (batch, size, units)
        pieces.append(piece)
        expected_rows.append((rows, start, size))
        start += size
        yield Event("call", label)
    runner.reset()

    twin = build(config, stateful=False)
    twin.set_weights(model.get_weights())
    (whole,) = runner.run_unrecorded(twin, sequences)  # (batch, steps, units)
    expected = np.concatenate([whole[rows, begin : begin + size] for rows, begin, size in expected_rows], axis=1)
    difference = np.max(np.abs(np.concatenate(pieces, axis=1) - expected))
    return Facts(stateful_vs_whole_max_abs_diff=float(difference))


def _refusal(runner, wrong_batch: np.ndarray) -> str:
    """Call the stateful model with the wrong number of samples; return what Keras says."""
    try:
        runner.run_unrecorded(runner.model, wrong_batch)
    except ValueError as error:
        # Keras wraps the reason in a longer report with terminal colour codes.
        reason = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
        lines = [line.strip(" -") for line in reason.splitlines() if "batch size" in line]
        return " ".join(lines) or reason.splitlines()[0]
    return "Keras accepted it."
