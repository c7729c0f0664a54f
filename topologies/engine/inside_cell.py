"""Inside a cell: one step of a recurrent layer's own cell, on this run's own data.

`LSTM(4)` is `RNN(LSTMCell(4))`: one cell, called once per step with x_t and the state it
returned the step before. This module builds the topology's model exactly as a trace does
(seeded weights, seeded data), runs its protocol up to its first call, takes what the chosen
layer received there, and runs the cell's first step by hand, from the cell's own weights:

    step = inside_cell("many_to_one", Config(), "rnn")
    step.weights[0].shape         # (2, 16) = (features, 4 x units): the LSTM's kernel
    step.value("f").shape         # (10, 4) = (batch, units): the forget gate, for every sample

Every intermediate's shape is the shape of the array computed here. The h_t computed by hand is
checked against the cell's own call on the same x_t and state, so what is reported is what the
cell computes. The equations (topologies/engine/cell_math.py) are the explanation beside the shapes.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np

from topologies.cell_records import CellStep, CellValue, CellWeight
from topologies.config import Config
from topologies.engine.cell_math import CELL_MATH, rounded
from topologies.engine.guard import KERAS_LOCK
from topologies.engine.observe import Executor, as_arrays, graph_calls
from topologies.engine.run import all_layers, start, stateful_layers
from topologies.layer_kinds import kind_of
from topologies.refusal import Refusal, quoted

# A hand-made h_t further than this from the cell's own is a bug here, never shown as an answer.
AGREEMENT = 1e-4


class _FirstCallDone(Exception):
    """Stops a topology's protocol once its first call has been seen."""


def inside_cell(topology_id: str, config: Config, layer_name: str) -> CellStep:
    """Build `topology_id` for `config` as trace() does, and run one step of `layer_name`'s cell
    on what that layer received in the first call of the run."""
    with KERAS_LOCK:
        runner = start(topology_id, config)
        found = {layer.name: layer for layer, _ in all_layers(runner.model)}
        layer = found.get(layer_name)
        if layer is None or not kind_of(layer).has_cell:
            names = [name for name, each in found.items() if kind_of(each).has_cell]
            cells = ", ".join(names)
            raise Refusal("cell_layer is ", quoted(layer_name), f", but this picture's cells are in {cells}.")
        received, held = first_call(runner, layer)
        activity = runner.calls[0].activity(layer_name)
        # A cell in a loop written out by hand is called once per step in the model's graph.
        cell_calls = len(graph_calls(runner.model, [layer])) if kind_of(layer).name == "cell" else 0
        return one_step(topology_id, layer, received, held, activity, cell_calls)


def first_call(runner, layer) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """What `layer` received in the protocol's first call (its inputs, the model's own arrays),
    and the state a stateful layer held just before it. Training before that call (the forecast)
    runs as it does in a trace, so the weights are the ones that call used.

    The runner's `call` is wrapped for this one runner: it records what it needs, makes the call
    as usual (so the call's record, with its axes, is there to read), and stops the protocol."""
    seen: dict = {}
    recorded_call = runner.call

    def call(label, inputs, **keywords):
        inputs = inputs if isinstance(inputs, list) else [inputs]
        seen["held"] = [np.array(state) for state in layer.states] if getattr(layer, "stateful", False) else None
        with states_kept(runner.model):  # the layers below, if stateful, must start this call as they were
            seen["received"] = received_by(runner.model, layer, inputs)
        recorded_call(label, inputs, **keywords)
        raise _FirstCallDone

    runner.call = call
    with contextlib.suppress(_FirstCallDone):
        for _ in runner.topology.calls(runner.model, runner.config, runner):
            pass
    return seen["received"], seen["held"]


@contextlib.contextmanager
def states_kept(model):
    """Put every stateful layer's state back as it was after the block."""
    saved = [(variable, np.array(variable)) for layer in stateful_layers(model) for variable in layer.states]
    try:
        yield
    finally:
        for variable, value in saved:
            variable.assign(value)


def received_by(model, target, arrays: list[np.ndarray]) -> list[np.ndarray]:
    """The arrays `target` received at its first call in `model`, fed `arrays`, through the models
    that hold it: a sub-model whose outputs are that call's inputs (a sequence, then any state
    handed in with initial_state)."""
    for layer in model.layers:
        holds = isinstance(layer, keras.Model) and any(inner is target for inner, _ in all_layers(layer))
        if layer is target or holds:
            node = graph_calls(model, [layer])[layer, 0]
            feeding = keras.Model(model.inputs, list(node.input_tensors))
            received = as_arrays(Executor(feeding)(arrays))
            return received if layer is target else received_by(layer, target, received)
    raise ValueError(f"{target.name} is not a layer of {model.name}")


def one_step(topology_id: str, layer, received: list[np.ndarray], held, activity, cell_calls: int) -> CellStep:
    """The cell's first step on the arrays the layer received, by hand and by the cell itself.
    `cell_calls` is how many times the graph calls a cell used on its own (kind "cell")."""
    kind = kind_of(layer).name
    runs = layer.forward_layer if kind == "bidirectional" else layer  # the forward copy: its own weights
    cell = layer if kind == "cell" else runs.cell
    name = type(cell).__name__.removesuffix("Cell")
    math = CELL_MATH[name]
    x, step, steps = first_input(kind, runs, received[0], cell_calls)
    batch, units = x.shape[0], int(cell.units)
    handed = [array for array in received[1:] if array.dtype != bool]  # a mask is no state
    zeros = [np.zeros((batch, units), "float32") for _ in math.state_names]
    states = held if held is not None else handed or zeros
    state_from = where_the_state_came_from(layer, kind, held, handed)

    computed = math.step(cell, x, states)  # name -> array, in the order computed
    own_h, _ = cell(x, states)  # the cell's own call on the same x_t and state
    difference = float(np.max(np.abs(np.asarray(own_h) - computed["h_t"])))
    if not difference <= AGREEMENT:
        raise RuntimeError(f"h_t by hand differs from {type(cell).__name__}'s own by {difference:.3g}")

    inputs_axis = activity.input_axes[0][-1]  # "features", or "units" above another recurrent layer
    given = f"read at step {step} of {steps}"
    values = [CellValue("x_t", "the input at this step", x.shape, ("batch", inputs_axis), given, rounded(x))]
    for state_name, state in zip(math.state_names, states):
        meaning = f"the {'cell state' if state_name.startswith('c') else 'state'} from the step before"
        values.append(CellValue(state_name, meaning, state.shape, ("batch", "units"), state_from, rounded(state)))
    for value_name, (meaning, equation, axes) in math.values.items():
        array = computed[value_name]
        values.append(CellValue(value_name, meaning, array.shape, axes, equation, rounded(array)))
    weights = tuple(
        CellWeight(weight.name, tuple(weight.shape), *math.weights[weight.name](inputs_axis)) for weight in runs.weights
    )
    note = ""
    if kind == "bidirectional":
        note = (
            f"{layer.name} holds two copies of its layer: this is the forward one ({runs.name}). The backward one "
            f"({layer.backward_layer.name}) has weights of the same shapes and starts at the last step."
        )
    return CellStep(
        topology=topology_id,
        layer=layer.name,
        runs=runs.name,
        cell=name,
        cell_class=type(cell).__name__,
        units=units,
        steps=int(steps),
        step=int(step),
        state_from=state_from,
        note=note,
        weights=weights,
        values=tuple(values),
        cell_difference=difference,
    )


def first_input(kind: str, runs, received: np.ndarray, cell_calls: int) -> tuple[np.ndarray, int, int]:
    """x_t of the cell's first step, which step t that is, and how many steps the layer reads."""
    if kind == "cell":  # a cell reads one x_t per call: (batch, inputs); this is its first call
        return received, 1, cell_calls
    steps = received.shape[1]  # (batch, steps, inputs): a layer that reads backwards starts at the last step
    if getattr(runs, "go_backwards", False):
        return received[:, -1], steps, steps
    return received[:, 0], 1, steps


def where_the_state_came_from(layer, kind: str, held, handed) -> str:
    if held is not None:
        reset = " (zeros: it was reset before this call)" if not any(np.any(state) for state in held) else ""
        return f"what this stateful layer held before the call{reset}"
    if handed:
        return f"handed in with initial_state: {state_producers(layer)}"
    if kind == "cell":
        return "zeros, from get_initial_state"
    return "zeros, as every sequence starts"


def state_producers(layer) -> str:
    """The layers whose outputs were handed to `layer` as its initial state: "the final state of encoder"."""
    tensors = list(layer._inbound_nodes[0].input_tensors)[1:]
    names = dict.fromkeys(tensor._keras_history.operation.name for tensor in tensors)
    return f"the final state of {', '.join(names)}"
