"""Play through time in a real browser: the picture of ?play=1 plays its steps in the page,
with no Streamlit run per step. Dragging the slider to a step lights that column and writes its
numbers; Play moves on by itself, across calls, to the last step.

What is read is what Chromium drew: the lit band's place on screen (the figure's first shape),
the first annotation's words, and the slider's position Plotly keeps. The server and the
browser are the session's (tests/conftest.py), each test in a browser context of its own.
"""

from __future__ import annotations

from tests.in_browser import ROOT, WAIT_MS

SCREENSHOTS = ROOT / "artifacts"
PLAY_WAIT_MS = 20_000  # Play shows a step a second; five steps, with room for a loaded machine

# Where the lit column is, what the numbers say, and which stop the slider is at.
SHOWN = """() => {
  const chart = document.querySelector('.js-plotly-plot');
  const band = chart.querySelector('.shapelayer path[data-index="0"]').getBoundingClientRect();
  return {
    bandLeft: band.left,
    bandWidth: band.width,
    numbers: chart.querySelector('.annotation[data-index="0"]').textContent.replace(/\\u200b/g, ''),
    active: chart.layout.sliders[0].active,
  };
}"""
# The slider's stops as drawn: the centre of each tick, and the grip.
STOPS = """() => {
  const chart = document.querySelector('.js-plotly-plot');
  const centre = (element) => { const box = element.getBoundingClientRect();
                                return {x: box.left + box.width / 2, y: box.top + box.height / 2}; };
  return {ticks: Array.from(chart.querySelectorAll('.slider-tick-rect')).map(centre),
          grip: centre(chart.querySelector('.slider-grip-rect')),
          rail: centre(chart.querySelector('.slider-rail-rect'))};
}"""


def _wait_for_step(page, t: int, timeout: int = WAIT_MS) -> dict:
    page.wait_for_function(f"() => ({SHOWN})().numbers.startsWith('t = {t} ')", timeout=timeout)
    return page.evaluate(SHOWN)


def test_dragging_the_slider_and_playing_move_the_lit_column_and_its_numbers(new_context, server):
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/?topology=stateful_batches&play=1", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot .slider-container", timeout=WAIT_MS)
    first = _wait_for_step(page, 1)
    assert "batch 1 · the state starts at 0" in first["numbers"] and first["active"] == 0
    assert "h0 = [0, 0, 0, 0]" in first["numbers"]

    # Drag the grip to the third stop: batch 2's first step, which carries batch 1's state on.
    page.locator(".js-plotly-plot .slider-grip-rect").scroll_into_view_if_needed()  # under the picture
    stops = page.evaluate(STOPS)
    assert len(stops["ticks"]) == 5
    page.mouse.move(stops["grip"]["x"], stops["grip"]["y"])
    page.mouse.down()
    page.mouse.move(stops["ticks"][2]["x"], stops["rail"]["y"], steps=8)
    page.mouse.up()
    third = _wait_for_step(page, 3)
    assert third["active"] == 2
    assert "batch 2 · no reset: h carries on from batch 1" in third["numbers"]
    assert third["bandLeft"] > first["bandLeft"] + 2 * first["bandWidth"]  # two columns and a call gap on
    assert third["numbers"] != first["numbers"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "browser_play_step_3.png"))

    # Play from there: the page moves on by itself to the last step, and stops.
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").click()
    last = _wait_for_step(page, 5, timeout=PLAY_WAIT_MS)
    assert last["active"] == 4 and last["bandLeft"] > third["bandLeft"]
    page.screenshot(path=str(SCREENSHOTS / "browser_play_step_5.png"))
    assert not errors, errors
