"""Your own model: a stack of layers typed as Keras code, built and traced like a catalogue topology.

    own = OwnStack(parse_stack("Input(None, 3) | LSTM(8, return_sequences=True) | TimeDistributed(Dense(2))"))
    result = trace(own, Config(batch=4, steps=6))   # result.topology == "stack"

Before a single weight exists, every size is checked: each layer's arguments against its own
constructor, the shapes worked out layer by layer with Keras's compute_output_shape, and the
weights and the multiply-adds of its recurrent layers estimated from them. Only then are the
layers called on a symbolic input, one by one, so that a refusal from Keras names the layer it
came from; `explain` turns the usual ones into a plain sentence with the fix ("give layer 1
return_sequences=True").
"""

from __future__ import annotations

import dataclasses
import inspect
import re

import keras
import numpy as np

from topologies.config import Config
from topologies.contract import OWN_MODEL_BUDGET, OwnModel
from topologies.layer_kinds import cell_name, recurrent_count
from topologies.own.stack import RECURRENT, Stack, StackError, parse_stack
from topologies.refusal import Quoted, cut, quoted

MAX_WEIGHTS = 20_000_000  # 80 MB of float32: far above any model a picture can teach with
ALWAYS_ALLOWED_KEYWORDS = ("name",)


@dataclasses.dataclass(frozen=True)
class OwnStack(OwnModel):
    """A user's stack of layers, typed as Keras code."""

    stack: Stack
    id = "stack"
    summary = "Your own stack of layers, typed as Keras code."

    @classmethod
    def from_text(cls, text: str) -> OwnStack:
        return cls(parse_stack(text))

    @property
    def source(self) -> str:
        return self.stack.text

    def check(self, config: Config) -> None:
        """Sizes first: the budget, arguments, shapes, weights and work, with no weight created yet."""
        super().check(config)
        planned_sizes(self.stack, config)

    def build(self, config: Config) -> keras.Model:
        return build_stack(self.stack, config)


# ----------------------------------------------------------------------------- the input


def input_of(stack: Stack, config: Config) -> tuple[tuple, str, int | None]:
    """(shape without the batch, dtype, fixed batch or None) of the stack's input.

    Without an Input, the sizes give (steps, features), or (steps,) of token ids when the first
    layer is an Embedding. A stateful layer needs a fixed batch: the stack's own, else the sizes'.
    """
    first = stack.layers[0].name
    if stack.input_shape is not None:
        shape = stack.input_shape
    else:
        shape = (config.steps,) if first == "Embedding" else (config.steps, config.features)
    dtype = "int32" if first == "Embedding" else "float32"
    return shape, dtype, stack.input_batch


# ----------------------------------------------------------------------------- layers from calls


def make_layer(call, position: int, wrapped_in: str = "") -> keras.layers.Layer:
    """The Keras layer a LayerCall names, its arguments checked against its own constructor."""
    cls = getattr(keras.layers, call.name)
    parameters = [
        parameter
        for parameter in inspect.signature(cls.__init__).parameters.values()
        if parameter.name not in ("self", "kwargs", "args", "weights", "backward_layer", "quantization_config")
    ]
    names = {parameter.name for parameter in parameters} | set(ALWAYS_ALLOWED_KEYWORDS)
    for keyword, _ in call.keywords:
        if keyword not in names:
            raise StackError(
                f"Layer {position}, {call.name}, has no argument ", quoted(keyword), "; see its page in the Keras docs."
            )
    wrapped = [make_layer(call.inner, position, wrapped_in=call.name)] if call.inner else []
    positional = wrapped + list(call.args)
    if len(positional) > len(parameters):
        raise StackError(
            f"Layer {position}, {call.name}, takes at most {len(parameters)} arguments in order, not {len(positional)}."
        )
    keywords = dict(call.keywords)
    # A layer's name says where it sits: lstm_2 is layer 2 (a wrapped one: lstm_in_bidirectional_2).
    inside = f"_in_{_snake(wrapped_in)}" if wrapped_in else ""
    keywords.setdefault("name", f"{_snake(call.name)}{inside}_{position}")
    try:
        return cls(*positional, **keywords)
    except (ValueError, TypeError) as error:
        raise StackError(f"Layer {position}, ", typed(call), ", is refused by Keras: ", _plain(error), ".") from None


def _snake(name: str) -> str:
    """LSTM -> lstm, TimeDistributed -> time_distributed, Conv1D -> conv1d."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def _plain(error: Exception) -> Quoted:
    """Keras's message without terminal colour codes, on one line: quoted back as the user's text."""
    return Quoted(cut(" ".join(re.sub(r"\x1b\[[0-9;]*m", "", str(error)).split()), 300))


def typed(call) -> Quoted:
    """A layer as the user typed it: their text, so shown literally."""
    return Quoted(cut(call.code, 120))


# ----------------------------------------------------------------------------- sizes before weights


def planned_sizes(stack: Stack, config: Config) -> list:
    """Each layer's output shape, worked out without creating weights; refuse what is too big."""
    shape, _, fixed_batch = input_of(stack, config)
    current = (fixed_batch or config.batch, *(config.steps if size is None else size for size in shape))
    weights, work, shapes = {}, {}, []
    for position, call in enumerate(stack.layers, start=1):
        layer = make_layer(call, position)
        weights[position], work[position] = _weights_and_work(layer, current)
        try:
            current = layer.compute_output_shape(current)
        except Exception:  # Keras will refuse this layer when it is built, and say why
            break
        shapes.append(current)
        if not isinstance(current, tuple) or not all(isinstance(size, int) for size in current):
            break  # a list of shapes (return_state): the next layer is refused when it is built
    _refuse_over(weights, MAX_WEIGHTS, "weights", "fewer units, filters or a smaller vocabulary", stack)
    _refuse_over(
        work, OWN_MODEL_BUDGET, "multiply-adds of its recurrent layers", "smaller batch, steps or units", stack
    )
    return shapes


def _refuse_over(amounts: dict[int, int], limit: int, what: str, advice: str, stack: Stack) -> None:
    total = sum(amounts.values())
    if total <= limit:
        return
    position = max(amounts, key=amounts.get)
    raise StackError(
        f"The stack needs about {total:,} {what}, above the {limit:,} allowed; most of it is layer {position}, ",
        typed(stack.layers[position - 1]),
        f" ({amounts[position]:,}): try {advice}.",
    )


def _weights_and_work(layer, input_shape: tuple) -> tuple[int, int]:
    """Weights a layer will create for this input, and the recurrent work of one pass over the batch."""
    name = type(layer).__name__
    width = input_shape[-1] if input_shape and isinstance(input_shape[-1], int) else 1
    batch, steps = input_shape[0], (input_shape[1] if len(input_shape) > 2 else 1)
    if name == "Bidirectional":
        weights, work = _weights_and_work(layer.forward_layer, input_shape)
        return 2 * weights, 2 * work
    if name in (*RECURRENT, "RNN"):
        units = int(layer.cell.units)
        return recurrent_count(cell_name(layer), units, width), batch * steps * units * (units + width)
    if name == "TimeDistributed":
        return _weights_and_work(layer.layer, (batch, *input_shape[2:]))[0], 0
    if name == "Dense":
        return int(layer.units) * (width + 1), 0
    if name == "Conv1D":
        return int(layer.filters) * (int(np.prod(layer.kernel_size)) * width + 1), 0
    if name == "Embedding":
        return int(layer.input_dim) * int(layer.output_dim), 0
    return 4 * width, 0  # normalisation's scales and offsets, at most


# ----------------------------------------------------------------------------- building


def build_stack(stack: Stack, config: Config) -> keras.Model:
    """The stack as a Functional model, layer by layer; a Keras refusal names its layer."""
    shape, dtype, fixed_batch = input_of(stack, config)
    inputs = keras.Input(shape=shape, batch_size=fixed_batch, dtype=dtype, name="x")
    outputs = inputs
    for position, call in enumerate(stack.layers, start=1):
        layer = make_layer(call, position)
        try:
            outputs = layer(outputs)
        except (ValueError, TypeError) as error:
            raise explain(stack, position, error) from None
    return keras.Model(inputs, outputs, name="stack")


def explain(stack: Stack, position: int, error: Exception) -> StackError:
    """Keras's refusal of layer `position`, with what it means and the fix, in one sentence."""
    message = _plain(error)
    call = stack.layers[position - 1]
    earlier = stack.layers[: position - 1]
    before = f"layer {position - 1}" if earlier else "the input"
    reason = "Keras refuses it"
    if "expected ndim=3, found ndim=2" in message or "expected min_ndim=3, found ndim=2" in message:
        reason = f"it reads a sequence, but {before} hands on one vector per sequence"
        giver = next(
            (index for index in range(position - 1, 0, -1) if stack.layers[index - 1].name in (*RECURRENT, "RNN")),
            None,
        )
        if giver:
            reason += f": give layer {giver} return_sequences=True"
    elif "received 3 input tensors" in message or "received 2 input tensors" in message:
        reason = f"{before} has return_state=True, so it hands on a list (the output, then its states), not one tensor"
    elif "found ndim=4" in message and any(layer.name == "Embedding" for layer in earlier):
        reason = (
            "an Embedding reads token ids, (batch, steps), but it was fed (batch, steps, features): "
            "give the Input no features"
        )
    elif "stateful=True" in message and "batch size must be static" in message:
        reason = (
            "a stateful layer keeps one state per sequence, so it needs a fixed batch: "
            "start with Input(..., batch_size=N)"
        )
    elif "TimeDistributed" in message and "at least 3 dimensions" in message:
        reason = f"TimeDistributed applies its layer at every step, but {before} hands on no steps"
    refusal = StackError(f"Layer {position}, ", typed(call), f": {reason}. Keras says: ", message, ".")
    refusal.position = position  # the layers before it were accepted: a page can draw those
    return refusal
