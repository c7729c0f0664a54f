"""Config, parse_config and the per-topology checks: every bad value is one ConfigError that
names the field and the value, and every allowed value is accepted.

Nothing here builds a model, except the few trace() calls that must fail before building one.
The limits below are the documented ones, written out here rather than read from the code.
"""

import dataclasses
import re

import pytest

from tests.helpers import DOCUMENTED_CELLS
from tests.syllabus import DOCUMENTED_LIMITS
from topologies import CATALOGUE, CELLS, LIMITS, Config, ConfigError, parse_config, trace

# The fields that make a Config, in order, with the seed's values as defaults.
SEED_DEFAULTS = {
    "batch": 10,
    "steps": 5,
    "features": 2,
    "units": 4,
    "cell": "LSTM",
    "depth": 2,
    "vocab": 50,
    "dense": 3,
    "chunks": 2,
    "horizon": 3,
    "target_steps": 3,  # seq2seq: 5 hours read, 3 written
    "any_length": False,
    "merge_mode": "concat",
}


def raises_config_error(make, *fragments):
    """`make()` raises ConfigError, a ValueError, whose one-line message holds every fragment."""
    with pytest.raises(ConfigError) as caught:
        make()
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    return message


def valid_with(name, value):
    """A Config that is valid apart from `name`: fields that limit each other are kept apart."""
    return {name: value}


# ----------------------------------------------------------------------------- the defaults


def test_defaults_are_the_seed_sizes():
    assert Config().to_dict() == SEED_DEFAULTS


def test_fields_are_exactly_the_documented_ones():
    assert [field.name for field in dataclasses.fields(Config)] == list(SEED_DEFAULTS)


def test_limits_are_the_documented_ones():
    assert LIMITS == DOCUMENTED_LIMITS


def test_cells_are_the_three_keras_cells():
    assert tuple(CELLS) == DOCUMENTED_CELLS


def test_config_is_frozen():
    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.batch = 3  # type: ignore[misc]


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


# ----------------------------------------------------------------------------- whole numbers


@pytest.mark.parametrize(
    "name, value",
    [(name, bound) for name, (low, high) in DOCUMENTED_LIMITS.items() for bound in (low, high)],
    ids=lambda item: str(item),
)
def test_every_bound_of_every_limit_is_accepted(name, value):
    config = Config(**valid_with(name, value))
    assert getattr(config, name) == value


@pytest.mark.parametrize(
    "name, value",
    [
        (name, value)
        for name, (low, high) in DOCUMENTED_LIMITS.items()
        for value in sorted({0, -1, low - 1, high + 1})
        if not low <= value <= high
    ],
    ids=lambda item: str(item),
)
def test_out_of_range_whole_number_is_rejected_naming_field_and_value(name, value):
    low, high = DOCUMENTED_LIMITS[name]
    raises_config_error(lambda: Config(**valid_with(name, value)), name, str(value), str(low), str(high))


@pytest.mark.parametrize("name", list(DOCUMENTED_LIMITS))
@pytest.mark.parametrize(
    "value, shown",
    [(2.5, "2.5"), (3.0, "3.0"), ("5", "'5'"), (None, "None"), (True, "True"), (False, "False")],
    ids=["float-2.5", "float-3.0", "string-5", "None", "bool-True", "bool-False"],
)
def test_value_that_is_not_a_whole_number_is_rejected(name, value, shown):
    raises_config_error(lambda: Config(**valid_with(name, value)), f"{name} is {shown}")


# ----------------------------------------------------------------------------- cell, any_length


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "SimpleRNN"])
def test_each_cell_is_accepted(cell):
    assert Config(cell=cell).cell == cell


@pytest.mark.parametrize("cell", ["XYZ", "lstm", "", "RNN", None, 4])
def test_unknown_cell_is_rejected(cell):
    # Only parse_config forgives capitalisation; a Config takes the exact class name.
    raises_config_error(lambda: Config(cell=cell), "cell", repr(cell), "LSTM", "GRU", "SimpleRNN")


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_any_length_must_be_a_bool(value):
    raises_config_error(lambda: Config(any_length=value), "any_length", repr(value))


# ----------------------------------------------------------------------------- fields together


@pytest.mark.parametrize("steps, chunks", [(5, 6), (1, 2), (19, 20)])
def test_more_chunks_than_steps_is_rejected_by_stateful_batches(steps, chunks):
    config = Config(steps=steps, chunks=chunks)  # chunks only matter to stateful_batches
    raises_config_error(lambda: CATALOGUE["stateful_batches"].check(config), "chunks", str(chunks), str(steps))
    raises_config_error(lambda: trace("stateful_batches", config), "chunks", str(chunks), str(steps))


@pytest.mark.parametrize("steps", [1, 5, 20])
def test_as_many_chunks_as_steps_is_accepted(steps):
    assert CATALOGUE["stateful_batches"].check(Config(steps=steps, chunks=steps)) is None


def test_a_config_checks_each_field_alone_so_every_size_at_its_top_is_a_config():
    """How large the sizes may be together is what the run would cost, which each topology prices
    before building (topologies/cost.py, tests/test_cost.py): a Config checks each field's range."""
    tops = {name: DOCUMENTED_LIMITS[name][1] for name in ("batch", "steps", "features", "units")}
    config = Config(**tops)
    assert {name: getattr(config, name) for name in tops} == tops


@pytest.mark.parametrize(
    "sizes",
    [
        dict(batch=1024, steps=1000, features=256, units=1),
        dict(batch=1024, steps=1000, features=256, units=512),  # every limit at its top
    ],
    ids=["input-over-a-gigabyte", "all-maximal"],
)
def test_a_run_whose_input_alone_is_a_gigabyte_is_refused_saying_what_to_lower(sizes):
    # The rule: batch x steps x features float32 numbers of 4 bytes, before any layer runs.
    assert sizes["batch"] * sizes["steps"] * sizes["features"] * 4 > 1e9
    config = Config(**sizes)
    message = raises_config_error(lambda: CATALOGUE["many_to_one"].check(config), "limit", "lower")
    assert re.search(r"\bbatch\b", message) and re.search(r"\bsteps\b", message)
    raises_config_error(lambda: trace("many_to_one", config), "limit")


# ----------------------------------------------------------------------------- parse_config


def test_parse_config_reads_text_values():
    config = parse_config(
        {
            "batch": "32",
            "steps": " 10 ",
            "features": "8",
            "units": "4",
            "cell": "gru",
            "depth": "3",
            "vocab": "7",
            "dense": "6",
            "chunks": "5",
            "horizon": "9",
            "any_length": "true",
        }
    )
    assert config == Config(
        batch=32,
        steps=10,
        features=8,
        units=4,
        cell="GRU",
        depth=3,
        vocab=7,
        dense=6,
        chunks=5,
        horizon=9,
        any_length=True,
    )


@pytest.mark.parametrize(
    "text, flag",
    [("true", True), ("1", True), ("yes", True), ("TRUE", True), ("false", False), ("0", False), ("no", False)],
)
def test_parse_config_any_length_words(text, flag):
    assert parse_config({"any_length": text}).any_length is flag


@pytest.mark.parametrize("text, cell", [("lstm", "LSTM"), ("Gru", "GRU"), ("simplernn", "SimpleRNN")])
def test_parse_config_cell_ignores_capitalisation(text, cell):
    assert parse_config({"cell": text}).cell == cell


def test_parse_config_keeps_base_for_fields_left_out():
    base = Config(batch=3, steps=7, features=5, units=6, cell="GRU")
    assert parse_config({"units": "9"}, base) == dataclasses.replace(base, units=9)
    assert parse_config({}) == Config()


def test_parse_config_passes_non_text_values_to_config():
    assert parse_config({"batch": 7}).batch == 7
    raises_config_error(lambda: parse_config({"batch": 2.5}), "batch", "2.5")


@pytest.mark.parametrize("name", list(DOCUMENTED_LIMITS))
@pytest.mark.parametrize("text", ["abc", "2.5", "", "ten"])
def test_parse_config_rejects_text_that_is_not_a_whole_number(name, text):
    raises_config_error(lambda: parse_config({name: text}), name, repr(text))


@pytest.mark.parametrize("text", ["0", "-3", "1025"])
def test_parse_config_rejects_out_of_range_text(text):
    raises_config_error(lambda: parse_config({"batch": text}), "batch", text)


def test_parse_config_rejects_unknown_cell():
    raises_config_error(lambda: parse_config({"cell": "XYZ"}), "cell", "'XYZ'")


def test_parse_config_rejects_unknown_any_length_word():
    raises_config_error(lambda: parse_config({"any_length": "maybe"}), "any_length", "'maybe'")


@pytest.mark.parametrize("name", ["unit", "Batch", "cells", "any-length"])
def test_parse_config_rejects_unknown_field_name(name):
    raises_config_error(lambda: parse_config({name: "8"}), repr(name), "not a setting")


# ----------------------------------------------------------------------------- per topology


def test_trace_rejects_unknown_topology_id():
    raises_config_error(lambda: trace("nope", Config()), "topology", "'nope'", "many_to_one")


def test_trace_rejects_something_that_is_not_a_config():
    raises_config_error(lambda: trace("many_to_one", {"batch": 10}), "config")


@pytest.mark.parametrize("topology_id", [tid for tid in CATALOGUE if "any_length" not in CATALOGUE[tid].extras])
def test_any_length_is_rejected_where_not_offered(topology_id):
    config = Config(any_length=True)
    raises_config_error(lambda: CATALOGUE[topology_id].check(config), "any_length", "true", topology_id)
    raises_config_error(lambda: trace(topology_id, config), "any_length", "true", topology_id)


@pytest.mark.parametrize("topology_id", [tid for tid in CATALOGUE if "any_length" in CATALOGUE[tid].extras])
def test_any_length_is_accepted_where_offered(topology_id):
    assert CATALOGUE[topology_id].check(Config(any_length=True)) is None


def test_any_length_is_offered_by_the_stateless_single_layer_topologies():
    offered = {tid for tid, topology in CATALOGUE.items() if "any_length" in topology.extras}
    assert offered == {
        "many_to_many",
        "many_to_one",
        "stacked",
        "time_distributed",
        "text_generator",
        "return_state",
        "bidirectional",
    }


@pytest.mark.parametrize("topology_id", ["one_to_many_stateful", "cell_loop"])
@pytest.mark.parametrize("units, features", [(4, 2), (1, 2), (3, 1)])
def test_feeding_each_output_back_needs_units_equal_to_features(topology_id, units, features):
    config = Config(units=units, features=features)
    fragments = ("units", str(units), "features", str(features))
    raises_config_error(lambda: CATALOGUE[topology_id].check(config), *fragments)
    raises_config_error(lambda: trace(topology_id, config), *fragments)


@pytest.mark.parametrize(
    "topology_id, sizes, fragments",
    [
        # one model call per step, at most 100 calls
        ("one_to_many_stateful", dict(steps=101, units=2, features=2), ("steps", "101", "100")),
        # trains on pairs of consecutive steps, on at most 200 steps
        ("forecast_stateful", dict(steps=1, chunks=1), ("steps", "1", "2")),
        ("forecast_stateful", dict(steps=201), ("steps", "201", "200")),
        # 2 x depth recurrent layers: steps x depth at most 200
        ("autoencoder", dict(steps=101, depth=2), ("steps", "101", "depth", "200")),
        ("autoencoder", dict(steps=51, depth=4), ("steps", "51", "depth", "4", "200")),
        # one call of the cell per step in the graph, at most 12
        ("cell_loop", dict(steps=13, units=2, features=2), ("steps", "13", "12")),
    ],
    ids=[
        "one_to_many_stateful-101-steps",
        "forecast-1-step",
        "forecast-201-steps",
        "autoencoder-101x2",
        "autoencoder-51x4",
        "cell_loop-13-steps",
    ],
)
def test_topology_limits_are_rejected(topology_id, sizes, fragments):
    raises_config_error(lambda: CATALOGUE[topology_id].check(Config(**sizes)), *fragments)


@pytest.mark.parametrize(
    "topology_id, sizes",
    [
        ("one_to_many_stateful", dict(steps=100, units=2, features=2)),
        ("forecast_stateful", dict(steps=2)),
        ("forecast_stateful", dict(steps=200)),
        ("autoencoder", dict(steps=100, depth=2)),
        ("autoencoder", dict(steps=50, depth=4)),
        ("cell_loop", dict(steps=12, units=2, features=2)),
    ],
    ids=[
        "one_to_many_stateful-100-steps",
        "forecast-2-steps",
        "forecast-200-steps",
        "autoencoder-100x2",
        "autoencoder-50x4",
        "cell_loop-12-steps",
    ],
)
def test_topology_limits_are_inclusive(topology_id, sizes):
    assert CATALOGUE[topology_id].check(Config(**sizes)) is None


def test_text_generator_scoring_every_word_at_every_step_is_held_to_the_cost_limit():
    # A score per word at every step, then its softmax: 2 x batch x steps x vocab numbers handed
    # on. 100 x 100 x 5000 makes 100,000,000 of them, gigabytes: refused by the cost estimate.
    sizes = dict(batch=100, steps=100, vocab=5000, units=10)
    raises_config_error(lambda: CATALOGUE["text_generator"].check(Config(**sizes)), "numbers the layers hand on")
    # The seed's sizes with the largest vocabulary: 2 x 10 x 5 x 5000 = 500,000 numbers, drawn.
    assert CATALOGUE["text_generator"].check(Config(vocab=5000)) is None


# ----------------------------------------------------------------------------- one step


@pytest.mark.parametrize(
    "make",
    [
        lambda: Config(batch=1, steps=1, features=1, units=1),
        lambda: parse_config({"steps": "1"}),
    ],
    ids=["Config", "parse_config"],
)
def test_steps_1_is_accepted_whatever_chunks_says(make):
    """steps=1 is inside LIMITS; the default chunks=2 only matters to stateful_batches, which
    refuses it itself, so it must not make every one-step Config invalid."""
    config = make()
    assert config.steps == 1


# ----------------------------------------------------------------------------- refusals that name their fix

FIXABLE = [
    # (topology, sizes refused, the fix, as the documented rule gives it)
    ("one_to_many_stateful", dict(units=4, features=2), {"units": 2}),  # units = features
    ("one_to_many_stateful", dict(units=2, features=2, steps=101), {"steps": 100}),  # one call per step
    ("stateful_batches", dict(steps=3, chunks=5), {"chunks": 3}),  # at most one chunk per step
    ("forecast_stateful", dict(steps=201), {"steps": 200}),
    ("forecast_stateful", dict(steps=1), {"steps": 2}),  # pairs of consecutive steps
    ("autoencoder", dict(steps=150, depth=3), {"steps": 66}),  # steps x depth <= 200
    ("many_to_one", dict(any_length=False, steps=5), {}),  # not refused: nothing to fix
    ("one_to_many_repeat", dict(any_length=True), {"any_length": False}),
]


@pytest.mark.parametrize(("topology_id", "sizes", "fix"), FIXABLE)
def test_a_refusal_names_the_one_change_that_makes_it_build(topology_id, sizes, fix):
    topology = CATALOGUE[topology_id]
    config = dataclasses.replace(topology.default_config(), **sizes)
    if not fix:
        topology.check(config)
        return
    with pytest.raises(ConfigError) as caught:
        topology.check(config)
    assert caught.value.fix == fix
    topology.check(dataclasses.replace(config, **fix))  # the fix is enough


def test_over_the_cost_limit_the_fix_is_the_largest_batch_that_fits():
    """The rule: the batch offered is accepted, and one more is refused."""
    topology = CATALOGUE["many_to_one"]
    config = Config(batch=1024, steps=1000, features=64, units=20)  # 65,536,000 input numbers
    with pytest.raises(ConfigError) as caught:
        topology.check(config)
    ((field, largest),) = caught.value.fix.items()
    assert field == "batch" and f"shrink batch from 1024 to {largest} or less" in str(caught.value)
    topology.check(dataclasses.replace(config, batch=largest))
    with pytest.raises(ConfigError):
        topology.check(dataclasses.replace(config, batch=largest + 1))
