"""The grid the picture is drawn on, and where each row's own steps stand on it.

    grid = Grid.of(trace("many_to_one", Config()))
    grid.columns[2]   # Column(call=0, step=2, t=3): the third step of the only call (app.draw.columns)
    grid.rows[1]      # Row(role="recurrent", layer="rnn", left="LSTM(4)") (app.draw.rows)
    grid.x_of(2), grid.y_of(1)   # where that cell's centre is
    grid.places[2]    # Conv1D(8, 3) | MaxPooling1D(2) | LSTM(16), steps 10: the pooling row's places
    [(place.t, place.x) for place in grid.places[2]]   # [(1, 1.5), (2, 3.5), (3, 5.5), (4, 7.5)]
    steps_read(grid, 1, 2, call=0, step=1)   # (['window'], [2, 3]): pooled step 2 reads conv steps 3 and 4

Most rows have a box at every column: the input's steps. A layer that changes the number of
steps (Conv1D, MaxPooling1D, AveragePooling1D) makes a sequence of its own length: its step t is
drawn above the middle of the steps it reads below (its kernel or pool window), and its t counts
its own steps. The rows above it (an LSTM over the pooled steps) keep its places. A row that
hands on one vector per sequence has one place: above the last step of the row feeding it, or,
for the model's input fed to RepeatVector, the first column.

Which steps a window reads is Keras's own rule (app.draw.kernels).
"""

from __future__ import annotations

import dataclasses
import functools

from app.draw.columns import CALL_GAP, COLUMN_WIDTH, Column, columns_of, is_vector_input
from app.draw.kernels import WINDOWED, window
from app.draw.rows import Row, rows_of
from topologies.records import LayerActivity, Trace

ROW_GAP = 1.5
# Above a row that drops its y_t (return_sequences=False over several steps), room for the faded
# y_t boxes, and for the arrows that leave its last h_t to pass above them.
DROPPED_BAND = 0.5
# Right of the last column, inside a nested model's frame: room for the frame's name, written upwards.
FRAME_STRIP = 0.45
RUNS_OVER_STEPS = ("recurrent", "forward", "backward")  # row roles with an h_t at every step


@dataclasses.dataclass(frozen=True)
class Grid:
    """The trace with its columns and rows, and where each cell's centre is."""

    trace: Trace
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @classmethod
    def of(cls, trace: Trace) -> Grid:
        return cls(trace, tuple(columns_of(trace)), tuple(rows_of(trace)))

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
        """Per row, where each of its own steps is drawn (row_places): the columns, or,
        above a Conv1D or pooling layer, the middle of the steps each of its steps reads."""
        return tuple(tuple(row_places(self, row_index)) for row_index in range(len(self.rows)))


def _both(grid: Grid, rows: list[int]) -> list[int]:
    """The rows listed, each bidirectional layer's backward row beside its forward row."""
    return [index for row in rows for index in ([row, row + 1] if grid.rows[row].role == "forward" else [row])]


@dataclasses.dataclass(frozen=True)
class Place:
    """Where one of a row's own steps is drawn."""

    call: int  # index into trace.calls
    step: int  # the row's own step in that call, from 0
    t: int  # written on the box: the row's own step since the last reset, from 1
    x: float  # the box's centre across, in data units

    @property
    def slot(self) -> tuple[int, int]:
        """(call, step): how arrows find the box drawn here."""
        return (self.call, self.step)


def own_steps(grid: Grid, row_index: int, call_index: int) -> int:
    """How many steps this row has in that call: 1 for a row handing on one vector per sequence.
    A recurrent row runs over its input's steps, whatever it hands on."""
    row, call = grid.rows[row_index], grid.trace.calls[call_index]
    if row.role == "input":
        return call.input_shapes[row.node][1] if grid.has_steps(row_index, call_index) else 1
    if row.role == "cell":
        return grid.cell_calls(row_index, call_index)
    if row.role == "output":
        shape = call.output_shapes[0]
    else:
        activity = grid.activity(row_index, call_index)
        shape = activity.input_shapes[0] if row.role in RUNS_OVER_STEPS else activity.output_shapes[0]
    return shape[1] if len(shape) == 3 else 1


def windowed(grid: Grid, row_index: int) -> bool:
    """A Conv1D or pooling row: each of its steps reads a window of the steps below it."""
    row = grid.rows[row_index]
    return row.role == "layer" and grid.trace.layer(row.layer).kind in WINDOWED


def own_timeline(grid: Grid, row_index: int) -> bool:
    """Whether the row's steps are not the columns' but those of a Conv1D or pooling layer at or
    below it: its boxes then carry their own t, since the t under the column is the input's."""
    if windowed(grid, row_index):
        return True
    if not grid.has_steps(row_index, 0):
        return False  # one vector per sequence: no steps to number
    feeding = grid.feeding_rows(row_index)
    return bool(feeding) and grid.has_steps(feeding[0], 0) and own_timeline(grid, feeding[0])


def reads_note(grid: Grid, row_index: int) -> str:
    """What each step of a row that changes the number of steps reads below it, in words."""
    record = grid.trace.layer(grid.rows[row_index].layer)
    if record.kind in WINDOWED:
        size = record.settings.get("kernel_size") or record.settings["pool_size"]
        strides = record.settings["strides"]
        return f"each step reads: {size} steps, stride {strides}"
    if record.kind in ("global_pooling", "flatten"):
        return "reads: every step below"
    return ""


def row_places(grid: Grid, row_index: int) -> list[Place]:
    """The drawn places of a row, call by call and step by step; a step whose place is hidden
    in the gap (or reads a step hidden there) is left out."""
    return [
        place
        for call_index in range(len(grid.trace.calls))
        for place in _call_places(grid, row_index, call_index)
        if place is not None
    ]


def steps_read(grid: Grid, source_row: int, target_row: int, call: int, step: int) -> tuple[str, list[int]]:
    """(arrow kind, steps of source_row) that one step of target_row reads in a call.

    A sequence feeds the same step above ("feed"), a window of steps into a Conv1D or pooling
    step, or all of its steps into one vector (GlobalAveragePooling1D, Flatten): "window". One
    vector per sequence comes from its single place, fanned out to every step above ("fan_out").
    """
    if grid.rows[target_row].role == "cell":
        # A cell's first call reads what feeds its row; each later call reads the call before it,
        # drawn as the state carried along the row.
        return "feed", [own_steps(grid, source_row, call) - 1] if step == 0 else []
    if not grid.has_steps(source_row, call):  # its one place is its last step
        return ("fan_out" if grid.has_steps(target_row, call) else "feed"), [own_steps(grid, source_row, call) - 1]
    length = own_steps(grid, source_row, call)
    if windowed(grid, target_row):
        settings = grid.trace.layer(grid.rows[target_row].layer).settings
        return "window", window(settings, length, own_steps(grid, target_row, call), step)
    if grid.rows[target_row].role == "layer" and own_steps(grid, target_row, call) != length:
        return "window", list(range(length))  # one vector from the whole sequence, or a reshape
    return "feed", [step]


def _call_places(grid: Grid, row_index: int, call_index: int) -> list[Place | None]:
    """Each of the row's steps in a call, at its place, or None where the gap hides it."""
    feeding = grid.feeding_rows(row_index)
    below = _call_places(grid, feeding[0], call_index) if feeding and grid.rows[row_index].role != "cell" else []
    if feeding and not grid.has_steps(row_index, call_index) and grid.rows[row_index].role not in RUNS_OVER_STEPS:
        # One vector per sequence, its only step: above the step that hands it on, with its t.
        return [below[-1] and dataclasses.replace(below[-1], step=0)]
    length = own_steps(grid, row_index, call_index)
    first_t = _steps_before(grid, row_index, call_index) + 1
    here = (call_index, grid.rows[row_index].part)
    columns = [grid.x_of(at) for at, column in grid.drawn() if (column.call, column.part) == here]
    if windowed(grid, row_index):
        xs = [
            _middle([below[read] for read in steps_read(grid, feeding[0], row_index, call_index, step)[1]])
            for step in range(length)
        ]
        if None in xs:  # a window reaches into the gap: its first and last steps, on the columns
            xs = _around_the_gap(grid, columns, length)
    elif len(below) == length and grid.has_steps(feeding[0], call_index):
        xs = [place and place.x for place in below]
    else:  # the model's input, or a sequence made from one vector (RepeatVector): the columns
        steps = [column.step for _, column in grid.drawn() if (column.call, column.part) == here]
        xs = [dict(zip(steps, columns)).get(step) for step in range(length)]
    return [None if x is None else Place(call_index, step, first_t + step, x) for step, x in enumerate(xs)]


def _around_the_gap(grid: Grid, columns: list[float], length: int) -> list[float | None]:
    """Past MAX_COLUMNS input steps, a Conv1D or pooling row's windows reach into the gap: its
    first steps are drawn on the columns before the gap, its last ones on those after it, each
    still joined to the steps it reads that are drawn."""
    gap = next((grid.x_of(at) for at, column in enumerate(grid.columns) if column.step is None), None)
    before = [x for x in columns if gap is None or x < gap]
    after = [x for x in columns if gap is not None and x > gap]
    first = min(length, len(before))
    last = min(length - first, len(after))
    return before[:first] + [None] * (length - first - last) + (after[len(after) - last :] if last else [])


def _middle(places: list[Place | None]) -> float | None:
    """Half way between the first and the last step a window reads; None if any is hidden."""
    if not places or any(place is None for place in places):
        return None
    return (min(place.x for place in places) + max(place.x for place in places)) / 2


def _steps_before(grid: Grid, row_index: int, call_index: int) -> int:
    """The row's own steps in the calls since the last reset before this one: t counts on."""
    total = 0
    for earlier in range(call_index - 1, -1, -1):
        if grid.trace.calls[earlier + 1].reset_before:
            break
        total += own_steps(grid, row_index, earlier)
    return total
