"""The engine tests read traces through the `traced` fixture: the one cache of tests/helpers.py,
so a (topology, config) pair is traced once per session whichever way a test asks for it."""

import pytest

from tests import helpers


@pytest.fixture(scope="session")
def traced():
    """traced(topology_id, config) -> Trace, built at most once per session."""
    return helpers.traced


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a tests/test_browser*.py file `browser`, so that a new browser file
    needs no marker of its own. (tryfirst: the marks must be on before `-m` selects.)"""
    for item in items:
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
