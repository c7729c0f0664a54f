"""Under the picture, in a real browser: the link and the code to copy, and a click on a box opening its cell.

The link sits in a read-only field with a Copy link button, the Keras code in a coloured box with a
Copy code button (app.ui.copy_boxes), and the inside of a cell is made only once its expander opens
(app.ui.inside_cell_view): a click on one of a layer's boxes in the picture must open it at that
layer. The server and the browser are the session's (tests/conftest.py), each test in a browser
context of its own.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

from tests.in_browser import ROOT, WAIT_MS, wait_for_plot_text
from topologies import Config

LINK = "?topology=stacked&units=6&cell=GRU"
SCREENSHOTS = ROOT / "artifacts"


def test_the_copy_button_copies_the_link_to_this_picture(new_context, server):
    context = new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"{server}/{LINK}", timeout=WAIT_MS)
    wait_for_plot_text(page, "(10, 6)")
    field = page.get_by_label("A link to exactly this picture")
    field.wait_for(timeout=WAIT_MS)
    link = field.input_value()
    # The page's own address, with this picture's settings and nothing else.
    assert link.startswith(f"{server}/?")
    assert dict(parse_qsl(urlsplit(link).query)) == {"topology": "stacked", "units": "6", "cell": "GRU"}
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied").wait_for(timeout=WAIT_MS)
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    for width, height in ((1400, 1000), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        field.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"browser_link_{width}x{height}.png"))


def test_the_copy_code_button_copies_the_keras_code_that_runs(new_context, server):
    """What lands on the clipboard is the code itself, plain text: it runs, and prints the shape
    the picture shows for the stack's output."""
    context = new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"{server}/{LINK}", timeout=WAIT_MS)
    wait_for_plot_text(page, "(10, 6)")
    page.get_by_text("Show the Keras 3 code that built this model").click()
    box = page.locator(".code pre")
    box.wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Copy code").click()
    page.get_by_role("button", name="Copied").wait_for(timeout=WAIT_MS)
    code = page.evaluate("() => navigator.clipboard.readText()")
    assert code == box.inner_text()  # the colours are spans around the same characters
    assert "cell='GRU'" in code and "units=6" in code and "<span" not in code
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert "(10, 6)" in printed.stdout
    for width, height in ((1400, 1000), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"browser_code_{width}x{height}.png"))


def test_a_click_on_a_layer_s_box_opens_its_cell(new_context, server):
    from app.diagram import draw
    from topologies import trace

    # Which hover point is a state box of rnn_2: the picture's first trace has one point per box, in the
    # order of meta["boxes"] (app.draw.render), and this is the same picture the page draws.
    boxes = draw(trace("stacked", Config(units=6, cell="GRU"))).layout.meta["boxes"]
    index = next(number for number, box in enumerate(boxes) if box["layer"] == "rnn_2" and box["role"] == "state")

    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(f"{server}/{LINK}", timeout=WAIT_MS)
    wait_for_plot_text(page, "(10, 6)")
    page.get_by_text("Open the cell of").first.wait_for(timeout=WAIT_MS)
    assert page.get_by_text("Units vs cells").count() == 0, "its step is made only once asked for"
    point = page.locator(".js-plotly-plot .scatterlayer .trace").first.locator("path.point").nth(index)
    point.click(force=True)  # the point is invisible: it marks where the box is
    answer = page.get_by_text("rnn_2 has one cell")  # opened, at the layer clicked
    answer.wait_for(timeout=WAIT_MS)
    assert "cell_layer=rnn_2" in page.url
    answer.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "browser_cell_opened.png"))
