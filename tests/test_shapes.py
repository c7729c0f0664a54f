"""Every topology x every cell x three sizes: the shapes, axis names, weight counts and recorded
values of a real trace, against what each topology's docstring says they must be.

Every expectation is derived here from the documented behaviour (EXPECTED, one small function per
topology, and expected_params) or from the restated rules in tests/helpers.py, never from the
engine's own helpers. A topology added to CATALOGUE is picked up by the parametrisation and fails
until EXPECTED knows it.
"""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

from tests.helpers import (
    DOCUMENTED_CELLS,
    FEEDBACK,
    OWN_PROTOCOL,
    SIZE_NAMES,
    VALUE_WIDTH,
    chunk_lengths,
    config_for,
    recurrent_weights,
    rows,
)
from tests.syllabus import DOCUMENTED_IDS
from topologies import CATALOGUE, Config

# Axis names.
BSF = ("batch", "steps", "features")
BSU = ("batch", "steps", "units")
BU = ("batch", "units")
BF = ("batch", "features")


CASES = [(tid, cell, size) for tid in CATALOGUE for cell in DOCUMENTED_CELLS for size in SIZE_NAMES]
CASE_IDS = [f"{tid}-{cell}-{size}" for tid, cell, size in CASES]


# ----------------------------------------------------------------------------- expectations


@dataclasses.dataclass
class LayerExpectation:
    kind: str
    inputs: list[tuple]  # input shapes in the first call
    outputs: list[tuple]  # output shapes in the first call
    axes: list[tuple]  # names of the output axes
    parent: str | None = None
    return_sequences: bool | None = None  # recurrent and bidirectional layers only
    return_state: bool = False  # hands on its states after its output (return_state=True, or a cell)
    stateful: bool = False
    calls: int = 1  # how many times the graph calls it in one run (a cell: once per step)


@dataclasses.dataclass
class Expected:
    inputs: list[tuple]
    input_axes: list[tuple]
    outputs: list[tuple]
    output_axes: list[tuple]
    layers: dict[str, LayerExpectation]  # in the order the model holds them, nested included


def recurrent(inputs, outputs, axes, *, sequences, parent=None, state=False, stateful=False) -> LayerExpectation:
    return LayerExpectation("recurrent", inputs, outputs, axes, parent, sequences, state, stateful)


# One function per topology: the shapes and axis names of its first call, from its documented behaviour.


def expect_many_to_many(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    layers = {"rnn": recurrent([(b, s, f)], [(b, s, u)], [BSU], sequences=True)}
    return Expected([(b, s, f)], [BSF], [(b, s, u)], [BSU], layers)


def expect_many_to_one(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    layers = {"rnn": recurrent([(b, s, f)], [(b, u)], [BU], sequences=False)}
    return Expected([(b, s, f)], [BSF], [(b, u)], [BU], layers)


def expect_one_to_many_repeat(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    layers = {
        "repeat": LayerExpectation("repeat", [(b, f)], [(b, s, f)], [BSF]),
        "rnn": recurrent([(b, s, f)], [(b, s, u)], [BSU], sequences=True),
    }
    return Expected([(b, f)], [BF], [(b, s, u)], [BSU], layers)


def expect_one_to_many_stateful(c: Config) -> Expected:
    b, f, u = c.batch, c.features, c.units
    # First call: step 1, a single step.
    layers = {"rnn": recurrent([(b, 1, f)], [(b, 1, u)], [BSU], sequences=True, stateful=True)}
    return Expected([(b, 1, f)], [BSF], [(b, 1, u)], [BSU], layers)


def expect_stateful_batches(c: Config) -> Expected:
    b, f, u = c.batch, c.features, c.units
    first = chunk_lengths(c.steps, c.chunks)[0]  # first call: the first piece of each sequence
    layers = {"rnn": recurrent([(b, first, f)], [(b, first, u)], [BSU], sequences=True, stateful=True)}
    return Expected([(b, first, f)], [BSF], [(b, first, u)], [BSU], layers)


def expect_forecast_stateful(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    # First call: "prime" reads the whole known sequence.
    layers = {
        "rnn": recurrent([(b, s, f)], [(b, s, u)], [BSU], sequences=True, stateful=True),
        "to_features": LayerExpectation("dense", [(b, s, u)], [(b, s, f)], [BSF]),
    }
    return Expected([(b, s, f)], [BSF], [(b, s, f)], [BSF], layers)


def expect_sliding_windows(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    # batch + steps values cut into `batch` windows of `steps`: one batch of independent sequences.
    layers = {
        "rnn": recurrent([(b, s, f)], [(b, u)], [BU], sequences=False),
        "to_features": LayerExpectation("dense", [(b, u)], [(b, f)], [BF]),
    }
    return Expected([(b, s, f)], [BSF], [(b, f)], [BF], layers)


def expect_stacked(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    layers = {}
    width = f
    for level in range(1, c.depth + 1):
        last = level == c.depth
        out, axes = ((b, u), BU) if last else ((b, s, u), BSU)
        layers[f"rnn_{level}"] = recurrent([(b, s, width)], [out], [axes], sequences=not last)
        width = u
    return Expected([(b, s, f)], [BSF], [(b, u)], [BU], layers)


def expect_autoencoder(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    layers = {"encoder": LayerExpectation("model", [(b, s, f)], [(b, u)], [BU])}
    width = f
    for level in range(1, c.depth):
        layers[f"encode_{level}"] = recurrent([(b, s, width)], [(b, s, u)], [BSU], sequences=True, parent="encoder")
        width = u
    layers["encode_last"] = recurrent([(b, s, width)], [(b, u)], [BU], sequences=False, parent="encoder")
    layers["decoder"] = LayerExpectation("model", [(b, u)], [(b, s, f)], [BSF])
    layers["repeat"] = LayerExpectation("repeat", [(b, u)], [(b, s, u)], [BSU], parent="decoder")
    for level in range(1, c.depth):
        layers[f"decode_{level}"] = recurrent([(b, s, u)], [(b, s, u)], [BSU], sequences=True, parent="decoder")
    layers["decode_to_features"] = recurrent([(b, s, u)], [(b, s, f)], [BSF], sequences=True, parent="decoder")
    return Expected([(b, s, f)], [BSF], [(b, s, f)], [BSF], layers)


def expect_time_distributed(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    bsd = ("batch", "steps", "dense")
    layers = {
        "rnn": recurrent([(b, s, f)], [(b, s, u)], [BSU], sequences=True),
        "per_step": LayerExpectation("time_distributed", [(b, s, u)], [(b, s, c.dense)], [bsd]),
    }
    return Expected([(b, s, f)], [BSF], [(b, s, c.dense)], [bsd], layers)


def expect_text_generator(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    bsv = ("batch", "steps", "vocab")
    layers = {
        "embedding": LayerExpectation("embedding", [(b, s)], [(b, s, f)], [BSF]),
        "rnn_1": recurrent([(b, s, f)], [(b, s, u)], [BSU], sequences=True),
        "rnn_2": recurrent([(b, s, u)], [(b, s, u)], [BSU], sequences=True),
        "to_vocab": LayerExpectation("time_distributed", [(b, s, u)], [(b, s, c.vocab)], [bsv]),
        "softmax": LayerExpectation("activation", [(b, s, c.vocab)], [(b, s, c.vocab)], [bsv]),
    }
    return Expected([(b, s)], [("batch", "steps")], [(b, s, c.vocab)], [bsv], layers)


def expect_return_state(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    states = 2 if c.cell == "LSTM" else 1  # h and c for an LSTM, h alone otherwise
    outputs = [(b, s, u)] + [(b, u)] * states
    axes = [BSU] + [BU] * states
    layers = {"rnn": recurrent([(b, s, f)], outputs, axes, sequences=True, state=True)}
    return Expected([(b, s, f)], [BSF], outputs, axes, layers)


def expect_bidirectional(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    both = ("batch", "steps", "2 x units")
    layers = {
        "bidirectional": LayerExpectation("bidirectional", [(b, s, f)], [(b, s, 2 * u)], [both], return_sequences=True)
    }
    return Expected([(b, s, f)], [BSF], [(b, s, 2 * u)], [both], layers)


def expect_seq2seq(c: Config) -> Expected:
    b, s, f, u, target = c.batch, c.steps, c.features, c.units, c.target_steps
    states = 2 if c.cell == "LSTM" else 1  # h and c for an LSTM, h alone otherwise
    layers = {
        # The encoder hands on its last output and its final states, all (batch, units).
        "encoder": recurrent([(b, s, f)], [(b, u)] * (1 + states), [BU] * (1 + states), sequences=False, state=True),
        # The decoder reads the shifted target and is handed those states: they are inputs of its call.
        "decoder": recurrent([(b, target, f)] + [(b, u)] * states, [(b, target, u)], [BSU], sequences=True),
        "to_features": LayerExpectation("dense", [(b, target, u)], [(b, target, f)], [BSF]),
    }
    return Expected([(b, s, f), (b, target, f)], [BSF, BSF], [(b, target, f)], [BSF], layers)


def expect_cell_loop(c: Config) -> Expected:
    b, s, f, u = c.batch, c.steps, c.features, c.units
    states = 2 if c.cell == "LSTM" else 1
    # First call: the one input vector in (the zero state is a constant, not an input); out come
    # the output and the states, one step each.
    cell = LayerExpectation("cell", [(b, f)], [(b, u)] * (1 + states), [BU] * (1 + states), return_state=True, calls=s)
    layers = {
        "cell": cell,
        "join": LayerExpectation("join", [(b, u)] * s, [(b, s * u)], [("batch", f"{s} x units")]),
        "to_steps": LayerExpectation("reshape", [(b, s * u)], [(b, s, u)], [BSU]),
    }
    return Expected([(b, f)], [BF], [(b, s, u)], [BSU], layers)


EXPECTED = {
    "many_to_many": expect_many_to_many,
    "many_to_one": expect_many_to_one,
    "one_to_many_repeat": expect_one_to_many_repeat,
    "one_to_many_stateful": expect_one_to_many_stateful,
    "stateful_batches": expect_stateful_batches,
    "forecast_stateful": expect_forecast_stateful,
    "sliding_windows": expect_sliding_windows,
    "stacked": expect_stacked,
    "autoencoder": expect_autoencoder,
    "time_distributed": expect_time_distributed,
    "text_generator": expect_text_generator,
    "return_state": expect_return_state,
    "bidirectional": expect_bidirectional,
    "seq2seq": expect_seq2seq,
    "cell_loop": expect_cell_loop,
}


def expected_shapes(topology_id: str, config: Config) -> Expected:
    """Shapes and axis names of the first call of `topology_id`, from its documented behaviour."""
    if topology_id not in EXPECTED:
        pytest.fail(f"EXPECTED does not know the topology {topology_id!r} yet")
    return EXPECTED[topology_id](config)


def dense_weights(units: int, inputs: int) -> int:
    return units * (inputs + 1)


def expected_params(topology_id: str, c: Config) -> dict[str, int]:
    """Weights of every layer (nested ones included) from the textbook formulas."""
    f, u, cell = c.features, c.units, c.cell
    if topology_id in ("many_to_many", "many_to_one", "one_to_many_stateful", "stateful_batches", "return_state"):
        return {"rnn": recurrent_weights(cell, u, f)}
    if topology_id == "one_to_many_repeat":
        return {"repeat": 0, "rnn": recurrent_weights(cell, u, f)}
    if topology_id in ("forecast_stateful", "sliding_windows"):
        return {"rnn": recurrent_weights(cell, u, f), "to_features": dense_weights(f, u)}
    if topology_id == "stacked":
        return {f"rnn_{level}": recurrent_weights(cell, u, f if level == 1 else u) for level in range(1, c.depth + 1)}
    if topology_id == "autoencoder":
        encoder = {f"encode_{level}": recurrent_weights(cell, u, f if level == 1 else u) for level in range(1, c.depth)}
        encoder["encode_last"] = recurrent_weights(cell, u, f if c.depth == 1 else u)
        decoder = {"repeat": 0}
        decoder.update({f"decode_{level}": recurrent_weights(cell, u, u) for level in range(1, c.depth)})
        decoder["decode_to_features"] = recurrent_weights(cell, f, u)  # features units, fed units
        return {"encoder": sum(encoder.values()), **encoder, "decoder": sum(decoder.values()), **decoder}
    if topology_id == "time_distributed":
        return {"rnn": recurrent_weights(cell, u, f), "per_step": dense_weights(c.dense, u)}
    if topology_id == "text_generator":
        return {
            "embedding": c.vocab * f,
            "rnn_1": recurrent_weights(cell, u, f),
            "rnn_2": recurrent_weights(cell, u, u),
            "to_vocab": dense_weights(c.vocab, u),
            "softmax": 0,
        }
    if topology_id == "bidirectional":
        return {"bidirectional": 2 * recurrent_weights(cell, u, f)}
    if topology_id == "seq2seq":  # both read features numbers per step; the Dense brings units back to features
        return {"encoder": recurrent_weights(cell, u, f), "decoder": recurrent_weights(cell, u, f)} | {
            "to_features": dense_weights(f, u)
        }
    if topology_id == "cell_loop":  # one cell's weights, however many calls
        return {"cell": recurrent_weights(cell, u, f), "join": 0, "to_steps": 0}
    pytest.fail(f"expected_params does not know the topology {topology_id!r} yet")


def expected_total_params(topology_id: str, c: Config) -> int:
    nested = {"encode_", "decode_", "repeat"} if topology_id == "autoencoder" else set()
    return sum(
        count
        for name, count in expected_params(topology_id, c).items()
        if not any(name.startswith(prefix) for prefix in nested)
    )


# ----------------------------------------------------------------------------- the catalogue


def test_catalogue_holds_the_documented_topologies_in_teaching_order():
    assert list(CATALOGUE)[: len(DOCUMENTED_IDS)] == DOCUMENTED_IDS


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_catalogue_entry_is_complete(topology_id):
    topology = CATALOGUE[topology_id]
    assert topology.id == topology_id
    assert callable(topology.module.build)
    assert topology.summary.strip() and "\n" not in topology.summary
    assert topology.concept and topology.concept.strip()
    assert topology.has_protocol == (topology_id in OWN_PROTOCOL)


# ----------------------------------------------------------------------------- per trace


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request, traced):
    topology_id, cell, size = request.param
    config = config_for(topology_id, size, cell)
    return topology_id, config, traced(topology_id, config)


def test_model_input_and_output_shapes(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    assert list(result.input_shapes) == expected.inputs
    assert list(result.output_shapes) == expected.outputs


def test_model_input_and_output_axes(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    assert list(result.calls[0].input_axes) == expected.input_axes
    assert list(result.calls[0].output_axes) == expected.output_axes
    for shape, axes in zip(result.output_shapes, result.calls[0].output_axes):
        assert len(shape) == len(axes)


def test_layers_are_the_documented_ones(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    assert [layer.name for layer in result.layers] == list(expected.layers)
    called = [name for name, want in expected.layers.items() for _ in range(want.calls)]
    assert [item.layer for item in result.calls[0].layers] == called
    for layer in result.layers:
        want = expected.layers[layer.name]
        assert (layer.kind, layer.parent) == (want.kind, want.parent), layer.name
        if want.kind == "recurrent":
            assert layer.class_name == config.cell


def test_every_layer_shape_and_axes(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    for name, want in expected.layers.items():
        activity = result.calls[0].activity(name)
        assert list(activity.input_shapes) == want.inputs, name
        assert list(activity.output_shapes) == want.outputs, name
        assert list(activity.output_axes) == want.axes, name
        assert [len(axes) for axes in activity.input_axes] == [len(shape) for shape in want.inputs], name


def test_recurrent_settings(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    checked = 0
    for layer in result.layers:
        want = expected.layers[layer.name]
        if want.kind not in ("recurrent", "bidirectional", "cell"):
            continue
        units = want.outputs[0][-1] // (2 if want.kind == "bidirectional" else 1)
        assert layer.settings["cell"] == config.cell
        assert layer.settings["units"] == units
        if want.kind == "cell":  # a cell has no loop of its own, so none of the loop's settings
            checked += 1
            continue
        assert layer.settings["return_sequences"] is want.return_sequences, layer.name
        assert layer.settings["return_state"] is want.return_state, layer.name
        assert layer.settings["stateful"] is want.stateful, layer.name
        checked += 1
    assert checked >= 1  # every topology has a recurrent layer


def test_output_roles(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    for activity in result.calls[0].layers:
        if expected.layers[activity.layer].return_state:  # h, and c for an LSTM, after the output
            roles = ("y", "h", "c") if config.cell == "LSTM" else ("y", "h")
        else:
            roles = ("y",) * len(activity.output_shapes)
        assert activity.output_roles == roles, activity.layer


def test_params_of_every_layer(case):
    topology_id, config, result = case
    assert {layer.name: layer.params for layer in result.layers} == expected_params(topology_id, config)


def test_total_params(case):
    topology_id, config, result = case
    assert result.params == expected_total_params(topology_id, config)
    assert result.to_dict()["params"] == result.params


def test_formula_arrives_at_the_param_count(case):
    topology_id, config, result = case
    expected = expected_params(topology_id, config)
    for layer in result.layers:
        numbers = re.findall(r"= (\d+)", layer.formula)
        assert numbers, layer.formula
        assert int(numbers[-1]) == expected[layer.name], layer.formula


def first_call_values(case):
    """(name, expectation, recorded values of sample 0) of every layer in the first call."""
    topology_id, config, result = case
    for name, want in expected_shapes(topology_id, config).layers.items():
        yield name, want, result.calls[0].activity(name).values


def test_recurrent_values_hold_one_row_per_step(case):
    """values["h"]: h_t of sample 0 at every step the layer read, cut to 8 numbers."""
    checked = 0
    for name, want, values in first_call_values(case):
        steps_read = want.inputs[0][1] if want.kind in ("recurrent", "bidirectional") else None
        if want.kind == "cell":  # one step: the state it hands to its next call
            assert np.shape(values["h_final"]) == (min(want.outputs[0][-1], VALUE_WIDTH),), name
            checked += 1
            continue
        if want.kind == "recurrent":
            states = [values["h"]]
            units = want.outputs[0][-1]
        elif want.kind == "bidirectional":  # one state per direction
            states = [values["h_forward"], values["h_backward"]]
            units = want.outputs[0][-1] // 2
        else:
            assert not {"h", "c", "h_forward", "h_backward"} & set(values), name
            continue
        for state in states:
            assert np.shape(state) == (steps_read, min(units, VALUE_WIDTH)), name
            assert np.all(np.isfinite(state)), name
        checked += 1
    assert checked >= 1  # every topology has a recurrent layer


def test_recurrent_output_is_its_state(case):
    """With return_sequences the output at step t is h_t; without it the output is the last h_t."""
    checked = 0
    for name, want, values in first_call_values(case):
        if want.kind == "bidirectional":  # y is [forward | backward]: its first numbers are forward's
            forward, y = rows(values["h_forward"]), rows(values["y"])
            np.testing.assert_allclose(forward, y[:, : forward.shape[1]], atol=1e-5, err_msg=name)
            checked += 1
        if want.kind == "cell":  # a cell's output is the h it hands to its next call
            np.testing.assert_allclose(rows(values["h_final"]), rows(values["y"]), atol=1e-5, err_msg=name)
            checked += 1
        if want.kind != "recurrent":
            continue
        h, y = rows(values["h"]), rows(values["y"])
        if want.return_sequences:
            np.testing.assert_allclose(h, y, atol=1e-5, err_msg=name)
        else:
            assert y.shape == (min(want.outputs[0][-1], VALUE_WIDTH),), name
            np.testing.assert_allclose(h[-1], y, atol=1e-5, err_msg=name)
        checked += 1
    assert checked >= 1  # every topology has a recurrent layer


def test_input_values_are_sample_zero_of_the_model_input(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    first = result.calls[0].layers[0]
    # Sample 0 of the model input, each vector cut to its first 8 numbers.
    *outer, last = expected.inputs[0][1:]
    assert np.shape(first.values["x"]) == (*outer, min(last, VALUE_WIDTH))
    if topology_id == "text_generator":  # token ids
        assert all(float(token).is_integer() and 0 <= token < config.vocab for token in first.values["x"])


BIDIRECTIONAL_CASES = [(cell, size) for cell in DOCUMENTED_CELLS for size in SIZE_NAMES]


@pytest.mark.parametrize(
    "cell, size", BIDIRECTIONAL_CASES, ids=[f"{cell}-{size}" for cell, size in BIDIRECTIONAL_CASES]
)
def test_bidirectional_output_is_forward_then_backward(cell, size, traced):
    config = config_for("bidirectional", size, cell)
    values = traced("bidirectional", config).calls[0].activity("bidirectional").values
    u, width = config.units, min(config.units, VALUE_WIDTH)
    forward, backward, y = (rows(values[key]) for key in ("h_forward", "h_backward", "y"))
    assert forward.shape == backward.shape == (config.steps, width)
    assert y.shape == (config.steps, min(2 * u, VALUE_WIDTH))
    # merge_mode="concat": each step's output is [forward | backward], cut to 8 numbers.
    np.testing.assert_allclose(forward, y[:, :width], atol=1e-6)
    # The backward half starts at number u; as much of it as fits in the 8 kept numbers.
    shown = min(u, VALUE_WIDTH - u)
    assert shown >= 1  # true of every size used here (units 1, 4, 6)
    np.testing.assert_allclose(backward[:, :shown], y[:, u : u + shown], atol=1e-6)


@pytest.mark.parametrize("size", SIZE_NAMES)
def test_lstm_return_state_records_the_cell_state(size, traced):
    config = config_for("return_state", size, "LSTM")
    values = traced("return_state", config).calls[0].activity("rnn").values
    assert np.shape(values["c_final"]) == (min(config.units, VALUE_WIDTH),)
    assert np.all(np.isfinite(values["c_final"]))
    # The returned h is the state after the last step: the last row of h_t.
    np.testing.assert_allclose(values["h_final"], values["h"][-1], atol=1e-6)


def test_to_dict_is_json_with_the_same_shapes(case):
    topology_id, config, result = case
    expected = expected_shapes(topology_id, config)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["topology"] == topology_id
    assert data["config"] == dataclasses.asdict(config)
    assert data["input_shapes"] == [list(shape) for shape in expected.inputs]
    assert data["output_shapes"] == [list(shape) for shape in expected.outputs]
    assert data["output_axes"] == [list(axes) for axes in expected.output_axes]
    assert [layer["name"] for layer in data["layers"]] == list(expected.layers)
    for layer in data["layers"]:
        assert layer["output_shapes"] == [list(shape) for shape in expected.layers[layer["name"]].outputs]
    assert [call["label"] for call in data["calls"]] == [call.label for call in result.calls]


# ----------------------------------------------------------------------------- any_length


ANY_LENGTH_CASES = [
    (tid, cell) for tid in CATALOGUE if "any_length" in CATALOGUE[tid].extras for cell in DOCUMENTED_CELLS
]


@pytest.mark.parametrize("topology_id, cell", ANY_LENGTH_CASES, ids=[f"{tid}-{cell}" for tid, cell in ANY_LENGTH_CASES])
def test_any_length_gives_the_same_shapes_and_params(topology_id, cell, traced):
    config = dataclasses.replace(config_for(topology_id, "seed", cell), any_length=True)
    result = traced(topology_id, config)
    expected = expected_shapes(topology_id, config)
    assert list(result.input_shapes) == expected.inputs
    assert list(result.output_shapes) == expected.outputs
    for name, want in expected.layers.items():
        assert list(result.calls[0].activity(name).output_shapes) == want.outputs, name
    assert {layer.name: layer.params for layer in result.layers} == expected_params(topology_id, config)


# ----------------------------------------------------------------------------- wide vectors


@pytest.mark.parametrize("topology_id", list(CATALOGUE))
def test_values_are_cut_to_eight_numbers_per_vector(topology_id, traced):
    features = 10 if topology_id in FEEDBACK else 9
    config = Config(batch=2, steps=3, features=features, units=10)
    result = traced(topology_id, config)
    expected = expected_shapes(topology_id, config)
    for name, want in expected.layers.items():
        values = result.calls[0].activity(name).values
        for key, numbers in values.items():
            assert np.shape(numbers)[-1] <= VALUE_WIDTH, (name, key)
        if want.kind == "recurrent":
            assert np.shape(values["h"]) == (want.inputs[0][1], min(want.outputs[0][-1], VALUE_WIDTH)), name
    first_x = np.array(result.calls[0].layers[0].values["x"])
    if topology_id not in ("text_generator",):
        assert first_x.shape[-1] == VALUE_WIDTH  # 9 or 10 features, 8 kept


# ----------------------------------------------------------------------------- the expectations themselves


def test_the_expectation_table_covers_the_catalogue():
    """A topology added to CATALOGUE needs its own entry in EXPECTED, in teaching order."""
    assert list(EXPECTED) == list(CATALOGUE)


@pytest.mark.parametrize(
    "steps, chunks, lengths",
    [(5, 2, [2, 3]), (7, 3, [2, 2, 3]), (10, 4, [2, 2, 3, 3]), (4, 4, [1, 1, 1, 1]), (6, 1, [6]), (1, 1, [1])],
)
def test_chunk_lengths_rule(steps, chunks, lengths):
    assert chunk_lengths(steps, chunks) == lengths


def test_textbook_counts_of_the_worked_examples():
    # The docstrings' examples and the CLI's: LSTM(4) on 2 features, LSTM(4) on 8 features.
    assert recurrent_weights("LSTM", 4, 2) == 112
    assert recurrent_weights("LSTM", 4, 8) == 208
    assert recurrent_weights("GRU", 4, 2) == 96
    assert recurrent_weights("SimpleRNN", 4, 2) == 28


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_each_direction_measured_joins_into_the_bidirectional_output(merge_mode, traced):
    """The forward and backward h_t recorded for the picture are the ones the layer joins: with
    units 4 (all 8 numbers kept), their join by merge_mode is the layer's own output y_t."""
    activity = traced("bidirectional", config_for("bidirectional", "seed", merge_mode=merge_mode)).calls[0]
    values = activity.activity("bidirectional").values
    forward, backward, joined = rows(values["h_forward"]), rows(values["h_backward"]), rows(values["y"])
    want = {
        "concat": np.concatenate([forward, backward], axis=-1),
        "sum": forward + backward,
        "mul": forward * backward,
        "ave": (forward + backward) / 2,
    }[merge_mode]
    np.testing.assert_allclose(joined, want, atol=2e-4)  # sample 0's numbers are kept to 4 decimals
