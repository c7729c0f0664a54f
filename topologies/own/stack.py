"""A layer stack typed as Keras code, parsed (never evaluated) into plain records.

    parse_stack("Embedding(1000, 16) | Bidirectional(GRU(32, return_sequences=True)) | LSTM(16) | Dense(1)")
    # Stack(input=None, layers=(LayerCall("Embedding", (1000, 16)), LayerCall("Bidirectional", ...), ...))

Layers are separated by `|` or new lines and written the way a Keras user writes them. The text
goes through Python's `ast` parser only: each element must be a call of an allowed layer name,
with literal arguments (numbers, strings, booleans, None, tuples of those); `Bidirectional`,
`TimeDistributed` and `RNN` take one nested layer (or cell) call. Nothing is imported, looked up
or executed on the text's say: a name is only ever a key into ALLOWED. An optional first
`Input(steps, features)` (steps may be None) or `Input(steps)` (token ids) sets the input.

Keras 2 habits from copied code are translated where they can be, each with one note on the Keras 3
way (`input_shape=` becomes the Input; `keras.layers.recurrent.LSTM` is `LSTM`), and refused with
that note where they cannot. Every refusal is one StackError sentence. Checking the arguments
against each layer's own constructor needs Keras, and happens where the stack is built
(topologies.own.model); this module imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import ast
import dataclasses

from topologies.refusal import Quoted, Refusal, quoted

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
CELLS = ("LSTMCell", "GRUCell", "SimpleRNNCell")
WRAPPERS = ("Bidirectional", "TimeDistributed", "RNN")  # each wraps one layer (RNN: one cell)
ALLOWED = (
    *RECURRENT,
    *WRAPPERS,
    "Dense",
    "Embedding",
    "RepeatVector",
    "Dropout",
    "SpatialDropout1D",
    "Masking",
    "LayerNormalization",
    "BatchNormalization",
    "Activation",
    "Conv1D",
    "MaxPooling1D",
    "AveragePooling1D",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "Flatten",
    "Reshape",
)
MAX_TEXT = 4000  # characters of a stack
MAX_LAYERS = 30
MAX_NESTING = 12  # brackets inside brackets: far more than any stack needs, far less than the parser's limit
MAX_NUMBER = 1_000_000  # no size in a stack is larger; the work budget bounds them further
# Keras 2 module paths in copied code: keras.layers.recurrent.LSTM, keras.layers.core.Dense, ...
KERAS_PREFIXES = {("keras", "layers"), ("tf", "keras", "layers"), ("tensorflow", "keras", "layers"), ("layers",)}
KERAS2_MODULES = {"recurrent", "core", "embeddings", "convolutional", "pooling", "normalization", "wrappers"}


class StackError(Refusal):
    """A stack that cannot be read or built; the message says which layer and what would work."""


@dataclasses.dataclass(frozen=True)
class LayerCall:
    """One layer as typed: its class name, literal arguments, and the layer it wraps, if any."""

    name: str  # a key of ALLOWED, or of CELLS inside RNN(...)
    args: tuple = ()
    keywords: tuple[tuple[str, object], ...] = ()
    inner: LayerCall | None = None  # Bidirectional(LSTM(...)), TimeDistributed(Dense(...)), RNN(LSTMCell(...))

    @property
    def code(self) -> str:
        """The call written back as Keras 3 code."""
        parts = [self.inner.code] if self.inner else []
        parts += [repr(value) for value in self.args]
        parts += [f"{key}={value!r}" for key, value in self.keywords]
        return f"{self.name}({', '.join(parts)})"


@dataclasses.dataclass(frozen=True)
class Stack:
    """A parsed stack: the input it declares (if any), its layers, and notes on translated habits."""

    layers: tuple[LayerCall, ...]
    input_shape: tuple[int | None, ...] | None = None  # (steps, features), (steps,) for token ids
    input_batch: int | None = None  # a fixed batch, from batch_input_shape= or Input(batch_size=)
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The stack written back, one layer per `|`: what a link carries."""
        head = []
        if self.input_shape is not None:
            sizes = ", ".join("None" if size is None else str(size) for size in self.input_shape)
            batch = f", batch_size={self.input_batch}" if self.input_batch else ""
            head = [f"Input({sizes}{batch})"]
        return " | ".join(head + [layer.code for layer in self.layers])


def parse_stack(text: object) -> Stack:
    """Read a stack of layers from text; raise StackError, one sentence, for anything else."""
    if not isinstance(text, str) or not text.strip():
        raise StackError("The stack is empty; type layers such as LSTM(8) | Dense(1), one per line or between |.")
    if len(text) > MAX_TEXT:
        raise StackError(f"The stack has {len(text):,} characters, but at most {MAX_TEXT:,} are read.")
    _check_nesting(text)
    pieces = [piece.strip() for line in text.splitlines() for piece in line.split("|")]
    pieces = [piece for piece in pieces if piece]
    if len(pieces) > MAX_LAYERS + 1:
        raise StackError(f"The stack has {len(pieces)} layers, but at most {MAX_LAYERS} are drawn.")
    notes: list[str] = []
    calls = [_read_call(piece, position, notes) for position, piece in enumerate(pieces, start=1)]
    input_shape, input_batch = None, None
    if calls and calls[0].name == "Input":
        input_shape, input_batch = _input_of(calls.pop(0))
    calls, input_shape, input_batch = _keras2_input(calls, input_shape, input_batch, notes)
    if not calls:
        raise StackError("The stack has an Input but no layer; add layers such as LSTM(8) | Dense(1).")
    return Stack(tuple(calls), input_shape, input_batch, tuple(notes))


def accepted_part(stack: Stack, error: StackError) -> Stack | None:
    """The stack up to the last layer Keras accepted, when Keras refused a later one.

    The build (topologies.own.model.explain) sets `position` on its refusal: the layers before
    that one were accepted, so a page can still draw them. Any other refusal gives None."""
    position = getattr(error, "position", 0)
    return dataclasses.replace(stack, layers=stack.layers[: position - 1]) if position > 1 else None


def _check_nesting(text: str) -> None:
    depth = deepest = 0
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise StackError(f"The stack nests brackets {deepest} deep, but at most {MAX_NESTING} are read.")


def _read_call(piece: str, position: int, notes: list[str], inside: bool = False) -> LayerCall:
    """One element: a call of an allowed name with literal arguments."""
    try:
        node = ast.parse(piece, mode="eval").body
    except SyntaxError:
        raise StackError(f"Layer {position} is ", quoted(piece), _NOT_A_CALL) from None
    return _call_of(node, piece, position, notes, inside)


_NOT_A_CALL = ", which is not a layer call; write it as Keras code, such as LSTM(8, return_sequences=True)."


def _call_of(node: ast.AST, piece: str, position: int, notes: list[str], inside: bool) -> LayerCall:
    if not isinstance(node, ast.Call):
        raise StackError(f"Layer {position} is ", quoted(piece), _NOT_A_CALL)
    name = _name_of(node.func, piece, position, notes)
    if name in CELLS and not inside:
        raise StackError(f"Layer {position} is a {name}, a cell; a cell runs inside RNN({name}(...)).")
    allowed = (*ALLOWED, *CELLS) if inside else (*ALLOWED, "Input")
    if name not in allowed:
        raise StackError(
            f"Layer {position} is a ", quoted(name), f", which this tool does not draw; it draws {', '.join(ALLOWED)}."
        )
    args = list(node.args)
    inner = None
    if name in WRAPPERS:
        wrapped = args.pop(0) if args else _keyword_value(node, ("layer", "cell"))
        if wrapped is None:
            raise StackError(f"Layer {position} is a {name} without the layer it wraps, such as {name}(LSTM(8)).")
        inner = _call_of(wrapped, piece, position, notes, inside=True)
        _check_wrapped(name, inner.name, position)
    keywords = tuple(
        (keyword.arg, _literal(keyword.value, piece, position))
        for keyword in node.keywords
        if keyword.arg not in ("layer", "cell") or name not in WRAPPERS
    )
    if any(keyword.arg is None for keyword in node.keywords):
        raise StackError(f"Layer {position} is ", quoted(piece), ", which unpacks **arguments; write each one out.")
    return LayerCall(name, tuple(_literal(arg, piece, position) for arg in args), keywords, inner)


def _keyword_value(node: ast.Call, names: tuple[str, ...]) -> ast.AST | None:
    return next((keyword.value for keyword in node.keywords if keyword.arg in names), None)


def _check_wrapped(wrapper: str, inner: str, position: int) -> None:
    if wrapper == "RNN" and inner not in CELLS:
        raise StackError(f"Layer {position} is RNN({inner}(...)), but RNN takes a cell: {', '.join(CELLS)}.")
    if wrapper == "Bidirectional" and inner not in RECURRENT and inner != "RNN":
        raise StackError(f"Layer {position} is Bidirectional({inner}(...)), but it wraps a recurrent layer.")
    if wrapper == "TimeDistributed" and inner in (*WRAPPERS, *CELLS):
        raise StackError(f"Layer {position} is TimeDistributed({inner}(...)); wrap a plain layer such as Dense.")
    if wrapper != "RNN" and inner in CELLS:
        raise StackError(f"Layer {position} wraps the cell {inner}; a cell runs inside RNN({inner}(...)).")


def _name_of(func: ast.AST, piece: str, position: int, notes: list[str]) -> str:
    """LSTM, layers.LSTM, keras.layers.LSTM; keras.layers.recurrent.LSTM with a note."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.insert(0, func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        raise StackError(f"Layer {position} is ", quoted(piece), _NOT_A_CALL)
    parts.insert(0, func.id)
    *path, name = parts
    if path and path[-1] in KERAS2_MODULES and tuple(path[:-1]) in KERAS_PREFIXES:
        notes.append(f"Layer {position}: {'.'.join(parts)} is Keras 2's path; in Keras 3 it is keras.layers.{name}.")
    elif path and tuple(path) not in KERAS_PREFIXES:
        raise StackError(f"Layer {position} names ", quoted(".".join(parts)), ", which is not a Keras layer.")
    return name


def _literal(node: ast.AST, piece: str, position: int) -> object:
    """A number, string, boolean, None, or a tuple (or list) of those; nothing that computes."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int, float, str))):
        value = node.value
    elif (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        value = -node.operand.value
    elif isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_literal(element, piece, position) for element in node.elts)
    else:
        raise StackError(
            f"Layer {position} has the argument ",
            quoted(ast.get_source_segment(piece, node) or ast.dump(node)[:40]),
            ", but arguments must be plain values: numbers, strings, True, False, None or tuples of them.",
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise StackError(f"Layer {position} has the number ", quoted(value), f", but sizes go up to {MAX_NUMBER:,}.")
    if isinstance(value, str) and len(value) > 60:
        raise StackError(f"Layer {position} has the text ", quoted(value), ", but texts are at most 60 characters.")
    return value


def _input_of(call: LayerCall) -> tuple[tuple[int | None, ...], int | None]:
    """Input(steps, features), Input(steps), Input(shape=(...)), with batch_size= for a fixed batch."""
    keywords = dict(call.keywords)
    shape = call.args or keywords.pop("shape", ())
    batch = keywords.pop("batch_size", None)
    if keywords:
        raise StackError("The Input takes only its shape and batch_size, not ", quoted(sorted(keywords)), ".")
    return _sizes(tuple(shape), "Input"), _batch(batch, "Input")


def _sizes(shape: tuple, where: str) -> tuple[int | None, ...]:
    if len(shape) not in (1, 2) or not all(size is None or _whole(size) for size in shape):
        raise StackError(
            f"{where} is ",
            quoted(shape),
            ", but it must be (steps, features) or (steps,) for token ids, with steps None for any length.",
        )
    return shape


def _batch(batch: object, where: str) -> int | None:
    if batch is not None and not _whole(batch):
        raise StackError(f"{where}'s batch size is ", quoted(batch), ", but it must be a whole number of at least 1.")
    return batch


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _keras2_input(calls: list[LayerCall], shape, batch, notes: list[str]):
    """input_shape= and batch_input_shape= on the first layer become the Input, with a note."""
    if not calls:
        return calls, shape, batch
    first = calls[0]
    keywords = dict(first.keywords)
    for legacy in ("input_shape", "batch_input_shape", "input_dim", "input_length"):
        if legacy not in keywords:
            continue
        value = keywords.pop(legacy)
        if shape is not None:
            raise StackError(f"The first layer has {legacy}= and the stack has an Input; keep the Input.")
        if legacy == "input_shape":
            shape = _sizes(tuple(value) if isinstance(value, tuple) else (value,), "input_shape")
            notes.append(f"input_shape={value!r} is Keras 2; in Keras 3 the shape is keras.Input(shape={value!r}).")
        elif legacy == "batch_input_shape":
            value = tuple(value) if isinstance(value, tuple) else (value,)
            if len(value) < 2:
                raise StackError("batch_input_shape is ", quoted(value), ", but it must be (batch, steps, ...).")
            batch, shape = _batch(value[0], "batch_input_shape"), _sizes(value[1:], "batch_input_shape")
            notes.append(
                f"batch_input_shape={value!r} is Keras 2; in Keras 3 it is keras.Input(batch_shape={value!r})."
            )
        elif first.name != "Embedding":
            raise StackError(f"The first layer has {legacy}=, which Keras 3 removed; start the stack with Input(...).")
        elif legacy == "input_length":
            shape = _sizes((value,), "input_length") if shape is None else shape
            notes.append("input_length= is Keras 2; in Keras 3 the steps come from keras.Input(shape=(steps,)).")
        else:  # Embedding(input_dim=...) is the vocabulary, not a shape: keep it
            keywords[legacy] = value
    calls[0] = dataclasses.replace(first, keywords=tuple(keywords.items()))
    return calls, shape, batch


__all__ = ["ALLOWED", "CELLS", "LayerCall", "Quoted", "Stack", "StackError", "parse_stack"]
