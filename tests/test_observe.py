"""The observer's Executor: eager Keras for short runs, a compiled function past
EAGER_STEP_LIMIT time steps, counted from what the inputs really hold."""

from __future__ import annotations

import numpy as np
import pytest

from topologies.backend import load_keras
from topologies.observe import EAGER_STEP_LIMIT, Executor, steps_in

keras = load_keras()


@pytest.mark.parametrize(
    ("shape", "dtype", "steps"),
    [
        ((4, 7, 3), "float32", 7),  # (batch, steps, features)
        ((4, 7), "int32", 7),  # token ids: (batch, steps)
        ((4, 64), "float32", 1),  # one vector per sample, e.g. a decoder's code (batch, units)
        ((4,), "float32", 1),
    ],
)
def test_steps_are_read_from_the_time_axis_only(shape, dtype, steps):
    assert steps_in(np.zeros(shape, dtype=dtype)) == steps


def test_a_wide_vector_input_stays_eager():
    """A decoder fed a 64-unit code walks its steps inside (RepeatVector's), not 64 of the input's."""
    units, steps = 2 * EAGER_STEP_LIMIT, 3
    code = keras.Input(shape=(units,))
    decoded = keras.layers.SimpleRNN(2, return_sequences=True)(keras.layers.RepeatVector(steps)(code))
    executor = Executor(keras.Model(code, decoded))
    executor(np.ones((2, units), dtype="float32"))
    assert not executor.compiled


def test_a_long_sequence_is_compiled_and_gives_the_eager_numbers():
    steps = EAGER_STEP_LIMIT + 8
    inputs = keras.Input(shape=(steps, 3))
    model = keras.Model(inputs, keras.layers.GRU(4, return_sequences=True)(inputs))
    x = np.random.default_rng(0).standard_normal((2, steps, 3)).astype("float32")
    executor = Executor(model)
    compiled = np.asarray(executor(x))
    assert executor.compiled
    np.testing.assert_allclose(compiled, np.asarray(model(x)), atol=1e-6)
