"""How a page shows the diagram: at the width its layout chose, scrolling sideways where the page is narrower.

Streamlit shrinks a chart to the page's width, and the diagram's words are laid out for its own
width: shrunk, they would run into each other. So the chart keeps its width inside a container
that scrolls (a one-line style rule for that container's key).

The figure is painted for the page it sits on: on Streamlit's dark theme its paper is the
page's dark grey and its words and arrows light (app.looks). Streamlit tells a page its theme
(`st.context.theme.type`), but on a browser session's first run it says "light" before the
browser has told it (streamlit#11920): then the theme the server was started with
(`--theme.base`), if any, is the better guess, and from the next run on the page's own.
"""

from __future__ import annotations

import streamlit as st

from app.history import first_run
from app.looks import Look

CHART_OPTIONS = {"displaylogo": False}


def page_look(**dressing) -> Look:
    """The Look for this page's theme, with any other `dressing` (scale, palette) as given."""
    shown = st.context.theme.type
    if first_run():
        shown = st.get_option("theme.base") or shown
    return Look(background="dark" if shown == "dark" else "light", **dressing)


def show_diagram(figure, key: str, filename: str = "rnn_shapes") -> None:
    """The figure at its own width; `key` must be unique within the page's run."""
    width = int(figure.layout.width)
    st.html(f"<style>.st-key-{key} {{overflow-x: auto}} .st-key-{key} > div {{min-width: {width}px}}</style>")
    with st.container(key=key):
        st.plotly_chart(
            figure,
            width="content",
            config={**CHART_OPTIONS, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": filename}},
            alt=figure.layout.meta.get("description"),  # what a screen reader says the chart is
        )
