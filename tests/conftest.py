"""The engine tests read traces through the `traced` fixture: the one cache of tests/helpers.py,
so a (topology, config) pair is traced once per session whichever way a test asks for it."""

import pytest

from tests import helpers


@pytest.fixture(scope="session")
def traced():
    """traced(topology_id, config) -> Trace, built at most once per session."""
    return helpers.traced
