"""The arrows of a figure as Plotly paths: `arrow_shapes(arrows, scale, look) -> list[dict]`.

Plotly's own arrow is an annotation, and the browser lays out every annotation on its own: in
Chromium, the 14 arrows of the seed's picture took two fifths of its paint time, and the 38 of
text_generator's over half (bench/paint.py). So the arrows are drawn as shapes instead, one
path per colour through all the lines ("arrows") and one filled path per colour through all
the heads ("arrowheads"). Each line starts at its arrow's start (through its bend, if it has
one); each head's first point is its arrow's tip.

The head is the one Plotly draws for an annotation with arrowhead 2, arrowsize 1.2 and
arrowwidth 1.6 px: a triangle 5 s long and 5 s wide at its flat back, where s = 1.2 x 1.6 px,
its tip on the arrow's end. The line stops 1.3 s short of the tip, inside the head, so its
square end never shows past the point. A head's size is in pixels and the figure's shapes sit
in data units, so its corners are worked out in pixels and turned back into data units with
the figure's scale: pixels per unit across and up, which need not be the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from app.draw.looks import Look
from app.draw.palette import TRANSPARENT
from app.draw.plan import Arrow, Point

LINE_WIDTH = 1.6  # pixels, before the look's scale
HEAD_SIZE = 1.2  # the head's unit, in line widths (Plotly's arrowsize)
HEAD_LENGTH = 5.0  # from the tip to the flat back, in head units
HEAD_HALF_WIDTH = 2.5  # from the middle of the back to either corner, in head units
LINE_SHORT_OF_TIP = 1.3  # where the line stops, in head units before the tip
NAMES = ("arrows", "arrowheads")  # the shapes' names: their lines, their heads


def arrow_shapes(arrows: list[Arrow], scale: tuple[float, float], look: Look) -> list[dict]:
    """The lines and heads of `arrows`, grouped by colour, drawn above the traces; `scale` is
    the figure's pixels per data unit (across, up)."""
    width = look.px(LINE_WIDTH)
    unit = HEAD_SIZE * width
    lines: dict[str, str] = {}  # colour -> the path through its arrows' lines
    heads: dict[str, str] = {}  # colour -> the path through its arrows' heads
    for arrow in arrows:
        back = _backwards(arrow, scale)
        if back is None:  # an arrow with no length has no direction to point in
            continue
        colour = look.ink(arrow.colour)
        bend = [] if arrow.via is None else [arrow.via]
        line = [arrow.start, *bend, back(LINE_SHORT_OF_TIP * unit, 0.0)]
        corners = [
            arrow.end,
            back(HEAD_LENGTH * unit, HEAD_HALF_WIDTH * unit),
            back(HEAD_LENGTH * unit, -HEAD_HALF_WIDTH * unit),
        ]
        lines[colour] = lines.get(colour, "") + _path(line)
        heads[colour] = heads.get(colour, "") + _path(corners) + "Z"
    drawn_lines = [
        dict(
            type="path",
            path=path,
            line=dict(color=colour, width=width),
            fillcolor=TRANSPARENT,
            layer="above",
            name=NAMES[0],
        )
        for colour, path in lines.items()
    ]
    drawn_heads = [
        dict(type="path", path=path, line=dict(color=colour, width=0), fillcolor=colour, layer="above", name=NAMES[1])
        for colour, path in heads.items()
    ]
    return drawn_lines + drawn_heads


def _backwards(arrow: Arrow, scale: tuple[float, float]) -> Callable[[float, float], Point] | None:
    """A function of (back, side) in pixels giving the point `back` pixels behind the arrow's tip
    along its last straight part and `side` pixels to its left, in data units; None if that part
    has no length."""
    across, up = scale
    tail, tip = arrow.via or arrow.start, arrow.end
    dx, dy = (tip[0] - tail[0]) * across, (tip[1] - tail[1]) * up
    length = math.hypot(dx, dy)
    if not length:
        return None
    along_x, along_y = dx / length, dy / length

    def point(back: float, side: float) -> Point:
        return tip[0] + (-back * along_x - side * along_y) / across, tip[1] + (-back * along_y + side * along_x) / up

    return point


def _path(points: list[Point]) -> str:
    """An SVG path from the first point through the others, in data units to 1/10,000 of a unit:
    a few hundredths of a pixel at the widest scale a picture is drawn at."""
    return "M" + "L".join(f"{round(x, 4):g},{round(y, 4):g}" for x, y in points)
