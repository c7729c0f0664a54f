"""The topologies that call their model several times: the order of the calls, their shapes,
where the state is reset, and what each one proves (feedback, continuation, windows, forecast).

Expected calls are derived here from each module's docstring, never from the module's helpers.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.helpers import DOCUMENTED_CELLS, OWN_PROTOCOL, SIZE_NAMES, VALUE_WIDTH, chunk_lengths, config_for, rows
from topologies import CATALOGUE, Config

EPOCHS = 5  # forecast_stateful trains for five epochs before forecasting


def expected_calls(topology_id: str, c: Config) -> list[tuple[str, list, list, bool]]:
    """(label, input shapes, output shapes, reset before) of every call, in order."""
    b, s, f, u = c.batch, c.steps, c.features, c.units
    if topology_id == "one_to_many_stateful":
        # One call per step; each output (batch, 1, units) is the next input (batch, 1, features).
        return [(f"step {k}", [(b, 1, f)], [(b, 1, u)], k == 1) for k in range(1, s + 1)]
    if topology_id == "stateful_batches":
        return [
            (f"batch {k}", [(b, n, f)], [(b, n, u)], k == 1) for k, n in enumerate(chunk_lengths(s, c.chunks), start=1)
        ]
    if topology_id == "forecast_stateful":
        # Prime on the whole known sequence; its last output is the forecast of step s + 1, which is
        # fed back as the input of the call labelled "step s + 1", and so on: horizon - 1 more calls.
        prime = [("prime", [(b, s, f)], [(b, s, f)], True)]
        return prime + [(f"step {t}", [(b, 1, f)], [(b, 1, f)], False) for t in range(s + 1, s + c.horizon)]
    if topology_id == "sliding_windows":
        # batch + steps values give `batch` windows, run as one batch of independent sequences.
        return [("windows", [(b, s, f)], [(b, f)], False)]
    pytest.fail(f"expected_calls does not know the topology {topology_id!r} yet")


CASES = [(tid, cell, size) for tid in OWN_PROTOCOL for cell in DOCUMENTED_CELLS for size in SIZE_NAMES]
CASE_IDS = [f"{tid}-{cell}-{size}" for tid, cell, size in CASES]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request, traced):
    topology_id, cell, size = request.param
    config = config_for(topology_id, size, cell)
    return topology_id, config, traced(topology_id, config)


# ----------------------------------------------------------------------------- which topologies


def test_the_topologies_with_a_protocol_of_their_own():
    assert {tid for tid, topology in CATALOGUE.items() if topology.has_protocol} == set(OWN_PROTOCOL)


SINGLE_CALL = [tid for tid in CATALOGUE if tid not in OWN_PROTOCOL]


@pytest.mark.parametrize("topology_id", SINGLE_CALL)
def test_single_call_topologies_run_once_without_resets(topology_id, traced):
    result = traced(topology_id, config_for(topology_id, "seed"))
    assert [call.label for call in result.calls] == ["run"]
    assert result.calls[0].reset_before is False
    assert result.reset_after is False
    assert all(layer.settings.get("stateful", False) is False for layer in result.layers)


# ----------------------------------------------------------------------------- every call


def test_calls_in_order_with_their_shapes_and_resets(case):
    topology_id, config, result = case
    expected = expected_calls(topology_id, config)
    actual = [
        (call.label, list(call.input_shapes), list(call.output_shapes), call.reset_before) for call in result.calls
    ]
    assert actual == expected
    # the sequences end: the state is cleared after the last call (independent windows keep none)
    assert result.reset_after is (topology_id != "sliding_windows")


def test_every_call_names_its_axes(case):
    topology_id, config, result = case
    output_axes = {
        "one_to_many_stateful": ("batch", "steps", "units"),
        "stateful_batches": ("batch", "steps", "units"),
        "forecast_stateful": ("batch", "steps", "features"),
        "sliding_windows": ("batch", "features"),
    }[topology_id]
    for call in result.calls:
        assert list(call.input_axes) == [("batch", "steps", "features")], call.label
        assert list(call.output_axes) == [output_axes], call.label


def test_every_call_records_every_layer(case):
    topology_id, config, result = case
    names = [layer.name for layer in result.layers]
    for call in result.calls:
        assert [item.layer for item in call.layers] == names, call.label
        # The model's output is the last layer's output.
        assert list(call.layers[-1].output_shapes) == list(call.output_shapes), call.label


def test_recurrent_state_is_recorded_for_every_step_of_every_call(case):
    topology_id, config, result = case
    for call in result.calls:
        steps_in_call = call.input_shapes[0][1]
        rnn = call.activity("rnn")
        h, y = rows(rnn.values["h"]), rows(rnn.values["y"])
        assert h.shape == (steps_in_call, min(config.units, VALUE_WIDTH)), call.label
        if topology_id == "sliding_windows":
            # Many to one: the output is the last state.
            np.testing.assert_allclose(h[-1], y, atol=1e-5, err_msg=call.label)
        else:
            np.testing.assert_allclose(h, y, atol=1e-5, err_msg=call.label)


def test_the_recurrent_layer_is_stateful_where_the_state_must_carry(case):
    topology_id, config, result = case
    carries = topology_id != "sliding_windows"  # windows are independent sequences: nothing to carry
    assert result.layer("rnn").settings["stateful"] is carries
    assert result.layer("rnn").code.endswith("stateful=True)") is carries


def test_to_dict_carries_every_call(case):
    topology_id, config, result = case
    data = json.loads(json.dumps(result.to_dict()))
    expected = expected_calls(topology_id, config)
    assert [
        (
            call["label"],
            [tuple(s) for s in call["input_shapes"]],
            [tuple(s) for s in call["output_shapes"]],
            call["reset_before"],
        )
        for call in data["calls"]
    ] == expected
    assert data["reset_after"] is (topology_id != "sliding_windows")


def test_each_call_records_whether_the_last_calls_output_was_fed_back_in(case):
    """The rule: one_to_many_stateful feeds each step's output in as the next step's input, and the
    forecast each forecast after the prime; pieces of data (batches, windows, the known series)
    are no feedback. The record names the call whose output came back, in to_dict too."""
    topology_id, config, result = case
    labels = [call.label for call in result.calls]
    feeds_back = topology_id in ("one_to_many_stateful", "forecast_stateful")
    expected = [None] + [labels[index - 1] if feeds_back else None for index in range(1, len(labels))]
    assert [call.fed_back_from for call in result.calls] == expected
    assert [call["fed_back_from"] for call in json.loads(json.dumps(result.to_dict()))["calls"]] == expected


# ----------------------------------------------------------------------------- one_to_many_stateful


FEEDBACK_CASES = [(cell, size) for cell in DOCUMENTED_CELLS for size in ("seed", "odd")]


@pytest.mark.parametrize("cell, size", FEEDBACK_CASES, ids=[f"{cell}-{size}" for cell, size in FEEDBACK_CASES])
def test_one_to_many_stateful_feeds_each_output_back_as_the_next_input(cell, size, traced):
    config = config_for("one_to_many_stateful", size, cell)
    calls = traced("one_to_many_stateful", config).calls
    assert len(calls) == config.steps >= 2
    for before, after in zip(calls, calls[1:]):
        np.testing.assert_allclose(
            rows(after.activity("rnn").values["x"]),
            rows(before.activity("rnn").values["y"]),
            atol=1e-6,
            err_msg=f"{before.label} -> {after.label}",
        )


# ----------------------------------------------------------------------------- stateful_batches


SPLIT_CASES = [
    # (cell, config changes, expected piece lengths)
    ("LSTM", dict(size="seed"), [2, 3]),
    ("GRU", dict(size="seed"), [2, 3]),
    ("SimpleRNN", dict(size="seed"), [2, 3]),
    ("LSTM", dict(size="odd"), [2, 2, 3]),
    ("GRU", dict(size="odd"), [2, 2, 3]),
    ("SimpleRNN", dict(size="odd"), [2, 2, 3]),
    ("LSTM", dict(size="tiny"), [1]),
    ("GRU", dict(size="seed", steps=10, chunks=4), [2, 2, 3, 3]),
    ("SimpleRNN", dict(size="seed", steps=4, chunks=4), [1, 1, 1, 1]),
    # Long enough that the engine compiles its runs: the same numbers must come out.
    ("LSTM", dict(size="odd", steps=40, chunks=3), [13, 13, 14]),
]


@pytest.mark.parametrize(
    "cell, changes, lengths",
    SPLIT_CASES,
    ids=[f"{cell}-{'-'.join(f'{k}{v}' for k, v in changes.items())}" for cell, changes, _ in SPLIT_CASES],
)
def test_stateful_batches_pieces_continue_the_whole_sequence(cell, changes, lengths, traced):
    changes = dict(changes)
    config = config_for("stateful_batches", changes.pop("size"), cell, **changes)
    result = traced("stateful_batches", config)
    assert [call.input_shapes[0][1] for call in result.calls] == lengths
    assert sum(lengths) == config.steps
    # Fed piece by piece, a stateful layer gives what a stateless twin gives on the whole sequence.
    difference = result.facts.stateful_vs_whole_max_abs_diff
    assert isinstance(difference, float) and 0 <= difference < 1e-5
    assert result.to_dict()["stateful_vs_whole_max_abs_diff"] == difference


# ----------------------------------------------------------------------------- forecast_stateful


FORECAST_CASES = [(cell, size) for cell in DOCUMENTED_CELLS for size in SIZE_NAMES]


@pytest.mark.parametrize("cell, size", FORECAST_CASES, ids=[f"{cell}-{size}" for cell, size in FORECAST_CASES])
def test_forecast_reports_training_and_horizon(cell, size, traced):
    config = config_for("forecast_stateful", size, cell)
    result = traced("forecast_stateful", config)
    losses = result.facts.training_loss
    assert len(losses) == EPOCHS and all(isinstance(x, float) and math.isfinite(x) for x in losses)
    forecast = rows(result.facts.forecast_sample_0)
    assert forecast.shape == (config.horizon, config.features)
    assert np.all(np.isfinite(forecast))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["training_loss"] == losses
    assert data["forecast_sample_0"] == result.facts.forecast_sample_0


@pytest.mark.parametrize("cell, size", FORECAST_CASES, ids=[f"{cell}-{size}" for cell, size in FORECAST_CASES])
def test_forecast_feeds_each_prediction_back(cell, size, traced):
    config = config_for("forecast_stateful", size, cell)
    result = traced("forecast_stateful", config)
    forecast = rows(result.facts.forecast_sample_0)
    prime, *steps = result.calls
    # The last output of the prime call is the first forecast step.
    np.testing.assert_allclose(rows(prime.activity("to_features").values["y"])[-1], forecast[0], atol=1e-6)
    assert len(steps) == config.horizon - 1
    for k, call in enumerate(steps, start=1):
        # Its input is the previous forecast, its output the next one.
        np.testing.assert_allclose(rows(call.activity("rnn").values["x"]), forecast[k - 1 : k], atol=1e-6)
        np.testing.assert_allclose(rows(call.activity("to_features").values["y"]), forecast[k : k + 1], atol=1e-6)


@pytest.mark.slow  # 40 steps trained and forecast: about 8 s
def test_forecast_over_a_long_sequence(traced):
    config = config_for("forecast_stateful", "odd", steps=40)
    result = traced("forecast_stateful", config)
    assert [call.label for call in result.calls] == ["prime", "step 41", "step 42", "step 43"]
    assert rows(result.facts.forecast_sample_0).shape == (4, 5)
    assert rows(result.calls[0].activity("rnn").values["h"]).shape == (40, 6)


# ----------------------------------------------------------------------------- sliding_windows


WINDOW_CASES = [(cell, size) for cell in DOCUMENTED_CELLS for size in SIZE_NAMES]


@pytest.mark.parametrize("cell, size", WINDOW_CASES, ids=[f"{cell}-{size}" for cell, size in WINDOW_CASES])
def test_sliding_windows_shape_of_the_cut_series(cell, size, traced):
    config = config_for("sliding_windows", size, cell)
    result = traced("sliding_windows", config)
    # batch + steps values cut into windows of `steps`: batch windows, each with the value after it.
    assert result.facts.windows_shape == [config.batch, config.steps, config.features]
    assert result.facts.targets_shape == [config.batch, config.features]
    data = result.to_dict()
    assert data["windows_shape"] == result.facts.windows_shape
    assert data["targets_shape"] == result.facts.targets_shape


@pytest.mark.parametrize("cell", DOCUMENTED_CELLS)
def test_the_seeds_stateful_recipe_drifts_from_independent_windows(cell):
    """Fed one window at a time to a stateful twin with the same weights, without a reset, window 1
    comes out as in the batch and every later one does not: its state already read the steps it
    reads again."""
    from topologies import trace

    config = config_for("sliding_windows", "seed", cell)
    result = trace("sliding_windows", config, stateful_recipe=True)
    differences = result.facts.stateful_recipe_max_abs_diff
    assert len(differences) == config.batch  # one per window
    assert differences[0] < 1e-5
    assert min(differences[1:]) > 1e-4
    assert traced_without_recipe_has_no_difference(config)


def traced_without_recipe_has_no_difference(config) -> bool:
    from topologies import trace

    return trace("sliding_windows", config).facts.stateful_recipe_max_abs_diff is None


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_sliding_windows_runs_every_window_as_one_batch(batch, traced):
    config = config_for("sliding_windows", "seed", batch=batch)
    result = traced("sliding_windows", config)
    assert [call.label for call in result.calls] == ["windows"]
    assert result.calls[0].input_shapes == ((batch, config.steps, config.features),)
    assert result.calls[0].output_shapes == ((batch, config.features),)
    assert result.facts.windows_shape == [batch, config.steps, config.features]


def test_sliding_windows_over_a_long_sequence(traced):
    config = config_for("sliding_windows", "odd", steps=40)
    result = traced("sliding_windows", config)
    for call in result.calls:
        rnn = call.activity("rnn")
        h, y = rows(rnn.values["h"]), rows(rnn.values["y"])
        assert h.shape == (40, 6)
        np.testing.assert_allclose(h[-1], y, atol=1e-5, err_msg=call.label)
