"""What a layer is, kind by kind: its code, its settings, its weight formula, its output axes.

One table, `LAYER_KINDS`. Each entry says, for one kind of Keras layer, how to write it as code,
which settings to show, how the textbook counts its weights, and what the axes of its outputs
mean given the axes of its inputs. Teaching the engine a new kind of layer (Conv1D, say) is one
more entry here.

The table says what a layer is. What is done with a kind is decided where it is done, by the
kind's name (`LayerRecord.kind`): the engine's work runs Keras, which this table must not load,
and the drawing's belongs to the drawing. topologies/engine/observe.py records more for the
kinds that run a cell (a recurrent layer's h_t at every step, a cell's returned states, a
Bidirectional's two directions); topologies/engine/inside_cell.py finds the cell to step through
(a Bidirectional's forward copy, a cell called by hand); the drawing (app/draw's rows.py,
grid.py, kernels.py and labels.py, and app/ui/inside_cell_view.py) gives those kinds, nested
models and windowed layers their own rows, windows and notes. A new kind drawn as a plain row of
boxes needs only its entry here.

Axis names travel through the graph the way shapes do: a model input is ("batch", "steps",
"features"), an LSTM(4, return_sequences=True) makes that ("batch", "steps", "units"). Where a
layer's last axis means something else (a Dense layer that brings the output back to
`features`, or scores a `vocab`), the topology declares it in its LAST_AXIS table.

This module reads attributes of Keras layers but imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from topologies.records import Axes, LayerRecord

MODEL_CLASSES = ("Functional", "Sequential", "Model")  # a model used as a layer of another


def _no_settings(layer) -> dict:
    return {}


def _no_weights(layer) -> str:
    return "no weights = 0"


def _same_axes(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    return list(input_axes[:count])


@dataclasses.dataclass(frozen=True)
class LayerKind:
    """Everything the engine says about one kind of layer."""

    name: str  # recurrent, bidirectional, ...: LayerRecord.kind, switched on as the docstring says
    classes: tuple[str, ...]  # the Keras class names of this kind
    code: Callable[[object], str]  # the layer as Keras code
    settings: Callable[[object], dict] = _no_settings  # what the page and the JSON show
    formula: Callable[[object], str] = _no_weights  # the weight count, written out
    # (layer, input axes, number of outputs, declared meaning of the last axis) -> output axes
    output_axes: Callable[[object, list[Axes], int, str | None], list[Axes]] = _same_axes
    has_cell: bool = False  # runs a recurrent cell, whose one step the Shapes page can open (inside_cell)


# ------------------------------------------------------------------ recurrent layers

# Each step of a cell computes this many blocks of units numbers, each from its own
# (inputs + units) x units weights: LSTM's four gates (i, f, c, o), GRU's three (z, r, h),
# SimpleRNN's one. The cost estimate (topologies.cost) and the own-model check count with it.
GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
# Bias vectors per gate: GRU keeps two, one added to x_t W and one to h_(t-1) U (reset_after=True,
# Keras 3's default).
BIASES = {"LSTM": 1, "GRU": 2, "SimpleRNN": 1}


def recurrent_count(cell: str, units: int, inputs: int) -> int:
    """The weights of one recurrent layer: recurrent_count("LSTM", units=4, inputs=2) == 112."""
    return GATES[cell] * units * (inputs + units + BIASES[cell])


def recurrent_formula(cell: str, units: int, inputs: int) -> str:
    gates, biases = GATES[cell], BIASES[cell]
    total = recurrent_count(cell, units, inputs)
    factor = f"{gates} x " if gates > 1 else ""
    return f"{factor}units x (inputs + units + {biases}) = {factor}{units} x ({inputs} + {units} + {biases}) = {total}"


def _input_width(layer) -> int:
    tensor = layer.input[0] if isinstance(layer.input, list) else layer.input
    return int(tensor.shape[-1])


RECURRENT_FLAGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")


def cell_name(layer) -> str:
    """LSTM, GRU or SimpleRNN, for the layer itself or for RNN(LSTMCell(...))."""
    return type(layer.cell).__name__.removesuffix("Cell")


def _recurrent_code(layer) -> str:
    """LSTM(4, return_sequences=True), RNN(LSTMCell(4), return_sequences=True), with any dropout."""
    units = int(layer.cell.units)
    head = f"{cell_name(layer)}Cell({units})" if type(layer).__name__ == "RNN" else str(units)
    flags = [f"{flag}=True" for flag in RECURRENT_FLAGS if getattr(layer, flag, False)]
    rates = [
        f"{rate}={getattr(layer.cell, rate)}"
        for rate in ("dropout", "recurrent_dropout")
        if getattr(layer.cell, rate, 0)
    ]
    return f"{type(layer).__name__}({', '.join([head, *flags, *rates])})"


def _recurrent_settings(layer) -> dict:
    return {
        "cell": cell_name(layer),
        "units": int(layer.cell.units),
        **{flag: bool(getattr(layer, flag, False)) for flag in RECURRENT_FLAGS},
        "dropout": float(getattr(layer.cell, "dropout", 0.0)),
        "recurrent_dropout": float(getattr(layer.cell, "recurrent_dropout", 0.0)),
    }


def _recurrent_axes(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    """What is handed on (a sequence or its last step), then the returned states h (and c)."""
    units = meaning or "units"
    handed_on = ("batch", "steps", units) if layer.return_sequences else ("batch", units)
    return [handed_on] + [("batch", units)] * (count - 1)


def _cell_formula(layer) -> str:
    """A cell's weights are its layer's: the same count, once, however many times it is called."""
    cell, units = type(layer).__name__.removesuffix("Cell"), int(layer.units)
    return recurrent_formula(cell, units, int(layer.kernel.shape[0]))


def _cell_axes(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    """A cell makes one step: its output h_t, then its states (h_t, and c_t for an LSTMCell)."""
    return [("batch", meaning or "units")] * count


def _bidirectional_formula(layer) -> str:
    inner = layer.forward_layer
    cell, units, inputs = cell_name(inner), int(inner.cell.units), _input_width(layer)
    return f"2 x [{recurrent_formula(cell, units, inputs)}] = {2 * recurrent_count(cell, units, inputs)}"


# ------------------------------------------------------------------ other layers


def dense_formula(units: int, inputs: int) -> str:
    return f"units x (inputs + 1) = {units} x ({inputs} + 1) = {units * (inputs + 1)}"


def _last_axis_renamed(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    """Dense acts on the last axis only: the others keep their names."""
    return [input_axes[0][:-1] + (meaning or "dense",)]


def _activation(layer) -> str:
    """, activation="relu" where a layer has one other than the identity."""
    name = getattr(layer.activation, "__name__", "linear")
    return "" if name == "linear" else f', activation="{name}"'


def _joined_axes(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    """Concatenate lays its inputs end to end along one axis; the others keep their names. Along
    the last axis, n inputs of the same meaning make "n x units", different ones "units + features"."""
    axis = layer.axis % len(input_axes[0])
    names = [axes[axis] for axes in input_axes]
    joined = f"{len(names)} x {names[0]}" if len(set(names)) == 1 else " + ".join(names)
    return [input_axes[0][:axis] + (meaning or joined,) + input_axes[0][axis + 1 :]]


def _reshaped_axes(layer, input_axes: list[Axes], count: int, meaning: str | None) -> list[Axes]:
    """New axes have no names of their own (axis 1, axis 2); a topology that reshapes one vector
    per step into a sequence declares what each step's vector is (LAST_AXIS), and its axes are
    then (batch, steps, that)."""
    if meaning and len(layer.target_shape) == 2:
        return [(input_axes[0][0], "steps", meaning)]
    return [(input_axes[0][0], *(f"axis {index}" for index in range(1, len(layer.target_shape) + 1)))]


def _conv_code(layer) -> str:
    padding = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
    strides = "" if layer.strides[0] == 1 else f", strides={layer.strides[0]}"
    dilation = "" if layer.dilation_rate[0] == 1 else f", dilation_rate={layer.dilation_rate[0]}"
    return f"Conv1D({layer.filters}, {layer.kernel_size[0]}{strides}{padding}{dilation}{_activation(layer)})"


def _pooling_code(layer) -> str:
    """MaxPooling1D(2), with strides and padding where they are not the defaults."""
    strides = "" if layer.strides[0] == layer.pool_size[0] else f", strides={layer.strides[0]}"
    padding = "" if layer.padding == "valid" else f', padding="{layer.padding}"'
    return f"{type(layer).__name__}({layer.pool_size[0]}{strides}{padding})"


def _window_settings(layer) -> dict:
    """How a Conv1D or pooling layer slides its window along the steps: which steps each of its
    own steps reads (the drawing's window arrows follow them)."""
    return {"strides": int(layer.strides[0]), "padding": layer.padding}


def _conv_formula(layer) -> str:
    filters, kernel, inputs = int(layer.filters), int(layer.kernel_size[0]), _input_width(layer)
    total = filters * (kernel * inputs + 1)
    return f"filters x (kernel x inputs + 1) = {filters} x ({kernel} x {inputs} + 1) = {total}"


def _normalization_formula(layer) -> str:
    """A scale and an offset per feature; BatchNormalization keeps two running averages too."""
    width = _input_width(layer)
    if type(layer).__name__ == "BatchNormalization":
        return f"4 x features = 4 x {width} = {4 * width} (2 trained, 2 running averages)"
    return f"2 x features = 2 x {width} = {2 * width}"


LAYER_KINDS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in [
        LayerKind(
            "recurrent",
            ("LSTM", "GRU", "SimpleRNN", "RNN"),
            code=_recurrent_code,
            settings=_recurrent_settings,
            formula=lambda layer: recurrent_formula(cell_name(layer), int(layer.cell.units), _input_width(layer)),
            output_axes=_recurrent_axes,
            has_cell=True,
        ),
        LayerKind(
            "cell",
            ("LSTMCell", "GRUCell", "SimpleRNNCell"),
            code=lambda layer: f"{type(layer).__name__}({layer.units})",
            settings=lambda layer: {"cell": type(layer).__name__.removesuffix("Cell"), "units": int(layer.units)},
            formula=_cell_formula,
            output_axes=_cell_axes,
            has_cell=True,
        ),
        LayerKind(
            "bidirectional",
            ("Bidirectional",),
            code=lambda layer: (
                f"Bidirectional({code_of(layer.forward_layer)}"
                + ("" if layer.merge_mode == "concat" else f', merge_mode="{layer.merge_mode}"')
                + ")"
            ),
            settings=lambda layer: {**_recurrent_settings(layer.forward_layer), "merge_mode": layer.merge_mode},
            formula=_bidirectional_formula,
            output_axes=lambda layer, axes, count, meaning: [
                ("batch", "steps")[: 2 if layer.forward_layer.return_sequences else 1]
                + ("2 x units" if layer.merge_mode == "concat" else "units",)
            ],
            has_cell=True,
        ),
        LayerKind(
            "repeat",
            ("RepeatVector",),
            code=lambda layer: f"RepeatVector({layer.n})",
            settings=lambda layer: {"steps": int(layer.n)},
            output_axes=lambda layer, axes, count, meaning: [(axes[0][0], "steps", *axes[0][1:])],
        ),
        LayerKind(
            "time_distributed",
            ("TimeDistributed",),
            code=lambda layer: f"TimeDistributed({code_of(layer.layer)})",
            settings=lambda layer: {"inner": code_of(layer.layer)},
            formula=lambda layer: f"{dense_formula(int(layer.layer.units), _input_width(layer))}, once for every step",
            output_axes=_last_axis_renamed,
        ),
        LayerKind(
            "dense",
            ("Dense",),
            code=lambda layer: f"Dense({layer.units}{_activation(layer)})",
            settings=lambda layer: {"units": int(layer.units)},
            formula=lambda layer: dense_formula(int(layer.units), _input_width(layer)),
            output_axes=_last_axis_renamed,
        ),
        LayerKind(
            "embedding",
            ("Embedding",),
            code=lambda layer: (
                f"Embedding({layer.input_dim}, {layer.output_dim}" + (", mask_zero=True)" if layer.mask_zero else ")")
            ),
            settings=lambda layer: {
                "vocab": int(layer.input_dim),
                "features": int(layer.output_dim),
                "mask_zero": bool(layer.mask_zero),
            },
            formula=lambda layer: (
                f"vocab x features = {layer.input_dim} x {layer.output_dim} = {layer.input_dim * layer.output_dim}"
            ),
            output_axes=lambda layer, axes, count, meaning: [axes[0] + ("features",)],
        ),
        LayerKind(
            "activation",
            ("Activation",),
            code=lambda layer: f'Activation("{layer.activation.__name__}")',
            settings=lambda layer: {"activation": layer.activation.__name__},
        ),
        LayerKind(
            "model",
            MODEL_CLASSES,
            code=lambda layer: f'Model(name="{layer.name}")',
            formula=lambda layer: f"sum of its layers = {layer.count_params()}",
        ),
        LayerKind(
            "conv1d",
            ("Conv1D",),
            code=_conv_code,
            settings=lambda layer: {
                "filters": int(layer.filters),
                "kernel_size": int(layer.kernel_size[0]),
                **_window_settings(layer),
                "dilation_rate": int(layer.dilation_rate[0]),
            },
            formula=_conv_formula,
            output_axes=lambda layer, axes, count, meaning: [axes[0][:-1] + ("filters",)],
        ),
        LayerKind(
            "pooling",
            ("MaxPooling1D", "AveragePooling1D"),
            code=_pooling_code,
            settings=lambda layer: {"pool_size": int(layer.pool_size[0]), **_window_settings(layer)},
        ),
        LayerKind(
            "global_pooling",
            ("GlobalAveragePooling1D", "GlobalMaxPooling1D"),
            code=lambda layer: f"{type(layer).__name__}()",
            output_axes=lambda layer, axes, count, meaning: [(axes[0][0], axes[0][-1])],
        ),
        LayerKind(
            "flatten",
            ("Flatten",),
            code=lambda layer: "Flatten()",
            output_axes=lambda layer, axes, count, meaning: [(axes[0][0], " x ".join(axes[0][1:]))],
        ),
        LayerKind(
            "reshape",
            ("Reshape",),
            code=lambda layer: f"Reshape({tuple(layer.target_shape)})",
            output_axes=_reshaped_axes,
        ),
        LayerKind(
            "join",
            ("Concatenate",),
            code=lambda layer: "Concatenate()" if layer.axis == -1 else f"Concatenate(axis={layer.axis})",
            settings=lambda layer: {"axis": int(layer.axis)},
            output_axes=_joined_axes,
        ),
        # Layers that keep the shape: what they do is marked on their row.
        LayerKind(
            "dropout",
            ("Dropout", "SpatialDropout1D"),
            code=lambda layer: f"{type(layer).__name__}({layer.rate})",
            # SpatialDropout1D drops whole features, the same ones at every step.
            settings=lambda layer: {"rate": float(layer.rate), "whole_features": type(layer).__name__ != "Dropout"},
        ),
        LayerKind(
            "masking",
            ("Masking",),
            code=lambda layer: f"Masking(mask_value={layer.mask_value})",
            settings=lambda layer: {"mask_value": float(layer.mask_value)},
        ),
        LayerKind(
            "normalization",
            ("LayerNormalization", "BatchNormalization"),
            code=lambda layer: f"{type(layer).__name__}()",
            formula=_normalization_formula,
        ),
        # Any layer the table does not know yet: its class name, and its input axes handed on.
        LayerKind("other", (), code=lambda layer: type(layer).__name__),
    ]
}
_KIND_OF_CLASS = {class_name: kind for kind in LAYER_KINDS.values() for class_name in kind.classes}


def kind_of(layer) -> LayerKind:
    return _KIND_OF_CLASS.get(type(layer).__name__, LAYER_KINDS["other"])


def code_of(layer) -> str:
    return kind_of(layer).code(layer)


def describe(layer, parent: str | None, node) -> LayerRecord:
    """The record of what `layer` is, the same for every call of its model; the declared shapes
    are those of `node`, the layer's call in that model's graph (observe.own_node)."""
    kind = kind_of(layer)
    return LayerRecord(
        name=layer.name,
        class_name=type(layer).__name__,
        kind=kind.name,
        code=kind.code(layer),
        parent=parent,
        settings=kind.settings(layer),
        params=int(layer.count_params()),
        formula=kind.formula(layer),
        declared_shapes=tuple(tuple(tensor.shape) for tensor in node.output_tensors),
    )
