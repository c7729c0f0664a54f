"""The app in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run`.

Never downloads a browser. Without /usr/bin/chromium the test is skipped, unless
RNN_SHAPES_REQUIRE_BROWSER=1 says a browser run is required, in which case it fails.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 90  # polling bound for the server to answer
WAIT_MS = 120_000  # the first trace imports TensorFlow (about 10 s here, more on a busy machine)
SCREENSHOT = ROOT / "artifacts" / "browser_shapes.png"


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: the browser test needs Debian's chromium package"
        if os.environ.get("RNN_SHAPES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and RNN_SHAPES_REQUIRE_BROWSER=1 requires it")
        pytest.skip(reason)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory):
    """`streamlit run app/main.py` on a free local port; stopped by its pid afterwards."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app/main.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer within {START_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture(scope="module")
def page(chromium, server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            yield context.new_page()
        finally:
            browser.close()


PLOT_TEXT = "() => Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent)"


def _wait_for_plot_text(page, text: str) -> None:
    page.wait_for_function(
        "(wanted) => Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".some(t => t.textContent.includes(wanted))",
        arg=text,
        timeout=WAIT_MS,
    )


def test_changing_units_redraws_the_picture_and_the_link(page, server):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{server}/?topology=many_to_one&batch=10&steps=5&features=2&units=4", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)
    page.get_by_text("(10, 4)").first.wait_for(timeout=WAIT_MS)
    _wait_for_plot_text(page, "(10, 4)")  # the diagram's own labels, SVG text in the plot
    metric_values = page.locator('[data-testid="stMetricValue"]')
    assert "(10, 4)" in metric_values.all_inner_texts()

    units = page.locator('[data-testid="stSidebar"] input[type="number"][aria-label="units"]')
    assert units.count() == 1
    assert units.input_value() == "4"
    units.fill("6")
    units.press("Enter")

    _wait_for_plot_text(page, "(10, 6)")
    page.get_by_text("(10, 6)").first.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".some(m => m.innerText.trim() === '(10, 6)')",
        timeout=WAIT_MS,
    )
    page.wait_for_url(re.compile(r"[?&]units=6(&|$)"), timeout=WAIT_MS)
    assert re.search(r"[?&]units=6(&|$)", page.url), page.url
    assert "topology=many_to_one" in page.url
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
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/?topology=many_to_one&{urlencode(HOSTILE_LINKS)}", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)  # the default picture still comes
    alerts = page.locator('[data-testid="stAlert"]')
    alerts.nth(len(HOSTILE_LINKS) - 1).wait_for(timeout=WAIT_MS)
    assert alerts.count() == len(HOSTILE_LINKS)
    shown = " ".join(alerts.all_inner_texts())
    for value in HOSTILE_LINKS.values():
        assert repr(value) in shown, (value, shown)
    rendered = page.locator(
        '[data-testid="stAlert"] :is(a, img, script, iframe, .katex, .stMarkdownColoredText, [role="img"])'
    )
    assert rendered.count() == 0, rendered.evaluate_all("nodes => nodes.map(node => node.outerHTML)")
    assert hosts == {urlsplit(server).netloc}, hosts
    assert not dialogs
