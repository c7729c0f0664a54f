"""The arrows between boxes, each knowing the two boxes it joins.

    arrows_into_row(grid, anchors, boxes, row_index=1)   # many_to_many: the row of h_t
    # [Arrow(kind="feed", source=0, target=5, ...), ..., Arrow(kind="carry", source=5, target=6, ...)]

`anchors[row][slot]` is the index into `boxes` of the box arrows join at that slot (an h_t,
not the faded y_t above it); a slot is (call, the row's own step). The kinds of arrow, as
`app.draw.plan.ARROW_KINDS` lists them:

- feed: up, from a box into the box above it at the same step (both directions of a
  bidirectional layer read x_t and feed y_t); from h_t into the y_t it dropped; from the last
  h_t into the returned h_T and c_T.
- fan_out: one vector per sequence (RepeatVector's input, the h_T of a layer with
  return_sequences=False) handed on to every step of the row above.
- carry: along a recurrent row, h_t to h_(t+1); right to left on a bidirectional layer's
  backward row, which reads the sequence from the end; along a cell's row, from one call of the
  cell to the next (its output and state handed back to itself). None across a reset or the gap.
- feedback: pink, from a call's last y back down to the next call's first x, drawn where the
  run recorded that the next call was fed that y (CallRecord.fed_back_from).
- state: green, a recurrent layer's last h_t into another recurrent layer's first h_t, which
  starts from it (initial_state: a seq2seq's encoder hands its decoder h and c).
- window: up from every step a Conv1D or pooling step reads (its kernel or pool window), or
  from every step into the one box of a global pooling or Flatten (app.draw.grid).
"""

from __future__ import annotations

from app.draw.grid import DROPPED_BAND, Grid, own_steps, steps_read
from app.draw.palette import INK, OUTPUT_INK, STATE_ARROW
from app.draw.plan import Arrow, Box, Geometry, Point

Slot = tuple[int, int]  # (call, a row's own step): where a box of that row stands
Anchors = list[dict[Slot, int]]  # per row: slot -> index into the boxes


def arrows_into_row(
    grid: Grid, anchors: Anchors, boxes: list[Box], row_index: int, extras: list[tuple[Slot, int]]
) -> list[Arrow]:
    """Arrows into this row's boxes: up from the rows that feed it, along the row for carried
    state, and into its extra boxes (a dropped y_t, the returned h_T and c_T)."""
    arrows = []
    for source_row in grid.feeding_rows(row_index):
        arrows += _feeds(grid, anchors, boxes, source_row, row_index)
    for source_row in grid.state_rows(row_index):
        arrows += _states(grid, anchors, boxes, source_row, row_index)
    if grid.rows[row_index].role in ("recurrent", "forward", "backward", "cell"):
        arrows += _carries(grid, row_index, boxes, anchors[row_index])
    for slot, extra in extras:
        arrows += _into_extra(grid, anchors, boxes, row_index, slot, extra)
    return arrows


def _feeds(grid: Grid, anchors: Anchors, boxes: list[Box], source_row: int, target_row: int) -> list[Arrow]:
    """Up from source_row into target_row, from every step each box reads (app.draw.grid):
    the same step of a sequence; a window of steps into a Conv1D or pooling step, all of them
    into one vector (global pooling, Flatten); one vector per sequence from its single box,
    fanned out to every step of a row that has steps (RepeatVector). No arrow ever leaves a step
    whose output was dropped."""
    arrows = []
    for (call, step), target in anchors[target_row].items():
        kind, reads = steps_read(grid, source_row, target_row, call, step)
        for read in reads:
            source = anchors[source_row].get((call, read))
            if source is None:
                continue
            if kind == "fan_out" and grid.drops_outputs(source_row):
                # From the last h_t of a row that dropped its other y_t: up above those first, then out.
                start, end = boxes[source].geometry.top, boxes[target].geometry.bottom
                via = (start[0], start[1] + DROPPED_BAND + 0.15)
            else:
                (start, end), via = _ends(boxes[source].geometry, boxes[target].geometry), None
            arrows.append(Arrow(kind, source, target, start, end, INK, via))
    return arrows


def _states(grid: Grid, anchors: Anchors, boxes: list[Box], source_row: int, target_row: int) -> list[Arrow]:
    """initial_state: from the source layer's last h_t in each call into the target's first h_t,
    side to side (a seq2seq's encoder hands its decoder h and c)."""
    arrows = []
    for call in range(len(grid.trace.calls)):
        source = anchors[source_row].get((call, own_steps(grid, source_row, call) - 1))
        target = anchors[target_row].get((call, 0))
        if source is None or target is None:
            continue
        leaving, arriving = boxes[source].geometry, boxes[target].geometry
        start, end = (leaving.x1, leaving.y), (arriving.x0, arriving.y)
        arrows.append(Arrow("state", source, target, start, end, STATE_ARROW))
    return arrows


def _ends(source: Geometry, target: Geometry) -> tuple[Point, Point]:
    """Top of the source to bottom of the target, each end moved a little towards the other box
    when they are not above one another (the two directions of a bidirectional layer), so that
    two arrows leaving one box, or reaching one, start and end apart."""
    shift = max(-0.1, min(0.1, (target.x - source.x) / 2))
    return (source.top[0] + shift, source.top[1]), (target.bottom[0] - shift, target.bottom[1])


def _into_extra(grid: Grid, anchors: Anchors, boxes: list[Box], row_index: int, slot: Slot, extra: int) -> list[Arrow]:
    """A dropped y_t comes from the h_t below it; a returned h_T or c_T from the layer's last h_t."""
    box = boxes[extra]
    if box.role == "discarded":
        source = anchors[row_index][slot]
    else:
        layer_row = next(index for index, row in enumerate(grid.rows) if row.layer == box.layer)
        call = slot[0]
        source = anchors[layer_row].get((call, own_steps(grid, layer_row, call) - 1))
        if source is None:
            return []
    return [Arrow("feed", source, extra, boxes[source].geometry.top, box.geometry.bottom, INK)]


def _carries(grid: Grid, row_index: int, boxes: list[Box], row: dict[Slot, int]) -> list[Arrow]:
    """h_t to h_(t+1) between neighbouring steps that are both drawn (not across the gap), and
    from a call's last step to the next call's first unless a reset comes between them."""
    arrows = []
    slots = sorted(row)
    for left, right in zip(slots, slots[1:]):
        if right[0] == left[0] and right[1] != left[1] + 1:
            continue  # the gap stands between them
        if right[0] != left[0]:
            if right[0] != left[0] + 1 or right[1] != 0 or left[1] != own_steps(grid, row_index, left[0]) - 1:
                continue  # calls or steps hidden in the gap stand between them
            if grid.trace.calls[right[0]].reset_before:
                continue  # a reset: the state does not carry over
        earlier, later = boxes[row[left]].geometry, boxes[row[right]].geometry
        y = (earlier.y0 + earlier.y1) / 2
        if grid.rows[row_index].role == "backward":  # the backward copy hands its state from t + 1 to t
            arrows.append(Arrow("carry", row[right], row[left], (later.x0, y), (earlier.x1, y), STATE_ARROW))
        else:
            arrows.append(Arrow("carry", row[left], row[right], (earlier.x1, y), (later.x0, y), STATE_ARROW))
    return arrows


def _x(grid: Grid, row_index: int, slot: Slot) -> float:
    return next(place.x for place in grid.places[row_index] if place.slot == slot)


def feedback_arrows(grid: Grid, anchors: Anchors) -> list[Arrow]:
    """Where a call's input is the previous call's output (the protocol that fed it back says so
    in the call's record), an arrow runs from that y back down to the next x."""
    output_row = grid.top_row
    arrows = []
    for call_index in range(1, len(grid.trace.calls)):
        previous, current = grid.trace.calls[call_index - 1], grid.trace.calls[call_index]
        if current.fed_back_from != previous.label:
            continue
        leaving = [slot for slot in anchors[output_row] if slot[0] == call_index - 1]
        arriving = [slot for slot in anchors[0] if slot[0] == call_index]
        if not leaving or not arriving:
            continue  # a call hidden in the gap
        source, target = anchors[output_row][max(leaving)], anchors[0][min(arriving)]
        # From just below that y's right edge to just above the next x's left edge: the arrow
        # runs down the picture between the calls, across the divider.
        start = (_x(grid, output_row, max(leaving)) + 0.25, grid.y_of(output_row) - 0.3)
        end = (_x(grid, 0, min(arriving)) - 0.25, grid.y_of(0) + 0.3)
        arrows.append(Arrow("feedback", source, target, start, end, OUTPUT_INK))
    return arrows
