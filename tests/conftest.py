"""Shared by the engine tests: one trace per (topology, config), however many tests read it.

A trace builds and runs a real Keras model (0.1-0.5 s each), and every test of a trace only
reads it, so each (topology id, Config) pair is traced once per session. Config is a frozen
dataclass, hence hashable: it is the cache key as it stands.
"""

import pytest

_TRACES: dict = {}


def _cached_trace(topology_id, config):
    from topologies import trace

    key = (topology_id, config)
    if key not in _TRACES:
        _TRACES[key] = trace(topology_id, config)
    return _TRACES[key]


@pytest.fixture(scope="session")
def traced():
    """traced(topology_id, config) -> Trace, built at most once per session."""
    return _cached_trace
