"""One to many with feedback: each output becomes the next input, one call per step.

A stateful layer keeps its state h_t (and c_t) after a call, so the next call continues the
same sequences instead of starting new ones. That lets us stop after every single step, take
the output y_t and feed it back as the input x_(t+1). The feedback is only possible when the
output has as many numbers as the input: units must equal features. The state is reset before
the first step (new sequences start) and after the last (they end).

    inputs = keras.Input(batch_shape=(10, 1, 2))                                  # one step
    outputs = layers.LSTM(2, stateful=True, return_sequences=True)(inputs)        # (10, 1, 2)
    # x -> y_1 -> y_2 -> ... calling model(y) again and again

Reference: https://keras.io/guides/working_with_rnns/#crossbatch-statefulness
"""

import keras
from keras import layers

from topologies.config import check_fed_back
from topologies.contract import Event
from topologies.cost import Cost, call, fed, recurrent
from topologies.records import Facts

# One model call per step: each call is a separate run, so the loop is kept short.
MAX_CALLS = 100


def check(config) -> None:
    check_fed_back(config, MAX_CALLS, per_step="makes one model call per step")


def cost(config) -> Cost:
    """One call per step, each of one step of the stateful layer."""
    batch, features = config.batch, config.features
    one_step = fed(batch, 1, features) + recurrent(config.cell, batch, 1, features, config.units) + call()
    return one_step * config.steps


def build(config) -> keras.Model:
    Recurrent = getattr(layers, config.cell)  # layers.LSTM, layers.GRU or layers.SimpleRNN
    # stateful=True needs a fixed batch: sample i of one call continues sample i of the last.
    inputs = keras.Input(batch_shape=(config.batch, 1, config.features), name="x")  # (batch, 1, features)
    outputs = Recurrent(config.units, stateful=True, return_sequences=True, name="rnn")(inputs)  # (batch, 1, units)
    return keras.Model(inputs, outputs, name="one_to_many_stateful")


def event_count(config) -> int:
    return config.steps  # one call per step


def what_ran(trace) -> str:
    batch = trace.calls[0].input_shapes[0][0]
    return f"batch {batch} · {len(trace.calls)} calls of one step, each output fed back as the next input"


def calls(model, config, runner):
    """Start new sequences, then feed every output back in as the next input, one call a step."""
    runner.reset()  # new sequences: no state from any earlier run
    step_input = runner.random((config.batch, 1, config.features))
    for step in range(1, config.steps + 1):
        (step_output,) = runner.call(f"step {step}", step_input, fed_back=step > 1)  # (batch, 1, units)
        step_input = step_output  # the feedback: units == features makes this fit
        yield Event("call", f"step {step}")
    runner.reset()  # the sequences end here
    return Facts()
