"""The arrows between boxes, each knowing the two boxes it joins.

    arrows_into_row(grid, anchors, boxes, row_index=1)   # many_to_many: the row of h_t
    # [Arrow(kind="feed", source=0, target=5, ...), ..., Arrow(kind="carry", source=5, target=6, ...)]

`anchors[row][column]` is the index into `boxes` of the box arrows join in that cell (an h_t,
not the faded y_t above it). Four kinds of arrow, as `app.plan.ARROW_KINDS` lists them:

- feed: straight up, from a box into the box above it at the same step.
- fan_out: from RepeatVector's single input box to the copy at every column.
- carry: along a recurrent row, h_t to h_(t+1); right to left on a bidirectional layer's
  backward row, which reads the sequence from the end. None across a reset or across the gap.
- feedback: pink, from a call's last y back down to the next call's first x, drawn only where
  the numbers show that the next call was fed exactly that y.
"""

from __future__ import annotations

from app.layout_grid import Grid
from app.plan import Arrow, Box

INK = "#333"
STATE_GREEN = "#2e7d32"
FEEDBACK_PINK = "#ad1457"

Anchors = list[dict[int, int]]  # per row: column index -> index into the boxes


def arrows_into_row(grid: Grid, anchors: Anchors, boxes: list[Box], row_index: int) -> list[Arrow]:
    """Arrows up into this row's boxes from the row below, then along the row for carried state."""
    sources = _sources_below(grid, anchors, row_index)
    arrows = []
    for column_index, target in anchors[row_index].items():
        if column_index in sources:
            source, kind = sources[column_index]
            arrows.append(Arrow(kind, source, target, boxes[source].geometry.top, boxes[target].geometry.bottom, INK))
    if grid.rows[row_index].role in ("recurrent", "forward", "backward"):
        arrows += _carries(grid, anchors[row_index], boxes, backward=grid.rows[row_index].role == "backward")
    return arrows


def _sources_below(grid: Grid, anchors: Anchors, row_index: int) -> dict[int, tuple[int, str]]:
    """Column -> (box index, kind) of what feeds each column of this row from the row below.

    A lone input box (RepeatVector's one vector per sequence) fans out to every column."""
    if row_index == 0:
        return {}
    below = anchors[row_index - 1]
    if len(below) == 1 and len(grid.columns) > 1 and grid.rows[row_index - 1].role == "input":
        only = next(iter(below.values()))
        return {column_index: (only, "fan_out") for column_index, _ in grid.drawn()}
    return {column_index: (index, "feed") for column_index, index in below.items()}


def _carries(grid: Grid, row: dict[int, int], boxes: list[Box], backward: bool) -> list[Arrow]:
    """h_t to h_(t+1) between neighbouring drawn columns, unless a reset comes between them."""
    arrows = []
    ordered = sorted(row)
    for left, right in zip(ordered, ordered[1:]):
        if right - left != 1:
            continue  # the gap stands between them
        crossing = grid.columns[right].call != grid.columns[left].call
        if crossing and grid.trace.calls[grid.columns[right].call].reset_before:
            continue  # a reset: the state does not carry over
        earlier, later = boxes[row[left]].geometry, boxes[row[right]].geometry
        y = (earlier.y0 + earlier.y1) / 2
        if backward:  # the backward copy hands its state from t + 1 to t
            arrows.append(Arrow("carry", row[right], row[left], (later.x0, y), (earlier.x1, y), STATE_GREEN))
        else:
            arrows.append(Arrow("carry", row[left], row[right], (earlier.x1, y), (later.x0, y), STATE_GREEN))
    return arrows


def feedback_arrows(grid: Grid, anchors: Anchors) -> list[Arrow]:
    """Where a call's input is the previous call's output (measured: the numbers match),
    an arrow runs from that y back down to the next x."""
    output_row = grid.top_row
    positions: dict[int, list[int]] = {}
    for column_index, column in grid.drawn():
        positions.setdefault(column.call, []).append(column_index)
    arrows = []
    for call_index in range(1, len(grid.trace.calls)):
        previous, current = grid.trace.calls[call_index - 1], grid.trace.calls[call_index]
        if call_index not in positions or call_index - 1 not in positions:
            continue
        fed = current.layers[0].values.get("x")
        handed_on = previous.layers[-1].values.get("y")
        if fed is None or handed_on is None or _last_step(handed_on) != _last_step(fed):
            continue
        leaving, arriving = positions[call_index - 1][-1], positions[call_index][0]
        if leaving not in anchors[output_row] or arriving not in anchors[0]:
            continue  # no box there to join: a y kept only at a step the gap hides (no topology does this)
        # From just below that y's right edge to just above the next x's left edge: the arrow
        # runs down the picture between the calls, across the divider.
        start = (grid.x_of(leaving) + 0.25, grid.y_of(output_row) - 0.3)
        end = (grid.x_of(arriving) - 0.25, grid.y_of(0) + 0.3)
        source, target = anchors[output_row][leaving], anchors[0][arriving]
        arrows.append(Arrow("feedback", source, target, start, end, FEEDBACK_PINK))
    return arrows


def _last_step(values):
    return values[-1] if values and isinstance(values[0], list) else values
