"""One step inside a recurrent layer's cell, as plain frozen records: no Keras, no NumPy.

    CellStep                  one step of one layer's cell, for the whole batch of this run
      .weights -> CellWeight  each weight of the cell: its name, tuple(w.shape), what its axes mean
      .values  -> CellValue   what goes into the step, then each intermediate, with its equation

A recurrent layer is one cell and a loop: the same cell, with the same weights, is called once
per step. So one step of the cell says everything about the layer's arithmetic, and `units` is
how wide the cell's state is, not how many cells there are. Every shape here is `array.shape` of
a tensor computed in a real run (topologies/engine/inside_cell.py); the equations explain the shapes,
they do not make them.
"""

from __future__ import annotations

import dataclasses

from topologies.layer_kinds import LAYER_KINDS
from topologies.records import Axes, Shape, Trace

# The layer kinds that hold a cell whose step can be shown: recurrent, bidirectional and cell.
KINDS_WITH_A_CELL = tuple(name for name, kind in LAYER_KINDS.items() if kind.has_cell)


@dataclasses.dataclass(frozen=True)
class CellWeight:
    """One weight of the cell, as Keras holds it."""

    name: str  # "kernel", "recurrent_kernel", "bias": the weight's own name in Keras
    shape: Shape  # tuple(weight.shape): (2, 16)
    axes: Axes  # what each axis means: ("features", "4 x units")
    role: str  # what it is for, in words: "multiplies x_t: one row per feature, ..."


@dataclasses.dataclass(frozen=True)
class CellValue:
    """One tensor of the step: an input to it (x_t, h_(t-1), c_(t-1)) or something it computes."""

    name: str  # "x_t", "h_(t-1)", "i", "c~", "h_t", ...
    meaning: str  # "input gate: how much of the candidate is written into c_t"
    shape: Shape  # array.shape as computed: (10, 4)
    axes: Axes  # ("batch", "units")
    equation: str  # "i = sigmoid(x_t W_i + h_(t-1) U_i + b_i)"; what it is, for an input
    sample: tuple[float, ...]  # sample 0's first numbers, rounded


@dataclasses.dataclass(frozen=True)
class CellStep:
    """One step of one layer's cell, run on this run's own data."""

    topology: str
    layer: str  # the layer asked about: "rnn", "rnn_2", "bidirectional", "cell"
    runs: str  # the Keras layer whose cell ran: the layer itself, or a Bidirectional's "forward_rnn"
    cell: str  # "LSTM", "GRU" or "SimpleRNN"
    cell_class: str  # the cell's Keras class: "LSTMCell"
    units: int  # how wide the state is: each gate, h_t and c_t are (batch, units)
    steps: int  # steps the layer reads in this call of the model: its one cell is called once per step
    step: int  # which x_t this step read: 1, or the last step for a layer that reads backwards
    state_from: str  # where h_(t-1) (and c_(t-1)) came from, in words
    note: str  # anything else the reader must know ("" when nothing): which copy of a Bidirectional
    weights: tuple[CellWeight, ...]
    values: tuple[CellValue, ...]  # the inputs first, then the intermediates in the order computed
    # Largest |difference| between h_t computed here from the weights and what the cell's own call
    # returned for the same x_t and state: ~0, or the step would not have been reported.
    cell_difference: float

    def value(self, name: str) -> CellValue:
        return next(value for value in self.values if value.name == name)


def cell_layers(result: Trace) -> list[str]:
    """The layers of a trace whose cell can be opened, in the trace's order (nested ones too)."""
    return [layer.name for layer in result.layers if layer.kind in KINDS_WITH_A_CELL]
