"""The floor the browser figures compare against: one number input and one Plotly chart.

It imports TensorFlow as the app does, so a first visit pays for nothing the app would not;
in a running server the import is already done. The chart writes "(10, units)", as the app's
diagram writes its output's shape, so both pages are timed to the same kind of text.
"""

import plotly.graph_objects as go
import streamlit as st
import tensorflow  # noqa: F401  (the app's workers load it too: the same start-up cost)

units = st.number_input("units", min_value=1, max_value=512, value=4)
figure = go.Figure(go.Bar(x=["units"], y=[units]))
figure.update_layout(title_text=f"(10, {units})", width=600, height=400)
st.plotly_chart(figure, width="content")
