"""The observer's Executor: eager Keras for short runs, its recurrent layers unrolled, and a
compiled function past EAGER_STEP_LIMIT time steps, counted from what the inputs really hold."""

from __future__ import annotations

import numpy as np
import pytest

from topologies.engine.backend import load_keras
from topologies.engine.observe import EAGER_STEP_LIMIT, Executor, steps_in

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


def _sequences(steps: int = 5) -> tuple:
    return keras.Input(shape=(steps, 3)), np.random.default_rng(1).standard_normal((2, steps, 3)).astype("float32")


def _one_layer(layer):
    def build():
        inputs, x = _sequences()
        return keras.Model(inputs, layer()(inputs)), x

    return build


def _masked():
    tokens = keras.Input(shape=(5,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(tokens)
    x = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 0]], dtype="int32")  # 0 pads: masked steps
    return keras.Model(tokens, keras.layers.LSTM(4, return_sequences=True)(embedded)), x


def _nested():
    inputs, x = _sequences()
    inner = keras.Model(inputs, keras.layers.LSTM(4, return_sequences=True)(inputs), name="inner")
    outer_inputs = keras.Input(shape=(5, 3))
    return keras.Model(outer_inputs, keras.layers.SimpleRNN(2)(inner(outer_inputs))), x


UNROLLED_CASES = {
    "LSTM": _one_layer(lambda: keras.layers.LSTM(4, return_sequences=True)),
    "GRU": _one_layer(lambda: keras.layers.GRU(4)),
    "SimpleRNN": _one_layer(lambda: keras.layers.SimpleRNN(4, return_sequences=True)),
    "backwards": _one_layer(lambda: keras.layers.LSTM(4, go_backwards=True, return_sequences=True)),
    "bidirectional": _one_layer(lambda: keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True))),
    "masked": _masked,
    "nested": _nested,
}


def _unroll_seen_by(model) -> list[bool]:
    """Records, at each run of each recurrent layer of `model`, whether it ran unrolled."""
    seen: list[bool] = []
    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.RNN):

            def spy(*args, _layer=layer, _loop=layer.inner_loop, **keywords):
                seen.append(_layer.unroll)
                return _loop(*args, **keywords)

            layer.inner_loop = spy
    return seen


@pytest.mark.parametrize("case", UNROLLED_CASES)
def test_an_eager_run_unrolls_the_layers_and_gives_keras_s_own_numbers(case):
    """Keras's own call, with the layers' own loop, is the reference: the same arithmetic in
    the same order, so the same numbers to the last bit. Every recurrent layer ran unrolled,
    and is left as it was."""
    model, x = UNROLLED_CASES[case]()
    looped = keras.tree.flatten(model(x))
    seen = _unroll_seen_by(model)
    unrolled = keras.tree.flatten(Executor(model)(x))
    assert seen and all(seen), "a recurrent layer ran its own loop"
    for mine, keras_own in zip(unrolled, looped, strict=True):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(keras_own))
    assert not any(layer.unroll for layer in model._flatten_layers() if isinstance(layer, keras.layers.RNN))


def test_a_stateful_layer_run_unrolled_carries_its_state_as_keras_does():
    def build():
        inputs = keras.Input(shape=(4, 3), batch_size=2)
        return keras.Model(inputs, keras.layers.GRU(3, stateful=True)(inputs))

    mine, keras_own = build(), build()
    keras_own.set_weights(mine.get_weights())
    executor = Executor(mine)
    for call in range(3):
        x = np.random.default_rng(call).standard_normal((2, 4, 3)).astype("float32")
        np.testing.assert_array_equal(np.asarray(executor(x)), np.asarray(keras_own(x)))


def test_a_compiled_run_keeps_the_layers_own_loop():
    inputs, x = _sequences(EAGER_STEP_LIMIT + 8)
    model = keras.Model(inputs, keras.layers.LSTM(4)(inputs))
    seen = _unroll_seen_by(model)
    executor = Executor(model)
    executor(x)
    assert executor.compiled and seen == [False]
