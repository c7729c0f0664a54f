"""The two labs: the Windows page (series -> windows) and the Stateful page (what state carries).

Counts and shapes are re-derived here from first principles: a series of N values and a look
back of L give N - L windows, window k holds values k..k+L-1 and its target is value k+L.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.series import MAX_VALUES, SeriesError, parse_series, side_by_side
from topologies import Config, trace
from topologies.series import windows
from topologies.stepper import Stepper

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "main.py")
EXACT = 1e-5  # two float32 runs of the same arithmetic
BROKEN = 1e-3  # a difference that is not rounding


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(MAIN, default_timeout=120)
    app.switch_page(f"views/{page}.py").run()
    assert not app.exception, [item.value for item in app.exception]
    return app


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [item.value for item in app.exception]


# ----------------------------------------------------------------------------- windows, pure


@pytest.mark.parametrize("length, look_back, features", [(12, 5, 1), (60, 5, 2), (6, 5, 1), (100, 1, 1)])
def test_windows_count_and_contents(length, look_back, features):
    series = np.arange(length * features, dtype="float32").reshape(length, features)
    inputs, targets = windows(series, look_back)
    samples = length - look_back
    assert inputs.shape == (samples, look_back, features)
    assert targets.shape == (samples, features)
    for k in range(samples):
        for step in range(look_back):
            assert inputs[k, step].tolist() == series[k + step].tolist()
        assert targets[k].tolist() == series[k + look_back].tolist()


def test_parse_series_reads_commas_spaces_and_lines():
    assert parse_series("1, 2.5 3\n4;5").tolist() == [1.0, 2.5, 3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("1, 2, x", ["value 3", "'x'", "not a number"]),
        ("", ["empty"]),
        ("1, nan, 3", ["value 2", "finite"]),
        (" ".join(["1"] * (MAX_VALUES + 1)), [f"{MAX_VALUES + 1:,}", f"{MAX_VALUES:,}"]),
    ],
    ids=["word", "empty", "nan", "too-long"],
)
def test_parse_series_refuses_with_one_sentence(text, fragments):
    with pytest.raises(SeriesError) as caught:
        parse_series(text)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_two_series_must_be_equally_long():
    with pytest.raises(SeriesError, match="equally long"):
        side_by_side(np.zeros(5, "float32"), np.zeros(4, "float32"))
    assert side_by_side(np.zeros(5, "float32"), np.ones(5, "float32")).shape == (5, 2)


# ----------------------------------------------------------------------------- windows page


def stated_counts(app: AppTest) -> tuple[int, int, int, tuple, tuple]:
    """(N, L, windows, X shape, y shape) as the page states them."""
    text = app.info[0].value
    counts = re.search(r"\*\*(\d+) values\*\* with \*\*look_back = (\d+)\*\* give \*\*\d+ − \d+ = (\d+) windows", text)
    assert counts, text
    x_shape, y_shape = (ast.literal_eval(shape) for shape in re.findall(r"\*\*(\([0-9, ]+\))\*\*", text))
    return (*map(int, counts.groups()), x_shape, y_shape)


def test_windows_page_states_counts_an_independent_rule_agrees_with():
    app = open_page("windows")
    for length, look_back, second in [(60, 5, False), (40, 7, True), (10, 9, False)]:
        app.slider(key="length").set_value(length)
        app.slider(key="look_back").set_value(look_back)
        app.checkbox(key="two_series").set_value(second).run()
        assert_clean(app)
        assert not app.error
        count, stated_look_back, samples, x_shape, y_shape = stated_counts(app)
        features = 2 if second else 1
        assert (count, stated_look_back, samples) == (length, look_back, length - look_back)
        assert x_shape == (length - look_back, look_back, features)
        assert y_shape == (length - look_back, features)
        # The seed's create_dataset would make one window fewer; the page says how many.
        assert f"makes {length - look_back - 1} windows" in app.caption[0].value


def test_windows_page_walks_the_window_slider():
    app = open_page("windows")
    app.slider(key="window").set_value(7).run()
    assert_clean(app)
    assert any("X[6]" in item.value for item in app.markdown)
    assert any("y[6]" in item.value for item in app.markdown)


def test_windows_page_reads_pasted_numbers():
    app = open_page("windows")
    app.radio(key="source").set_value("Paste numbers").run()
    app.text_area(key="pasted_1").set_value("3 1 4 1 5 9 2 6").run()
    app.slider(key="look_back").set_value(3).run()
    assert_clean(app)
    assert not app.error
    assert stated_counts(app)[:3] == (8, 3, 5)
    app.checkbox(key="two_series").set_value(True).run()
    app.text_area(key="pasted_2").set_value("2 7 1 8 2 8 1 8").run()
    assert_clean(app)
    assert stated_counts(app)[3] == (5, 3, 2)


@pytest.mark.parametrize(
    "first, second, look_back, fragment",
    [
        ("1, 2, banana", None, 1, "'banana'"),
        ("1, 2, 3", None, 5, "look_back is 5"),
        (" ".join(["1"] * (MAX_VALUES + 1)), None, 1, f"at most {MAX_VALUES:,}"),
        ("1 2 3 4 5 6", "1 2 3", 2, "equally long"),
    ],
    ids=["not-numbers", "too-short", "too-long", "unequal"],
)
def test_windows_page_bad_paste_is_one_error_and_nothing_breaks(first, second, look_back, fragment):
    app = open_page("windows")
    app.radio(key="source").set_value("Paste numbers").run()
    app.slider(key="look_back").set_value(look_back)
    app.text_area(key="pasted_1").set_value(first)
    if second is not None:
        app.checkbox(key="two_series").set_value(True).run()
        app.text_area(key="pasted_2").set_value(second)
    app.run()
    assert_clean(app)
    assert len(app.error) == 1
    assert fragment in app.error[0].value
    # Mend the input: the page recovers in the same session.
    app.text_area(key="pasted_1").set_value("1 2 3 4 5 6 7 8 9 10")
    if second is not None:
        app.text_area(key="pasted_2").set_value("2 3 4 5 6 7 8 9 10 11")
    app.slider(key="look_back").set_value(2).run()
    assert_clean(app)
    assert not app.error


# ----------------------------------------------------------------------------- stateful, engine


def test_breaking_the_rules_breaks_the_continuation():
    config = Config(batch=4, steps=6, features=2, units=3, chunks=3)
    assert trace("stateful_batches", config).facts.stateful_vs_whole_max_abs_diff < EXACT
    shuffled = trace("stateful_batches", config, shuffle=True)
    assert shuffled.facts.stateful_vs_whole_max_abs_diff > BROKEN
    assert [call.label for call in shuffled.calls] == ["batch 1", "batch 2 (shuffled)", "batch 3 (shuffled)"]
    reset = trace("stateful_batches", config, reset_between=True)
    assert reset.facts.stateful_vs_whole_max_abs_diff > BROKEN
    assert [call.reset_before for call in reset.calls] == [True, True, True]


def test_a_stateful_model_refuses_another_batch_size():
    refused = trace("stateful_batches", Config(batch=4), uneven_batch=True)
    message = refused.facts.keras_error
    assert "batch size" in message
    assert "4" in message and "3" in message  # expected 4 samples, received 3
    assert "\x1b" not in message  # terminal colour codes removed


def test_stepper_advances_one_call_at_a_time_and_matches_a_whole_trace():
    config = Config(batch=3, steps=4, features=2, units=2)
    stepper = Stepper("one_to_many_stateful", config)
    for expected_calls in range(1, config.steps + 1):
        stepper.advance()
        assert stepper.call_count == expected_calls
        assert stepper.snapshot().calls[-1].label == f"step {expected_calls}"
    while not stepper.finished:
        stepper.advance()
    whole = trace("one_to_many_stateful", config)
    stepped = stepper.snapshot()
    for a, b in zip(stepped.calls, whole.calls, strict=True):
        np.testing.assert_allclose(a.activity("rnn").values["h"], b.activity("rnn").values["h"], atol=EXACT)


# ----------------------------------------------------------------------------- stateful page


def difference_shown(app: AppTest) -> float:
    return float(next(m.value for m in app.metric if m.label.startswith("Largest difference")))


def test_stateful_page_difference_without_and_with_broken_rules():
    app = open_page("stateful")
    assert difference_shown(app) < EXACT
    assert app.success
    app.toggle(key="shuffle").set_value(True).run()
    assert_clean(app)
    assert difference_shown(app) > BROKEN
    assert "shuffle=False" in app.error[0].value
    app.toggle(key="shuffle").set_value(False)
    app.toggle(key="reset").set_value(True).run()
    assert difference_shown(app) > BROKEN
    assert "reset" in app.error[0].value
    app.toggle(key="reset").set_value(False)
    for key, value in [("tanks", 5), ("steps", 7), ("chunks", 3), ("units", 2), ("chunks", 7), ("steps", 2)]:
        app.slider(key=key).set_value(value).run()
        assert_clean(app)
        assert not app.error
        assert difference_shown(app) < EXACT


def test_stateful_page_explains_the_fixed_batch():
    app = open_page("stateful")
    app.button(key="uneven").click().run()
    assert_clean(app)
    assert "batch size" in app.warning[0].value


def figure_json(app: AppTest, index: int) -> dict:
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def feedback_picture(app: AppTest) -> dict:
    """The feedback section's diagram: the second diagram on the page, after stateful_batches'."""
    figure = figure_json(app, 1)
    return {"boxes": figure["layout"]["meta"]["boxes"], "hover": figure["data"][0]["hovertext"]}


def test_feedback_steps_grow_the_diagram_one_call_each():
    app = open_page("stateful")
    for calls in (1, 2, 3):
        app.button(key="feedback_next").click().run()
        assert_clean(app)
        boxes = feedback_picture(app)["boxes"]
        assert sorted({box["call"] for box in boxes}) == list(range(calls))
    app.button(key="feedback_start").click().run()
    assert len(app.get("plotly_chart")) == 1  # started afresh: no feedback diagram yet


def test_two_sessions_stepping_at_once_see_what_one_alone_sees():
    first, second = open_page("stateful"), open_page("stateful")
    for _ in range(3):  # interleaved: first, second, first, second, ...
        first.button(key="feedback_next").click().run()
        second.button(key="feedback_next").click().run()
    second.button(key="feedback_next").click().run()  # second is one step ahead
    alone = open_page("stateful")
    for _ in range(3):
        alone.button(key="feedback_next").click().run()
    assert feedback_picture(first) == feedback_picture(alone)
    assert len({box["call"] for box in feedback_picture(second)["boxes"]}) == 4


def test_forecast_trains_then_steps_to_the_end():
    app = open_page("stateful")
    app.slider(key="epochs").set_value(10).run()
    app.button(key="forecast_train").click().run()
    assert_clean(app)
    app.button(key="forecast_next").click().run()  # prime
    assert any("calls made: **1**" in item.value for item in app.markdown)
    app.button(key="forecast_end").click().run()
    assert_clean(app)
    horizon = 15  # the page's forecast: 30 known steps, 15 forecast one at a time
    assert any(f"calls made: **{horizon}**" in item.value for item in app.markdown)


def test_the_same_request_gives_the_same_numbers():
    """Seeded weights and data: a shared link shows exactly the numbers its author saw."""
    config = Config(batch=2, steps=3, features=2, units=3)
    first, second = trace("many_to_one", config), trace("many_to_one", config)
    assert first.calls[0].activity("rnn").values == second.calls[0].activity("rnn").values
