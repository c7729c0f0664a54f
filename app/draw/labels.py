"""The words around the boxes: each row's name and shapes, the calls, the steps, nested models.

    row_labels(grid, 1, width=260)   # many_to_many, the row of h_t:
    # [Text("<b>LSTM(4, return_sequences=True)</b>", anchor="right", ...),
    #  Text("(10, 5, 4) = (batch, steps, units)", anchor="left", ...)]

A row is named on the left, and on the right its measured shape is written beside what each
axis means; both sit in the figure's margins, against the plot's ends, and a line wider than
`width` pixels is wrapped after a ", " of code or a " = " of shapes. A multi-call topology gets
a dashed divider and a name above each call, with "⟲ reset" where the stateful layers were reset
before it. A nested model's frame is named upwards along its right side, clear of every box.
"""

from __future__ import annotations

import dataclasses
import re

from app.draw.grid import DROPPED_BAND, FRAME_STRIP, Grid, Row, reads_note
from app.draw.palette import (
    FRAME_TEXT,
    INPUT_TEXT,
    LAYER_TEXT,
    NOTE_TEXT,
    OUTPUT_INK,
    RECURRENT_TEXT,
    RESET_TEXT,
    STEP_TEXT,
)
from app.draw.plan import FONT_SIZE, SMALL_SIZE, Divider, Frame, Text, plotly_text, text_extent
from topologies.records import symbolic

# How a bidirectional layer's two h_t become its y_t, by merge_mode.
MERGED = {
    "concat": "joined side by side (concat)",
    "sum": "added (sum)",
    "mul": "multiplied (mul)",
    "ave": "averaged (ave)",
}
DIVIDER_LEFT = 0.55  # data units a call's divider stands left of the centre of its first column
# Data units a nested model's frame reaches past the centres of its first and last columns, and of its rows.
FRAME_ACROSS, FRAME_UP = 0.55, 0.65
RESET_Y = -0.75  # "⟲ reset", at the foot of the divider: below the input row's boxes
STEP_Y = -1.1  # t = 1, 2, ...: a line below the resets, so the two never meet
CODE_BREAKS = (", ", ": ")  # where a layer's code may be wrapped: LSTM(4, | return_sequences=True)
SHAPE_BREAKS = (" = ", ": ")  # where a shape line may be wrapped: (10, 5, 4) = | (batch, steps, units)


def gap_note(grid: Grid, column_index: int) -> Text:
    """The gap column says how many steps it stands for, half way up the picture, level with a
    row: between rows run a frame's edges and the arrows fanned out to a row above."""
    note = f"{grid.columns[column_index].skipped}<br>more<br>steps"
    return Text(grid.x_of(column_index), grid.y_of(grid.top_row // 2), note, colour=STEP_TEXT)


@dataclasses.dataclass(frozen=True)
class _Label:
    left: str  # what the row is: "input", the layer as code
    right: str  # its measured shapes, one per line
    colour: str  # of the right-hand text


def row_labels(grid: Grid, row_index: int, width: float) -> list[Text]:
    """The row's name left of the plot, its shapes (at most 4, each wrapped) right of it; a line
    wider than `width` pixels is wrapped where it may be."""
    row = grid.rows[row_index]
    if row.role == "input":
        label = _input_label(grid, row)
    elif row.role == "output":
        label = _output_label(grid)
    else:
        label = _layer_label(grid, row, width)
    right = "<br>".join(
        wrapped for line in label.right.split("<br>")[:4] for wrapped in wrap(line, FONT_SIZE, width, SHAPE_BREAKS)
    )
    y = grid.y_of(row_index)
    return [
        Text(grid.left_edge, y, label.left, anchor="right"),
        Text(grid.right_edge, y, right, anchor="left", colour=label.colour),
    ]


def wrap(text: str, size: float, width: float, breaks: tuple[str, ...], bold: bool = False) -> list[str]:
    """`text` as lines of at most `width` pixels, each broken just after one of `breaks` (whose
    trailing space is dropped). A piece with no break in it wider than `width` stays whole."""
    if text_extent(f"<b>{text}</b>" if bold else text, size)[0] <= width:
        return [text.rstrip()]  # what the loop below makes of a text that fits: one line, and quicker
    ends = [match.end() for match in re.finditer("|".join(map(re.escape, breaks)), text)] if breaks else []
    pieces = [text[start:end] for start, end in zip([0, *ends], [*ends, len(text)])]
    lines: list[str] = []
    line = ""
    for piece in pieces:
        longer = (line + piece).rstrip()
        if line and text_extent(f"<b>{longer}</b>" if bold else longer, size)[0] > width:
            lines.append(line.rstrip())
            line = piece
        else:
            line += piece
    return [*lines, line.rstrip()]


def _input_label(grid: Grid, row: Row) -> _Label:
    index = row.node  # which of the model's inputs
    batch = grid.trace.calls[0].input_shapes[index][0]
    left = f"<b>{row.key}</b>  × {batch} sequence{'s' if batch > 1 else ''}"
    shapes = dict.fromkeys(symbolic(call.input_shapes[index], call.input_axes[index]) for call in grid.trace.calls)
    return _Label(left, "<br>then ".join(shapes), INPUT_TEXT)


def _output_label(grid: Grid) -> _Label:
    shapes = dict.fromkeys(symbolic(call.output_shapes[0], call.output_axes[0]) for call in grid.trace.calls)
    right = "<br>then ".join(shapes)
    last = grid.trace.calls[-1]
    for role, shape, axes in zip(last.layers[-1].output_roles[1:], last.output_shapes[1:], last.output_axes[1:]):
        right += f"<br>{role}<sub>T</sub>: {symbolic(shape, axes)}"  # return_state: the final h (and c)
    return _Label("<b>output</b>", right, OUTPUT_INK)


def _layer_label(grid: Grid, row: Row, width: float) -> _Label:
    calls = grid.trace.calls
    batch = calls[0].input_shapes[0][0]
    row_index = grid.rows.index(row)
    activities = [grid.activity(row_index, call_index) for call_index in range(len(calls))]
    output = activities[0].output_shapes[0]
    left = "<br>".join(f"<b>{line}</b>" for line in wrap(row.left, FONT_SIZE, width, CODE_BREAKS, bold=True))
    right = "<br>then ".join(
        dict.fromkeys(symbolic(activity.output_shapes[0], activity.output_axes[0]) for activity in activities)
    )
    if row.role in ("forward", "backward"):
        # Each direction carries units numbers; the layer's output joins the two, as merge_mode says.
        settings = grid.trace.layer(row.layer).settings
        merged = f"<br>{MERGED[settings['merge_mode']]}: {right}" if row.role == "backward" else ""
        right = f"h each step: ({batch}, {settings['units']}) = (batch, units)" + merged
    elif row.role == "recurrent" and len(output) == 2:
        right = f"h each step: ({batch}, {output[-1]})<br>hands on only the last: {right}"
        left += "<br>return_sequences=False"
    elif row.role == "cell":
        # Each call returns h_t, which goes back in as the next call's input and state.
        right = f"each call: {right}<br>h<sub>t</sub> is fed back as x<sub>t+1</sub> and as the state"
    if grid.trace.layer(row.layer).kind in ("time_distributed", "cell"):
        left += "<br>same weights at every step"
    note = row_note(grid.trace.layer(row.layer).settings, grid.trace.layer(row.layer).kind)
    if note and row.role != "backward":
        lines = wrap(note, FONT_SIZE, width, CODE_BREAKS)
        left += "".join(f'<br><i><span style="color:{NOTE_TEXT}">{line}</span></i>' for line in lines)
    starts = [other.layer for index, other in enumerate(grid.rows) if row_index in grid.state_rows(index)]
    if starts:  # return_state: its final states become another layer's initial_state
        letters = ", ".join(activities[0].output_roles[1:]) or "h"
        right += f"<br>last {letters}: initial state of {', '.join(plotly_text(name) for name in starts)}"
    if row.role == "layer" and reads_note(grid, grid.rows.index(row)):
        right += f"<br>{reads_note(grid, grid.rows.index(row))}"
    return _Label(left, right, RECURRENT_TEXT if row.role != "layer" else LAYER_TEXT)


def row_note(settings: dict, kind: str) -> str:
    """What the boxes of a row do not show: dropout acts only in training (this run is not one,
    so the numbers pass unchanged), and a mask makes the layers above skip some steps."""
    if kind == "dropout":
        dropped = "features, at every step," if settings["whole_features"] else "numbers"
        return f"dropout, training only: {settings['rate']:.0%} of the {dropped} set to 0"
    if kind == "masking":
        return f"mask: a step of all {settings['mask_value']:g}, skipped above"
    if kind == "embedding" and settings.get("mask_zero"):
        return "mask: id 0 is padding, skipped above"
    rates = [(settings.get(key, 0.0), of) for key, of in (("dropout", "x"), ("recurrent_dropout", "h"))]
    if any(rate for rate, _ in rates):
        shares = ", ".join(f"{rate:.0%} of {of}<sub>t</sub>" for rate, of in rates if rate)
        return f"dropout, training only: {shares} set to 0"
    return ""


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
        x = grid.x_of(column_index) - DIVIDER_LEFT if column_index else grid.x_of(0)
        if column_index:
            marks.append(Divider(x, RESET_Y, top))
        label = f"<b>{plotly_text(call.label)}</b><br>{tuple(call.input_shapes[0])}"
        marks.append(Text(x + (DIVIDER_LEFT if column_index else 0), top + 0.45, label, size=SMALL_SIZE))
        if call.reset_before:
            marks.append(Text(x, RESET_Y, "⟲ reset", colour=RESET_TEXT, size=SMALL_SIZE))
    return marks


def frames(grid: Grid) -> list[Frame | Text]:
    """Nested models: a frame around the rows of their layers, named upwards along its right side,
    where no box is (its top edge may touch the next frame, and faded y_t boxes line it)."""
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
        right = grid.x_of(len(grid.columns) - 1) + FRAME_ACROSS + FRAME_STRIP
        top = grid.y_of(max(inside)) + FRAME_UP + (DROPPED_BAND if grid.drops_outputs(max(inside)) else 0.0)
        frame = Frame(grid.x_of(0) - FRAME_ACROSS, grid.y_of(min(inside)) - FRAME_UP, right, top)
        title = f"<b>{plotly_text(model.name)}</b> (a Model)"
        marks.append(frame)
        middle = (frame.y0 + frame.y1) / 2
        marks.append(Text(right - FRAME_STRIP / 2, middle, title, colour=FRAME_TEXT, size=SMALL_SIZE, angle=-90))
    return marks


def step_labels(grid: Grid) -> list[Text]:
    """t = 1, t = 2, ... under the columns: the time step since the last reset; … under the gap."""
    return [
        Text(
            grid.x_of(index), STEP_Y, "…" if column.t is None else f"t = {column.t}", colour=STEP_TEXT, size=SMALL_SIZE
        )
        for index, column in enumerate(grid.columns)
    ]
