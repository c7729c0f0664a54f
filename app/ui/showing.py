"""How a page shows the diagram: at the width its layout chose, scrolling sideways where the page is narrower.

Streamlit shrinks a chart to the page's width, and the diagram's words are laid out for its own
width: shrunk, they would run into each other. So the chart keeps its width inside a container
that scrolls (a one-line style rule for that container's key).

The figure is painted for the page it sits on: on Streamlit's dark theme its paper is the
page's dark grey and its words and arrows light (app.draw.looks). Streamlit tells a page its theme
(`st.context.theme.type`), but on a browser session's first run it says "light" before the
browser has told it (streamlit#11920): then the theme the server was started with
(`--theme.base`), if any, is the better guess, and from the next run on the page's own.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.draw.looks import Look
from app.ui.history import first_run

CHART_OPTIONS = {"displaylogo": False}


def page_look(**dressing) -> Look:
    """The Look for this page's theme, with any other `dressing` (scale, palette) as given."""
    shown = st.context.theme.type
    if first_run():
        shown = st.get_option("theme.base") or shown
    return Look(background="dark" if shown == "dark" else "light", **dressing)


OnClick = Callable[[dict], None]  # called with the clicked box's record


def show_diagram(figure, key: str, filename: str = "rnn_shapes", on_click: OnClick | None = None) -> None:
    """The figure at its own width; `key` must be unique within the page's run.

    With `on_click`, a click on a box calls it with the box's record (figure.layout.meta["boxes"]),
    before the page runs again."""
    width = int(figure.layout.width)
    st.html(f"<style>.st-key-{key} {{overflow-x: auto}} .st-key-{key} > div {{min-width: {width}px}}</style>")
    with st.container(key=key):
        st.plotly_chart(
            figure,
            width="content",
            config={**CHART_OPTIONS, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": filename}},
            alt=figure.layout.meta.get("description"),  # what a screen reader says the chart is
            **({} if on_click is None else clicks(figure, f"{key}_chart", on_click)),
        )


def clicks(figure, chart_key: str, on_click: OnClick) -> dict:
    """st.plotly_chart's options for reporting a click on a box. Plotly reports clicks on points,
    not shapes: the figure's first trace has an invisible point on each box, in the order of
    meta["boxes"] (app.draw.render), so a clicked point's index is its box's."""
    boxes = figure.layout.meta["boxes"]

    def clicked() -> None:
        box = clicked_box(st.session_state[chart_key]["selection"], boxes)
        if box is not None:
            on_click(box)

    return {"key": chart_key, "on_select": clicked, "selection_mode": "points"}


def clicked_box(selection: dict, boxes: list[dict]) -> dict | None:
    """The box whose hover point a chart's selection holds (a point of the first trace), or None."""
    points = [point for point in selection["points"] if point["curve_number"] == 0]
    return boxes[points[0]["point_index"]] if points else None
