"""Paint a Plan with Plotly: `render(plan) -> go.Figure`.

    figure = render(layout(trace("many_to_one", Config())))
    figure.layout.meta["boxes"]    # one record per box: role, layer, step, call, shape, x0..y1
    figure.layout.meta["arrows"]   # one record per arrow: {"source": 0, "target": 5, "kind": "feed"}

Every decision about what goes where was made by `app.draw.layout`; here each mark becomes Plotly
shapes (rectangles, lines) in the plan's order, the words one text trace, and the arrows paths
over the shapes (app.draw.arrow_paths: a line and a head per arrow, one path per colour). One
invisible scatter point sits on each box to carry its hover text, and one empty trace per role
used makes the legend. The traces, in order: the hover points (the first, whose point index is
the box's: app.ui.showing), the legend's, the words, the letters on the boxes (the last).

The browser pays for every shape and annotation it lays out, one at a time. So what repeats is
drawn once per kind, measured in Chromium with bench/paint.py: the sheets behind the boxes are
one path per colour and depth (the seed's picture painted in a sixth less time, text_generator's
in a third less), the arrows two paths per colour (a third less again for the seed's, over half
for text_generator's), and the words and the letters one text trace each. The words are
annotations only where they are turned on their side (a nested model's name up its frame),
which a text trace cannot do. The boxes and their sheets lie below the traces (layer "below"),
so the letters sit on them; the arrows above them.

The figure names its own template, an empty one: every colour, font and line here is set on
the mark itself, and on a Streamlit page the browser dresses the template's layout with the
page's theme (fonts, hover label) whether the figure brings one or not. Left unnamed, Plotly
would copy in its default template (Streamlit's, once Streamlit is imported), which this
figure does not read: a sixth of the time go.Figure takes for the seed's, and 3.4 KB of every
figure sent.

The figure has the plan's size in pixels and its margins: words are drawn at their
size, and the plan's scale is what keeps them apart, so a page should show the figure at its
width (scrolling sideways if it must), not fit it to the page.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from app.draw.arrow_paths import arrow_shapes
from app.draw.looks import SCREEN, Look
from app.draw.palette import FADED_OUTLINE, FAINT, FRAME_LINE, INK, TRANSPARENT
from app.draw.plan import (
    EDGE,
    FONT_SIZE,
    LINE_SPACING,
    ROLES,
    SHEET_STEP,
    SHEETS,
    SMALL_SIZE,
    TITLE_SIZE,
    Box,
    Divider,
    Frame,
    Plan,
    Text,
)


def render(plan: Plan, look: Look = SCREEN) -> go.Figure:
    """The figure of `plan`, dressed by `look`, with the boxes and arrows listed in layout.meta
    for tests and tools."""
    data, layout = figure_parts(plan, look)
    # Plotly checks every property of every shape and annotation as it is set: four fifths of
    # draw()'s time for a few hundred boxes. These come from the fixed recipes in this module, so
    # the figure is made unchecked (as Plotly Express does); the tests render and read it.
    return go.Figure(data=data, layout=layout, _validate=False)


def figure_parts(plan: Plan, look: Look = SCREEN) -> tuple[list[dict], dict]:
    """The figure's traces and layout as plain dicts, for a caller to add to before making the
    figure (app.draw.play): a figure made unchecked is not meant to be changed afterwards."""
    shapes: list[dict] = _sheets(plan.boxes, look)
    annotations: list[dict] = []  # the words turned on their side: a text trace writes only across
    words: list[Text] = []
    for mark in plan.marks:
        match mark:
            case Box():
                shapes.append(_box_shape(mark, look))
            case Text() if mark.angle:
                annotations.append(_text(mark, look))
            case Text():
                words.append(mark)
            case Divider():
                shapes.append(_divider(mark, look))
            case Frame():
                shapes.append(_frame(mark, look))
    boxes = plan.boxes
    left, right, top, bottom = (round(look.px(side)) for side in plan.margin)
    width, height = round(look.px(plan.width)), round(look.px(plan.height))
    # Pixels per data unit, as Plotly will map the plot: its ranges onto the figure less its margins.
    across = (width - left - right) / (plan.x_range[1] - plan.x_range[0])
    up = (height - top - bottom) / (plan.y_range[1] - plan.y_range[0])
    shapes += arrow_shapes(plan.arrows, (across, up), look)  # above the rest (app.draw.arrow_paths)
    layout = dict(
        shapes=shapes,
        title=_title(plan, look),
        annotations=annotations,
        xaxis=dict(visible=False, range=list(plan.x_range), fixedrange=True),
        yaxis=dict(visible=False, range=list(plan.y_range), fixedrange=True),
        plot_bgcolor=look.paper,
        paper_bgcolor=look.paper,
        # A fixed size: the scale is what keeps the words apart, so the figure is not stretched.
        width=width,
        height=height,
        autosize=False,
        margin=dict(l=left, r=right, t=top, b=bottom, pad=0),
        font=dict(size=look.px(FONT_SIZE), color=look.text),
        # Below the plot, in the margin made for it: Plotly wraps a horizontal legend at the plot's width.
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            yref="container",
            y=EDGE / plan.height,
            yanchor="bottom",
            font=dict(size=look.px(SMALL_SIZE)),
        ),
        hoverlabel=dict(font=dict(size=look.px(FONT_SIZE))),
        meta=dict(boxes=[box.record() for box in boxes], arrows=[arrow.record() for arrow in plan.arrows]),
        template=dict(layout={}),  # see the module's docstring
    )
    traces = [_hover_points(boxes, look), *_legend(plan, look), _words(words, up, look), _box_letters(boxes, look)]
    return traces, layout


def _title(plan: Plan, look: Look) -> dict:
    """The title at the figure's top left corner, in the margin made for it, placed on the whole
    figure (the container), so it stays there however wide the page shows the figure. Plotly
    anchors a title of several lines by its first line: that line's middle is set EDGE below
    the top, and the others follow below it."""
    return dict(
        text="<br>".join(f"<b>{line}</b>" for line in plan.title.split("<br>")),
        font=dict(size=look.px(TITLE_SIZE)),
        x=0,
        xref="container",
        xanchor="left",
        y=1 - (EDGE + LINE_SPACING * TITLE_SIZE / 2) / plan.height,
        yref="container",
        yanchor="middle",
        pad=dict(l=look.px(EDGE)),
    )


def _box_shape(box: Box, look: Look) -> dict:
    """The box itself: solid, or dashed and pale when faded."""
    area = box.geometry
    corners = dict(x0=area.x0, y0=area.y0, x1=area.x1, y1=area.y1)
    return dict(type="rect", **corners, **_paint(box.colour, 1.0, look, dashed=box.faded))


def _sheets(boxes: list[Box], look: Look) -> list[dict]:
    """Two sheets behind each box that is not faded, the other sequences of the batch: for each
    depth (the farthest first, so the nearer cover it) and colour, one path through all of them.
    No two boxes' sheets overlap, so this is the picture of a rectangle per sheet."""
    paths = []
    for sheet in range(SHEETS, 0, -1):
        offset = SHEET_STEP * sheet
        outlines: dict[str, str] = {}  # colour -> the path of its sheets at this depth
        for box in boxes:
            if not box.faded:
                area = box.geometry
                x0, y0, x1, y1 = area.x0 + offset, area.y0 + offset, area.x1 + offset, area.y1 + offset
                outlines[box.colour] = outlines.get(box.colour, "") + f"M{x0},{y0}H{x1}V{y1}H{x0}Z"
        paths += [dict(type="path", path=path, **_paint(colour, 0.25, look)) for colour, path in outlines.items()]
    return paths


def _paint(colour: str, opacity: float, look: Look, dashed: bool = False) -> dict:
    """A box's or a sheet's fill and outline, below the traces so that the letters lie on top."""
    return dict(
        fillcolor=look.colour(colour),
        opacity=opacity,
        line=dict(
            color=look.ink(FADED_OUTLINE if dashed else INK), width=look.px(1.2), dash="dash" if dashed else "solid"
        ),
        layer="below",
    )


def _box_letters(boxes: list[Box], look: Look) -> dict:
    """Each box's letter ("h<sub>3</sub>") at its centre, all in one text trace, named "letters"."""
    return dict(
        type="scatter",
        x=[box.geometry.x for box in boxes],
        y=[box.geometry.y for box in boxes],
        mode="text",
        text=[box.label for box in boxes],
        textposition="middle center",
        textfont=dict(size=look.px(FONT_SIZE), color=[box.ink for box in boxes]),
        hoverinfo="skip",
        cliponaxis=False,
        showlegend=False,
        name="letters",
    )


# A colour the plan writes inside a text (a row's note: <span style="color:#6a1b9a">): an ink too.
_INLINE_COLOUR = re.compile(r"color:(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")


def _inked(text: Text, look: Look) -> str:
    """The text with each colour written inside it painted by `look`."""
    return _INLINE_COLOUR.sub(lambda found: f"color:{look.ink(found.group(1))}", text.text)


# Where a text trace writes a word beside its point, for each side of the word at the point.
_BESIDE = {"left": "middle right", "center": "middle center", "right": "middle left"}
# The layout measured each word where an annotation would write it; a text trace writes it a
# tenth of its size higher (measured in Chromium at 14 and 22 px), so each word is set that much
# lower. Across, it writes it as much nearer its point as an annotation's box keeps its text
# inside its edges (its border and pad, 2 px): that is left as it is, since a point moved out of
# the axes' ranges would not be drawn, and a row's name and shapes stand at the plot's edges.
_RISE = 0.1


def _words(words: list[Text], up: float, look: Look) -> dict:
    """Every word written across, in one text trace named "words": each at its point (`up` is
    the figure's pixels per data unit up), anchored by its side (a row's name ends at its point,
    its shapes start there), its lines aligned to that side, at its own size and colour."""
    sizes = [look.px(word.size) for word in words]
    return dict(
        type="scatter",
        x=[word.x for word in words],
        y=[word.y - _RISE * size / up for word, size in zip(words, sizes)],
        mode="text",
        text=[_inked(word, look) for word in words],
        textposition=[_BESIDE[word.anchor] for word in words],
        textfont=dict(size=sizes, color=[look.ink(word.colour) for word in words]),
        hoverinfo="skip",
        cliponaxis=False,
        showlegend=False,
        name="words",
    )


def _text(text: Text, look: Look) -> dict:
    """A word turned on its side (a nested model's name up its frame), as an annotation."""
    return dict(
        x=text.x,
        y=text.y,
        text=_inked(text, look),
        showarrow=False,
        xanchor=text.anchor,
        align=text.anchor,
        textangle=text.angle,
        font=dict(size=look.px(text.size), color=look.ink(text.colour)),
    )


def _divider(divider: Divider, look: Look) -> dict:
    return dict(
        type="line",
        x0=divider.x,
        x1=divider.x,
        y0=divider.y0,
        y1=divider.y1,
        line=dict(color=look.ink(FAINT), dash="dash", width=look.px(1.5)),
    )


def _frame(frame: Frame, look: Look) -> dict:
    return dict(
        type="rect",
        x0=frame.x0,
        x1=frame.x1,
        y0=frame.y0,
        y1=frame.y1,
        line=dict(color=look.ink(FRAME_LINE), dash="dot", width=look.px(2)),
        fillcolor=TRANSPARENT,
        layer="below",
    )


def _hover_points(boxes: list[Box], look: Look) -> dict:
    """An invisible marker at each box's centre: Plotly shows hover text for points, not shapes."""
    return dict(
        type="scatter",
        x=[box.geometry.x for box in boxes],
        y=[box.geometry.y for box in boxes],
        mode="markers",
        hovertext=[box.hover for box in boxes],
        hoverinfo="text",
        marker=dict(size=look.px(28), opacity=0),
        showlegend=False,
        name="boxes",
    )


def _legend(plan: Plan, look: Look) -> list[dict]:
    """One entry per role drawn: an empty trace with a square marker of the role's colour."""
    return [
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="markers",
            name=ROLES[role][2],
            marker=dict(
                size=look.px(14),
                color=look.colour(ROLES[role][1]),
                symbol="square",
                line=dict(color=look.ink(INK), width=1),
            ),
        )
        for role in plan.legend
    ]
