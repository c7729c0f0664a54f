"""The grid the picture is drawn on: one column per time step, one row per layer.

    grid = Grid.of(trace("many_to_one", Config()))
    grid.columns[2]   # Column(call=0, step=2, t=3): the third step of the only call
    grid.rows[1]      # Row(role="recurrent", layer="rnn", left="LSTM(4)")
    grid.x_of(2), grid.y_of(1)   # where that cell's centre is

Columns run through every call of the model in order, and within a call through each model
input's steps (its part of the picture: a seq2seq's encoder, then its decoder). Rows are the
inputs, then each call of each layer in the order Keras ran them (a cell called once per step
in the graph: one row, its calls side by side as steps), then the output. t counts on
across calls until the stateful layers are reset, because that is how far the state reaches
back. Past MAX_COLUMNS
steps only the first and last few are drawn, around one gap column that says how many it hides;
with several inputs, each input's steps share the columns and have a gap of their own, so the
last step of one part and the first of the next (a seq2seq's handed state) are always drawn.
"""

from __future__ import annotations

import dataclasses
import functools

from app.layout_steps import Place, row_places
from app.literal import plotly_text
from topologies.records import CallRecord, LayerActivity, Trace, input_names

MAX_COLUMNS = 12  # past this many steps, draw the first and last few around a gap
FIRST_COLUMNS = 6
COLUMN_WIDTH = 1.0
ROW_GAP = 1.5
CALL_GAP = 0.4  # between the columns of two calls, for the divider
# Above a row that drops its y_t (return_sequences=False over several steps), room for the faded
# y_t boxes, and for the arrows that leave its last h_t to pass above them.
DROPPED_BAND = 0.5
# Right of the last column, inside a nested model's frame: room for the frame's name, written upwards.
FRAME_STRIP = 0.45


@dataclasses.dataclass(frozen=True)
class Column:
    """One drawn time step, or the gap standing for the steps left out."""

    call: int  # index into trace.calls
    step: int | None  # index within the call (within its part); None for the gap
    t: int | None  # time step since the last reset, from 1; None for the gap
    skipped: int = 0  # steps the gap stands for
    part: int = 0  # which model input's steps: a seq2seq draws its encoder's, then its decoder's


@dataclasses.dataclass(frozen=True)
class Row:
    role: str  # input | recurrent | forward | backward | cell | layer | output
    layer: str | None  # the layer's name; None for the model's input and output rows
    left: str  # the layer as code, or "input" / "output"
    node: int = 0  # which call of the layer (a shared layer has a row per call); an input row: which input
    part: int = 0  # which model input's columns the row is drawn over

    @property
    def key(self) -> str:
        """How the trace's fed_by names what this row hands on: "lstm", "embedding#2", "input 2"."""
        if self.role == "input":
            return self.left
        return self.layer if self.node == 0 else f"{self.layer}#{self.node + 1}"


@dataclasses.dataclass(frozen=True)
class Grid:
    """The trace with its columns and rows, and where each cell's centre is."""

    trace: Trace
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @classmethod
    def of(cls, trace: Trace) -> Grid:
        return cls(trace, tuple(_columns(trace)), tuple(_rows(trace)))

    def x_of(self, column_index: int) -> float:
        """Column centres; each call is set apart from the one drawn before it by a little space
        (counted over the drawn columns: the calls hidden in the gap take none)."""
        return self._x_centres[column_index]

    def y_of(self, row_index: int) -> float:
        """Row centres, bottom to top; a row that drops its y_t has a band of room above it."""
        return self._y_centres[row_index]

    # A picture asks for the same centres, feeds and frames at every box and arrow, and a Grid
    # never changes: each is worked out once, on first use (the answers are the same).
    @functools.cached_property
    def _x_centres(self) -> tuple[float, ...]:
        centres, breaks = [], 0
        for index, column in enumerate(self.columns):
            if index and (column.call, column.part) != (self.columns[index - 1].call, self.columns[index - 1].part):
                breaks += 1
            centres.append(index * COLUMN_WIDTH + CALL_GAP * breaks)
        return tuple(centres)

    @functools.cached_property
    def _y_centres(self) -> tuple[float, ...]:
        centres, y = [], 0  # as sum() starts: the bottom row's centre is written 0
        for row in range(len(self.rows)):
            centres.append(y)
            y += ROW_GAP + (DROPPED_BAND if self.drops_outputs(row) else 0.0)
        return tuple(centres)

    def drops_outputs(self, row_index: int) -> bool:
        """A recurrent row that computes y_t at several steps and hands on only the last one."""
        return self._drops[row_index]

    @functools.cached_property
    def _drops(self) -> tuple[bool, ...]:
        return tuple(self._computes_and_drops(row_index) for row_index in range(len(self.rows)))

    def _computes_and_drops(self, row_index: int) -> bool:
        row = self.rows[row_index]
        if row.role != "recurrent":
            return False
        return any(
            len(activity.output_shapes[0]) == 2 and activity.input_shapes[0][1] > 1
            for activity in (self.activity(row_index, call) for call in range(len(self.trace.calls)))
        )

    def activity(self, row_index: int, call_index: int) -> LayerActivity:
        """What this row's layer did in that call of the model (this row's call of the layer)."""
        row = self.rows[row_index]
        return self.trace.calls[call_index].activity(row.layer, row.node)

    @property
    def top_row(self) -> int:
        """The output row, always the last."""
        return len(self.rows) - 1

    @property
    def many_calls(self) -> bool:
        return len(self.trace.calls) > 1

    @property
    def left_edge(self) -> float:
        """The plot's left end, a little before the first column (more around a nested model's
        frame); the row names are written left of it, in the figure's margin."""
        return self.x_of(0) - (0.75 if self.framed else 0.6)

    @property
    def right_edge(self) -> float:
        """The plot's right end: right of the last column, of the returned states drawn beside it
        and of a nested model's frame. The rows' shapes are written right of it, in the margin."""
        extra = 1.6 if len(self.trace.calls[-1].output_shapes) > 1 else 0.0
        return self.x_of(len(self.columns) - 1) + 0.6 + extra + (FRAME_STRIP + 0.2 if self.framed else 0.0)

    @functools.cached_property
    def framed(self) -> bool:
        """Whether a nested model's layers have rows here, drawn inside a frame."""
        nested = {layer.name for layer in self.trace.layers if layer.kind == "model"}
        return any(row.layer and self.trace.layer(row.layer).parent in nested for row in self.rows)

    def drawn(self) -> list[tuple[int, Column]]:
        """(column index, column) of every drawn step, the gap left out."""
        return [(index, column) for index, column in enumerate(self.columns) if column.step is not None]

    def feeding_rows(self, row_index: int) -> list[int]:
        """The rows whose boxes feed this row's steps: those Keras's graph says it read (fed_by),
        except the initial state a recurrent layer is handed (`state_rows`); in a nested model,
        whose fed_by names its own input, the row below. Both directions of a bidirectional layer
        feed the row above, and its backward row reads what its forward row reads."""
        if self.rows[row_index].role == "input":
            return []
        if self.rows[row_index].role == "backward":
            return self.feeding_rows(row_index - 1)
        fed = self._fed_rows(row_index)
        if fed is not None:
            return fed[:1] if self.rows[row_index].role in ("recurrent", "forward") else _both(self, fed)
        if self.rows[row_index - 1].role == "backward":
            return [row_index - 2, row_index - 1]
        return [row_index - 1]

    def beside(self, row_index: int) -> dict[str, float]:
        """Where a row's boxes stand in their column when another row's must not hide their
        arrows: the two directions of a bidirectional layer, the forward one a little to the left
        (x_t feeds both and y_t receives both without crossing a box), and sibling branches, rows
        fed by the same row (each its share of the column, left to right), and the rows above a
        branch up to where it is joined. {} for the centre."""
        role = self.rows[row_index].role
        if role in ("forward", "backward"):
            return {"dx": -0.23 if role == "forward" else 0.23, "width": 0.42}
        group = next((group for group in self._siblings if row_index in group), ())
        if len(group) < 2:
            # A branch keeps its place up to where it is joined: a row fed only by a branch's row.
            fed = self._fed_rows(row_index) if role in ("recurrent", "layer") else None
            below = self.rows[fed[0]].role if fed and len(fed) == 1 else "input"
            return self.beside(fed[0]) if below in ("recurrent", "layer") else {}
        share = 0.9 / len(group)
        return {"dx": (group.index(row_index) - (len(group) - 1) / 2) * share, "width": share - 0.06}

    @functools.cached_property
    def _siblings(self) -> list[list[int]]:
        """Rows (a bidirectional layer's aside) fed first by the same row in the same part: the
        branches of a graph, whose arrows from below would otherwise run through each other's boxes."""
        groups: dict[tuple[int, int], list[int]] = {}
        for index, row in enumerate(self.rows):
            if row.role in ("recurrent", "layer") and self._fed_rows(index):
                groups.setdefault((self.feeding_rows(index)[0], row.part), []).append(index)
        return list(groups.values())

    def state_rows(self, row_index: int) -> list[int]:
        """The rows whose last h_t (and c_t) a recurrent row starts from: its initial_state."""
        if self.rows[row_index].role not in ("recurrent", "forward"):
            return []
        fed = self._fed_rows(row_index)
        return _both(self, fed[1:]) if fed else []

    def _fed_rows(self, row_index: int) -> list[int] | None:
        """The rows fed_by names, one per name (a bidirectional layer's forward row), or None where
        a name has no row: a nested model's own input, or the output row of a model with one input."""
        fed = self._all_fed_rows[row_index]
        return None if fed is None else list(fed)

    @functools.cached_property
    def _all_fed_rows(self) -> tuple[tuple[int, ...] | None, ...]:
        keys = {other.key: index for index, other in enumerate(self.rows) if other.role != "backward"}
        for index, other in enumerate(self.rows):  # every call of a cell is its one row
            if other.role == "cell":
                keys.update({f"{other.layer}#{node + 1}": index for node in range(1, self.cell_calls(index))})
        found: list[tuple[int, ...] | None] = []
        for row_index, row in enumerate(self.rows):
            fed_by = None
            if row.role not in ("input", "output") and self.trace.layer(row.layer).parent is None:
                fed_by = self.activity(row_index, 0).fed_by
            if not fed_by or not all(name in keys for name in fed_by):
                found.append(None)
            else:
                found.append(tuple(dict.fromkeys(keys[name] for name in fed_by)))
        return tuple(found)

    def cell_calls(self, row_index: int, call_index: int = 0) -> int:
        """How many times a cell row's cell was called in that call of the model: its steps."""
        layer = self.rows[row_index].layer
        return sum(1 for activity in self.trace.calls[call_index].layers if activity.layer == layer)

    def has_steps(self, row_index: int, call_index: int) -> bool:
        """Whether what this row hands on in that call has a steps axis (else one vector per sequence)."""
        row, call = self.rows[row_index], self.trace.calls[call_index]
        if row.role == "input":
            return not is_vector_input(call, row.node)
        if row.role == "output":
            return len(call.output_shapes[0]) == 3
        if row.role == "cell":  # one call per step: the calls are its steps
            return True
        return len(self.activity(row_index, call_index).output_shapes[0]) == 3

    @functools.cached_property
    def places(self) -> tuple[tuple[Place, ...], ...]:
        """Per row, where each of its own steps is drawn (app.layout_steps): the columns, or,
        above a Conv1D or pooling layer, the middle of the steps each of its steps reads."""
        return tuple(tuple(row_places(self, row_index)) for row_index in range(len(self.rows)))


def _both(grid: Grid, rows: list[int]) -> list[int]:
    """The rows listed, each bidirectional layer's backward row beside its forward row."""
    return [index for row in rows for index in ([row, row + 1] if grid.rows[row].role == "forward" else [row])]


def time_length(call: CallRecord, part: int = 0) -> int:
    """Steps in one call: the longest steps axis among the tensors of that call (of one part of
    the picture, where the model has several inputs: the tensors reached from that input)."""
    parts = parts_of(call)
    items = [item for item in call.layers if parts.get(item.key, 0) == part]
    # A layer's first input is its sequence; another (Attention's value) may belong to another part.
    lengths = [shape[1] for item in items for shape in item.output_shapes + item.input_shapes[:1] if len(shape) == 3]
    shape = call.input_shapes[part]
    lengths += [shape[1]] if len(shape) >= 2 and not is_vector_input(call, part) else []
    return max(lengths, default=1)


def parts_of(call: CallRecord) -> dict[str, int]:
    """Per call of a layer (its key), which model input it is reached from first: the input its
    first feed comes from (0 for a model with one input)."""
    parts: dict[str, int] = {}
    for item in call.layers:
        first = item.fed_by[0] if item.fed_by else "input"
        parts[item.key] = int(first.removeprefix("input ")) - 1 if first.startswith("input ") else parts.get(first, 0)
    return parts


def is_vector_input(call: CallRecord, index: int = 0) -> bool:
    """(batch, features) floats, as fed to RepeatVector, rather than (batch, steps) token ids."""
    return len(call.input_shapes[index]) == 2 and call.input_axes[index][1] == "features"


def _columns(trace: Trace) -> list[Column]:
    everything = []
    t = 0
    for call_index, call in enumerate(trace.calls):
        if call.reset_before:
            t = 0
        for part in range(len(call.input_shapes)):
            t = t if part == 0 else 0  # each input's steps are counted from 1
            for step in range(time_length(call, part)):
                t += 1
                everything.append(Column(call_index, step, t, part=part))
    if len(everything) <= MAX_COLUMNS:
        return everything
    parts = [
        [column for column in everything if column.part == part] for part in range(len(trace.calls[0].input_shapes))
    ]
    if len(trace.calls) > 1 or len(parts) == 1:
        return _around_a_gap(everything, MAX_COLUMNS)
    # Several inputs (a seq2seq's encoder and decoder): each part keeps its first and last steps,
    # so the state handed from one part's last step to the next part's first stays in the picture.
    shares = _shares([len(columns) for columns in parts], MAX_COLUMNS)
    return [column for columns, share in zip(parts, shares) for column in _around_a_gap(columns, share)]


def _around_a_gap(columns: list[Column], room: int) -> list[Column]:
    """The columns, or where there are more than `room`, the first half of the room and the last
    columns around one gap column that stands for those left out."""
    if len(columns) <= room:
        return columns
    first = min(FIRST_COLUMNS, room // 2)
    last = room - first - 1
    gap = Column(columns[first].call, None, None, len(columns) - first - last, part=columns[first].part)
    return columns[:first] + [gap] + columns[len(columns) - last :]


def _shares(lengths: list[int], room: int) -> list[int]:
    """Columns for each part: an equal share of the room, a short part's unused share going to the others."""
    shares = [0] * len(lengths)
    waiting = sorted(range(len(lengths)), key=lambda index: lengths[index])
    while waiting:
        index = waiting.pop(0)
        shares[index] = min(lengths[index], (room - sum(shares)) // (len(waiting) + 1))
    return shares


def _rows(trace: Trace) -> list[Row]:
    """Bottom to top: the inputs, each call of each drawn layer in the order they ran (a
    bidirectional one twice), the output. A layer called more than once has a row per call."""
    first_call = trace.calls[0]
    names = input_names(len(first_call.input_shapes))
    rows = [Row("input", None, name, node=index, part=index) for index, name in enumerate(names)]
    parts = parts_of(first_call)
    for activity in first_call.layers:
        layer = trace.layer(activity.layer)
        if layer.kind == "model" or (layer.kind == "cell" and activity.node):
            continue  # a nested model is drawn as a frame around its layers' rows; a cell's calls on its row
        code = plotly_text(layer.code) + (f", call {activity.node + 1}" if activity.node else "")
        place = dict(node=activity.node, part=parts[activity.key])
        if layer.kind == "cell":
            rows.append(Row("cell", layer.name, f"{code}, once per step", **place))
        elif layer.kind == "recurrent":
            rows.append(Row("recurrent", layer.name, code, **place))
        elif layer.kind == "bidirectional":
            rows.append(Row("forward", layer.name, f"{code}: forward", **place))
            rows.append(Row("backward", layer.name, "backward copy, reads t = T..1", **place))
        else:
            rows.append(Row("layer", layer.name, code, **place))
    rows.append(Row("output", None, "output", part=rows[-1].part))
    return rows
