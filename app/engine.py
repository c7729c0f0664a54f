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


@st.cache_data(max_entries=128, show_spinner=False)
def cached_own_trace(kind: str, source: str | bytes, config: Config, name: str = "model.keras") -> Trace:
    """A user's own model traced: kind "stack" with the text typed, or "model" with a file's bytes.

    Keyed by the text or the bytes themselves, so two students typing the same stack share one
    trace; the model is rebuilt for every new key, never kept."""
    from topologies.tracing import trace

    if kind == "stack":
        from topologies.own_model import OwnStack

        return trace(OwnStack.from_text(source), config)
    from topologies.keras_file import OwnKerasFile

    return trace(OwnKerasFile.from_bytes(source, name), config)
