"""Replay a recurrent layer over one sample in NumPy, from its own weights: h_t at every step.

A layer built with return_sequences=False hands on only its last state, h_T. The picture shows
h_1 ... h_T all the same, so they must be recomputed. Running the layer's cell through Keras a
second time costs about a third of a small trace (an eager call per step, or a compiled function
past 32 steps); the textbook equations over sample 0 in NumPy cost a fraction of a millisecond
at the seed's sizes, and less than the compiled cell at the largest.

The replay is never trusted blindly: its last state must equal the h_T the real layer handed on
(within float32 rounding), or `replayed_states` answers None and the caller runs the Keras cell
instead. A mask, a custom activation or any setting these equations leave out shows up there.

The equations of one step are topologies/engine/cell_math.py's, the same ones the page "Inside a
cell" shows; this module runs them over all the steps and keeps only h_t.
"""

from __future__ import annotations

import numpy as np

from topologies.engine.cell_math import Weights, gru_step, lstm_step, numpy_activation, simple_step

TOLERANCE = 1e-4  # float32 rounding over many steps stays far below this; a wrong equation does not


# Each replay reads the weights and the activations' NumPy twins once, and makes every step's
# x_t W + b in one matrix product before the loop: what is left step after step is the equations.


def _simple(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    kernel, recurrent, bias, _ = Weights.of(cell)
    activation = numpy_activation(cell.activation)
    (hidden,) = state
    states = []
    for from_input in inputs @ kernel + bias:
        hidden = simple_step(from_input, hidden, recurrent, activation)[-1]
        states.append(hidden)
    return np.array(states)


def _lstm(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    kernel, recurrent, bias, _ = Weights.of(cell)
    activation, gate = numpy_activation(cell.activation), numpy_activation(cell.recurrent_activation)
    hidden, carry = state
    states = []
    for from_input in inputs @ kernel + bias:
        carry, hidden = lstm_step(from_input, hidden, carry, recurrent, activation, gate)[-2:]
        states.append(hidden)
    return np.array(states)


def _gru(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    if not cell.reset_after:
        return None
    kernel, recurrent, input_bias, recurrent_bias = Weights.of(cell)
    activation, gate = numpy_activation(cell.activation), numpy_activation(cell.recurrent_activation)
    (hidden,) = state
    states = []
    for from_input in inputs @ kernel + input_bias:
        hidden = gru_step(from_input, hidden, recurrent, recurrent_bias, activation, gate)[-1]
        states.append(hidden)
    return np.array(states)


CELLS = {"SimpleRNNCell": _simple, "LSTMCell": _lstm, "GRUCell": _gru}


def replayed_states(layer, sample_input: np.ndarray, last_state: np.ndarray, initial_state=None) -> np.ndarray | None:
    """h_t at every step t of one sample, (1, steps, units), lined up with t; None where the
    replay does not apply or its last state is not `last_state`, the h_T the layer handed on.

    `sample_input` is (1, steps, inputs); `initial_state` the states handed in, each (1, units),
    or None for zeros. A layer that reads backwards is replayed backwards, its states turned round."""
    states = replay(layer, sample_input, initial_state)
    if states is None:
        return None
    last = states[0, 0] if getattr(layer, "go_backwards", False) else states[0, -1]  # the step read last
    return states if _close(last, last_state) else None


def replayed_directions(layer, sample_input: np.ndarray, sample_outputs: list[np.ndarray]) -> tuple | None:
    """A Bidirectional layer's forward and backward h_t for one sample, (1, steps, units) each and
    lined up with t; None where the replay does not apply or does not give what the layer gave.

    `sample_outputs` are the layer's outputs for that sample. The check is the wrapper's own
    join: the two replays, merged as `merge_mode` merges them (side by side, summed, multiplied,
    averaged, or two outputs for None), at every step or at the last one read, must be those outputs."""
    forward = replay(layer.forward_layer, sample_input)
    backward = replay(layer.backward_layer, sample_input)
    if forward is None or backward is None:
        return None
    if layer.return_sequences:
        pair = forward, backward
    else:  # each copy's last state: forward at t = T, backward at t = 1 (the step it reads last)
        pair = forward[:, -1], backward[:, 0]
    joined = MERGES.get(layer.merge_mode)
    if joined is None:  # merge_mode None: the two copies' outputs come out apart
        matches = _close(pair[0], sample_outputs[0]) and _close(pair[1], sample_outputs[1])
    else:
        matches = _close(joined(*pair), sample_outputs[0])
    return (forward, backward) if matches else None


MERGES = {
    "concat": lambda forward, backward: np.concatenate([forward, backward], axis=-1),
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: (forward + backward) / 2,
}


def replay(layer, sample_input: np.ndarray, initial_state=None) -> np.ndarray | None:
    """The equations run over one sample, unchecked: (1, steps, units) lined up with t, or None
    where they do not apply (an unknown cell or activation, Keras 2's GRU, a number overflowing)."""
    cell = layer.cell
    equations = CELLS.get(type(cell).__name__)
    if equations is None or getattr(cell, "activation", None) is None or numpy_activation(cell.activation) is None:
        return None
    if hasattr(cell, "recurrent_activation") and numpy_activation(cell.recurrent_activation) is None:
        return None
    units = int(cell.units)
    count = 2 if type(cell).__name__ == "LSTMCell" else 1
    if initial_state is None:
        state = [np.zeros(units, dtype="float32") for _ in range(count)]
    else:
        state = [np.asarray(array, dtype="float32")[0] for array in initial_state]
    backwards = bool(getattr(layer, "go_backwards", False))
    inputs = np.asarray(sample_input, dtype="float32")[0]
    with np.errstate(over="ignore"):  # sigmoid of a large negative number is 0, as in Keras
        states = equations(cell, inputs[::-1] if backwards else inputs, state)
    if states is None or len(state) != count or not np.all(np.isfinite(states)):
        return None
    return (states[::-1] if backwards else states)[np.newaxis]


def _close(replayed: np.ndarray, real: np.ndarray) -> bool:
    """Whether the replay gave the layer's own numbers: the same shape, equal within TOLERANCE."""
    replayed, real = np.asarray(replayed, dtype="float32"), np.asarray(real, dtype="float32")
    return replayed.shape == real.shape and np.allclose(replayed, real, atol=TOLERANCE, rtol=TOLERANCE)
