"""The floor the browser figures compare against: one number input and one Plotly chart.

It imports TensorFlow as the app does, so a first visit pays for nothing the app would not;
in a running server the import is already done. It ends each script run as the app does too:
TensorFlow brings Keras, so Streamlit clears the Keras session after every run, and the app's
guard makes that skip a full garbage collection (topologies/engine/guard.py). Without it this
page would pay about 0.3 s a rerun that the app does not. The chart writes "(10, units)", as
the app's diagram writes its output's shape, so both pages are timed to the same kind of text.
"""

import sys
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
import tensorflow  # noqa: F401  (the app's workers load it too: the same start-up cost)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project's root, for topologies
from topologies.engine.guard import install_clear_session_guard

install_clear_session_guard()
units = st.number_input("units", min_value=1, max_value=512, value=4)
figure = go.Figure(go.Bar(x=["units"], y=[units]))
figure.update_layout(title_text=f"(10, {units})", width=600, height=400)
st.plotly_chart(figure, width="content")
