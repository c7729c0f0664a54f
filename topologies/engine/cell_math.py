"""What one step of each Keras 3 cell computes, in NumPy: the LSTM, GRU and SimpleRNN equations, once.

Two callers run these equations. topologies/engine/replay.py runs a layer's cell over every step
of sample 0 and keeps h_t (a trace's fast path); topologies/engine/inside_cell.py runs one step
over the whole batch and keeps every intermediate for the page "Inside a cell". The table
CELL_MATH describes each cell for that page: its weights and what their axes mean, the state it
carries, and each intermediate of one step with its equation. The gate order inside the weights
is Keras's own:

    LSTMCell       kernel (inputs, 4 x units)  columns in blocks i, f, c, o
    GRUCell        kernel (inputs, 3 x units)  blocks z, r, h; bias (2, 3 x units) with reset_after=True
    SimpleRNNCell  kernel (inputs, units)

`*` in an equation multiplies number by number; `x W` is a matrix product. A sum of a (batch, n)
array and an (n,) bias adds the bias to every sample's row. Each step function takes x_t's part,
x_t W + b, already computed: a caller running many steps multiplies all the steps' inputs by the
kernel at once (one matrix product), and only h_(t-1) U is left to do step after step, which is
all a recurrent layer has to do in order. The arrays may be one sample's vectors, (units,), or
a batch, (batch, units): the gates are cut from the last axis.

    weights = Weights.of(cell)
    h_t = lstm_step(x_t @ weights.kernel + weights.input_bias, h, c, weights.recurrent, tanh, sigmoid)[-1]

Reference: https://keras.io/api/layers/recurrent_layers/lstm_cell/
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import NamedTuple

import keras
import numpy as np

from topologies.records import VALUE_WIDTH, Axes

GATE = ("batch", "units")
THREE_GATES = ("batch", "3 x units")

# The NumPy twins of the Keras activations these equations know, by Keras's own name.
ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda values: 1 / (1 + np.exp(-values)),
    "relu": lambda values: np.maximum(values, 0.0),
    "linear": lambda values: values,
}


def rounded(array) -> tuple[float, ...]:
    """Sample 0's first VALUE_WIDTH numbers, rounded: enough to see, small to send."""
    return tuple(round(float(number), 4) for number in np.asarray(array)[0][:VALUE_WIDTH])


def numpy_activation(function) -> Callable | None:
    """The NumPy twin of a Keras activation, or None for one this module does not know."""
    try:
        return _known_activation(function)
    except TypeError:  # an unhashable callable: not a Keras activation, nor in the cache
        return None


@functools.cache  # Keras's activations are a few module functions; serializing one costs 10 us
def _known_activation(function):
    name = keras.activations.serialize(function)
    return ACTIVATIONS.get(name if isinstance(name, str) else None)


class Weights(NamedTuple):
    """A cell's weights as float32 NumPy arrays, as Keras computes with them."""

    kernel: np.ndarray  # W: (inputs, gates x units), multiplies x_t
    recurrent: np.ndarray  # U: (units, gates x units), multiplies h_(t-1)
    input_bias: np.ndarray  # b: (gates x units,), added to x_t W; zeros without use_bias
    recurrent_bias: np.ndarray  # a GRU's second bias row, added to h_(t-1) U; zeros for the others

    @classmethod
    def of(cls, cell) -> Weights:
        kernel = np.asarray(cell.kernel, dtype="float32")
        recurrent = np.asarray(cell.recurrent_kernel, dtype="float32")
        zeros = np.zeros(recurrent.shape[1], dtype="float32")
        bias = np.asarray(cell.bias, dtype="float32") if cell.use_bias else zeros
        if bias.ndim == 2:  # GRUCell with reset_after=True: one row for x_t W, one for h_(t-1) U
            return cls(kernel, recurrent, bias[0], bias[1])
        return cls(kernel, recurrent, bias, zeros)


# ------------------------------------------------------------------ the equations


def lstm_step(from_input, hidden, carry, recurrent, activation, gate) -> tuple:
    """One LSTM step from x_t W + b (`from_input`), h_(t-1) and c_(t-1): the four gates before
    their activations, then i, f, c~, o, c_t and h_t, in CELL_MATH's order."""
    summed = from_input + hidden @ recurrent  # (..., 4 x units): x_t W + b + h_(t-1) U
    units = hidden.shape[-1]
    # One gate call over all four quarters (the candidate's is not used): a third of the calls
    # of gating i, f and o apart, and the same numbers, element by element.
    gated = gate(summed)
    input_gate, forget_gate, output_gate = gated[..., :units], gated[..., units : 2 * units], gated[..., 3 * units :]
    candidate = activation(summed[..., 2 * units : 3 * units])
    carry = forget_gate * carry + input_gate * candidate  # c_t
    hidden = output_gate * activation(carry)  # h_t
    return summed, input_gate, forget_gate, candidate, output_gate, carry, hidden


def gru_step(from_input, hidden, recurrent, recurrent_bias, activation, gate) -> tuple:
    """One GRU step (reset_after=True) from x_t W + b_x (`from_input`) and h_(t-1): x_t's and
    h_(t-1)'s parts of the three gates, then z, r, h~ and h_t, in CELL_MATH's order."""
    from_state = hidden @ recurrent + recurrent_bias  # (..., 3 x units): h_(t-1) U + b_h
    units = hidden.shape[-1]
    # z and r gated in one call over the first two thirds, as the LSTM's gates are.
    gated = gate(from_input[..., : 2 * units] + from_state[..., : 2 * units])
    update, reset = gated[..., :units], gated[..., units:]
    # The reset gate scales h_(t-1)'s product, not h_(t-1) itself (reset_after=True).
    candidate = activation(from_input[..., 2 * units :] + reset * from_state[..., 2 * units :])
    hidden = update * hidden + (1 - update) * candidate  # h_t
    return from_input, from_state, update, reset, candidate, hidden


def simple_step(from_input, hidden, recurrent, activation) -> tuple:
    """One SimpleRNN step from x_t W + b (`from_input`) and h_(t-1): the sum, then h_t."""
    summed = from_input + hidden @ recurrent  # (..., units)
    return summed, activation(summed)


# ------------------------------------------------------------------ one step, every intermediate


@dataclasses.dataclass(frozen=True)
class CellMath:
    """One kind of cell: its weights, its state, and what one step computes, in order."""

    state_names: tuple[str, ...]  # what the step reads besides x_t, carried from the step before
    # weight name -> (the name of x_t's axis) -> (what each axis means, what the weight does)
    weights: dict[str, Callable[[str], tuple[Axes, str]]]
    values: dict[str, tuple[str, str, Axes]]  # name -> (meaning, equation, axes), in the order computed
    # (x_t W + b, states, weights, activation, gate) -> every value of `values`, in that order
    equations: Callable

    def step(self, cell, x, states) -> dict[str, np.ndarray]:
        """One step of `cell` over the batch: x_t (batch, inputs) and its states (batch, units)
        each, to every intermediate by name. An activation without a NumPy twin runs as Keras's."""
        weights = Weights.of(cell)
        activation = _numpy_or_keras(cell.activation)
        gate = _numpy_or_keras(getattr(cell, "recurrent_activation", None))
        states = [np.asarray(state, dtype="float32") for state in states]
        from_input = np.asarray(x, dtype="float32") @ weights.kernel + weights.input_bias
        computed = self.equations(from_input, states, weights, activation, gate)
        return {name: np.asarray(array) for name, array in zip(self.values, computed)}


def _numpy_or_keras(function) -> Callable | None:
    if function is None:
        return None
    return numpy_activation(function) or (lambda values: np.asarray(function(values)))


def _kernel(gates: str, blocks: str):
    """The kernel's axes and role, for an x_t whose numbers are called `inputs`."""
    width = f"{gates} x units" if gates else "units"
    return lambda inputs: ((inputs, width), f"multiplies x_t: one row per number of x_t ({inputs}){blocks}")


CELL_MATH = {
    "LSTM": CellMath(
        state_names=("h_(t-1)", "c_(t-1)"),
        weights={
            "kernel": _kernel("4", "; columns in four blocks of units: W_i, W_f, W_c, W_o"),
            "recurrent_kernel": lambda inputs: (
                ("units", "4 x units"),
                "multiplies h_(t-1): one row per unit; the same four blocks: U_i, U_f, U_c, U_o",
            ),
            "bias": lambda inputs: (("4 x units",), "added for every sample: b_i, b_f, b_c, b_o"),
        },
        values={
            "gates": (
                "the four gates before their activations, side by side in Keras's order i, f, c, o",
                "x_t W + h_(t-1) U + b",
                ("batch", "4 x units"),
            ),
            "i": ("input gate: how much of the candidate is written", "i = sigmoid(x_t W_i + h_(t-1) U_i + b_i)", GATE),
            "f": ("forget gate: how much of c_(t-1) is kept", "f = sigmoid(x_t W_f + h_(t-1) U_f + b_f)", GATE),
            "c~": ("candidate: what could be written", "c~ = tanh(x_t W_c + h_(t-1) U_c + b_c)", GATE),
            "o": ("output gate: how much of the cell state shows", "o = sigmoid(x_t W_o + h_(t-1) U_o + b_o)", GATE),
            "c_t": ("the new cell state, carried to the next step", "c_t = f * c_(t-1) + i * c~", GATE),
            "h_t": ("the new state: handed on as y_t and to the next step", "h_t = o * tanh(c_t)", GATE),
        },
        equations=lambda from_input, states, weights, activation, gate: lstm_step(
            from_input, *states, weights.recurrent, activation, gate
        ),
    ),
    "GRU": CellMath(
        state_names=("h_(t-1)",),
        weights={
            "kernel": _kernel("3", "; columns in three blocks of units: W_z, W_r, W_h"),
            "recurrent_kernel": lambda inputs: (
                ("units", "3 x units"),
                "multiplies h_(t-1): one row per unit; the same three blocks: U_z, U_r, U_h",
            ),
            "bias": lambda inputs: (
                ("2", "3 x units"),
                "two biases, since reset_after=True (Keras's default): row 0, b_x, is added to x_t W; "
                "row 1, b_h, to h_(t-1) U",
            ),
        },
        values={
            "from x": ("x_t's part of the three gates, in Keras's order z, r, h", "x_t W + b_x", THREE_GATES),
            "from h": ("h_(t-1)'s part of the three gates", "h_(t-1) U + b_h", THREE_GATES),
            "z": ("update gate: how much of h_(t-1) is kept", "z = sigmoid(x_t W_z + b_xz + h_(t-1) U_z + b_hz)", GATE),
            "r": (
                "reset gate: how much of h_(t-1)'s part reaches the candidate",
                "r = sigmoid(x_t W_r + b_xr + h_(t-1) U_r + b_hr)",
                GATE,
            ),
            "h~": (
                "candidate: the reset gate scales h_(t-1)'s product (reset_after=True)",
                "h~ = tanh(x_t W_h + b_xh + r * (h_(t-1) U_h + b_hh))",
                GATE,
            ),
            "h_t": ("the new state: handed on as y_t and to the next step", "h_t = z * h_(t-1) + (1 - z) * h~", GATE),
        },
        equations=lambda from_input, states, weights, activation, gate: gru_step(
            from_input, *states, weights.recurrent, weights.recurrent_bias, activation, gate
        ),
    ),
    "SimpleRNN": CellMath(
        state_names=("h_(t-1)",),
        weights={
            "kernel": _kernel("", ""),
            "recurrent_kernel": lambda inputs: (("units", "units"), "multiplies h_(t-1): one row per unit"),
            "bias": lambda inputs: (("units",), "added for every sample"),
        },
        values={
            "sum": ("what the activation is applied to", "x_t W + h_(t-1) U + b", GATE),
            "h_t": ("the new state: handed on as y_t and to the next step", "h_t = tanh(x_t W + h_(t-1) U + b)", GATE),
        },
        equations=lambda from_input, states, weights, activation, gate: simple_step(
            from_input, *states, weights.recurrent, activation
        ),
    ),
}
