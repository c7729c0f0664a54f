"""Inside a cell: one step of a recurrent layer's own cell, its weights and every intermediate.

The rules are restated here from Keras's documentation of its cells, never read from
topologies.engine.cell_math:

    LSTMCell       kernel (inputs, 4 x units), recurrent_kernel (units, 4 x units), bias (4 x units,);
                   gates in the order i, f, c, o; c_t = f * c_(t-1) + i * c~; h_t = o * tanh(c_t)
    GRUCell        kernel (inputs, 3 x units), recurrent_kernel (units, 3 x units), bias (2, 3 x units)
                   with reset_after=True; gates z, r, h; h_t = z * h_(t-1) + (1 - z) * h~
    SimpleRNNCell  kernel (inputs, units), recurrent_kernel (units, units), bias (units,);
                   h_t = tanh(x_t W + h_(t-1) U + b)

Every gate, candidate and state of one step is (batch, units). The weight shapes are compared
with tuple(w.shape) of a layer each test builds itself with Keras, and h_t with what that layer,
given the topology's weights, computes at step 1, and with the picture's own h_1.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import test_structure
from tests.helpers import DOCUMENTED_CELLS, assert_clean, open_app, open_expander, rows, seed_config, shown_links
from topologies.refusal import Refusal

BATCH, FEATURES, UNITS = 10, 2, 4  # the seed's sizes
# (topology, layer asked about, width of its x_t, its units, where the picture keeps sample 0's h_1)
CASES = [
    ("many_to_one", "rnn", FEATURES, UNITS, "h"),
    ("stacked", "rnn_2", UNITS, UNITS, "h"),  # above rnn_1: its x_t is rnn_1's h_t
    ("bidirectional", "bidirectional", FEATURES, UNITS, "h_forward"),  # the forward copy's cell
    # A cell called by hand, its output fed back (units = features): its first call's output is h_1.
    ("cell_loop", "cell", FEATURES, FEATURES, "y"),
]
GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def documented_weights(cell: str, inputs: int, units: int) -> dict[str, tuple[int, ...]]:
    gates = GATES[cell]
    bias = (2, gates * units) if cell == "GRU" else (gates * units,)
    return {"kernel": (inputs, gates * units), "recurrent_kernel": (units, gates * units), "bias": bias}


def documented_values(cell: str, inputs: int, units: int) -> dict[str, tuple[int, ...]]:
    """What goes into one step, then what it computes, each with the shape the equations give."""
    gate = (BATCH, units)
    if cell == "LSTM":
        computed = {"gates": (BATCH, 4 * units), **dict.fromkeys(["i", "f", "c~", "o", "c_t", "h_t"], gate)}
        return {"x_t": (BATCH, inputs), "h_(t-1)": gate, "c_(t-1)": gate, **computed}
    if cell == "GRU":
        computed = {"from x": (BATCH, 3 * units), "from h": (BATCH, 3 * units)}
        return {"x_t": (BATCH, inputs), "h_(t-1)": gate, **computed, **dict.fromkeys(["z", "r", "h~", "h_t"], gate)}
    return {"x_t": (BATCH, inputs), "h_(t-1)": gate, "sum": gate, "h_t": gate}


def own_layer(cell: str, inputs: int, units: int = UNITS):
    """A Keras layer of the test's own, built for x_t of `inputs` numbers, handing on every h_t."""
    from keras import layers

    layer = getattr(layers, cell)(units, return_sequences=True)
    layer.build((None, None, inputs))
    return layer


@pytest.fixture(scope="module")
def stepped():
    """inside_cell(...) for each case, computed once per module."""
    from topologies.engine.inside_cell import inside_cell

    cache = {}

    def get(topology_id: str, layer: str, cell: str):
        if (topology_id, layer, cell) not in cache:
            cache[topology_id, layer, cell] = inside_cell(topology_id, seed_config(topology_id, cell=cell), layer)
        return cache[topology_id, layer, cell]

    return get


@pytest.mark.parametrize("cell", DOCUMENTED_CELLS)
@pytest.mark.parametrize(("topology_id", "layer", "inputs", "units", "h_key"), CASES, ids=[case[0] for case in CASES])
def test_weights_and_every_value_of_one_step_have_the_documented_shapes(
    topology_id, layer, inputs, units, h_key, cell, stepped
):
    step = stepped(topology_id, layer, cell)
    own = own_layer(cell, inputs, units)
    assert {weight.name: weight.shape for weight in step.weights} == {w.name: tuple(w.shape) for w in own.weights}
    assert {weight.name: weight.shape for weight in step.weights} == documented_weights(cell, inputs, units)
    assert {value.name: value.shape for value in step.values} == documented_values(cell, inputs, units)
    assert list(step.values)[0].name == "x_t" and step.values[-1].name == "h_t"
    assert step.units == units and step.steps == 5 and step.step == 1
    assert step.cell_difference <= 1e-5


@pytest.mark.parametrize("cell", DOCUMENTED_CELLS)
@pytest.mark.parametrize(("topology_id", "layer", "inputs", "units", "h_key"), CASES, ids=[case[0] for case in CASES])
def test_h_t_is_the_picture_s_own_h_1(topology_id, layer, inputs, units, h_key, cell, stepped, traced):
    step = stepped(topology_id, layer, cell)
    activity = traced(topology_id, seed_config(topology_id, cell=cell)).calls[0].activity(layer)
    first_h = first_step(activity.values[h_key])  # sample 0's h_1, as the picture's hover shows it
    np.testing.assert_allclose(rows(step.value("h_t").sample), first_h, atol=2e-4)
    np.testing.assert_allclose(rows(step.value("x_t").sample), first_step(activity.values["x"]), atol=2e-4)


def first_step(values: list) -> np.ndarray:
    """Sample 0's numbers at step 1: the first row of a sequence, or the one vector of a cell's call."""
    array = rows(values)
    return array if array.ndim == 1 else array[0]


def sigmoid(values: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-values))


@pytest.mark.parametrize("cell", DOCUMENTED_CELLS)
def test_the_reported_numbers_follow_the_cell_equations(cell, stepped):
    """Sample 0's first numbers of each value (rounded to 4 places), put through the equations:
    the gates' first 8 numbers are i's and f's for an LSTM of 4 units, z's and r's for a GRU."""
    step = stepped("many_to_one", "rnn", cell)
    value = {item.name: rows(item.sample) for item in step.values}
    close = {"atol": 2e-3}
    if cell == "LSTM":
        np.testing.assert_allclose(value["i"], sigmoid(value["gates"][:UNITS]), **close)
        np.testing.assert_allclose(value["f"], sigmoid(value["gates"][UNITS : 2 * UNITS]), **close)
        np.testing.assert_allclose(value["c_t"], value["f"] * value["c_(t-1)"] + value["i"] * value["c~"], **close)
        np.testing.assert_allclose(value["h_t"], value["o"] * np.tanh(value["c_t"]), **close)
    elif cell == "GRU":
        both = value["from x"][: 2 * UNITS] + value["from h"][: 2 * UNITS]
        np.testing.assert_allclose(value["z"], sigmoid(both[:UNITS]), **close)
        np.testing.assert_allclose(value["r"], sigmoid(both[UNITS:]), **close)
        z, h = value["z"], value["h_(t-1)"]
        np.testing.assert_allclose(value["h_t"], z * h + (1 - z) * value["h~"], **close)
    else:
        np.testing.assert_allclose(value["h_t"], np.tanh(value["sum"]), **close)
    assert not np.any(value["h_(t-1)"]), "a sequence starts from zeros"


@pytest.mark.parametrize("cell", DOCUMENTED_CELLS)
def test_h_t_is_what_the_test_s_own_layers_compute_with_the_topology_s_weights(cell, stepped):
    """stacked: two layers of the test's own, given rnn_1's and rnn_2's weights, on the run's input."""
    from topologies.engine.run import start

    runner = start("stacked", seed_config("stacked", cell=cell))  # seeded: the weights the picture used
    x = runner.dummy_inputs()[0]  # (batch, steps, features)
    first, second = own_layer(cell, FEATURES), own_layer(cell, UNITS)
    first.set_weights(runner.model.get_layer("rnn_1").get_weights())
    second.set_weights(runner.model.get_layer("rnn_2").get_weights())
    h_1 = np.asarray(second(first(x)))[:, 0]  # (batch, units): rnn_2's state after step 1
    step = stepped("stacked", "rnn_2", cell)
    assert step.value("h_t").shape == h_1.shape
    np.testing.assert_allclose(rows(step.value("h_t").sample), h_1[0, :8], atol=2e-4)


def test_a_layer_reading_a_handed_state_starts_from_it():
    from topologies.engine.inside_cell import inside_cell

    step = inside_cell("seq2seq", seed_config("seq2seq"), "decoder")
    assert "encoder" in step.state_from
    assert np.any(rows(step.value("h_(t-1)").sample)), "the encoder's final state is not zeros"


@pytest.mark.parametrize("name", ["x", "dense", "rnn_9"])
def test_a_layer_without_a_cell_is_refused_in_one_sentence(name):
    from topologies.engine.inside_cell import inside_cell

    with pytest.raises(Refusal) as refused:
        inside_cell("time_distributed", seed_config("time_distributed"), name)
    assert str(refused.value) == f"cell_layer is {name!r}, but this picture's cells are in rnn."


def test_the_records_start_no_tensorflow():
    loaded = test_structure.modules_loaded_by("from topologies.cell_records import CellStep, cell_layers")
    assert "tensorflow" not in loaded and "keras" not in loaded


# ----------------------------------------------------------------------------- the page


def table_rows(at, first_column: str) -> dict[str, dict]:
    """The section's table whose first column is `first_column`, as {first cell: row}."""
    (frame,) = [table.value for table in at.table if table.value.columns[0] == first_column]
    # Short cells are written with no-break spaces and hyphens, so that a table keeps them on one line.
    plain = frame.map(lambda text: text.replace("\u00a0", " ").replace("\u2011", "-"))
    return {row[first_column]: row for row in plain.to_dict("records")}


def test_the_step_waits_for_its_expander_and_then_shows_the_first_layer_s_cell():
    at = open_app()
    assert_clean(at)
    box = at.selectbox(key="cell_layer")
    assert (box.options, box.value) == (["rnn"], "rnn")
    assert "cell_layer" not in at.query_params
    first_columns = [table.value.columns[0] for table in at.table]
    assert "weight" not in first_columns and "value" not in first_columns, "closed, the step is not computed"
    open_expander(at, "inside_cell_open")
    assert_clean(at)
    assert "cell_layer" not in at.query_params
    weights = table_rows(at, "weight")
    assert weights["kernel"]["shape"] == "(2, 16) = (features, 4 x units)"
    assert weights["bias"]["shape"] == "(16,) = (4 x units,)"
    values = table_rows(at, "value")
    assert values["f"]["shape"] == "(10, 4) = (batch, units)"
    assert values["f"]["equation"] == "f = sigmoid(x_t W_f + h_(t-1) U_f + b_f)"
    (answer,) = [text.value for text in at.markdown if "Units vs cells" in text.value]
    assert "one cell" in answer and "(10, 4) = (batch, units)" in answer


def test_a_link_opens_a_layer_s_cell_and_the_box_writes_it_back():
    at = open_app(topology="stacked", cell_layer="rnn_2", cell="GRU")
    assert_clean(at)
    assert at.selectbox(key="cell_layer").value == "rnn_2"
    assert at.query_params["cell_layer"] == "rnn_2"
    assert "cell_layer=rnn_2" in shown_links(at)[0]  # the link to copy says it too
    weights = table_rows(at, "weight")
    assert weights["kernel"]["shape"] == "(4, 12) = (units, 3 x units)"  # x_t is rnn_1's h_t
    assert weights["bias"]["shape"] == "(2, 12) = (2, 3 x units)"
    at.session_state["inside_cell_open"] = False  # closed, then another layer chosen: it opens again
    at.selectbox(key="cell_layer").set_value("rnn_1").run()
    assert_clean(at)
    assert table_rows(at, "weight")["kernel"]["shape"] == "(2, 12) = (features, 3 x units)"
    # The link to copy is what the box writes into the address bar (AppTest does not show that
    # write): the first layer is the default, so the link stays short.
    assert "cell_layer" not in shown_links(at)[0] and "cell=GRU" in shown_links(at)[0]


@pytest.mark.parametrize(
    ("written", "allowed"),
    [
        ("rnn_9", "but this picture's cells are in rnn_1, rnn_2."),
        ("[x](https://example.com)", "but it must be a layer's name: letters, digits, _."),
    ],
    ids=["absent", "hostile"],
)
def test_a_cell_layer_the_picture_lacks_is_refused_in_one_sentence(written, allowed):
    at = open_app(topology="stacked", cell_layer=written)
    assert_clean(at)
    assert [warning.value for warning in at.warning] == [
        f"The link's `'cell_layer'` was ignored: cell_layer is `{written!r}`, {allowed}"
    ]
    assert at.selectbox(key="cell_layer").value == "rnn_1"


def test_a_click_on_a_box_s_hover_point_names_that_box(traced):
    """Plotly reports a click on the invisible point at a box's centre: its index in the first trace
    must be the box's index in meta["boxes"], which the page reads to open the layer's cell."""
    from app.diagram import draw
    from app.ui.showing import clicked_box

    figure = draw(traced("stacked", seed_config("stacked")))
    boxes, points = figure.layout.meta["boxes"], figure.data[0]
    assert len(points.x) == len(boxes)
    for index, box in enumerate(boxes):
        assert box["x0"] <= points.x[index] <= box["x1"] and box["y0"] <= points.y[index] <= box["y1"]
    (state,) = [
        index
        for index, box in enumerate(boxes)
        if box["layer"] == "rnn_2" and box["step"] == 3 and box["role"] == "state"
    ]
    clicked = {"points": [{"curve_number": 0, "point_index": state, "x": points.x[state], "y": points.y[state]}]}
    assert clicked_box(clicked, boxes)["layer"] == "rnn_2"
    assert clicked_box({"points": [{"curve_number": 1, "point_index": 0}]}, boxes) is None  # a legend entry
    assert clicked_box({"points": []}, boxes) is None
