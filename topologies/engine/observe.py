"""Observe one run of a model: every layer's inputs and outputs, not only the model's.

An *observer* is a second function over the same graph (keras.Function) whose outputs are all
its tensors. It shares the layers, so running it is running the model, and one pass yields every
intermediate tensor. A model that holds models (the autoencoder) runs one top-level layer at a
time instead, each nested model through an observer of its own, so that no layer runs twice.

What comes out is a LayerActivity per layer (topologies.records): shapes, axis names, and
sample 0's numbers for the picture's hover.
"""

from __future__ import annotations

import contextlib
import dataclasses

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from topologies.engine.replay import replayed_directions, replayed_states
from topologies.layer_kinds import kind_of
from topologies.records import VALUE_WIDTH, Axes, LayerActivity, input_names

# Eager Keras costs about 4 ms per time step here, a compiled function about 150 ms once and
# then a fraction of that: past this many steps through one callable, compile it.
EAGER_STEP_LIMIT = 32


class Executor:
    """Calls a Keras model or layer eagerly, switching to a compiled function once it has run
    more than EAGER_STEP_LIMIT steps: the same numbers either way, whichever is cheaper.

    Run eagerly, every recurrent layer is run unrolled (`unroll=True`, put back afterwards): a
    Python loop over the steps, where Keras would otherwise build a tf.while_loop with its tensor
    arrays step by step. That is Keras's own speed-up for short sequences, and eager runs here
    are short (at most EAGER_STEP_LIMIT steps): the seed's many_to_one call took 21 ms looped and
    14 ms unrolled. Each step does the same cell arithmetic in the same order, so the numbers
    are the same (tests/test_observe.py). The compiled function keeps the layers' own loop."""

    def __init__(self, function):
        self._function = function
        self._compiled = None
        self._steps_run = 0
        self._recurrent = recurrent_layers(function)
        # A model can make its own steps: RepeatVector turns one vector per sample into a
        # sequence, so the steps run are read from its outputs too, not from its input alone.
        outputs = getattr(function, "outputs", None) or []
        self._steps_inside = max((tensor.shape[1] or 0 for tensor in outputs if len(tensor.shape) > 2), default=0)

    @property
    def compiled(self) -> bool:
        """Whether the calls now go through a compiled function."""
        return self._compiled is not None

    def __call__(self, inputs, **keywords):
        self._steps_run += max(steps_in(keras.tree.flatten(inputs)[0]), self._steps_inside)
        if self._steps_run <= EAGER_STEP_LIMIT:
            with unrolled(self._recurrent):
                return self._function(inputs, **keywords)
        if self._compiled is None:
            self._compiled = tf.function(self._function, reduce_retracing=True)
        return self._compiled(inputs, **keywords)


def recurrent_layers(function) -> list[layers.RNN]:
    """Every recurrent layer that `function` (a keras.Function, a model or a layer) runs, those
    inside a Bidirectional or a nested model included."""
    operations = getattr(function, "operations", None) or [function]
    found = []
    for operation in operations:
        if isinstance(operation, keras.layers.Layer):
            found += [layer for layer in operation._flatten_layers() if isinstance(layer, layers.RNN)]
    return list({id(layer): layer for layer in found}.values())


@contextlib.contextmanager
def unrolled(recurrent: list[layers.RNN]):
    """Within the block, each of the `recurrent` layers runs unrolled; afterwards, as it was."""
    saved = [layer.unroll for layer in recurrent]
    for layer in recurrent:
        layer.unroll = True
    try:
        yield
    finally:
        for layer, unroll in zip(recurrent, saved):
            layer.unroll = unroll


def steps_in(array) -> int:
    """The time steps an input walks: (batch, steps, features), or token ids (batch, steps). A
    single vector per sample, (batch, features) or a decoder's code (batch, units), is one step:
    its second axis is no time."""
    if array.ndim == 3 or (array.ndim == 2 and "int" in str(array.dtype)):
        return int(array.shape[1])
    return 1


@dataclasses.dataclass
class Observation:
    outputs: list[np.ndarray]  # the model's own outputs
    output_axes: list[Axes]
    activities: list[LayerActivity]  # one per layer, nested layers after their model


class Observer:
    """Runs a model so that every layer's inputs and outputs come back.

    `last_axis` names what the last output axis of a layer means where it is not its units
    (a topology's LAST_AXIS table: {"to_vocab": "vocab"}).
    """

    def __init__(self, model: keras.Model, last_axis: dict[str, str]):
        self.model = model
        self.last_axis = last_axis
        self.layers = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
        tensors: list = []
        position: dict[int, int] = {}

        def positions_of(structure) -> list[int]:
            indices = []
            for tensor in keras.tree.flatten(structure):
                if id(tensor) not in position:
                    position[id(tensor)] = len(tensors)
                    tensors.append(tensor)
                indices.append(position[id(tensor)])
            return indices

        self.model_input_positions = positions_of(model.inputs)
        # Each call of a layer in this graph, in the order they run: a layer called twice (a shared
        # Embedding, a cell called once per step) is observed once per call.
        self.calls = graph_calls(model, self.layers)
        self.input_positions = {call: positions_of(node.input_tensors) for call, node in self.calls.items()}
        self.output_positions = {call: positions_of(node.output_tensors) for call, node in self.calls.items()}
        self.model_output_positions = positions_of(model.outputs)
        self.nested = {
            layer.name: Observer(layer, last_axis) for layer in self.layers if isinstance(layer, keras.Model)
        }
        if self.nested:
            self._layer_runs = {layer.name: Executor(layer) for layer in self.layers}
        else:
            # keras.Function, not keras.Model: the same graph run through the same layer calls,
            # without a Model's bookkeeping (0.08 ms to make instead of 0.64 for the seed's).
            self._run = Executor(keras.Function(model.inputs, tensors, name=f"{model.name}_observer"))

    def observe(self, inputs: list[np.ndarray], input_axes: list[Axes], initial_states: dict) -> Observation:
        """Run once; return the model's outputs and one LayerActivity per layer, nested included.

        `initial_states` holds, per stateful layer, the state sample 0 starts this call with.
        """
        if self.nested:
            arrays = dict(zip(self.model_input_positions, inputs))
        else:
            arrays = dict(enumerate(as_arrays(self._run(inputs))))
        axes: dict[int, Axes] = dict(zip(self.model_input_positions, input_axes))
        activities = []
        producer = dict(zip(self.model_input_positions, input_names(len(self.model_input_positions))))
        for layer, node in self.calls:
            layer_inputs = [arrays[i] for i in self.input_positions[layer, node]]
            # A mask Keras computes between layers (Embedding(mask_zero=True), Masking) is an input
            # no layer handed on: (batch, steps) of true and false.
            layer_input_axes = [axes.get(i, ("batch", "steps")) for i in self.input_positions[layer, node]]
            outputs_at = self.output_positions[layer, node]
            nested: list[LayerActivity] = []
            if layer.name in self.nested:
                inner = self.nested[layer.name].observe(layer_inputs, layer_input_axes, initial_states)
                arrays.update(zip(outputs_at, inner.outputs))
                layer_output_axes = inner.output_axes
                nested = inner.activities
            else:
                if self.nested:
                    single = layer_inputs[0] if len(layer_inputs) == 1 else layer_inputs
                    arrays.update(zip(outputs_at, as_arrays(self._layer_runs[layer.name](single))))
                meaning = self.last_axis.get(layer.name)
                layer_output_axes = kind_of(layer).output_axes(layer, layer_input_axes, len(outputs_at), meaning)
            layer_outputs = [arrays[i] for i in outputs_at]
            axes.update(zip(outputs_at, layer_output_axes))
            initial_state = initial_states.get(layer.name)
            recorded = activity(layer, layer_inputs, layer_outputs, initial_state, layer_input_axes, layer_output_axes)
            # A mask no layer handed on is not a feed: the layer that made the masked tensor feeds it.
            fed_by = tuple(dict.fromkeys(producer[i] for i in self.input_positions[layer, node] if i in producer))
            recorded = dataclasses.replace(recorded, fed_by=fed_by, node=node)
            activities.append(recorded)
            producer.update(dict.fromkeys(outputs_at, recorded.key))
            activities.extend(nested)
        return Observation(
            outputs=[arrays[i] for i in self.model_output_positions],
            output_axes=[axes[i] for i in self.model_output_positions],
            activities=activities,
        )


def graph_calls(model, model_layers: list) -> dict[tuple, object]:
    """(layer, call number from 0) -> Keras node, for every call of a layer in this model's graph,
    in an order they can run in: deepest (nearest the inputs) first, the model's layer order
    within a depth. A layer's nodes outside this graph (a nested model's own) are left out."""
    depth_of = {id(node): depth for depth, nodes in getattr(model, "_nodes_by_depth", {}).items() for node in nodes}
    if not depth_of:  # no graph of nodes to read (not a Functional model): each layer's last call
        return {(layer, 0): layer._inbound_nodes[-1] for layer in model_layers}
    found = [
        (depth_of[id(node)], order, number, layer, node)
        for order, layer in enumerate(model_layers)
        for number, node in enumerate(node for node in layer._inbound_nodes if id(node) in depth_of)
    ]
    found.sort(key=lambda item: (-item[0], item[1], item[2]))
    return {(layer, number): node for _, _, number, layer, node in found}


def own_node(layer, model):
    """`layer`'s last call in `model`'s own graph. A layer called by several graphs (a model kept
    on topologies.engine.shelf and re-graphed for other steps) holds a node in each; a layer inside a
    nested model is not in the outer graph, and its last node is read."""
    in_graph = {id(node) for nodes in getattr(model, "_nodes_by_depth", {}).values() for node in nodes}
    return next((node for node in reversed(layer._inbound_nodes) if id(node) in in_graph), layer._inbound_nodes[-1])


def as_arrays(outputs) -> list[np.ndarray]:
    return [np.asarray(tensor) for tensor in keras.tree.flatten(outputs)]


def activity(
    layer,
    inputs: list[np.ndarray],
    outputs: list[np.ndarray],
    initial_state: list[np.ndarray] | None,
    input_axes: list[Axes],
    output_axes: list[Axes],
) -> LayerActivity:
    """One layer's record for one call: shapes, axes, roles and sample 0's numbers."""
    kind = kind_of(layer).name
    roles = ["y"]
    values = {"x": sample(inputs[0]), "y": sample(outputs[0])}
    if kind == "cell":
        # One step of a cell: its output, then the states it hands to its next call (h, and c for an LSTMCell).
        roles += ["h", "c"][: len(outputs) - 1]
        values.update({f"{role}_final": sample(array) for role, array in zip(roles[1:], outputs[1:])})
    if kind == "recurrent":
        if layer.return_state:
            roles += ["h", "c"][: len(outputs) - 1]
            # The returned final states: "h_final", and "c_final" for an LSTM.
            values.update({f"{role}_final": sample(array) for role, array in zip(roles[1:], outputs[1:])})
        # With return_sequences=True the layer's output at step t is h_t itself; otherwise
        # only the last h_t comes out, and the others are recovered from the layer's own
        # weights over sample 0.
        # A layer with go_backwards=True reads from the last step and hands its outputs on in that
        # order; the states are turned round so that h_t is the state after reading x_t.
        if layer.return_sequences:
            states = outputs[0][:, ::-1] if layer.go_backwards else outputs[0]
        else:
            # An initial_state handed in the graph (a seq2seq's decoder) comes after the sequence;
            # a mask (true and false) is no state.
            handed = [array[0:1] for array in inputs[1:] if array.dtype != bool] or None
            start = handed if initial_state is None else initial_state
            # The textbook equations in NumPy, checked against the h_T the layer handed on; the
            # cell run again through Keras only where they do not apply (topologies.engine.replay).
            states = replayed_states(layer, inputs[0][0:1], outputs[0][0], start)
            if states is None:
                states = state_sequence(layer, inputs[0][0:1], start)
        values["h"] = sample(states)
    if kind == "bidirectional":
        # Each direction's own h_t, whatever merge_mode then makes of them: the wrapper's two
        # layers (its weights) replayed over sample 0; the backward one reads from the last step,
        # so its states are turned round to line up with t, as Bidirectional itself does.
        forward, backward = direction_states(layer, inputs[0][0:1], [array[0:1] for array in outputs])
        values["h_forward"], values["h_backward"] = sample(forward), sample(backward)
    return LayerActivity(
        layer=layer.name,
        input_shapes=tuple(tuple(array.shape) for array in inputs),
        output_shapes=tuple(tuple(array.shape) for array in outputs),
        output_roles=tuple(roles) if len(roles) == len(outputs) else ("y",) * len(outputs),
        input_axes=tuple(input_axes),
        output_axes=tuple(output_axes),
        values=values,
    )


def state_sequence(layer, sample_input: np.ndarray, initial_state=None) -> np.ndarray:
    """h_t at every step t for one sample, from the layer's own cell (its weights): (1, steps, units).

    A layer that reads backwards is probed backwards too, and its states turned round to line up with t."""
    backwards = bool(getattr(layer, "go_backwards", False))
    probe = layers.RNN(layer.cell, return_sequences=True, go_backwards=backwards)
    extra = {} if initial_state is None else {"initial_state": initial_state}
    states = np.asarray(Executor(probe)(sample_input, **extra))
    return states[:, ::-1] if backwards else states


def direction_states(
    layer, sample_input: np.ndarray, sample_outputs: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """h_t of a Bidirectional layer's forward and backward copies for one sample: (1, steps, units)
    each, whether or not the layer hands on its sequences. The NumPy replay, checked against the
    layer's own outputs for that sample (topologies.engine.replay); where it does not apply, each copy's
    cell run again through Keras."""
    replayed = replayed_directions(layer, sample_input, sample_outputs)
    if replayed is not None:
        return replayed
    return state_sequence(layer.forward_layer, sample_input), state_sequence(layer.backward_layer, sample_input)


def sample(array: np.ndarray) -> list:
    """Sample 0, each vector cut to VALUE_WIDTH numbers and rounded: small enough to hover."""
    first = np.asarray(array)[0]
    if first.ndim == 0:
        return [round(float(first), 4)]
    return np.round(first[..., :VALUE_WIDTH].astype("float64"), 4).tolist()
