"""Paint a Plan with Plotly: `render(plan) -> go.Figure`.

    figure = render(layout(trace("many_to_one", Config())))
    figure.layout.meta["boxes"]    # one record per box: role, layer, step, call, shape, x0..y1
    figure.layout.meta["arrows"]   # one record per arrow: {"source": 0, "target": 5, "kind": "feed"}

Every decision about what goes where was made by `app.layout`; here each mark becomes Plotly
shapes (rectangles, lines) and annotations (words, arrows), in the plan's order. One invisible
scatter point sits on each box to carry its hover text, and one empty trace per role used makes
the legend. The figure has the plan's size in pixels and its margins: words are drawn at their
size, and the plan's scale is what keeps them apart, so a page should show the figure at its
width (scrolling sideways if it must), not fit it to the page.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from app.looks import SCREEN, Look
from app.plan import (
    EDGE,
    FONT_SIZE,
    LINE_SPACING,
    ROLES,
    SHEET_STEP,
    SHEETS,
    SMALL_SIZE,
    TITLE_SIZE,
    Arrow,
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
    figure (app.play): a figure made unchecked is not meant to be changed afterwards."""
    shapes: list[dict] = []
    annotations: list[dict] = []
    for mark in plan.marks:
        match mark:
            case Box():
                shapes += _box_shapes(mark, look)
                annotations.append(_box_label(mark, look))
            case Arrow():
                if mark.via is not None:
                    shapes.append(_stem(mark, look))
                annotations.append(_arrow(mark, look))
            case Text():
                annotations.append(_text(mark, look))
            case Divider():
                shapes.append(_divider(mark, look))
            case Frame():
                shapes.append(_frame(mark, look))
    boxes = plan.boxes
    left, right, top, bottom = (round(look.px(side)) for side in plan.margin)
    width, height = round(look.px(plan.width)), round(look.px(plan.height))
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
    )
    return [_hover_points(boxes, look), *_legend(plan, look)], layout


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


def _box_shapes(box: Box, look: Look) -> list[dict]:
    """The box, and unless it is faded, two sheets behind it: the other sequences of the batch."""
    area = box.geometry
    x0, y0, x1, y1 = area.x0, area.y0, area.x1, area.y1
    sheets = []
    if not box.faded:
        for sheet in range(SHEETS, 0, -1):  # the farthest first, so the nearer ones cover it
            offset = SHEET_STEP * sheet
            sheets.append(_rectangle((x0 + offset, y0 + offset, x1 + offset, y1 + offset), box.colour, 0.25, look))
    return [*sheets, _rectangle((x0, y0, x1, y1), box.colour, 1.0, look, dashed=box.faded)]


def _rectangle(corners: tuple, colour: str, opacity: float, look: Look, dashed: bool = False) -> dict:
    x0, y0, x1, y1 = corners
    return dict(
        type="rect",
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        fillcolor=look.colour(colour),
        opacity=opacity,
        line=dict(
            color=look.ink("#bdbdbd" if dashed else "#333"), width=look.px(1.2), dash="dash" if dashed else "solid"
        ),
    )


def _box_label(box: Box, look: Look) -> dict:
    area = box.geometry
    return dict(x=area.x, y=area.y, text=box.label, showarrow=False, font=dict(size=look.px(FONT_SIZE), color=box.ink))


def _arrow(arrow: Arrow, look: Look) -> dict:
    """An annotation with no text is an arrow: its head at (x, y), its tail at (ax, ay)."""
    tail = arrow.via or arrow.start
    return dict(
        x=arrow.end[0],
        y=arrow.end[1],
        ax=tail[0],
        ay=tail[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=look.px(1.6),
        arrowcolor=look.ink(arrow.colour),
        opacity=1.0,
    )


def _stem(arrow: Arrow, look: Look) -> dict:
    """The straight part of a bent arrow, from its box up to the bend."""
    return dict(
        type="line",
        x0=arrow.start[0],
        y0=arrow.start[1],
        x1=arrow.via[0],
        y1=arrow.via[1],
        line=dict(color=look.ink(arrow.colour), width=look.px(1.6)),
    )


# A colour the plan writes inside a text (a row's note: <span style="color:#6a1b9a">): an ink too.
_INLINE_COLOUR = re.compile(r"color:(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")


def _text(text: Text, look: Look) -> dict:
    return dict(
        x=text.x,
        y=text.y,
        text=_INLINE_COLOUR.sub(lambda found: f"color:{look.ink(found.group(1))}", text.text),
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
        line=dict(color=look.ink("#9e9e9e"), dash="dash", width=look.px(1.5)),
    )


def _frame(frame: Frame, look: Look) -> dict:
    return dict(
        type="rect",
        x0=frame.x0,
        x1=frame.x1,
        y0=frame.y0,
        y1=frame.y1,
        line=dict(color=look.ink("#5c6bc0"), dash="dot", width=look.px(2)),
        fillcolor="rgba(0,0,0,0)",
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
                line=dict(color=look.ink("#333"), width=1),
            ),
        )
        for role in plan.legend
    ]
