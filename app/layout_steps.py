"""Each row's own steps: how many it has, where each is drawn, and which steps below it reads.

    places = row_places(grid, 2)   # Conv1D(8, 3) | MaxPooling1D(2) | LSTM(16), steps 10: the pooling row
    [(place.t, place.x) for place in places]   # [(1, 1.5), (2, 3.5), (3, 5.5), (4, 7.5)]
    steps_read(grid, 1, 2, call=0, step=1)      # (['window'], [2, 3]): pooled step 2 reads conv steps 3 and 4

Most rows have a box at every column: the input's steps. A layer that changes the number of
steps (Conv1D, MaxPooling1D, AveragePooling1D) makes a sequence of its own length: its step t is
drawn above the middle of the steps it reads below (its kernel or pool window), and its t counts
its own steps. The rows above it (an LSTM over the pooled steps) keep its places. A row that
hands on one vector per sequence has one place: above the last step of the row feeding it, or,
for the model's input fed to RepeatVector, the first column.

Which steps a window reads is Keras's rule for a 1-D convolution: output step i starts at
i x strides, less the padding on the left ("same" pads half of what the windows lack, the
smaller half first; "causal" pads kernel - 1 dilated steps), and reads kernel_size steps
dilation_rate apart; padding is read as zeros and is not drawn.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the grid asks for its places; this module only reads the grid
    from app.layout_grid import Grid

WINDOWED = ("conv1d", "pooling")  # the layer kinds whose steps each read a window of the steps below
RUNS_OVER_STEPS = ("recurrent", "forward", "backward")  # row roles with an h_t at every step


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


def window(settings: dict, steps: int, out_steps: int, step: int) -> list[int]:
    """The input steps output `step` of a Conv1D or pooling layer reads (padding left out)."""
    size = settings.get("kernel_size") or settings["pool_size"]
    strides, padding, dilation = settings["strides"], settings["padding"], settings.get("dilation_rate", 1)
    span = (size - 1) * dilation + 1
    if padding == "same":
        left = max((out_steps - 1) * strides + span - steps, 0) // 2
    elif padding == "causal":
        left = span - 1
    else:
        left = 0
    start = step * strides - left
    return [start + offset * dilation for offset in range(size) if 0 <= start + offset * dilation < steps]


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
