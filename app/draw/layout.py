"""Where everything in the picture goes, decided without Plotly: `layout(trace) -> Plan`.

    plan = layout(trace("many_to_one", Config()))
    [box.label for box in plan.boxes][:3]   # ['x<sub>1</sub>', 'x<sub>2</sub>', 'x<sub>3</sub>']
    plan.arrows[0].kind                     # 'feed'

The work is split by concern, one module each:

    app.draw.columns  the drawn time steps, call by call, with a gap past MAX_COLUMNS
    app.draw.rows     the rows, bottom to top: inputs, each call of each layer, the output
    app.draw.kernels  which steps a Conv1D or pooling step reads (Keras's rule)
    app.draw.grid     columns and rows together: where a cell's centre is, which rows feed
                      which, and each row's own steps (where each is drawn, what it reads)
    app.draw.cells    the boxes of one cell, one function per kind of row
    app.draw.arrows   feed, fan-out, window, carry and feedback arrows, each naming its two boxes
    app.draw.labels   row names and shapes, call dividers, nested-model frames, t = 1, 2, ...

This module fills the grid and lays the marks down in paint order: the call dividers and the
feedback arrows first, then row by row (boxes, arrows into them, the row's labels), then the
frames and the step numbers.

Then it sizes the figure. Words are in pixels and the grid in data units, so the figure is given
the scale (pixels per unit across and up) at which no two words meet, from the words' measured
widths (`app.draw.plan.text_extent`); its size follows, and it scrolls sideways on a narrow page
rather than shrink. The rows' names and shapes sit in the margins, as wide as the longest line
after wrapping; the title above, the legend below.
"""

from __future__ import annotations

import dataclasses
import math

from app.draw.arrows import Anchors, Slot, arrows_into_row, feedback_arrows
from app.draw.cells import Spot, cell_at
from app.draw.grid import Grid
from app.draw.labels import dividers, frames, gap_note, row_labels, step_labels, wrap
from app.draw.plan import (
    EDGE,
    FONT_SIZE,
    LABEL_PAD,
    LEGEND_SWATCH,
    LINE_SPACING,
    MIN_COLUMN,
    ROLES,
    SHEET_STEP,
    SHEETS,
    SMALL_SIZE,
    TITLE_SIZE,
    Arrow,
    Box,
    Divider,
    Frame,
    Mark,
    Plan,
    Text,
    plotly_text,
    text_extent,
)
from topologies.records import Trace
from topologies.report import title

# Pixels per data unit. A column is 1 unit wide and never narrower than MIN_COLUMN, so a box stays
# a box; rows 1.5 units apart are at least 115 px apart, room for the tallest box (512 units).
MIN_ROW = 77
# Two words that would need more than this across to stand side by side are set one above the other.
SIDE_BY_SIDE = 4 * MIN_COLUMN
WORD_GAP = 4  # pixels between any two words
# A row's name and shapes are wrapped to the widest of these that lets the figure fit the room a
# chart has on the Shapes page with the sidebar open: on a projector's 1024 x 768, then at 1400
# px wide. A figure that fits neither takes the narrowest, and scrolls sideways as little as it can.
LABEL_WIDTHS = (260, 220, 180, 150)
ROOMS = (560, 930)


@dataclasses.dataclass
class _Filled:
    """The grid's cells once filled: every box, and which box arrows join in each cell."""

    boxes: list[Box]  # in paint order: an arrow's source and target index this list
    anchors: Anchors  # per row: (call, the row's own step) -> index into boxes
    rows: list[list[Box | Text]]  # per row: its boxes and the gap's note, left to right
    extras: list[list[tuple[Slot, int]]]  # per row: (slot, index into boxes) of each extra box


@dataclasses.dataclass(frozen=True)
class _Word:
    """A text, or a box's label, as the space it takes: a point in data units, a size in pixels."""

    x: float
    y: float
    width: float
    height: float
    left: float  # the share of the width left of x: 0 when anchored left, 1 when anchored right
    fits: float = 0.0  # a box's label: pixels per unit across at which it fits inside its box

    @classmethod
    def of(cls, mark: Text | Box) -> _Word:
        if isinstance(mark, Box):
            width, height = text_extent(mark.label, FONT_SIZE)
            fits = (width + 2 * LABEL_PAD) / mark.geometry.width
            return cls(mark.geometry.x, mark.geometry.y, width, height, 0.5, fits)
        width, height = mark.extent
        return cls(mark.x, mark.y, width, height, {"left": 0.0, "center": 0.5, "right": 1.0}[mark.anchor])


def layout(trace: Trace) -> Plan:
    """The unrolled network of `trace` as a Plan: boxes, arrows and words, in paint order, at a
    scale where no two words meet."""
    return plan_of(Grid.of(trace))


def plan_of(grid: Grid) -> Plan:
    """The Plan of the grid's trace, as `layout` makes it. A caller that needs the grid again
    (app.draw.play: which column each frame lights) makes it once and hands it to both."""
    trace = grid.trace
    filled = _fill(grid)
    plot = _plot_marks(grid, filled)
    # Each row's name and shapes, wrapped at each width tried: measured to choose one, then drawn.
    labels = {width: [row_labels(grid, row, width) for row in range(len(grid.rows))] for width in LABEL_WIDTHS}
    marks = _paint_order(plot, labels[_label_width(grid, plot, labels)])
    words = _words(marks)
    across, up = _scale(words)
    x_range = (grid.left_edge, grid.right_edge)
    left, right = _overhang(words, x_range, across)
    width = left + right + math.ceil((x_range[1] - x_range[0]) * across)
    # The title is wrapped to the figure's width, or to the first room if that is narrower, to be
    # read without scrolling: between its dots, and a part still too long between its words. The
    # legend, below the plot, is wrapped at the plot's width, as Plotly does.
    room = min(width, ROOMS[0]) - 2 * EDGE
    parts = wrap(plotly_text(title(trace)), TITLE_SIZE, room, (" · ",), bold=True)
    lines = [line for part in parts for line in wrap(part, TITLE_SIZE, room, (" ",), bold=True)]
    heading = "<br>".join(line.removesuffix(" ·") for line in lines)
    y_range = _y_range(marks, words, up)
    top = math.ceil(text_extent(heading, TITLE_SIZE)[1] + 2 * EDGE)
    bottom = math.ceil(_legend_height(marks, (x_range[1] - x_range[0]) * across) + 2 * EDGE)
    return Plan(
        marks=tuple(marks),
        title=heading,
        x_range=x_range,
        y_range=y_range,
        width=width,
        height=math.ceil(top + bottom + (y_range[1] - y_range[0]) * up),
        margin=(left, right, top, bottom),
    )


def _plot_marks(grid: Grid, filled: _Filled) -> list[list[Mark]]:
    """Per row, its boxes, the arrows into them; then, last, the dividers and feedback arrows
    (painted first), and the frames and step numbers (painted last)."""
    per_row: list[list[Mark]] = [
        [*row_marks, *arrows_into_row(grid, filled.anchors, filled.boxes, row_index, filled.extras[row_index])]
        for row_index, row_marks in enumerate(filled.rows)
    ]
    return [*per_row, [*dividers(grid), *feedback_arrows(grid, filled.anchors)], [*frames(grid), *step_labels(grid)]]


def _paint_order(plot: list[list[Mark]], labels: list[list[Text]]) -> list[Mark]:
    """The call dividers and feedback arrows first, then row by row (boxes, arrows into them, the
    row's labels), then the frames and the step numbers."""
    *rows, first, last = plot
    marks: list[Mark] = list(first)
    for row_marks, row_labels_drawn in zip(rows, labels):
        marks += row_marks
        marks += row_labels_drawn
    return marks + last


def _label_width(grid: Grid, plot: list[list[Mark]], labels: dict[float, list[list[Text]]]) -> float:
    """The widest of LABEL_WIDTHS at which the figure fits the first of ROOMS it can fit (the
    narrowest if it fits none), measured with the plot's own scale; `labels` holds each row's
    labels wrapped at each width."""
    across, _ = _scale(_words([mark for marks in plot for mark in marks]))
    columns = (grid.right_edge - grid.left_edge) * across + 2 * EDGE
    widths = {}
    for label_width in LABEL_WIDTHS:
        drawn = [label for row in labels[label_width] for label in row]
        widths[label_width] = columns + sum(
            max(label.extent[0] for label in drawn if label.anchor == side) for side in ("left", "right")
        )
    for room in ROOMS:
        for label_width in LABEL_WIDTHS:
            if widths[label_width] <= room:
                return label_width
    return LABEL_WIDTHS[-1]


def _words(marks: list[Mark]) -> list[_Word]:
    return [_Word.of(mark) for mark in marks if isinstance(mark, Text | Box)]


def _scale(words: list[_Word]) -> tuple[float, float]:
    """Pixels per data unit across and up: the least, from MIN_COLUMN and MIN_ROW, at which no two
    words meet. Words that cannot stand side by side (one above the other, or close to it) are
    set apart upwards; every other pair that would still meet at that height, across."""
    pairs = []
    ordered = sorted(words, key=lambda word: word.y)
    tallest = max((word.height for word in words), default=0.0)
    for index, first in enumerate(ordered):
        reach = (first.height / 2 + tallest / 2 + WORD_GAP) / MIN_ROW  # farther up, no scale lets them meet
        for second in ordered[index + 1 :]:
            if second.y - first.y >= reach:
                break
            pairs.append((_apart_across(first, second), _apart_up(first, second)))
    stacked = [up for across, up in pairs if across > SIDE_BY_SIDE and up < math.inf]
    up = max([MIN_ROW, *stacked])
    beside = [across for across, need_up in pairs if need_up > up and across < math.inf]
    return max([MIN_COLUMN, *beside, *(word.fits for word in words)]), up


def _overhang(words: list[_Word], x_range: tuple[float, float], across: float) -> tuple[int, int]:
    """The left and right margins: as wide as the words stick out of the plot (the rows' names
    and shapes, a call's name over the last column, "⟲ reset" under the first), and EDGE."""
    left = max([0.0] + [(x_range[0] - word.x) * across + word.left * word.width for word in words])
    right = max([0.0] + [(word.x - x_range[1]) * across + (1 - word.left) * word.width for word in words])
    return math.ceil(left) + EDGE, math.ceil(right) + EDGE


def _apart_across(first: _Word, second: _Word) -> float:
    """Pixels per unit across that set the two side by side, WORD_GAP apart (inf if nothing can)."""
    if first.x > second.x:
        first, second = second, first
    pixels = (1 - first.left) * first.width + second.left * second.width + WORD_GAP
    return pixels / (second.x - first.x) if second.x > first.x else math.inf


def _apart_up(first: _Word, second: _Word) -> float:
    """Pixels per unit up that set the two one above the other, WORD_GAP apart (inf if nothing can)."""
    distance = abs(first.y - second.y)
    return ((first.height + second.height) / 2 + WORD_GAP) / distance if distance else math.inf


def _y_range(marks: list[Mark], words: list[_Word], up: float) -> tuple[float, float]:
    """From the lowest to the highest thing drawn, words and the sheets behind the boxes included."""
    ends = [end for word in words for end in (word.y - word.height / 2 / up, word.y + word.height / 2 / up)]
    for mark in marks:
        match mark:
            case Box():
                ends += [mark.geometry.y0, mark.geometry.y1 + SHEETS * SHEET_STEP]
            case Frame() | Divider():
                ends += [mark.y0, mark.y1]
            case Arrow():
                ends += [point[1] for point in (mark.start, mark.end, mark.via) if point]
    margin = WORD_GAP / up
    return min(ends) - margin, max(ends) + margin


def _legend_height(marks: list[Mark], width: float) -> float:
    """The legend's lines, one entry per role drawn, laid left to right and wrapped at `width`."""
    roles = {mark.role for mark in marks if isinstance(mark, Box)}
    lines, used = 1, 0.0
    for role in (role for role in ROLES if role in roles):
        entry = LEGEND_SWATCH + text_extent(ROLES[role][2], SMALL_SIZE)[0]
        if used and used + entry > width:
            lines, used = lines + 1, 0.0
        used += entry
    return lines * LINE_SPACING * SMALL_SIZE + lines * 6


def _fill(grid: Grid) -> _Filled:
    """Every cell's boxes, row by row from the bottom, each row at its places left to right."""
    filled = _Filled(boxes=[], anchors=[], rows=[], extras=[])
    for row_index, places in enumerate(grid.places):
        anchors: dict[tuple[int, int], int] = {}
        extras: list[tuple[tuple[int, int], int]] = []
        row_marks: list[Box | Text] = []
        if row_index == 0:  # the gap is explained once, half way up
            row_marks += [gap_note(grid, index) for index, column in enumerate(grid.columns) if column.step is None]
        for place in places:
            cell = cell_at(Spot(grid, row_index, place))
            anchors[place.slot] = len(filled.boxes)
            extras += [(place.slot, len(filled.boxes) + 1 + offset) for offset in range(len(cell.extras))]
            filled.boxes.extend((cell.box, *cell.extras))
            row_marks.extend((cell.box, *cell.extras))
        filled.anchors.append(anchors)
        filled.extras.append(extras)
        filled.rows.append(row_marks)
    return filled
