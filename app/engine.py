"""The engine as every page uses it: one cached trace, shared by all browser sessions, made in a
worker process (app/workers.py) so that no request stalls the others.

A Trace is plain data, so each session gets its own copy; no Keras model is cached, so no
stateful layer's state can pass from one browser session to another (a page that steps a
stateful model keeps its own `topologies.stepper.Stepper` in st.session_state instead).
"""

from __future__ import annotations

import streamlit as st

from app.workers import HEAVY_SECONDS, pool
from topologies.config import Config
from topologies.records import Trace
from topologies.tracing import own_trace_data, trace_data


@st.cache_data(max_entries=512, show_spinner=False)
def cached_trace(topology_id: str, config: Config, **options) -> Trace:
    """trace(topology_id, config, **options), computed once per distinct request, in a worker
    process (app/workers.py): in the light lane unless its cost estimate says it is heavy."""
    from topologies.catalogue import CATALOGUE

    seconds = CATALOGUE[topology_id].module.cost(config).seconds(config.cell)
    data = pool().call(trace_data, topology_id, config, options, heavy=seconds > HEAVY_SECONDS)
    return Trace.from_dict(data)


@st.cache_data(max_entries=128, show_spinner=False)
def cached_own_trace(kind: str, source: str | bytes, config: Config, name: str = "model.keras") -> Trace:
    """A user's own model traced: kind "stack" with the text typed, or "model" with a file's bytes.

    Keyed by the text or the bytes themselves, so two students typing the same stack share one
    trace; the model is rebuilt for every new key, never kept. Its cost is known only once it is
    read, so it runs in the heavy lane, where a slow one waits for its turn and nobody else's."""
    return Trace.from_dict(pool().call(own_trace_data, kind, source, config, name, heavy=True))
