"""The Streamlit app, run headless by streamlit.testing: widgets, links, messages and the code.

Expected shapes come from the Trace (the measured truth) or are worked out by hand here;
parameter counts use the textbook formula written in this file.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from topologies import CATALOGUE, Config, trace

APP = Path(__file__).resolve().parent.parent / "app" / "main.py"
TIMEOUT = 120  # the first run imports TensorFlow


@functools.cache
def traced(topology_id: str, config: Config):
    return trace(topology_id, config)


def fmt(shape) -> str:
    return str(tuple(int(size) for size in shape))


def lstm_params(units: int, inputs: int) -> int:
    """4 gates, each with input weights, recurrent weights and a bias."""
    return 4 * units * (inputs + units + 1)


def open_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [item.value for item in at.exception]
    assert not at.error, [item.value for item in at.error]


def test_default_run_shows_many_to_one_of_the_seed():
    at = open_app()
    assert_clean(at)
    assert at.sidebar.selectbox(key="topology").value == "many_to_one"
    shown = metrics(at)
    assert shown["Input shape"] == "(10, 5, 2)"
    assert shown["Output shape"] == "(10, 4)"
    assert shown["Parameters"] == str(lstm_params(4, 2))  # 112
    assert not at.warning


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
        result = traced(topology_id, config)
        shown = metrics(at)
        assert shown["Input shape"] == fmt(result.input_shapes[0]), topology_id
        assert shown["Output shape"] == " ".join(fmt(shape) for shape in result.output_shapes), topology_id
        assert at.query_params["topology"] == topology_id


def test_changing_units_changes_the_output_shape_and_the_link():
    at = open_app()
    assert metrics(at)["Output shape"] == "(10, 4)"
    at.sidebar.number_input(key="units").set_value(6).run()
    assert_clean(at)
    shown = metrics(at)
    assert shown["Output shape"] == "(10, 6)"
    assert shown["Parameters"] == str(lstm_params(6, 2))  # 216
    assert at.query_params["units"] == "6"


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
    assert shown["Parameters"] == str(2 * 3 * 6 * (5 + 6 + 2))  # 2 x GRU: 3 gates, 2 biases


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (dict(topology="many_to_one", steps="-3"), "steps"),
        (dict(topology="many_to_one", batch="abc"), "batch"),
        (dict(topology="nope"), "topology"),
        (dict(topology="many_to_one", unit="8"), "unit"),
    ],
    ids=["steps=-3", "batch=abc", "topology=nope", "unknown-param"],
)
def test_a_bad_link_parameter_warns_and_falls_back(query, named):
    at = open_app(**query)
    assert not at.exception, [item.value for item in at.exception]
    assert not at.error, [item.value for item in at.error]
    assert at.warning, "a refused parameter must be named in a warning"
    assert any(named in warning.value for warning in at.warning), [w.value for w in at.warning]
    # the refused value is replaced by the default, and the picture is still drawn
    assert at.sidebar.selectbox(key="topology").value == "many_to_one"
    assert metrics(at)["Input shape"] == "(10, 5, 2)"
    assert metrics(at)["Output shape"] == "(10, 4)"


def test_an_impossible_combination_shows_an_error_not_an_exception():
    at = open_app(topology="one_to_many_stateful", units="4", features="2")
    assert not at.exception, [item.value for item in at.exception]
    assert len(at.error) == 1
    message = at.error[0].value
    assert "units" in message and "features" in message, message
    assert "Output shape" not in metrics(at)


def test_an_impossible_combination_made_with_the_widgets_shows_an_error():
    at = open_app(topology="one_to_many_stateful", units="2", features="2")
    assert_clean(at)
    assert metrics(at)["Output shape"] == "(10, 1, 2)"
    at.sidebar.number_input(key="units").set_value(3).run()
    assert not at.exception, [item.value for item in at.exception]
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


@pytest.mark.parametrize(
    "topology_id", ["many_to_one", "return_state", "autoencoder", "text_generator", "stateful_batches"]
)
def test_the_code_in_the_expander_runs_and_prints_the_measured_shapes(topology_id):
    at = open_app(topology=topology_id)
    assert_clean(at)
    blocks = [block.value for block in at.code if "def build" in block.value]
    assert len(blocks) == 1
    result = traced(topology_id, Config())
    assert printed_shapes(blocks[0]) == [tuple(shape) for shape in result.calls[0].output_shapes]


def test_a_single_step_sequence_is_drawn_for_many_to_one():
    at = open_app(topology="many_to_one")
    at.sidebar.number_input(key="steps").set_value(1).run()
    assert not at.exception, [item.value for item in at.exception]
    assert not at.error, [item.value for item in at.error]
    assert metrics(at)["Input shape"] == "(10, 1, 2)"
    assert metrics(at)["Output shape"] == "(10, 4)"
