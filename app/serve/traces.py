"""The engine as every page uses it: one cached trace, shared by all browser sessions, made in a
worker process (app/serve/workers.py) so that no request stalls the others.

A Trace is plain data, so each session gets its own copy; no Keras model is cached here, so no
stateful layer's state can pass from one browser session to another. A page that steps through
a stateful model asks for the Trace after so many events (`cached_steps`): the model stays in
the worker (app/serve/steps.py), and the page keeps only the count.
"""

from __future__ import annotations

import streamlit as st

from app.serve.steps import stepped_data
from app.serve.workers import HEAVY_SECONDS, pool
from topologies.cell_records import CellStep
from topologies.config import Config
from topologies.engine.inside_cell import inside_cell
from topologies.engine.tracing import own_trace_data, trace_data
from topologies.records import Trace


def is_heavy(topology_id: str, config: Config) -> bool:
    """Whether a run of this request goes to the heavy lane: its cost estimate says so."""
    from topologies.catalogue import CATALOGUE

    return CATALOGUE[topology_id].module.cost(config).seconds(config.cell) > HEAVY_SECONDS


@st.cache_data(max_entries=512, show_spinner=False)
def cached_trace(topology_id: str, config: Config, **options) -> Trace:
    """trace(topology_id, config, **options), computed once per distinct request, in a worker
    process (app/serve/workers.py): in the light lane unless its cost estimate says it is heavy."""
    data = pool().call(trace_data, topology_id, config, options, heavy=is_heavy(topology_id, config))
    return Trace.from_dict(data)


# A step-through run that trains (forecast_stateful on the Stateful page) first compiles its
# training step: its first request took 6 to 7 s in a worker on this busy 2-core machine, nearly
# all of it the compile, and went past a picture's 10 s (workers.DEADLINE_SECONDS) when busier
# still. Its sizes are bounded by the Config's limits and the page's epochs slider.
STEPPED_DEADLINE_SECONDS = 60


@st.cache_data(max_entries=512, show_spinner=False)
def cached_steps(topology_id: str, config: Config, events: int, **options) -> Trace:
    """The Trace of topology_id's protocol advanced `events` events (an epoch, a call: see
    topologies.engine.stepper), computed once per distinct request, in a worker process in the lane
    its cost estimate gives, as `cached_trace`. Seeded, so it is the same Trace whoever asks:

        cached_steps("one_to_many_stateful", config, 3)   # the first three calls, ready to draw
    """
    heavy = is_heavy(topology_id, config)
    data = pool().call(
        stepped_data, topology_id, config, events, options, heavy=heavy, deadline=STEPPED_DEADLINE_SECONDS
    )
    return Trace.from_dict(data)


@st.cache_data(max_entries=512, show_spinner=False)
def cached_cell_step(topology_id: str, config: Config, layer_name: str) -> CellStep:
    """One step of a layer's cell on this picture's run (topologies.engine.inside_cell), made in a worker
    like the trace: it builds and runs the same model up to its first call, so it costs no more."""
    return pool().call(inside_cell, topology_id, config, layer_name, heavy=is_heavy(topology_id, config))


@st.cache_data(max_entries=128, show_spinner=False)
def cached_own_trace(kind: str, source: str | bytes, config: Config, name: str = "model.keras") -> Trace:
    """A user's own model traced: kind "stack" with the text typed, or "model" with a file's bytes.

    Keyed by the text or the bytes themselves, so two students typing the same stack share one
    trace; the model is rebuilt for every new key, never kept. Its cost is known only once it is
    read, so it runs in the heavy lane, where a slow one waits for its turn and nobody else's."""
    return Trace.from_dict(pool().call(own_trace_data, kind, source, config, name, heavy=True))
