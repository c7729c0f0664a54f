"""RNN shapes: `streamlit run app/main.py`."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit puts app/ on the path, not the project root that holds `topologies`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

st.set_page_config(page_title="RNN shapes", page_icon="🟩", layout="wide")
page = st.navigation(
    [
        st.Page("views/shapes.py", title="Shapes", icon="📐", default=True),
        st.Page("views/windows.py", title="Windows", icon="🪟"),
        st.Page("views/stateful.py", title="Stateful", icon="🔁"),
    ]
)
page.run()
