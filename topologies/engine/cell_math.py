"""What one step of each Keras 3 cell computes: one table, CELL_MATH, an entry per cell.

Each entry names the cell's weights and what their axes mean, the state it carries, and each
intermediate of one step with its equation; its `step` computes them from the cell's own weights
with keras.ops. The gate order inside the weights is Keras's own:

    LSTMCell       kernel (inputs, 4 x units)  columns in blocks i, f, c, o
    GRUCell        kernel (inputs, 3 x units)  blocks z, r, h; bias (2, 3 x units) with reset_after=True
    SimpleRNNCell  kernel (inputs, units)

`*` in an equation multiplies number by number; `x W` is a matrix product. A sum of a (batch, n)
array and an (n,) bias adds the bias to every sample's row.
Reference: https://keras.io/api/layers/recurrent_layers/lstm_cell/
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from keras import ops

from topologies.records import Axes

VALUE_WIDTH = 8  # sample 0's numbers kept per value, as the picture's hover keeps them
GATE = ("batch", "units")
THREE_GATES = ("batch", "3 x units")


def rounded(array) -> tuple[float, ...]:
    """Sample 0's first VALUE_WIDTH numbers, rounded: enough to see, small to send."""
    return tuple(round(float(number), 4) for number in np.asarray(array)[0][:VALUE_WIDTH])


@dataclasses.dataclass(frozen=True)
class CellMath:
    """One kind of cell: its weights, its state, and what one step computes, in order."""

    state_names: tuple[str, ...]  # what the step reads besides x_t, carried from the step before
    # weight name -> (the name of x_t's axis) -> (what each axis means, what the weight does)
    weights: dict[str, Callable[[str], tuple[Axes, str]]]
    values: dict[str, tuple[str, str, Axes]]  # name -> (meaning, equation, axes), in the order computed
    step: Callable  # (cell, x_t, states) -> {name: array} for every name in `values`


def lstm_step(cell, x, states) -> dict[str, np.ndarray]:
    h, c = states  # (batch, units) each
    gates = ops.matmul(x, cell.kernel) + ops.matmul(h, cell.recurrent_kernel) + cell.bias  # (batch, 4 x units)
    z_i, z_f, z_c, z_o = ops.split(gates, 4, axis=-1)  # (batch, units) each, in Keras's order
    i = cell.recurrent_activation(z_i)  # sigmoid
    f = cell.recurrent_activation(z_f)
    candidate = cell.activation(z_c)  # tanh
    o = cell.recurrent_activation(z_o)
    c_t = f * c + i * candidate  # (batch, units)
    h_t = o * cell.activation(c_t)  # (batch, units)
    computed = {"gates": gates, "i": i, "f": f, "c~": candidate, "o": o, "c_t": c_t, "h_t": h_t}
    return {name: np.asarray(array) for name, array in computed.items()}


def gru_step(cell, x, states) -> dict[str, np.ndarray]:
    (h,) = states  # (batch, units)
    from_x = ops.matmul(x, cell.kernel) + cell.bias[0]  # (batch, 3 x units)
    from_h = ops.matmul(h, cell.recurrent_kernel) + cell.bias[1]  # (batch, 3 x units)
    x_z, x_r, x_h = ops.split(from_x, 3, axis=-1)  # (batch, units) each, in Keras's order z, r, h
    h_z, h_r, h_h = ops.split(from_h, 3, axis=-1)
    z = cell.recurrent_activation(x_z + h_z)  # sigmoid
    r = cell.recurrent_activation(x_r + h_r)
    candidate = cell.activation(x_h + r * h_h)  # tanh; reset_after=True: r scales h's product
    h_t = z * h + (1 - z) * candidate  # (batch, units)
    computed = {"from x": from_x, "from h": from_h, "z": z, "r": r, "h~": candidate, "h_t": h_t}
    return {name: np.asarray(array) for name, array in computed.items()}


def simple_step(cell, x, states) -> dict[str, np.ndarray]:
    (h,) = states  # (batch, units)
    total = ops.matmul(x, cell.kernel) + ops.matmul(h, cell.recurrent_kernel) + cell.bias  # (batch, units)
    return {"sum": np.asarray(total), "h_t": np.asarray(cell.activation(total))}


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
        step=lstm_step,
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
        step=gru_step,
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
        step=simple_step,
    ),
}
