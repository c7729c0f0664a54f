"""Play through time: the unrolled picture shown one step at a time, in the browser.

    figure = draw(trace("stateful_batches", Config()), played=True)
    len(figure.frames)                         # 5: one per drawn column, left to right
    figure.layout.sliders[0].steps[2].label    # "3": the t written under that column

An unrolled picture shows every step at once, and hides their order: x_1 goes in, h_1 comes
out and is carried to step 2, and so on. Played, each frame is one drawn column, step t of one
call, in drawing order, across calls (the middle steps left out past 12 are not drawn, so not
played). At step t:
- the column is lit, a pale band behind x_t, h_t and y_t;
- the arrows that carry h_(t-1) into h_t are drawn over a broad glow, and so are an output fed
  back as the next call's first input and an encoder's state handed to its decoder (the
  backward row of a bidirectional layer is carried from the right, from steps not played yet);
- the steps to come are veiled: a sheet of the page's colour over their boxes;
- under the picture, sample 0's numbers at that step as the run recorded them (the first
  four of each vector): x_t, each recurrent layer's h_t, y_t, and at a call's first step where
  its state comes from: zeros at the very start or after "⟲ reset", else the call before.

Plotly plays the frames in the browser with its own slider and Play and Pause buttons: no
Streamlit run per step. A frame changes only what playback adds, which keeps the figure
light: the band (the first shape), the veil and the glow (two traces, the figure's last), and
the numbers (the first annotation). For the veil to cover the boxes every shape is drawn below
the traces (layer "below"), except the arrows (app.draw.arrow_paths), which stay above every trace,
over the glow. The words' and the box letters' traces come after the veil: those of the steps
to come stay readable through it, over faint boxes.
"""

from __future__ import annotations

import dataclasses
import math

import plotly.graph_objects as go

from app.draw.arrow_paths import NAMES as ARROW_NAMES
from app.draw.grid import Grid
from app.draw.looks import Look
from app.draw.palette import HIGHLIGHT, TEXT
from app.draw.plan import (
    EDGE,
    FONT_SIZE,
    LINE_SPACING,
    SMALL_SIZE,
    Arrow,
    Box,
    Plan,
    numbers_text,
    plotly_text,
    text_extent,
)
from app.draw.render import figure_parts
from topologies.records import Trace

BAND_OPACITY = 0.22
GLOW_WIDTH = 8  # pixels: the glow under an arrow, several times the arrow's width
VEIL_OPACITY = 0.78  # of the page's colour over the steps to come: their boxes show faintly
SHOWN_NUMBERS = 4  # of each vector: the trace keeps 8, and four fit beside a name on one line
STEP_MS = 1000  # how long Play shows each step
CARRIED = ("carry", "feedback", "state")  # arrows that bring the past into a step
STATE_ROWS = ("recurrent", "forward", "backward", "cell")  # rows whose boxes are h_t
BUTTONS = ("▶ Play", "❚❚ Pause")
BUTTON_PAD = 10  # pixels of a button around its label, each side
CONTROLS_GAP = 8  # pixels between the plot, the controls and the numbers under it
CONTROLS = 58  # pixels: the slider's rail, its ticks and their labels; the buttons beside it
STEP_INSET = 10  # pixels from a Plotly slider's end to its first and last stop (plotly.js)


@dataclasses.dataclass(frozen=True)
class Moment:
    """One frame: one drawn column, step t of one call."""

    call: int  # index into trace.calls
    t: int  # as written under the column
    x: float  # the column's centre, in data units
    left: float  # its span: half way to each neighbouring column (the plot's end at either side)
    right: float
    numbers: str  # Plotly text: the step, where its state comes from, sample 0's x_t, h_t, y_t
    carried: tuple[Arrow, ...]  # the arrows that bring h_(t-1) (or a fed-back output) into it


def moments(plan: Plan, grid: Grid) -> list[Moment]:
    """The frames of `plan`, one per drawn column of the grid it was laid out on, in drawing order."""
    trace = grid.trace
    centres = [grid.x_of(index) for index in range(len(grid.columns))]
    boxes = plan.boxes
    found = []
    for index, column in grid.drawn():
        left = (centres[index - 1] + centres[index]) / 2 if index else plan.x_range[0]
        right = (centres[index] + centres[index + 1]) / 2 if index + 1 < len(centres) else plan.x_range[1]
        inside = [box for box in boxes if left <= box.geometry.x < right]
        carried = tuple(
            arrow
            for arrow in plan.arrows
            if arrow.kind in CARRIED
            and left <= boxes[arrow.target].geometry.x < right
            and boxes[arrow.source].geometry.x < left  # from the past: not a backward row's
        )
        first = column.step == 0 and column.part == 0
        emptied = first and (column.call == 0 or trace.calls[column.call].reset_before)
        handed = [boxes[arrow.source].layer for arrow in carried if arrow.kind == "state"]
        lines = [_heading(trace, grid, index, handed[:1]), *_sample_lines(inside, grid, emptied)]
        found.append(Moment(column.call, column.t, centres[index], left, right, "<br>".join(lines), carried))
    return found


def play(plan: Plan, grid: Grid, look: Look) -> go.Figure:
    """The figure of `plan`, laid out on `grid` (app.draw.layout.plan_of), with its playback: a
    slider over the steps, Play and Pause, frames."""
    timeline = moments(plan, grid)
    plan = _with_room(plan, timeline)
    data, layout = figure_parts(plan, look)
    # Under the veil and the glow, but the arrows, which are drawn over the glow.
    below = [shape if shape.get("name") in ARROW_NAMES else {**shape, "layer": "below"} for shape in layout["shapes"]]
    layout["shapes"] = [_band(timeline[0], plan), *below]
    layout["annotations"] = [_numbers_note(timeline[0], plan, look), *layout["annotations"]]
    layout["updatemenus"], layout["sliders"] = _controls(plan, timeline, look)
    *data, words, letters = data  # the words and the box letters stay on top, readable through the veil
    traces = len(data)
    data += [_veil(timeline[0], plan, look), _glow(timeline[0], look), words, letters]
    frames = [
        dict(
            name=str(index),
            data=[_veil(moment, plan, look), _glow(moment, look)],
            traces=[traces, traces + 1],
            layout=dict(shapes=[_band(moment, plan)], annotations=[dict(text=moment.numbers)]),
        )
        for index, moment in enumerate(timeline)
    ]
    # Unchecked like app.draw.render's figure; the frames, small, Plotly checks (it offers no way not to).
    return go.Figure(data=data, layout=layout, frames=frames, _validate=False)


def _across(plan: Plan, x: float) -> float:
    """Pixels from the figure's left edge to `x` (in data units), at the look's scale 1."""
    left, right, _, _ = plan.margin
    x0, x1 = plan.x_range
    return left + (x - x0) * (plan.width - left - right) / (x1 - x0)


def _buttons_width() -> float:
    return sum(text_extent(label, SMALL_SIZE)[0] + 2 * BUTTON_PAD for label in BUTTONS)


def _with_room(plan: Plan, timeline: list[Moment]) -> Plan:
    """The plan with room under the plot for the controls and the numbers: taller, wider to the
    right where the numbers need it, wider to the left where the buttons would meet the slider."""
    lines = max(moment.numbers.count("<br>") + 1 for moment in timeline)
    room = CONTROLS_GAP + CONTROLS + round(lines * LINE_SPACING * FONT_SIZE) + CONTROLS_GAP
    wider_left = max(0, math.ceil(EDGE + _buttons_width() + CONTROLS_GAP - (_across(plan, timeline[0].x) - STEP_INSET)))
    widest = max(text_extent(moment.numbers, FONT_SIZE)[0] for moment in timeline)
    wider_right = max(0, math.ceil(EDGE + widest + EDGE - plan.width - wider_left))
    return plan.with_room(room, wider_left, wider_right)


def _controls(plan: Plan, timeline: list[Moment], look: Look) -> tuple[list[dict], list[dict]]:
    """A slider whose stops stand under the columns, and Play and Pause just left of it.

    Paper coordinates are fractions of the plot, measured from its bottom left corner: the
    controls sit in the bottom margin, so their places are worked out in pixels and divided.
    Plotly spreads a slider's stops evenly, STEP_INSET in from its ends; the first and last
    stand under the first and last columns, the others near theirs (calls are a little apart).
    """
    left, right, top, bottom = plan.margin
    plot_width, plot_height = plan.width - left - right, plan.height - top - bottom
    first, last = _across(plan, timeline[0].x), _across(plan, timeline[-1].x)
    font = dict(size=look.px(SMALL_SIZE), color=look.ink(TEXT))
    place = dict(y=-CONTROLS_GAP / plot_height, yanchor="top", pad=dict(t=0, r=0, b=0, l=0), font=font)
    slider_start = first - STEP_INSET - left  # pixels from the plot's left edge
    buttons = dict(
        type="buttons",
        direction="right",
        showactive=False,
        # Anchored by their right end, just before the slider: Plotly keeps x within -2 to 3 plot
        # widths, which the figure's left edge is not, beside a picture of one or two columns.
        x=(slider_start - CONTROLS_GAP) / plot_width,
        xanchor="right",
        buttons=[
            dict(label=BUTTONS[0], method="animate", args=[None, _animation(STEP_MS, from_current=True)]),
            dict(label=BUTTONS[1], method="animate", args=[[None], _animation(0)]),
        ],
        **place,
    )
    slider = dict(
        active=0,
        x=slider_start / plot_width,
        xanchor="left",
        len=(max(last - first, 2 * STEP_INSET) + 2 * STEP_INSET) / plot_width,
        currentvalue=dict(visible=False),
        steps=[
            dict(label=str(moment.t), method="animate", args=[[str(index)], _animation(0)])
            for index, moment in enumerate(timeline)
        ],
        **place,
    )
    return [buttons], [slider]


def _numbers_note(moment: Moment, plan: Plan, look: Look) -> dict:
    """Sample 0's numbers under the controls, from the figure's left edge; each frame rewrites it."""
    left, right, top, bottom = plan.margin
    plot_width, plot_height = plan.width - left - right, plan.height - top - bottom
    return dict(
        x=(EDGE - left) / plot_width,
        y=-(CONTROLS_GAP + CONTROLS) / plot_height,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        text=moment.numbers,
        font=dict(size=look.px(FONT_SIZE), color=look.ink(TEXT)),
    )


def _animation(milliseconds: int, from_current: bool = False) -> dict:
    """How Plotly moves to a frame: at once, no tween (a step is a step), redrawn."""
    return dict(
        frame=dict(duration=milliseconds, redraw=True),
        transition=dict(duration=0),
        mode="immediate",
        fromcurrent=from_current,
    )


def _heading(trace: Trace, grid: Grid, index: int, handed: list[str]) -> str:
    """The step, its call where there are several, and at a call's first step where its state
    comes from; `handed` names the layer whose last state this step starts from, if one does."""
    column = grid.columns[index]
    call = trace.calls[column.call]
    heading = f"<b>t = {column.t}</b>" + (f" · {plotly_text(call.label)}" if grid.many_calls else "")
    first = column.step == 0 and column.part == 0
    if first and column.call == 0:
        heading += " · the state starts at 0"
    elif first and call.reset_before:
        heading += " · ⟲ reset: the state is emptied, h starts again at 0"
    elif first:
        heading += f" · no reset: h carries on from {plotly_text(trace.calls[column.call - 1].label)}"
    elif handed:
        heading += f" · h starts from {plotly_text(handed[0])}'s last state"
    return heading + " · sample 0:"


def _sample_lines(inside: list[Box], grid: Grid, emptied: bool) -> list[str]:
    """Sample 0's numbers at this step, bottom to top: x_t, each recurrent row's h_t (after
    h_0's zeros where the state was just emptied), y_t; a y_t computed and dropped is named."""
    lines = []
    several = len({box.row for box in inside if grid.rows[box.row].role in STATE_ROWS}) > 1
    for box in sorted(inside, key=lambda box: box.row):
        role = grid.rows[box.row].role
        if role == "input" or (role == "output" and box.role == "output"):
            lines.append(f"{box.label} = {_numbers(box.sample)}")
        elif box.role == "state" and role in STATE_ROWS:
            layer = plotly_text(box.layer)
            name = f" ({layer}{'' if role in ('recurrent', 'cell') else ', ' + role})" if several else ""
            if emptied:  # once, before the first h_t: one vector of zeros, or one in every layer
                lines.append(
                    "h<sub>0</sub> = 0 in every layer"
                    if several
                    else f"h<sub>0</sub> = {_numbers((0,) * len(box.sample))}"
                )
                emptied = False
            lines.append(f"{box.label}{name} = {_numbers(box.sample)}")
        elif box.role == "discarded":
            lines.append(f"{box.label} of {plotly_text(box.layer)}: computed, not handed on")
    return lines


def _numbers(sample: tuple) -> str:
    """[0.123, -0.456, …]: the first SHOWN_NUMBERS, to three significant digits."""
    return numbers_text(sample, SHOWN_NUMBERS, cut=len(sample) > SHOWN_NUMBERS)


def _band(moment: Moment, plan: Plan) -> dict:
    """The lit column: a pale band behind its boxes, from the bottom of the plot to the top."""
    return dict(
        type="rect",
        x0=moment.left,
        x1=moment.right,
        y0=plan.y_range[0],
        y1=plan.y_range[1],
        fillcolor=HIGHLIGHT,
        opacity=BAND_OPACITY,
        line=dict(width=0),
        layer="below",
    )


def _veil(moment: Moment, plan: Plan, look: Look) -> dict:
    """A sheet of the page's colour over the steps to come (none after the last)."""
    x0, x1 = moment.right, plan.x_range[1]
    y0, y1 = plan.y_range
    corners = ([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]) if x1 > x0 else ([], [])
    return dict(
        type="scatter",
        x=corners[0],
        y=corners[1],
        mode="lines",
        fill="toself",
        fillcolor=look.paper,
        opacity=VEIL_OPACITY,
        line=dict(width=0),
        hoverinfo="skip",
        showlegend=False,
        name="steps to come",
    )


def _glow(moment: Moment, look: Look) -> dict:
    """A broad stroke under each arrow carried into this step, along its path (a bend included)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for arrow in moment.carried:
        points = [arrow.start, *([arrow.via] if arrow.via else []), arrow.end]
        xs += [point[0] for point in points] + [None]
        ys += [point[1] for point in points] + [None]
    return dict(
        type="scatter",
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color=HIGHLIGHT, width=look.px(GLOW_WIDTH)),
        opacity=0.8,
        hoverinfo="skip",
        showlegend=False,
        name="carried in",
    )
