"""What many test files share: the engine's trace cache, and the browser tests' server and Chromium.

The engine tests read traces through the `traced` fixture: the one cache of tests/helpers.py,
so a (topology, config) pair is traced once per session whichever way a test asks for it.

The browser tests (tests/test_browser*.py) share one `streamlit run` and one Chromium for the
whole session: starting them is the slow part (TensorFlow loads in the server on its first
picture), and what a test changes lives in its own browser context and Streamlit session, which
a test opens afresh with `new_context` (test_browser.py's link-to-link tests share a page of
their own module instead).
"""

import pytest

from tests import helpers, in_browser


@pytest.fixture(scope="session")
def traced():
    """traced(topology_id, config) -> Trace, built at most once per session."""
    return helpers.traced


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a tests/test_browser*.py file `browser`, so that a new browser file
    needs no marker of its own, and run them after all the others: the Playwright driver the
    session's Chromium needs stays up from the first browser test to the end of the session, and
    no other test should run beside it. (tryfirst: the marks must be on before `-m` selects.)"""
    in_a_browser = [item for item in items if item.path.name.startswith("test_browser")]
    for item in in_a_browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if not item.path.name.startswith("test_browser")] + in_a_browser


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's Chromium; skips the test when it is missing (fails it in CI)."""
    return in_browser.chromium_or_skip()


@pytest.fixture(scope="session")
def server(chromium, tmp_path_factory):
    """The app's address: one `streamlit run app/main.py` for the session, stopped by its pid afterwards."""
    with in_browser.streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium, server):
    """One Chromium for the session: Playwright's sync API runs one instance per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=in_browser.CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_context(browser):
    """new_context(**options) -> a fresh browser context (its own cookies, storage, permissions and
    pages, so a Streamlit session of its own), closed when the test ends. Options are Playwright's:
    new_context(viewport={"width": 1024, "height": 768}).new_page()."""
    opened = []

    def open_context(**options):
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()
