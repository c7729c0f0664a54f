"""Presentation mode in a real browser, on a projector's 1024 x 768: the diagram is the first
thing on screen, the sidebar is folded, and every word of the figure is drawn at 20 px or more.

The server and the browser come from tests/test_browser.py's fixtures (a second `streamlit run`
for this module, stopped by its pid afterwards).
"""

from __future__ import annotations

from tests.test_browser import ROOT, WAIT_MS, browser, chromium, server  # noqa: F401 - pytest fixtures

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


def test_present_mode_on_a_projector_puts_the_large_diagram_first(browser, server):  # noqa: F811
    page = browser.new_context(viewport=PROJECTOR).new_page()
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
    page.context.close()
