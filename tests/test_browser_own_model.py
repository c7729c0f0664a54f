"""Your own model in a real browser: a .keras file uploaded in Chromium, its shapes on the page,
and the link that carries a typed stack.

The server and the browser are the session's (tests/conftest.py), each test in a browser
context of its own.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.in_browser import WAIT_MS

PAGE = "/own_model"


def _metrics(page) -> list[str]:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]')).map(m => m.innerText)"
    )


def test_an_uploaded_keras_file_shows_the_shapes_keras_gives(new_context, server, tmp_path):
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input((6, 3)), layers.GRU(5, return_sequences=True), layers.LSTM(7)])
    path = tmp_path / "uploaded.keras"
    model.save(path)
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}{PAGE}", timeout=WAIT_MS)
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT_MS)  # the first example, drawn
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Only the file's config.json is read").wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".some(m => m.innerText.trim() === '(10, 7)')",
        timeout=WAIT_MS,
    )
    batch = int(page.locator('input[type="number"][aria-label="batch"]').input_value())
    expected = [f"({batch}, 6, 3)", f"({batch}, 7)"]  # Keras: (batch, 6, 3) -> (batch, 7)
    # Until the run ends, the previous picture's metrics may still stand beside the new ones.
    page.wait_for_function(
        "(wanted) => { const shown = Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".map(m => m.innerText.trim()); return shown[0] === wanted[0] && shown[1] === wanted[1]; }",
        arg=expected,
        timeout=WAIT_MS,
    )
    assert _metrics(page)[:2] == expected
    assert page.get_by_text("uploaded.keras").count() >= 1
    assert not errors


def test_a_link_carries_a_typed_stack(new_context, server):
    page = new_context(viewport={"width": 1400, "height": 1000}).new_page()
    stack = "Input(4, 3) | LSTM(6, return_sequences=True) | TimeDistributed(Dense(2))"
    page.goto(f"{server}{PAGE}?stack={quote(stack)}", timeout=WAIT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
        ".some(m => m.innerText.trim() === '(10, 4, 2)')",
        timeout=WAIT_MS,
    )
    assert re.search(r"[?&]stack=", page.url), page.url
