"""Replay a recurrent layer over one sample in NumPy, from its own weights: h_t at every step.

A layer built with return_sequences=False hands on only its last state, h_T. The picture shows
h_1 ... h_T all the same, so they must be recomputed. Running the layer's cell through Keras a
second time costs about a third of a small trace (an eager call per step, or a compiled function
past 32 steps); the textbook equations over sample 0 in NumPy cost a fraction of a millisecond
at the seed's sizes, and less than the compiled cell at the largest.

The replay is never trusted blindly: its last state must equal the h_T the real layer handed on
(within float32 rounding), or `replayed_states` answers None and the caller runs the Keras cell
instead. A mask, a custom activation or any setting these equations leave out shows up there.

topologies/engine/cell_math.py states the same equations for the page "Inside a cell", one step through
keras.ops with every intermediate kept; this module is the fast path over all the steps and keeps
only h_t. The equations, with Keras's weight layout (kernel W: (inputs, gates x units), recurrent kernel U:
(units, gates x units), gates side by side in this order):

    SimpleRNN  h_t = tanh(x_t W + h_(t-1) U + b)
    LSTM       i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x_t W + h_(t-1) U + b), split in 4
               c_t = f * c_(t-1) + i * g          h_t = o * tanh(c_t)
    GRU        z, r = sigmoid of the first two thirds of (x_t W + b_in) + (h_(t-1) U + b_rec)
               (reset_after=True, Keras 3's default: the reset gate scales h_(t-1) U's last third)
               n = tanh(x_t W_n + b_in_n + r * (h_(t-1) U_n + b_rec_n))
               h_t = z * h_(t-1) + (1 - z) * n
"""

from __future__ import annotations

import functools

import keras
import numpy as np

ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda values: 1 / (1 + np.exp(-values)),
    "relu": lambda values: np.maximum(values, 0.0),
    "linear": lambda values: values,
}
TOLERANCE = 1e-4  # float32 rounding over many steps stays far below this; a wrong equation does not


def _activation(function):
    """The NumPy twin of a Keras activation, or None for one this module does not know."""
    try:
        return _known_activation(function)
    except TypeError:  # an unhashable callable: not a Keras activation, nor in the cache
        return None


@functools.cache  # Keras's activations are a few module functions; serializing one costs 10 us
def _known_activation(function):
    name = keras.activations.serialize(function)
    return ACTIVATIONS.get(name if isinstance(name, str) else None)


def _weights(cell) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cell's kernel, recurrent kernel and bias as float32, as Keras computes with them."""
    kernel = np.asarray(cell.kernel, dtype="float32")
    recurrent = np.asarray(cell.recurrent_kernel, dtype="float32")
    width = recurrent.shape[1]
    bias = np.asarray(cell.bias, dtype="float32") if cell.use_bias else np.zeros(width, dtype="float32")
    return kernel, recurrent, bias


# Each replay multiplies all the steps' inputs by the kernel at once (one matrix product), and
# only h_(t-1) U step after step, which is all a recurrent layer has to do in order.


def _simple(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    kernel, recurrent, bias = _weights(cell)
    activation = _activation(cell.activation)
    (hidden,) = state
    states = []
    for from_input in inputs @ kernel + bias:
        hidden = activation(from_input + hidden @ recurrent)
        states.append(hidden)
    return np.array(states)


def _lstm(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    kernel, recurrent, bias = _weights(cell)
    activation, gate = _activation(cell.activation), _activation(cell.recurrent_activation)
    hidden, carry = state
    units = hidden.shape[-1]
    states = []
    for from_input in inputs @ kernel + bias:
        summed = from_input + hidden @ recurrent
        # One gate call over all four quarters (the candidate's is not used): a third of the
        # calls of gating i, f and o apart, and the same numbers, element by element.
        gates = gate(summed)
        input_gate, forget_gate, output_gate = gates[:units], gates[units : 2 * units], gates[3 * units :]
        carry = forget_gate * carry + input_gate * activation(summed[2 * units : 3 * units])
        hidden = output_gate * activation(carry)
        states.append(hidden)
    return np.array(states)


def _gru(cell, inputs: np.ndarray, state: list[np.ndarray]) -> np.ndarray:
    if not cell.reset_after:
        return None
    kernel, recurrent, bias = _weights(cell)
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    activation, gate = _activation(cell.activation), _activation(cell.recurrent_activation)
    (hidden,) = state
    units = hidden.shape[-1]
    states = []
    for from_input in inputs @ kernel + input_bias:
        from_state = hidden @ recurrent + recurrent_bias
        # z and r gated in one call over the first two thirds, as the LSTM's gates are.
        gates = gate(from_input[: 2 * units] + from_state[: 2 * units])
        update, reset = gates[:units], gates[units:]
        new_input, new_state = from_input[2 * units :], from_state[2 * units :]
        hidden = update * hidden + (1 - update) * activation(new_input + reset * new_state)
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
    if equations is None or getattr(cell, "activation", None) is None or _activation(cell.activation) is None:
        return None
    if hasattr(cell, "recurrent_activation") and _activation(cell.recurrent_activation) is None:
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
