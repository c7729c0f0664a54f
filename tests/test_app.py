"""The Streamlit app, run headless by streamlit.testing: widgets, links, messages and the code.

Expected shapes come from the Trace (the measured truth) or are worked out by hand here;
parameter counts use the textbook formula restated in tests/helpers.py.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests.helpers import (
    assert_clean,
    assert_no_exception,
    metrics,
    open_app,
    open_expander,
    recurrent_weights,
    shapes_page_metrics,
    shown_code,
    traced,
)
from topologies import CATALOGUE, Config


def test_default_run_shows_many_to_one_of_the_seed():
    at = open_app()
    assert_clean(at)
    assert at.sidebar.selectbox(key="topology").value == "many_to_one"
    shown = metrics(at)
    assert shown["Input shape"] == "(10, 5, 2)"
    assert shown["Output shape"] == "(10, 4)"
    assert shown["Parameters"] == str(recurrent_weights("LSTM", 4, 2))  # 112
    assert not at.warning


@pytest.mark.slow  # 17 page runs, one per topology: about 19 s
def test_every_topology_can_be_selected_in_turn():
    at = open_app()
    assert_clean(at)
    # one_to_many_stateful feeds outputs back in: units must equal features (2)
    at.sidebar.number_input(key="units").set_value(2).run()
    assert_clean(at)
    assert at.sidebar.number_input(key="features").value == 2
    config = Config(units=2, features=2)
    for topology_id in CATALOGUE:
        at.sidebar.selectbox(key="topology").set_value(topology_id).run()
        assert_clean(at)
        assert at.sidebar.selectbox(key="topology").value == topology_id
        # input shape, output shapes and parameters, as the trace of the same config measured them
        assert metrics(at) == shapes_page_metrics(traced(topology_id, config)), topology_id


def test_changing_units_changes_the_output_shape_and_the_link():
    at = open_app()
    assert metrics(at)["Output shape"] == "(10, 4)"
    at.sidebar.number_input(key="units").set_value(6).run()
    assert_clean(at)
    shown = metrics(at)
    assert shown["Output shape"] == "(10, 6)"
    assert shown["Parameters"] == str(recurrent_weights("LSTM", 6, 2))  # 216


def test_a_link_sets_the_topology_and_the_sizes():
    at = open_app(topology="many_to_one", batch="10", steps="5", features="2", units="4")
    assert_clean(at)
    assert not at.warning
    assert metrics(at)["Output shape"] == "(10, 4)"


def test_a_link_with_other_sizes_and_cell():
    at = open_app(topology="bidirectional", batch="3", steps="7", features="5", units="6", cell="GRU")
    assert_clean(at)
    assert not at.warning
    assert at.sidebar.selectbox(key="topology").value == "bidirectional"
    assert at.sidebar.selectbox(key="cell").value == "GRU"
    shown = metrics(at)
    assert shown["Input shape"] == "(3, 7, 5)"
    assert shown["Output shape"] == "(3, 7, 12)"  # forward and backward joined: 2 x units
    assert shown["Parameters"] == str(2 * recurrent_weights("GRU", 6, 5))  # 2 x GRU(6) on 5 features: 468


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (dict(topology="many_to_one", batch="abc"), "batch"),
        (dict(topology="many_to_one", cell="XYZ"), "cell"),
        (dict(topology="nope"), "topology"),
        (dict(topology="many_to_one", unit="8"), "unit"),
    ],
    ids=["batch=abc", "cell=XYZ", "topology=nope", "unknown-param"],
)
def test_a_link_parameter_no_widget_can_hold_warns_and_falls_back(query, named):
    at = open_app(**query)
    assert_clean(at)
    assert at.warning, "a refused parameter must be named in a warning"
    assert any(named in warning.value for warning in at.warning), [w.value for w in at.warning]
    # the refused value is replaced by the default, and the picture is still drawn
    assert at.sidebar.selectbox(key="topology").value == "many_to_one"
    assert metrics(at)["Input shape"] == "(10, 5, 2)"
    assert metrics(at)["Output shape"] == "(10, 4)"


@pytest.mark.parametrize(("name", "value", "fixed"), [("steps", "-3", 1), ("batch", "1025", 1024), ("units", "0", 1)])
def test_a_link_value_out_of_range_is_shown_refused_with_its_fix(name, value, fixed):
    """The widget holds what the link says, so the screen (and the URL) show the refused value,
    the sentence that says what is allowed, and the one-click fix to the nearest allowed value."""
    at = open_app(**{name: value})
    assert_no_exception(at)
    assert not at.warning
    assert at.sidebar.number_input(key=name).value == int(value)
    assert len(at.error) == 1 and f"{name} is `{value}`" in at.error[0].value  # the value as code
    assert at.button(key="fix").label == f"Set {name} to {fixed}"
    at.button(key="fix").click().run()
    assert_clean(at)
    assert at.sidebar.number_input(key=name).value == fixed


def test_a_link_with_a_combination_over_a_limit_keeps_every_value_it_gave():
    """Checked as a whole, not against the defaults one by one: the values that together exceed
    a limit all reach the widgets, and the refusal names the limit."""
    # Each value is within its range, but the input alone is 1024 x 1000 x 255 = 261,120,000
    # numbers, a gigabyte of float32: the cost estimate refuses it.
    at = open_app(batch="1024", steps="1000", features="255", units="1")
    assert_no_exception(at)
    assert [at.sidebar.number_input(key=name).value for name in ("batch", "steps", "features", "units")] == [
        1024,
        1000,
        255,
        1,
    ]
    assert len(at.error) == 1 and "input numbers" in at.error[0].value and "MB" in at.error[0].value


def test_an_impossible_combination_shows_an_error_not_an_exception():
    at = open_app(topology="one_to_many_stateful", units="4", features="2")
    assert_no_exception(at)
    assert len(at.error) == 1
    message = at.error[0].value
    assert "units" in message and "features" in message, message
    assert "Output shape" not in metrics(at)


def test_an_impossible_combination_made_with_the_widgets_shows_an_error():
    at = open_app(topology="one_to_many_stateful", units="2", features="2")
    assert_clean(at)
    assert metrics(at)["Output shape"] == "(10, 1, 2) in each of 5 calls"  # one call per step
    at.sidebar.number_input(key="units").set_value(3).run()
    assert_no_exception(at)
    assert at.error and "units" in at.error[0].value and "features" in at.error[0].value


def printed_shapes(code: str) -> list[tuple[int, ...]]:
    """Run the page's code as it is and keep the lines that are shape tuples."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<expander code>", "exec"), {"__name__": "__main__"})
    shapes = []
    for line in out.getvalue().splitlines():
        if re.fullmatch(r"\(\d+(, \d+)*,?\)", line.strip()):
            shapes.append(tuple(int(size) for size in re.findall(r"\d+", line)))
    return shapes


@pytest.mark.slow  # two page runs and a Keras build of the code shown, five times: about 8 s
@pytest.mark.parametrize(
    "topology_id", ["many_to_one", "return_state", "autoencoder", "text_generator", "stateful_batches"]
)
def test_the_code_in_the_expander_runs_and_prints_the_measured_shapes(topology_id):
    at = open_app(topology=topology_id)
    assert_clean(at)
    assert not shown_code(at), "folded, the code is not made"
    at = open_expander(at, "keras_code_open")
    assert_clean(at)
    blocks = [code for code in shown_code(at) if "def build" in code]
    assert len(blocks) == 1
    result = traced(topology_id, Config())
    assert printed_shapes(blocks[0]) == [tuple(shape) for shape in result.calls[0].output_shapes]


def test_a_single_step_sequence_is_drawn_for_many_to_one():
    at = open_app(topology="many_to_one")
    at.sidebar.number_input(key="steps").set_value(1).run()
    assert_clean(at)
    assert metrics(at)["Input shape"] == "(10, 1, 2)"
    assert metrics(at)["Output shape"] == "(10, 4)"


# ----------------------------------------------------------------------------- every topology opens on a picture


@pytest.mark.slow  # a page run per topology, 15 in all: about 12 s (every topology is traced and drawn elsewhere)
@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_a_link_with_only_the_topology_opens_on_a_picture(topology_id):
    at = open_app(topology=topology_id)
    assert_clean(at)
    assert not at.warning
    assert len(at.get("plotly_chart")) == 1


def test_switching_topology_adapts_what_must_change_and_says_so():
    at = open_app()  # many_to_one, units 4, features 2
    at.sidebar.selectbox(key="topology").set_value("one_to_many_stateful").run()
    assert_clean(at)
    assert at.sidebar.number_input(key="units").value == 2  # = features, which stays 2
    assert at.sidebar.number_input(key="features").value == 2
    assert len(at.info) == 1 and "units set to 2" in at.info[0].value
    assert len(at.get("plotly_chart")) == 1
    # Back to a topology that fits any units: nothing changes, nothing is said.
    at.sidebar.selectbox(key="topology").set_value("many_to_many").run()
    assert_clean(at)
    assert not at.info
    assert at.sidebar.number_input(key="units").value == 2


def test_switching_to_stateful_batches_with_one_step_lowers_chunks_to_one():
    at = open_app(steps="1")
    at.sidebar.selectbox(key="topology").set_value("stateful_batches").run()
    assert_clean(at)
    assert at.sidebar.number_input(key="chunks").value == 1  # a sequence of 1 step splits into 1 piece
    assert "chunks set to 1" in at.info[0].value
    assert not at.warning  # no complaint from Streamlit about a value set before its widget


def test_a_refused_link_offers_the_fix_in_one_click():
    at = open_app(topology="one_to_many_stateful", units="4", features="2")
    assert_no_exception(at)
    assert len(at.error) == 1 and "units must equal features" in at.error[0].value
    assert at.button(key="fix").label == "Set units to 2"
    at.button(key="fix").click().run()
    assert_clean(at)
    assert at.sidebar.number_input(key="units").value == 2
    assert metrics(at)["Output shape"] == "(10, 1, 2) in each of 5 calls"  # one call per step


def test_over_the_cost_limit_the_fix_is_the_largest_batch_that_fits():
    """The rule: the batch the fix sets is accepted, and one more is refused."""
    at = open_app(batch="2", steps="100", features="2", units="499")
    assert_clean(at)
    at.sidebar.number_input(key="batch").set_value(1024).run()
    assert_no_exception(at)
    assert len(at.error) == 1 and "limit" in at.error[0].value
    label = at.button(key="fix").label
    assert re.fullmatch(r"Set batch to \d+", label), label
    largest = int(label.removeprefix("Set batch to "))
    at.button(key="fix").click().run()
    assert_clean(at)
    assert at.sidebar.number_input(key="batch").value == largest
    at.sidebar.number_input(key="batch").set_value(largest + 1).run()
    assert_no_exception(at)
    assert len(at.error) == 1 and "limit" in at.error[0].value
