"""Where everything in the picture goes, decided without Plotly: `layout(trace) -> Plan`.

    plan = layout(trace("many_to_one", Config()))
    [box.label for box in plan.boxes][:3]   # ['x<sub>1</sub>', 'x<sub>2</sub>', 'x<sub>3</sub>']
    plan.arrows[0].kind                     # 'feed'

The work is split by concern, one module each:

    app.layout_grid     columns (steps) and rows (layers), and where a cell's centre is
    app.layout_cells    the boxes of one cell, one function per kind of row
    app.layout_arrows   feed, fan-out, carry and feedback arrows, each naming its two boxes
    app.layout_labels   row names and shapes, call dividers, nested-model frames, t = 1, 2, ...

This module fills the grid and lays the marks down in paint order: the call dividers and the
feedback arrows first, then row by row (boxes, arrows into them, the row's labels), then the
frames and the step numbers.
"""

from __future__ import annotations

import dataclasses

from app.layout_arrows import Anchors, arrows_into_row, feedback_arrows
from app.layout_cells import Spot, cell_at
from app.layout_grid import Grid
from app.layout_labels import dividers, frames, gap_note, row_labels, step_labels
from app.literal import plotly_text
from app.plan import Box, Mark, Plan, Text
from topologies.records import Trace
from topologies.report import title

BOTTOM = -1.3  # below the input row: room for "⟲ reset" and t = 1, 2, ...


@dataclasses.dataclass
class _Filled:
    """The grid's cells once filled: every box, and which box arrows join in each cell."""

    boxes: list[Box]  # in paint order: an arrow's source and target index this list
    anchors: Anchors  # per row: column index -> index into boxes
    rows: list[list[Box | Text]]  # per row: its boxes and the gap's note, in column order
    extras: list[list[tuple[int, int]]]  # per row: (column index, index into boxes) of each extra box


def layout(trace: Trace) -> Plan:
    """The unrolled network of `trace` as a Plan: boxes, arrows and words, in paint order."""
    grid = Grid.of(trace)
    filled = _fill(grid)
    marks: list[Mark] = [*dividers(grid), *feedback_arrows(grid, filled.anchors)]
    for row_index, row_marks in enumerate(filled.rows):
        marks += row_marks
        marks += arrows_into_row(grid, filled.anchors, filled.boxes, row_index, filled.extras[row_index])
        marks += row_labels(grid, row_index)
    marks += frames(grid)
    marks += step_labels(grid, BOTTOM + 0.25)
    return Plan(
        marks=tuple(marks),
        title=plotly_text(title(trace)),
        x_range=(-6.2, grid.right_edge + 5.2),
        y_range=(BOTTOM, _top(grid) + 0.4),
        height=int(170 + 115 * (len(grid.rows) + (1 if grid.many_calls else 0))),
    )


def _fill(grid: Grid) -> _Filled:
    """Every cell's boxes, row by row from the bottom, each row left to right."""
    filled = _Filled(boxes=[], anchors=[], rows=[], extras=[])
    for row_index in range(len(grid.rows)):
        anchors: dict[int, int] = {}
        extras: list[tuple[int, int]] = []
        row_marks: list[Box | Text] = []
        for column_index, column in enumerate(grid.columns):
            if column.step is None:
                if row_index == 0:  # the gap is explained once, half way up
                    row_marks.append(gap_note(grid, column_index))
                continue
            cell = cell_at(Spot(grid, row_index, column_index))
            if cell is None:
                continue
            anchors[column_index] = len(filled.boxes)
            extras += [(column_index, len(filled.boxes) + 1 + offset) for offset in range(len(cell.extras))]
            filled.boxes.extend((cell.box, *cell.extras))
            row_marks.extend((cell.box, *cell.extras))
        filled.anchors.append(anchors)
        filled.extras.append(extras)
        filled.rows.append(row_marks)
    return filled


def _top(grid: Grid) -> float:
    """Above the output row: room for the calls' names when there are several."""
    return grid.y_of(grid.top_row) + (1.6 if grid.many_calls else 0.9)
