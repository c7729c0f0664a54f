"""The app in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run`.

The server and the browser are the session's (tests/conftest.py, tests/in_browser.py): never a
downloaded browser, and without /usr/bin/chromium a skip, or a failure when
RNN_SHAPES_REQUIRE_BROWSER=1 says a browser run is required.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from tests.helpers import long_steps
from tests.in_browser import ROOT, WAIT_MS, wait_for_plot_text
from topologies.catalogue import CATALOGUE

SCREENSHOT = ROOT / "artifacts" / "browser_shapes.png"


@pytest.fixture(scope="module")
def page(browser):
    """One page for this module's first tests, which go from link to link as a visitor would."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


PLOT_TEXT = "() => Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent)"


def test_changing_units_redraws_the_picture_and_the_link(page, server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{server}/?topology=many_to_one&batch=10&steps=5&features=2&units=4", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)
    page.get_by_text("(10, 4)").first.wait_for(timeout=WAIT_MS)
    wait_for_plot_text(page, "(10, 4)")  # the diagram's own labels, SVG text in the plot
    metric_values = page.locator('[data-testid="stMetricValue"]')
    assert "(10, 4)" in metric_values.all_inner_texts()

    units = page.locator('[data-testid="stSidebar"] input[type="number"][aria-label="units"]')
    assert units.count() == 1
    assert units.input_value() == "4"
    units.fill("6")
    units.press("Enter")

    wait_for_plot_text(page, "(10, 6)")
    page.get_by_text("(10, 6)").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".some(m => m.innerText.trim() === '(10, 6)')",
        timeout=WAIT_MS,
    )
    page.wait_for_url(re.compile(r"[?&]units=6(&|$)"), timeout=WAIT_MS)
    assert re.search(r"[?&]units=6(&|$)", page.url), page.url
    assert "topology=" not in page.url  # the default topology leaves the link short
    # The picture was redrawn, not added to: once Streamlit has replaced the stale chart of the
    # previous run (it may linger a moment), no label reads the old shape.
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".some(t => t.textContent.includes('(10, 4)'))",
        timeout=WAIT_MS,
    )
    assert not any("(10, 4)" in text for text in page.evaluate(PLOT_TEXT))

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
    assert not errors, errors


@pytest.mark.parametrize(
    "path, heading, text",
    [
        ("/windows", "Windows: from one long series", "60 − 5 = 55 windows"),
        ("/stateful", "Stateful: what stateful=True keeps", "Largest difference"),
    ],
    ids=["windows", "stateful"],
)
def test_a_link_opens_a_lab_page_directly(page, server, path, heading, text):
    """A lab linked directly, as a teacher shares it: it must run through main.py (the
    navigation and the import path), not as a stand-alone script."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}{path}", timeout=WAIT_MS)
    page.get_by_text(heading).first.wait_for(timeout=WAIT_MS)
    page.get_by_text(text).first.wait_for(timeout=WAIT_MS)
    assert page.get_by_text("ModuleNotFoundError").count() == 0
    assert page.get_by_text("Traceback").count() == 0
    assert not errors


# Links a crafted-link author would share: each value refused and quoted back in a warning.
HOSTILE_LINKS = {
    "cell": "[click here to log in](https://example.com/phish)",
    "units": "![x](https://example.com/x.png)",
    "batch": "<img src=https://example.com/y.png> $x^2$",
    "steps": ":red[alarm] :smile: <https://example.com/auto> **bold**",
    "features": "<a href=//example.com>x</a><script>alert(1)</script>",
}


def test_a_hostile_link_shows_its_values_as_text_and_loads_nothing_else(page, server):
    """No link, image, script, formula or coloured text inside any alert, no request to a host
    other than the app's, and each refused value readable as it was typed."""
    from urllib.parse import urlencode, urlsplit

    hosts: set[str] = set()
    # Every request names its host, except a blob: or data: one (the page's own components load
    # their script that way, from memory): those are recorded by their scheme, to be seen.
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc or urlsplit(request.url).scheme))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/?topology=many_to_one&{urlencode(HOSTILE_LINKS)}", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)  # the default picture still comes
    alerts = page.locator('[data-testid="stAlert"]')
    alerts.nth(len(HOSTILE_LINKS) - 1).wait_for(timeout=WAIT_MS)
    # Each value readable as typed, once the page has settled (a busy machine paints alerts one by one).
    expected = [repr(value) for value in HOSTILE_LINKS.values()]
    page.wait_for_function(
        "(wanted) => { const shown = Array.from(document.querySelectorAll('[data-testid=\"stAlert\"]'))"
        ".map(alert => alert.innerText).join(' '); return wanted.every(text => shown.includes(text)); }",
        arg=expected,
        timeout=WAIT_MS,
    )
    assert alerts.count() == len(HOSTILE_LINKS)
    shown = " ".join(alerts.all_inner_texts())
    for value in expected:
        assert value in shown, (value, shown)
    rendered = page.locator(
        '[data-testid="stAlert"] :is(a, img, script, iframe, .katex, .stMarkdownColoredText, [role="img"])'
    )
    assert rendered.count() == 0, rendered.evaluate_all("nodes => nodes.map(node => node.outerHTML)")
    assert hosts - {"blob", "data"} == {urlsplit(server).netloc}, hosts
    assert not dialogs


# ------------------------------------------------------------------ every word legible, at two sizes

VIEWPORTS = {"desk": (1400, 1000), "projector": (1024, 768)}  # a laptop or monitor; a projector's 1024 x 768
SMALLEST_FONT_PX = 14
TOUCH_PX = 1.5  # two texts may share this much of an edge (anti-aliasing); more is an overlap


def _sizes(topology_id: str, long: bool) -> dict[str, int]:
    """The link's sizes: the defaults, or 40 steps of 512 units, bent only where the topology's
    own limits demand it (one_to_many_stateful and cell_loop feed each output back in: units =
    features, and features go up to 256; cell_loop calls its cell at most 12 times)."""
    sizes = {"steps": 40, "units": 512} if long else {}
    if topology_id in ("one_to_many_stateful", "cell_loop"):
        sizes |= {"features": 256, "units": 256} if long else {"features": 2, "units": 2}
    if topology_id == "forecast_stateful" and long:  # training 512 units is over the cost limit
        sizes["units"] = 256
    if long:
        sizes["steps"] = long_steps(topology_id, sizes["steps"])
    return sizes


# The crowded corners a teacher reaches: the longest sequence, the longest forecast, the most
# pieces (each near the topology's limits: chunks up to steps, the forecast within the cost limit).
CROWDED = [
    ("many_to_one", {"steps": 1000}),
    ("forecast_stateful", {"steps": 150, "horizon": 50}),  # 200 steps and 50 fed back: over the cost limit
    ("stateful_batches", {"steps": 40, "chunks": 20}),
]
LEGIBILITY_CASES = [
    pytest.param(
        viewport,
        topology_id,
        _sizes(topology_id, long),
        id=f"{topology_id}-{'long' if long else 'defaults'}-{viewport}",
    )
    for topology_id in CATALOGUE
    for long in (False, True)
    for viewport in VIEWPORTS  # the same link twice in a row: the second run finds the trace cached
] + [
    pytest.param(
        viewport, topology_id, sizes, id=f"{topology_id}-{'-'.join(f'{k}{v}' for k, v in sizes.items())}-{viewport}"
    )
    for topology_id, sizes in CROWDED
    for viewport in VIEWPORTS
]

# Every SVG text of the chart, as drawn: its words, its font size and its box on the page; the
# figure's box (its full width, whether or not the page scrolls sideways to show it); and the
# nearest element that is narrower than the figure, if any, with what it does with the rest.
MEASURE_TEXTS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  const box = (element) => { const r = element.getBoundingClientRect();
    return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const figure = box(plot.querySelector('.svg-container'));
  const texts = Array.from(plot.querySelectorAll('text'))
    .filter((text) => text.textContent.trim() && text.getBoundingClientRect().width > 0)
    .map((text) => ({text: text.textContent, size: parseFloat(getComputedStyle(text).fontSize), ...box(text)}));
  let narrower = null;
  for (let element = plot.parentElement; element && element !== document.body; element = element.parentElement) {
    const overflow = getComputedStyle(element).overflowX;
    if (element.clientWidth + 1 < figure.x1 - figure.x0 && overflow !== 'visible') {
      narrower = {name: element.className.toString().slice(0, 60), overflow, width: element.clientWidth,
                  scrolls: element.scrollWidth + 1 >= figure.x1 - figure.x0};
      break;
    }
  }
  return {figure, texts, narrower};
}"""


@pytest.fixture(scope="module")
def viewport_pages(browser):
    """One page per window size, each navigated from link to link."""
    contexts = {name: browser.new_context(viewport={"width": w, "height": h}) for name, (w, h) in VIEWPORTS.items()}
    yield {name: context.new_page() for name, context in contexts.items()}
    for context in contexts.values():
        context.close()


REFUSED = '[data-testid="stException"], [data-testid="stAlertContentError"]'  # an exception or a refused size


def _measured(page, server: str, topology_id: str, sizes: dict[str, int]) -> dict:
    page.goto(f"{server}/?{urlencode({'topology': topology_id, **sizes})}", wait_until="commit", timeout=WAIT_MS)
    page.wait_for_function(
        "([wanted, refused]) => document.querySelector(refused) || Array.from("
        "document.querySelectorAll('.js-plotly-plot text')).some(t => t.textContent.startsWith(wanted))",
        arg=[f"{topology_id} ·", REFUSED],  # the diagram's title
        timeout=WAIT_MS,
    )
    refusals = page.locator(REFUSED)
    assert refusals.count() == 0, refusals.all_inner_texts()
    page.evaluate("() => document.fonts.ready")
    measured = page.evaluate(MEASURE_TEXTS)
    for _ in range(20):  # until two looks agree: Plotly may redraw once more as the page settles
        page.wait_for_timeout(100)
        again = page.evaluate(MEASURE_TEXTS)
        if again == measured:
            break
        measured = again
    return measured


def _overlap(a: dict, b: dict) -> float:
    """How far two boxes overlap, in the lesser of the two directions (<= 0 if they do not)."""
    return min(min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]), min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]))


@pytest.mark.parametrize("viewport, topology_id, sizes", LEGIBILITY_CASES)
def test_every_text_of_the_diagram_is_inside_it_apart_and_legible(viewport_pages, server, viewport, topology_id, sizes):
    """No text clipped, no two texts overlapping, none below 14 px, at the defaults, at 40
    steps of 512 units and at the crowded corners, in a desk-sized window and at a projector's
    1024 x 768. A figure wider than the page must scroll sideways, not be cut. (A subscript, as
    in h<sub>12</sub>, is drawn at 70 % of its text's size, as in print: the size checked is the
    text's.)"""
    measured = _measured(viewport_pages[viewport], server, topology_id, sizes)
    figure, texts = measured["figure"], measured["texts"]
    assert len(texts) > 10, texts
    narrower = measured["narrower"]
    assert narrower is None or narrower["overflow"] in ("auto", "scroll") and narrower["scrolls"], (
        f"the {figure['x1'] - figure['x0']:.0f} px figure is cut by a narrower element: {narrower}"
    )
    outside = [
        (text["text"][:60], [round(text[edge]) for edge in ("x0", "y0", "x1", "y1")])
        for text in texts
        if text["x0"] < figure["x0"] - 1
        or text["x1"] > figure["x1"] + 1
        or text["y0"] < figure["y0"] - 1
        or text["y1"] > figure["y1"] + 1
    ]
    overlapping = [
        (first["text"][:60], second["text"][:60], round(_overlap(first, second), 1))
        for index, first in enumerate(texts)
        for second in texts[index + 1 :]
        if _overlap(first, second) > TOUCH_PX
    ]
    small = [(text["text"], text["size"]) for text in texts if text["size"] < SMALLEST_FONT_PX]
    corners = [round(figure[edge]) for edge in ("x0", "y0", "x1", "y1")]
    assert not outside, f"outside the figure {corners}: {outside}"
    assert not overlapping, overlapping
    assert not small, small
