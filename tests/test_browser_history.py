"""Back and Forward in a real browser: each picture is one history entry, across pages, and the
picture follows the entry (app/ui/history.py).

The server and the browser are the session's (tests/conftest.py), each test in a browser
context of its own.
"""

from __future__ import annotations

from tests.in_browser import WAIT_MS

UNITS_BOX = '[data-testid="stSidebar"] input[type="number"][aria-label="{name}"]'
WINDOWS_HEADING = "Windows: from one long series"


def _address(page) -> str:
    return page.evaluate("() => location.pathname + location.search")


def _settled(page) -> None:
    """Wait until app/ui/history.py has seen the address on screen: its entry is then made, as it
    is for a person, who does not press Back within the same tenth of a second."""
    page.wait_for_function(
        "() => window.__rnnShapesHistory !== undefined"
        " && window.__rnnShapesHistory.shown === location.pathname + location.search",
        timeout=WAIT_MS,
    )


def _shows_units(page, units: int) -> None:
    """Wait until the Shapes page draws `units`: many_to_one's h_T box reads (10, units) at batch
    10, in the picture and in the Output shape metric, and the units box holds it."""
    page.wait_for_function(
        "([wanted, units, box]) => Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".some(t => t.textContent.includes(wanted))"
        " && Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".some(m => m.innerText.trim() === wanted)"
        " && document.querySelector(box).value === units",
        arg=[f"(10, {units})", str(units), UNITS_BOX.format(name="units")],
        timeout=WAIT_MS,
    )
    _settled(page)


def _set(page, name: str, value: int) -> None:
    box = page.locator(UNITS_BOX.format(name=name))
    box.fill(str(value))
    box.press("Enter")


def _shows_windows(page) -> None:
    page.get_by_text(WINDOWS_HEADING).first.wait_for(timeout=WAIT_MS)
    _settled(page)


def test_back_and_forward_step_through_configurations_and_pages(new_context, server):
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/?batch=10&units=5", timeout=WAIT_MS)
    _shows_units(page, 5)
    for units in (8, 6):  # two changes: two entries
        _set(page, "units", units)
        _shows_units(page, units)
    page.get_by_role("link", name="Windows").first.click()
    _shows_windows(page)
    page.get_by_role("link", name="Shapes").first.click()
    _shows_units(page, 6)  # the session kept the settings
    visited = [_address(page)]

    # Back: Windows, then units 6, 8 and 5, each drawn again, with the link that says it.
    page.go_back()
    _shows_windows(page)
    assert _address(page) == "/windows"
    for units in (6, 8, 5):
        page.go_back()
        _shows_units(page, units)
        assert f"units={units}" in _address(page), _address(page)
        visited.append(_address(page))
    # That one more Back leaves the app is the next test's: here Forward must retrace the entries.
    # Forward retraces the same entries.
    page.go_forward()
    _shows_units(page, 8)
    page.go_forward()
    _shows_units(page, 6)
    page.go_forward()
    _shows_windows(page)
    page.go_forward()
    _shows_units(page, 6)
    assert _address(page) == visited[0]

    # A refused value is an entry too: its link shows the refusal, Back the picture before it.
    _set(page, "steps", 0)
    page.get_by_text("steps is 0, but it must be a whole number from 1 to 1000.").wait_for(timeout=WAIT_MS)
    _settled(page)
    assert "steps=0" in _address(page)
    page.go_back()
    _shows_units(page, 6)
    assert "steps=0" not in _address(page)
    page.go_forward()
    page.get_by_text("steps is 0, but it must be a whole number from 1 to 1000.").wait_for(timeout=WAIT_MS)
    assert not errors, errors


def test_back_from_a_link_s_first_picture_leaves_the_app(new_context, server):
    """A link with a default value in it (batch=10): Streamlit tidies the address and pushes the
    tidied one as an entry of its own before app/ui/history.py first runs, so the link's own entry
    shows the same picture. Back from the first picture passes over it and leaves the app, also
    after a change and a Back to the first picture."""
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server}/?batch=10&units=5", timeout=WAIT_MS)
    _shows_units(page, 5)
    page.go_back(timeout=WAIT_MS)
    page.wait_for_url("about:blank", timeout=WAIT_MS)

    page.goto(f"{server}/?batch=10&units=7", timeout=WAIT_MS)
    _shows_units(page, 7)
    _set(page, "units", 9)
    _shows_units(page, 9)
    page.go_back(timeout=WAIT_MS)
    _shows_units(page, 7)
    page.go_back(timeout=WAIT_MS)
    page.wait_for_url("about:blank", timeout=WAIT_MS)
