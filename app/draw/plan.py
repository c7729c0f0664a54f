"""The picture as plain data: what `app.draw.layout` decides and `app.draw.render` paints.

    plan = layout(trace)
    plan.boxes[0]    # Box(role="input", layer=None, call=0, step=1, shape=(10, 5, 2), ...)
    plan.arrows[0]   # Arrow(kind="feed", source=0, target=5, ...): indices into plan.boxes

A Plan is a list of marks in paint order, the way a painter lays them down: a later mark covers
an earlier one. Every mark is a frozen record of numbers and strings, so a test can read the
picture without Plotly, and Plotly is only the last step (`app.draw.render`). Marks sit in data units
(a column is 1 wide); words are measured in pixels (`text_extent`), and the Plan's size and
margins, in pixels, are those at which no two words meet.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re

from app.draw.palette import (
    CELL_STATE_FILL,
    CELL_STATE_LETTER,
    DISCARDED_FILL,
    FAINT,
    INPUT_FILL,
    LAYER_FILL,
    LETTER,
    OUTPUT_FILL,
    STATE_FILL,
    TEXT,
)
from topologies.records import Shape

# The letter, colour and legend name of each role a box can have.
ROLES = {
    "input": ("x", INPUT_FILL, "x_t: input at step t"),
    "state": ("h", STATE_FILL, "h_t: state carried to the next step"),
    "cell_state": ("c", CELL_STATE_FILL, "c_t: LSTM cell state"),
    "output": ("y", OUTPUT_FILL, "y_t: what the model hands on"),
    "layer": ("", LAYER_FILL, "another layer (Dense, Embedding, ...)"),
    "discarded": ("y", DISCARDED_FILL, "discarded: computed, not handed on"),
}
SHEETS = 2  # sheets drawn behind each box: the other sequences of the batch
SHEET_STEP = 0.06  # each sheet sits this much further up and to the right, in data units
FONT_SIZE = 15  # legible on a projector
SMALL_SIZE = 14  # the smallest text drawn: step numbers, call names, frame names, the legend
TITLE_SIZE = FONT_SIZE + 3
LINE_SPACING = 1.3  # a line of Plotly text is this many font sizes tall
MIN_COLUMN = 42  # pixels: the narrowest a column (1 data unit across) is ever drawn
LABEL_PAD = 2  # pixels, at least, between a box's label and each side of the box
EDGE = 8  # pixels between the figure's border and the title, the legend and the row labels
LEGEND_SWATCH = 40  # pixels a legend entry takes besides its words

# How wide each glyph of Source Sans (the font Streamlit gives Plotly) is, in font sizes, as
# Chromium measures it, rounded up; any glyph not listed counts as a wide capital. Bold is a
# little wider. Text is measured to make room for it: the picture grows, the text never shrinks.
_EM = {
    " ": 0.21,
    "il.,:;'|·Ij": 0.27,
    "()[]{}f!-": 0.31,
    "/\\rt": 0.36,
    'sz?*"': 0.44,
    "cvxy": 0.48,
    "0123456789=+<>_~^$#aegk×−": 0.51,
    "bdhnopqu": 0.56,
    "w": 0.73,
    "mM%@W⟲↳…": 0.97,
}
_GLYPH_WIDTH = {glyph: width for glyphs, width in _EM.items() for glyph in glyphs}
_CAPITAL = 0.67
_BOLD = 1.08
_SUB = 0.7  # Plotly draws <sub> and <sup> at 70 %
_MARKUP = re.compile(r"<(/?)(\w+)[^>]*>")

# What an arrow stands for; the kind is written in the figure's meta["arrows"].
ARROW_KINDS = {
    "feed": "up from the box below into the box above, at the same step",
    "carry": "state carried along a recurrent row to the neighbouring step",
    "feedback": "a call's output fed back as the next call's input",
    "fan_out": "one lone box feeding every column (RepeatVector's single input)",
    "window": "up from each step a Conv1D kernel, a pooling window or a global pooling reads",
    "state": "a layer's last h_t (and c_t) handed to another recurrent layer as its initial_state",
}


@functools.lru_cache(maxsize=4096)  # the same few labels come again at every step and every draw
def text_extent(text: str, size: float) -> tuple[float, float]:
    """(width, height) in pixels of Plotly text at this font size: the widest line, and the lines."""
    lines = text.split("<br>")
    return max(_line_width(line, size) for line in lines), len(lines) * LINE_SPACING * size


def _line_width(line: str, size: float) -> float:
    """One line's width: its tags (<b>, <sub>) change the glyphs' size, and are not drawn."""
    width, bold, small, start = 0.0, 0, 0, 0
    for tag in [*_MARKUP.finditer(line), None]:
        end = tag.start() if tag else len(line)
        glyphs = html.unescape(line[start:end])
        scale = size * (_BOLD if bold else 1.0) * (_SUB if small else 1.0)
        width += scale * sum(_GLYPH_WIDTH.get(glyph, _CAPITAL) for glyph in glyphs)
        if tag:
            step = -1 if tag.group(1) else 1
            bold += step if tag.group(2) == "b" else 0
            small += step if tag.group(2) in ("sub", "sup") else 0
            start = tag.end()
    return width


Point = tuple[float, float]  # (x, y) in the figure's data units: a column is 1 wide


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Where a box sits: its centre and its size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def x0(self) -> float:
        return self.x - self.width / 2

    @property
    def x1(self) -> float:
        return self.x + self.width / 2

    @property
    def y0(self) -> float:
        return self.y - self.height / 2

    @property
    def y1(self) -> float:
        return self.y + self.height / 2

    @property
    def top(self) -> Point:
        """The middle of the top edge, where an arrow up leaves the box."""
        return ((self.x0 + self.x1) / 2, self.y1)

    @property
    def bottom(self) -> Point:
        """The middle of the bottom edge, where an arrow from below arrives."""
        return ((self.x0 + self.x1) / 2, self.y0)


@dataclasses.dataclass(frozen=True)
class Box:
    """One tensor at one step: an x_t, an h_t, a y_t, or another layer's output."""

    role: str  # a key of ROLES
    layer: str | None  # the layer's name; None for the model's own input and output
    call: int  # index into trace.calls
    step: int  # t, counted from 1 since the last reset
    shape: Shape  # the whole tensor's shape, as measured: (batch, steps, units)
    geometry: Geometry
    label: str  # written on the box: "h<sub>3</sub>"
    hover: str  # shown under the pointer: the step's shape, the whole tensor, sample 0's numbers
    row: int  # index into the grid's rows, bottom to top (app.draw.grid): which row it stands in
    sample: tuple[float | int, ...] = ()  # sample 0's first numbers at this step, as the hover writes them

    @property
    def faded(self) -> bool:
        """A value computed and then dropped: drawn dashed and pale, with no sheets behind."""
        return self.role == "discarded"

    @property
    def colour(self) -> str:
        return ROLES[self.role][1]

    @property
    def ink(self) -> str:
        """The label's colour: grey on a faded box, white on the dark cell state."""
        return {"discarded": FAINT, "cell_state": CELL_STATE_LETTER}.get(self.role, LETTER)

    def record(self) -> dict:
        """The box as the figure's meta["boxes"] lists it."""
        area = self.geometry
        return dict(
            role=self.role,
            layer=self.layer,
            step=self.step,
            call=self.call,
            shape=list(self.shape),
            x0=area.x0,
            y0=area.y0,
            x1=area.x1,
            y1=area.y1,
        )


@dataclasses.dataclass(frozen=True)
class Arrow:
    """An arrow from one box to another."""

    kind: str  # a key of ARROW_KINDS
    source: int  # index into Plan.boxes of the box it leaves
    target: int  # index into Plan.boxes of the box it points at
    start: Point
    end: Point
    colour: str
    via: Point | None = None  # a bend: a plain line from start to here, the arrow from here to end

    def __post_init__(self):
        if self.kind not in ARROW_KINDS:
            raise ValueError(f"arrow kind is {self.kind!r}, but it must be one of {', '.join(ARROW_KINDS)}.")

    def record(self) -> dict:
        """The arrow as the figure's meta["arrows"] lists it."""
        return {"source": self.source, "target": self.target, "kind": self.kind}


def plotly_text(text: str) -> str:
    """Text for a Plotly label or hover, where <a href>, <b> and <br> would be read as markup:
    a user's layer names reach the picture through here (app.ui.literal quotes them in markdown)."""
    return html.escape(str(text), quote=False)


def numbers_text(values, shown: int, cut: bool) -> str:
    """Sample numbers as a picture writes them: "[0.123, -0.456, …]", the first `shown` to three
    significant digits, and "…" where `cut` says the vector goes on past what is written."""
    written = ", ".join(f"{value:.3g}" if isinstance(value, float) else str(value) for value in values[:shown])
    return f"[{written}{', …' if cut else ''}]"


@dataclasses.dataclass(frozen=True)
class Text:
    """Words on the picture: a row's name and shapes, a call's name, t = 3."""

    x: float
    y: float
    text: str  # may hold <b>, <br> and <sub>, which Plotly renders
    anchor: str = "center"  # which side of the text sits at x: left, center or right
    colour: str = TEXT
    size: int = FONT_SIZE
    angle: int = 0  # degrees, as Plotly's textangle: -90 reads upwards

    @property
    def extent(self) -> tuple[float, float]:
        """(width, height) in pixels, once turned by its angle (0 or -90)."""
        width, height = text_extent(self.text, self.size)
        return (height, width) if self.angle else (width, height)


@dataclasses.dataclass(frozen=True)
class Divider:
    """A dashed vertical line between two calls of the model."""

    x: float
    y0: float
    y1: float


@dataclasses.dataclass(frozen=True)
class Frame:
    """A dotted rectangle around the rows of a nested model; its name is a Text after it."""

    x0: float
    y0: float
    x1: float
    y1: float


Mark = Box | Arrow | Text | Divider | Frame


@dataclasses.dataclass(frozen=True)
class Plan:
    """Everything the picture shows, in paint order, and the facts about the figure as a whole."""

    marks: tuple[Mark, ...]
    title: str  # may hold <br>: wrapped to the figure's width
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    width: int  # pixels: the columns at a size where no two words meet, and the margins
    height: int  # pixels: the rows likewise
    margin: tuple[int, int, int, int]  # pixels (left, right, top, bottom): the row names and shapes, title, legend

    def with_room(self, below: int, left: int = 0, right: int = 0) -> Plan:
        """The same picture in a larger figure: `below` more pixels under the plot, `left` and
        `right` more beside it, each added to its margin (app.draw.play's controls go there)."""
        margin_left, margin_right, top, bottom = self.margin
        return dataclasses.replace(
            self,
            width=self.width + left + right,
            height=self.height + below,
            margin=(margin_left + left, margin_right + right, top, bottom + below),
        )

    @property
    def boxes(self) -> list[Box]:
        """The boxes in paint order: Arrow.source and Arrow.target index this list."""
        return [mark for mark in self.marks if isinstance(mark, Box)]

    @property
    def arrows(self) -> list[Arrow]:
        return [mark for mark in self.marks if isinstance(mark, Arrow)]

    @property
    def legend(self) -> list[str]:
        """The roles that appear, in the order of ROLES: only those get a legend entry."""
        used = {box.role for box in self.boxes}
        return [role for role in ROLES if role in used]
