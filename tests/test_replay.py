"""The NumPy replay of a recurrent layer (topologies/engine/replay.py) gives the h_t Keras gives.

Independent rule: Keras itself. Each test builds a layer, runs it through a twin
`keras.layers.RNN(layer.cell, return_sequences=True)` (the same weights, every step returned),
and compares. Where the equations do not apply, the replay must say so (None), never guess.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from topologies.engine.replay import replayed_directions, replayed_states

CELLS = ("LSTM", "GRU", "SimpleRNN")


def keras_states(layer, sample, initial_state=None, backwards=False) -> np.ndarray:
    """h_t at every step, as Keras computes it with the layer's own cell; lined up with t."""
    twin = keras.layers.RNN(layer.cell, return_sequences=True, go_backwards=backwards)
    extra = {} if initial_state is None else {"initial_state": initial_state}
    states = np.asarray(twin(sample, **extra))
    return states[:, ::-1] if backwards else states


def random_input(steps: int, features: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(1, steps, features)).astype("float32")


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
@pytest.mark.parametrize("cell", CELLS)
def test_the_replay_is_what_keras_computes_at_every_step(cell, backwards):
    layer = getattr(keras.layers, cell)(6, go_backwards=backwards)
    sample = random_input(9, 3)
    last = np.asarray(layer(sample))[0]
    replayed = replayed_states(layer, sample, last)
    assert replayed is not None
    assert replayed.shape == (1, 9, 6)
    np.testing.assert_allclose(replayed, keras_states(layer, sample, backwards=backwards), atol=1e-5)


@pytest.mark.parametrize("cell", CELLS)
def test_a_handed_in_state_starts_the_replay(cell):
    layer = getattr(keras.layers, cell)(4)
    sample = random_input(5, 2, seed=1)
    count = 2 if cell == "LSTM" else 1
    start = [np.full((1, 4), 0.5 * (index + 1), dtype="float32") for index in range(count)]
    last = np.asarray(layer(sample, initial_state=start))[0]
    replayed = replayed_states(layer, sample, last, start)
    np.testing.assert_allclose(replayed, keras_states(layer, sample, start), atol=1e-5)


@pytest.mark.parametrize(
    "layer",
    [
        keras.layers.LSTM(4, activation="elu"),  # an activation the replay does not know
        keras.layers.GRU(4, reset_after=False),  # Keras 2's GRU: other equations
    ],
    ids=["elu", "gru-reset-before"],
)
def test_settings_the_equations_leave_out_are_left_to_keras(layer):
    sample = random_input(5, 2)
    assert replayed_states(layer, sample, np.asarray(layer(sample))[0]) is None


def test_a_last_state_that_does_not_match_is_refused():
    """A mask, say, makes the layer skip steps the replay would count: its h_T differs, so None."""
    layer = keras.layers.LSTM(4)
    sample = random_input(6, 2)
    masked = np.asarray(layer(sample, mask=np.array([[True, True, True, False, False, False]])))[0]
    assert replayed_states(layer, sample, masked) is None
    assert replayed_states(layer, sample, np.asarray(layer(sample))[0]) is not None


def sample_outputs(layer, sample) -> list[np.ndarray]:
    outputs = layer(sample)
    return [np.asarray(array) for array in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


@pytest.mark.parametrize("sequences", [True, False], ids=["sequences", "last-only"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("cell", CELLS)
def test_both_directions_replayed_are_what_keras_computes(cell, merge_mode, sequences):
    """Each copy of a Bidirectional layer against its own cell run through Keras, the backward one
    reading from the last step: every merge_mode, with and without return_sequences."""
    layer = keras.layers.Bidirectional(
        getattr(keras.layers, cell)(5, return_sequences=sequences), merge_mode=merge_mode
    )
    sample = random_input(7, 3, seed=2)
    replayed = replayed_directions(layer, sample, sample_outputs(layer, sample))
    assert replayed is not None
    forward, backward = replayed
    assert forward.shape == backward.shape == (1, 7, 5)
    np.testing.assert_allclose(forward, keras_states(layer.forward_layer, sample), atol=1e-5)
    np.testing.assert_allclose(backward, keras_states(layer.backward_layer, sample, backwards=True), atol=1e-5)


def test_directions_that_do_not_give_the_layers_outputs_are_refused():
    """Outputs the replay cannot make (a mask skipping steps, here) leave both directions to Keras."""
    layer = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True))
    sample = random_input(6, 2)
    masked = np.asarray(layer(sample, mask=np.array([[True, True, True, True, False, False]])))
    assert replayed_directions(layer, sample, [masked]) is None
    assert replayed_directions(layer, sample, sample_outputs(layer, sample)) is not None
