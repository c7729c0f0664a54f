"""The engine as every page uses it: one cached trace, shared by all browser sessions.

A Trace is plain data, so each session gets its own copy; no Keras model is cached, so no
stateful layer's state can pass from one browser session to another (a page that steps a
stateful model keeps its own `topologies.stepper.Stepper` in st.session_state instead).
"""

from __future__ import annotations

import streamlit as st

from topologies.config import Config
from topologies.records import Trace


@st.cache_data(max_entries=512, show_spinner=False)
def cached_trace(topology_id: str, config: Config, **options) -> Trace:
    """trace(topology_id, config, **options), computed once per distinct request."""
    from topologies.tracing import trace

    return trace(topology_id, config, **options)
