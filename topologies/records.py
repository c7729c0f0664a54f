"""What a trace measured, as plain frozen records: no Keras, no TensorFlow, no NumPy.

    Trace                       one whole trace: the topology, its Config, its layers, its calls
      .layers  -> LayerRecord   what a layer is (code, settings, weights), the same in every call
      .calls   -> CallRecord    one call of the model, in order
        .layers -> LayerActivity  what one layer received and handed on in that call
      .facts   -> Facts         what a multi-call topology measured beyond shapes

Every shape in here is `array.shape` of a tensor from a real run. Because the records are plain
data they can be cached, sent to the browser, written as JSON (`Trace.to_dict`) and read back
(`Trace.from_dict`), and importing them costs nothing: the drawing and the CLI's `list` use them
without starting TensorFlow.
"""

from __future__ import annotations

import dataclasses
import functools

from topologies.config import Config

Shape = tuple[int, ...]
Axes = tuple[str, ...]  # one name per axis of a shape: ("batch", "steps", "units")
# Numbers kept per vector of sample 0, for the picture's hover and the page "Inside a cell":
# enough to see, small to send.
VALUE_WIDTH = 8


def symbolic(shape: Shape, axes: Axes) -> str:
    """A measured shape beside what each axis means: (10, 5, 4) = (batch, steps, units)"""
    numbers = ", ".join(str(size) for size in shape)
    return f"({numbers}) = ({', '.join(axes)})"


def input_names(count: int) -> list[str]:
    """What fed_by calls the model's inputs: "input", or "input 1", "input 2", ... for several."""
    return ["input"] if count == 1 else [f"input {number}" for number in range(1, count + 1)]


@dataclasses.dataclass(frozen=True)
class LayerRecord:
    """What a layer is: the same for every call of the model."""

    name: str
    class_name: str  # "LSTM", "Bidirectional", "Dense", "Functional" for a nested model, ...
    kind: str  # a key of topologies.layer_kinds.LAYER_KINDS: recurrent, bidirectional, dense, ...
    code: str  # the layer as Keras code: "LSTM(4, return_sequences=True)"
    parent: str | None  # the nested model holding this layer, or None at the top level
    settings: dict  # units, return_sequences, return_state, stateful, ... where they apply
    params: int  # as Keras counts them
    formula: str  # how the textbook arrives at the same count: "4 x 4 x (2 + 4 + 1) = 112"
    # The output shapes as the model declares them, None where any run may differ (the batch, or
    # the steps of a model built with steps=None): (None, None, 4).
    declared_shapes: tuple[tuple[int | None, ...], ...] = ()


@dataclasses.dataclass(frozen=True)
class LayerActivity:
    """What one layer received and handed on during one call, as measured."""

    layer: str
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    output_roles: tuple[str, ...]  # "y" for what is handed on; "h", "c" for returned states
    input_axes: tuple[Axes, ...]  # what each axis means: ("batch", "steps", "features")
    output_axes: tuple[Axes, ...]  # ("batch", "steps", "units"), ("batch", "units"), ...
    # Sample 0, the first VALUE_WIDTH numbers of each vector: "x" (input), "y" (first output),
    # "h" (state at every step), "h_final" and "c_final" (returned states), "h_forward"/"h_backward".
    values: dict
    # The layers whose outputs this layer read, in the order of its inputs; "input" for the
    # model's own input (of the model holding the layer; "input 1", "input 2", ... where it has
    # several). Keras's graph, as it ran. A layer's second call is named by its key: "embedding#2".
    fed_by: tuple[str, ...] = ()
    node: int = 0  # which call of the layer in the model's graph, from 0: a shared layer has several

    @property
    def key(self) -> str:
        """The layer's name, and for its second call on "#2", ...: how fed_by names this call."""
        return self.layer if self.node == 0 else f"{self.layer}#{self.node + 1}"


@dataclasses.dataclass(frozen=True)
class CallRecord:
    """One call of the model: a single-call topology has one, labelled "run"."""

    label: str  # "run", "batch 2", "prime", "step 7", "window 1"
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]
    reset_before: bool  # the stateful layers were reset just before this call
    layers: tuple[LayerActivity, ...]
    input_axes: tuple[Axes, ...]
    output_axes: tuple[Axes, ...]
    # The label of the call whose output was fed in as this call's input ("step 3"), said by the
    # protocol that fed it back; None for an input made otherwise (data, the known series).
    fed_back_from: str | None = None

    def activity(self, layer_name: str, node: int = 0) -> LayerActivity:
        """What a layer did in this call of the model: its first call in the graph, or call `node`."""
        return self._activities[layer_name, node]

    @functools.cached_property
    def _activities(self) -> dict[tuple[str, int], LayerActivity]:
        # Drawing asks for a layer's activity thousands of times a picture: looked up, not searched.
        # Read from the end, so the first record of a (layer, node) is the one kept, as next() found it.
        return {(item.layer, item.node): item for item in reversed(self.layers)}


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a multi-call topology measured beyond shapes. A field is None where it does not apply."""

    # stateful_batches: largest |difference| between the pieces fed to the stateful layer and the
    # whole sequences fed at once to a stateless twin with the same weights (~0 when it continues).
    stateful_vs_whole_max_abs_diff: float | None = None
    # stateful_batches with uneven_batch=True: what Keras said when a batch had one sample fewer.
    keras_error: str | None = None
    # forecast_stateful: the loss after each epoch; sample 0's forecast and the true continuation,
    # one row of features per future step.
    training_loss: list[float] | None = None
    forecast_sample_0: list[list[float]] | None = None
    truth_sample_0: list[list[float]] | None = None
    # sliding_windows: the shapes of all the windows cut from the series, and of their targets;
    # with stateful_recipe=True, per window, how far the seed's stateful one-window-at-a-time
    # recipe lands from the windows run as independent sequences (0 for window 1, then not).
    windows_shape: list[int] | None = None
    targets_shape: list[int] | None = None
    stateful_recipe_max_abs_diff: list[float] | None = None

    def items(self) -> list[tuple[str, object]]:
        """The facts that apply, by name, in the order declared above."""
        return [
            (field.name, getattr(self, field.name))
            for field in dataclasses.fields(self)
            if getattr(self, field.name) is not None
        ]


@dataclasses.dataclass(frozen=True)
class Trace:
    """Everything measured in one trace, as plain data."""

    topology: str
    config: Config
    layers: tuple[LayerRecord, ...]
    calls: tuple[CallRecord, ...]
    reset_after: bool  # the stateful layers were reset after the last call
    facts: Facts = Facts()
    ran: str = ""  # what ran, in words and the run's own sizes: "batch 10 · steps 5"
    source: str = ""  # a user's own model: the stack as typed (written back), or the file's name

    @property
    def input_shapes(self) -> tuple[Shape, ...]:
        return self.calls[0].input_shapes

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        return self.calls[0].output_shapes

    @property
    def params(self) -> int:
        return sum(layer.params for layer in self.layers if layer.parent is None)

    def layer(self, name: str) -> LayerRecord:
        return self._layers_by_name[name]

    @functools.cached_property
    def _layers_by_name(self) -> dict[str, LayerRecord]:
        # As CallRecord._activities: the drawing looks layers up by name at every box.
        return {layer.name: layer for layer in reversed(self.layers)}

    def to_dict(self) -> dict:
        """JSON-ready: shapes are lists of ints, everything else strings, numbers and lists.

        The first call's shapes are repeated at the top level (and per layer) for a reader who
        wants the usual one-call summary; the calls hold everything, and `from_dict` reads them.
        """
        first_call = self.calls[0]
        return {
            "topology": self.topology,
            "config": self.config.to_dict(),
            "input_shapes": _lists(self.input_shapes),
            "output_shapes": _lists(self.output_shapes),
            "input_axes": _lists(first_call.input_axes),
            "output_axes": _lists(first_call.output_axes),
            "params": self.params,
            "layers": [
                {
                    "name": layer.name,
                    "class": layer.class_name,
                    "kind": layer.kind,
                    "code": layer.code,
                    "parent": layer.parent,
                    "settings": layer.settings,
                    "input_shapes": _lists(first_call.activity(layer.name).input_shapes),
                    "output_shapes": _lists(first_call.activity(layer.name).output_shapes),
                    "output_roles": list(first_call.activity(layer.name).output_roles),
                    "output_axes": _lists(first_call.activity(layer.name).output_axes),
                    "params": layer.params,
                    "formula": layer.formula,
                    "declared_shapes": _lists(layer.declared_shapes),
                }
                for layer in self.layers
            ],
            "calls": [
                {
                    "label": call.label,
                    "input_shapes": _lists(call.input_shapes),
                    "output_shapes": _lists(call.output_shapes),
                    "input_axes": _lists(call.input_axes),
                    "output_axes": _lists(call.output_axes),
                    "reset_before": call.reset_before,
                    "fed_back_from": call.fed_back_from,
                    "layers": [
                        {
                            "layer": item.layer,
                            "input_shapes": _lists(item.input_shapes),
                            "output_shapes": _lists(item.output_shapes),
                            "output_roles": list(item.output_roles),
                            "input_axes": _lists(item.input_axes),
                            "output_axes": _lists(item.output_axes),
                            "values": item.values,
                            "fed_by": list(item.fed_by),
                            "node": item.node,
                        }
                        for item in call.layers
                    ],
                }
                for call in self.calls
            ],
            "reset_after": self.reset_after,
            "ran": self.ran,
            "source": self.source,
            **dict(self.facts.items()),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Trace:
        """The Trace that `to_dict` wrote: `Trace.from_dict(t.to_dict()) == t`, through JSON too."""
        fact_names = {field.name for field in dataclasses.fields(Facts)}
        return cls(
            topology=data["topology"],
            config=Config(**data["config"]),
            layers=tuple(
                LayerRecord(
                    name=layer["name"],
                    class_name=layer["class"],
                    kind=layer["kind"],
                    code=layer["code"],
                    parent=layer["parent"],
                    settings=layer["settings"],
                    params=layer["params"],
                    formula=layer["formula"],
                    declared_shapes=_tuples(layer["declared_shapes"]),
                )
                for layer in data["layers"]
            ),
            calls=tuple(
                CallRecord(
                    label=call["label"],
                    input_shapes=_tuples(call["input_shapes"]),
                    output_shapes=_tuples(call["output_shapes"]),
                    reset_before=call["reset_before"],
                    layers=tuple(
                        LayerActivity(
                            layer=item["layer"],
                            input_shapes=_tuples(item["input_shapes"]),
                            output_shapes=_tuples(item["output_shapes"]),
                            output_roles=tuple(item["output_roles"]),
                            input_axes=_tuples(item["input_axes"]),
                            output_axes=_tuples(item["output_axes"]),
                            values=item["values"],
                            fed_by=tuple(item["fed_by"]),
                            node=item["node"],
                        )
                        for item in call["layers"]
                    ),
                    input_axes=_tuples(call["input_axes"]),
                    output_axes=_tuples(call["output_axes"]),
                    fed_back_from=call["fed_back_from"],
                )
                for call in data["calls"]
            ),
            reset_after=data["reset_after"],
            ran=data["ran"],
            source=data["source"],
            facts=Facts(**{name: value for name, value in data.items() if name in fact_names}),
        )


def _lists(shapes: tuple[tuple, ...]) -> list[list]:
    return [list(shape) for shape in shapes]


def _tuples(shapes: list[list]) -> tuple[tuple, ...]:
    return tuple(tuple(shape) for shape in shapes)
