"""Teaching with it in a real browser. Presentation mode, on a projector's 1024 x 768: the diagram
is the first thing on screen, the sidebar is folded, and every word of the figure is drawn at
20 px or more. Slides: the SVG and PNG downloads are made in the browser, named after the
picture, and hold what the run measured.

The server and the browser are the session's (tests/conftest.py), each test in a browser
context of its own.
"""

from __future__ import annotations

import struct
from pathlib import Path
from xml.etree import ElementTree

from app.diagram import draw
from tests.helpers import fmt, seed_config, traced
from tests.in_browser import ROOT, WAIT_MS, wait_for_plot_text

PROJECTOR = {"width": 1024, "height": 768}
PROJECTOR_TEXT = 20  # pixels: the smallest text on a projected figure
SCREENSHOT = ROOT / "artifacts" / "browser_present_1024.png"

# The page's visible blocks, top to bottom, and what each holds: the first must be the chart.
LAYOUT = """() => {
  const blocks = Array.from(document.querySelectorAll(
      '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'))
    .map(block => ({block, box: block.getBoundingClientRect()}))
    .filter(({box}) => box.height > 0)
    .sort((a, b) => a.box.top - b.box.top);
  const plot = document.querySelector('.js-plotly-plot').getBoundingClientRect();
  const sidebar = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
  const sizes = Array.from(document.querySelectorAll('.js-plotly-plot text'))
    .filter(text => text.textContent.trim())
    .map(text => parseFloat(getComputedStyle(text).fontSize));
  return {
    firstHoldsThePlot: blocks.length > 0 && blocks[0].block.querySelector('.js-plotly-plot') !== null,
    plotTop: plot.top, plotLeft: plot.left,
    sidebarRight: sidebar.right,
    smallest: Math.min(...sizes), words: sizes.length,
  };
}"""


def test_present_mode_on_a_projector_puts_the_large_diagram_first(new_context, server):
    page = new_context(viewport=PROJECTOR).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/?present=1", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)
    page.get_by_text("Leave presentation mode").wait_for(timeout=WAIT_MS)
    # Streamlit folds the sidebar as it reads the page config of the run: wait for it to slide away.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right <= 0",
        timeout=WAIT_MS,
    )
    # Under load a run's spinner or the previous run's elements may linger a moment: wait for the
    # page to settle on the chart first, then read it.
    page.wait_for_function(f"() => ({LAYOUT})().firstHoldsThePlot", timeout=WAIT_MS)
    shown = page.evaluate(LAYOUT)

    assert shown["firstHoldsThePlot"], shown
    assert 0 <= shown["plotTop"] < PROJECTOR["height"] / 8, shown  # right under the page's top bar
    assert shown["words"] > 10 and shown["smallest"] >= PROJECTOR_TEXT, shown
    assert "present=true" in page.url  # the address bar is a link to presentation mode
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert not errors, errors


SLIDE = "rnn_shapes_stacked_LSTM_batch10_steps5_features2_units6_depth2"  # topology, cell, each size


def _download(page, label: str):
    with page.expect_download(timeout=WAIT_MS) as started:
        page.get_by_role("button", name=label).click()
    return started.value


def test_the_slides_downloads_hold_the_measured_shapes_and_twice_the_pixels(new_context, server):
    result = traced("stacked", seed_config("stacked", units=6))
    first = result.calls[0]
    measured = {fmt(first.input_shapes[0]), *(fmt(activity.output_shapes[0]) for activity in first.layers)}
    page = new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
    page.goto(f"{server}/?topology=stacked&units=6", timeout=WAIT_MS)
    wait_for_plot_text(page, "(10, 6)")

    svg = _download(page, "Download SVG")
    assert svg.suggested_filename == f"{SLIDE}.svg"
    root = ElementTree.fromstring(Path(svg.path()).read_text())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    words = "".join(root.itertext())
    assert all(shape in words for shape in measured), (measured, words[:400])

    png = _download(page, "Download PNG (2x)")
    assert png.suggested_filename == f"{SLIDE}.png"
    head = Path(png.path()).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])  # the IHDR chunk: width, then height
    figure = draw(result)
    assert (width, height) == (2 * figure.layout.width, 2 * figure.layout.height)
