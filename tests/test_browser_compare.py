"""Compare two settings in a real browser: the two pictures side by side where the page is wide
enough for both at their own widths, one above the other where it is not, and never squeezed.
"""

from __future__ import annotations

import pytest

from tests.in_browser import ROOT, WAIT_MS

# Each chart's box on the page, and the width its figure was laid out for (Plotly's own layout).
CHARTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(chart => {
  const box = chart.getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          width: box.width, laidOut: chart._fullLayout.width};
})"""


@pytest.mark.parametrize(("width", "side_by_side"), [(1920, True), (1024, False)], ids=["wide", "narrow"])
def test_two_pictures_sit_side_by_side_only_where_both_fit(new_context, server, width, side_by_side):
    page = new_context(viewport={"width": width, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/?compare=return_sequences", timeout=WAIT_MS)
    page.wait_for_function(f"() => ({CHARTS})().length === 2", timeout=WAIT_MS)
    page.get_by_text("hands on all 5 steps").wait_for(timeout=WAIT_MS)
    left, right = page.evaluate(CHARTS)
    for chart in (left, right):
        assert chart["width"] == pytest.approx(chart["laidOut"], abs=1), chart  # its own width, not squeezed
    if side_by_side:
        assert left["right"] <= right["left"] and abs(left["top"] - right["top"]) < 2, (left, right)
    else:
        assert right["top"] >= left["bottom"], (left, right)
    assert "compare=return_sequences" in page.url
    screenshot = ROOT / "artifacts" / f"browser_compare_{width}.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert not errors, errors
