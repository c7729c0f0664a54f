"""The words around the boxes: each row's name and shapes, the calls, the steps, nested models.

    row_labels(grid, 1)   # many_to_many, the row of h_t:
    # [Text("<b>LSTM(4, return_sequences=True)</b>", anchor="right", ...),
    #  Text("(10, 5, 4) = (batch, steps, units)", anchor="left", ...)]

A row is named on the left, and on the right its measured shape is written beside what each
axis means. A multi-call topology gets a dashed divider and a name above each call, with
"⟲ reset" where the stateful layers were reset before it.
"""

from __future__ import annotations

import dataclasses

from app.layout_grid import DROPPED_BAND, Grid, Row
from app.literal import plotly_text
from app.plan import FONT_SIZE, ROLES, Divider, Frame, Text
from topologies.records import symbolic

GREY = "#616161"
# How a bidirectional layer's two h_t become its y_t, by merge_mode.
MERGED = {
    "concat": "joined side by side (concat)",
    "sum": "added (sum)",
    "mul": "multiplied (mul)",
    "ave": "averaged (ave)",
}


def gap_note(grid: Grid, column_index: int) -> Text:
    """The gap column says how many steps it stands for, half way up the picture."""
    note = f"…<br>{grid.columns[column_index].skipped}<br>more<br>steps<br>…"
    return Text(grid.x_of(column_index), grid.y_of(grid.top_row) / 2, note, colour=GREY)


@dataclasses.dataclass(frozen=True)
class _Label:
    left: str  # what the row is: "input", the layer as code
    right: str  # its measured shapes, one per line
    colour: str  # of the right-hand text


def row_labels(grid: Grid, row_index: int) -> list[Text]:
    """The row's name left of the first column, its shapes right of the last (at most 4 lines)."""
    row = grid.rows[row_index]
    if row.role == "input":
        label = _input_label(grid)
    elif row.role == "output":
        label = _output_label(grid)
    else:
        label = _layer_label(grid, row)
    right = "<br>".join(_shorten(line) for line in label.right.split("<br>")[:4])
    y = grid.y_of(row_index)
    return [
        Text(-0.7, y, label.left, anchor="right"),
        Text(grid.right_edge + 0.5, y, right, anchor="left", colour=label.colour),
    ]


def _input_label(grid: Grid) -> _Label:
    batch = grid.trace.calls[0].input_shapes[0][0]
    left = f"<b>input</b>  × {batch} sequence{'s' if batch > 1 else ''}"
    shapes = dict.fromkeys(symbolic(call.input_shapes[0], call.input_axes[0]) for call in grid.trace.calls)
    return _Label(left, "<br>then ".join(shapes), ROLES["input"][1])


def _output_label(grid: Grid) -> _Label:
    shapes = dict.fromkeys(symbolic(call.output_shapes[0], call.output_axes[0]) for call in grid.trace.calls)
    right = "<br>then ".join(shapes)
    last = grid.trace.calls[-1]
    for role, shape, axes in zip(last.layers[-1].output_roles[1:], last.output_shapes[1:], last.output_axes[1:]):
        right += f"<br>{role}<sub>T</sub>: {symbolic(shape, axes)}"  # return_state: the final h (and c)
    return _Label("<b>output</b>", right, "#ad1457")


def _layer_label(grid: Grid, row: Row) -> _Label:
    calls = grid.trace.calls
    batch = calls[0].input_shapes[0][0]
    output = calls[0].activity(row.layer).output_shapes[0]
    left = f"<b>{row.left}</b>"
    right = "<br>then ".join(
        dict.fromkeys(
            symbolic(call.activity(row.layer).output_shapes[0], call.activity(row.layer).output_axes[0])
            for call in calls
        )
    )
    if row.role in ("forward", "backward"):
        # Each direction carries units numbers; the layer's output joins the two, as merge_mode says.
        settings = grid.trace.layer(row.layer).settings
        merged = f"<br>{MERGED[settings['merge_mode']]}: {right}" if row.role == "backward" else ""
        right = f"h each step: ({batch}, {settings['units']}) = (batch, units)" + merged
    elif row.role == "recurrent" and len(output) == 2:
        right = f"h each step: ({batch}, {output[-1]})<br>hands on only the last: {right}"
        left += "<br>return_sequences=False"
    if grid.trace.layer(row.layer).kind == "time_distributed":
        left += "<br>same weights at every step"
    return _Label(left, right, "#1b5e20" if row.role != "layer" else "#37474f")


def dividers(grid: Grid) -> list[Divider | Text]:
    """Multi-call topologies: a labelled line between calls; a reset is marked on it."""
    if not grid.many_calls:
        return []
    top = grid.y_of(grid.top_row) + 0.9
    marks: list[Divider | Text] = []
    seen = set()
    for column_index, column in grid.drawn():
        if column.call in seen:
            continue
        seen.add(column.call)
        call = grid.trace.calls[column.call]
        x = grid.x_of(column_index) - 0.55 if column_index else grid.x_of(0)
        if column_index:
            marks.append(Divider(x, -0.8, top))
        label = f"<b>{plotly_text(call.label)}</b><br>{tuple(call.input_shapes[0])}"
        marks.append(Text(x + (0.55 if column_index else 0), top + 0.45, label, size=FONT_SIZE - 1))
        if call.reset_before:
            marks.append(Text(x, -0.8, "⟲ reset", colour="#c62828", size=FONT_SIZE - 1))
    return marks


def frames(grid: Grid) -> list[Frame | Text]:
    """Nested models: a named frame around the rows of their layers."""
    marks: list[Frame | Text] = []
    for model in grid.trace.layers:
        if model.kind != "model":
            continue
        inside = [
            index
            for index, row in enumerate(grid.rows)
            if row.layer and grid.trace.layer(row.layer).parent == model.name
        ]
        if not inside:
            continue
        right = grid.x_of(len(grid.columns) - 1) + 0.55
        top = grid.y_of(max(inside)) + 0.65 + (DROPPED_BAND if grid.drops_outputs(max(inside)) else 0.0)
        frame = Frame(-0.55, grid.y_of(min(inside)) - 0.65, right, top)
        title = f"<b>{plotly_text(model.name)}</b> (a Model)"
        marks.append(frame)
        marks.append(Text(frame.x0 + 0.05, frame.y1 - 0.12, title, anchor="left", colour="#3949ab", size=FONT_SIZE - 1))
    return marks


def step_labels(grid: Grid, y: float) -> list[Text]:
    """t = 1, t = 2, ... under the columns: the time step since the last reset."""
    size = FONT_SIZE - 1
    return [Text(grid.x_of(index), y, f"t = {column.t}", colour=GREY, size=size) for index, column in grid.drawn()]


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
