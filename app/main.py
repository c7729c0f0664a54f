"""RNN shapes: `streamlit run app/main.py`."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts app/ on the path, not the project root that holds `topologies`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.serve.workers import pool
from app.ui.history import PageStopped, keep_history
from topologies.engine.guard import install_clear_session_guard

st.set_page_config(page_title="RNN shapes", page_icon="🟩", layout="wide")
with st.spinner("Loading TensorFlow…"):
    # Streamlit clears the Keras session after every script run, from each session's thread:
    # make that wait for a model another session is building (topologies.engine.guard).
    install_clear_session_guard()
    # The workers that make the pictures (app/serve/workers.py) start loading TensorFlow now, beside
    # the server, rather than when the first picture is asked for.
    pool()
# The pages are listed across the top, so a sidebar appears only where a page puts widgets in it
# (Shapes): the lab pages, whose widgets sit in the page itself, keep the whole width.
page = st.navigation(
    [
        st.Page("views/shapes.py", title="Shapes", icon="📐", default=True),
        st.Page("views/windows.py", title="Windows", icon="🪟"),
        st.Page("views/stateful.py", title="Stateful", icon="🔁"),
        st.Page("views/own_model.py", title="Your model", icon="🧩"),
    ],
    position="top",
)
try:
    page.run()
except PageStopped:  # the page ended early, after a refusal (app.ui.history.stop_page)
    pass
keep_history(page.url_path)
