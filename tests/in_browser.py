"""What the browser tests (tests/test_browser*.py) share: where Chromium is, how long to wait, and
how to start the app with `streamlit run`. The fixtures built on these are in tests/conftest.py.

Never downloads a browser. Without /usr/bin/chromium the browser tests are skipped, unless
RNN_SHAPES_REQUIRE_BROWSER=1 says a browser run is required, in which case they fail.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
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


def chromium_or_skip() -> str:
    """Debian's Chromium, or a skip (a failure when RNN_SHAPES_REQUIRE_BROWSER=1, as in CI)."""
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


@contextlib.contextmanager
def streamlit_server(log_path: Path) -> Iterator[str]:
    """`streamlit run app/main.py` on a free local port, its output in log_path; yields its address
    ("http://127.0.0.1:40123") once it answers, and stops it by its pid afterwards."""
    port = _free_port()
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


def wait_for_plot_text(page, text: str) -> None:
    """Wait until a text of the diagram (SVG text in the Plotly chart) contains `text`."""
    page.wait_for_function(
        "(wanted) => Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".some(t => t.textContent.includes(wanted))",
        arg=text,
        timeout=WAIT_MS,
    )
