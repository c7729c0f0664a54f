"""The picture's columns: which time steps are drawn, call by call and input by input.

    columns_of(trace("many_to_one", Config()))[2]   # Column(call=0, step=2, t=3): the third step

Columns run through every call of the model in order, and within a call through each model
input's steps (its part of the picture: a seq2seq's encoder, then its decoder). t counts on
across calls until the stateful layers are reset, because that is how far the state reaches
back. Past MAX_COLUMNS steps only the first and last few are drawn, around one gap column that
says how many it hides; with several inputs, each input's steps share the columns and have a
gap of their own, so the last step of one part and the first of the next (a seq2seq's handed
state) are always drawn.
"""

from __future__ import annotations

import dataclasses

from topologies.records import CallRecord, Trace

MAX_COLUMNS = 12  # past this many steps, draw the first and last few around a gap
FIRST_COLUMNS = 6
COLUMN_WIDTH = 1.0
CALL_GAP = 0.4  # between the columns of two calls, for the divider


@dataclasses.dataclass(frozen=True)
class Column:
    """One drawn time step, or the gap standing for the steps left out."""

    call: int  # index into trace.calls
    step: int | None  # index within the call (within its part); None for the gap
    t: int | None  # time step since the last reset, from 1; None for the gap
    skipped: int = 0  # steps the gap stands for
    part: int = 0  # which model input's steps: a seq2seq draws its encoder's, then its decoder's


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


def columns_of(trace: Trace) -> list[Column]:
    """Every drawn column, left to right, the steps left out standing in one gap column."""
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
