"""The app's frame with nothing in it: what Streamlit costs to redraw the app's own controls.

This page is the Shapes page without its content. It has the app's navigation across the top,
the app's own sidebar (app.ui.controls: every widget bound to the URL, the help texts that give
each size's range) and the history keeper that gives each picture its entry (app.ui.history). In
place of the diagram, the tables and the code it shows one Plotly bar chart, titled with the
shape the app's diagram writes for its output, "(batch, units)".

bench.browser times a change of units here the same way as on the app and on the minimal page.
The app against this page is what the page's content costs. This page against the minimal one
is what the frame costs, however light the content.

Like the app, it imports TensorFlow and ends its runs without a full garbage collection
(topologies/engine/guard.py).
"""

import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
import tensorflow  # noqa: F401  (the app's server holds it too)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project's root, for app and topologies
from app.ui.controls import open_link, sidebar, teaching_sidebar
from app.ui.history import keep_history
from topologies.engine.guard import install_clear_session_guard


def shapes_frame() -> None:
    """The Shapes page's controls, read as the page reads them, and one bar in place of its content."""
    if "link_warnings" not in st.session_state:
        open_link(dict(st.query_params))
    _, values = sidebar()
    teaching_sidebar()
    figure = go.Figure(go.Bar(x=["units"], y=[values["units"]]))
    figure.update_layout(title_text=f"({values['batch']}, {values['units']})", width=600, height=400)
    st.plotly_chart(figure, width="content")


def elsewhere() -> None:
    """The other pages' place in the navigation; the bench never opens them."""


st.set_page_config(page_title="RNN shapes", page_icon="🟩", layout="wide")
install_clear_session_guard()
page = st.navigation(
    [
        st.Page(shapes_frame, title="Shapes", icon="📐", default=True),
        st.Page(elsewhere, title="Windows", icon="🪟", url_path="windows"),
        st.Page(elsewhere, title="Stateful", icon="🔁", url_path="stateful"),
        st.Page(elsewhere, title="Your model", icon="🧩", url_path="your_model"),
    ],
    position="top",
)
page.run()
keep_history(page.url_path)
