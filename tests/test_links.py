"""Link planning with no page: what a link asks for, the Config it makes or the refusal, the
range of values each field accepts, and what a topology switch must change (app.ui.links).

Nothing here starts Streamlit. The expected values come from the documented limits
(tests/syllabus.py) and from the topologies' documented rules, restated here:
- a loop that feeds each output back in as the next input (one_to_many_stateful, cell_loop)
  needs units equal to features;
- stateful_batches splits each sequence into `chunks` consecutive pieces of at least one step,
  so chunks is at most steps;
- where the cost estimate binds, a range ends where the topology's own check does: its top is
  accepted and one more is refused (the estimate itself is tested in tests/test_cost.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.links import allowed_range, checked_config, config_from_query, settle
from tests.helpers import FEEDBACK
from tests.syllabus import DOCUMENTED_LIMITS
from topologies import CATALOGUE, Config, ConfigError

ROOT = Path(__file__).resolve().parents[1]
SEED = {"batch": 10, "steps": 5, "features": 2, "units": 4}  # the seed's 10 tanks, 5 hours, 2 sensors; 4 units
SIZES = tuple(SEED)


def test_link_planning_loads_neither_streamlit_nor_keras():
    code = "import json, sys, app.ui.links; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert not {"streamlit", "keras", "tensorflow"} & set(json.loads(loaded.stdout))


# ----------------------------------------------------------------------------- query -> Config or refusal


def test_a_link_that_says_nothing_makes_the_seeds_config():
    topology_id, values, warnings = config_from_query({})
    assert (topology_id, values, warnings) == ("many_to_one", {}, [])
    config = checked_config(topology_id, values)
    assert {name: getattr(config, name) for name in SIZES} == SEED


@pytest.mark.parametrize("field", SIZES)
@pytest.mark.parametrize("side", ["below", "above"])
def test_a_size_out_of_range_is_held_then_refused_naming_the_field_the_value_and_the_range(field, side):
    low, high = DOCUMENTED_LIMITS[field]
    value = low - 1 if side == "below" else high + 1
    topology_id, values, warnings = config_from_query({field: str(value)})
    # A widget holds any whole number: the link's value is kept, and the page refuses it as a whole.
    assert (topology_id, values, warnings) == ("many_to_one", {field: value}, [])
    with pytest.raises(ConfigError) as refused:
        checked_config(topology_id, values)
    message = str(refused.value)
    assert message.startswith(f"{field} is {value},") and f"from {low} to {high}" in message, message
    assert refused.value.fix == {field: low if side == "below" else high}  # the nearest value allowed


def test_a_word_where_a_number_goes_is_dropped_with_one_warning_and_the_rest_is_kept():
    low, high = DOCUMENTED_LIMITS["batch"]
    topology_id, values, warnings = config_from_query({"topology": "stacked", "units": "8", "batch": "ten"})
    assert (topology_id, values) == ("stacked", {"units": 8})
    assert len(warnings) == 1
    assert warnings[0].startswith("The link's `'batch'` was ignored: batch is `'ten'`"), warnings
    assert f"from {low} to {high}" in warnings[0]


def test_an_unknown_topology_falls_back_to_many_to_one_with_a_warning_naming_it():
    topology_id, values, warnings = config_from_query({"topology": "many_to_few", "units": "8"})
    assert (topology_id, values) == ("many_to_one", {"units": 8})
    assert len(warnings) == 1 and "`'topology'`" in warnings[0] and "`'many_to_few'`" in warnings[0]


@pytest.mark.parametrize("topology_id", FEEDBACK)
def test_a_loop_fed_its_own_output_refuses_units_other_than_features_and_offers_them(topology_id):
    with pytest.raises(ConfigError) as refused:
        checked_config(topology_id, {"units": 4, "features": 2, "steps": 3})
    assert "units" in str(refused.value) and "features" in str(refused.value)
    assert refused.value.fix == {"units": 2}


# ----------------------------------------------------------------------------- the range a field accepts


@pytest.mark.parametrize("field", SIZES)
def test_at_the_seeds_sizes_each_size_ranges_over_its_documented_limits(field):
    low, high = DOCUMENTED_LIMITS[field]
    assert allowed_range(CATALOGUE["many_to_one"], field, SEED) == (low, high)


# Sizes at which the cost estimate (topologies/cost.py) refuses the largest batch: (steps, units, features).
COST_BOUND = [(100, 100, 100), (200, 100, 100), (1000, 64, 8)]


def accepted(topology_id: str, sizes: dict) -> bool:
    try:
        CATALOGUE[topology_id].check(Config(**sizes))
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize(("steps", "units", "features"), COST_BOUND)
def test_the_largest_batch_is_where_the_topology_stops_accepting(steps, units, features):
    """The range's top is accepted and one more is refused: the edge the topology's own check draws."""
    low, high = DOCUMENTED_LIMITS["batch"]
    others = {"steps": steps, "units": units, "features": features}
    bottom, top = allowed_range(CATALOGUE["many_to_one"], "batch", others)
    assert bottom == low and top < high, "these sizes are chosen so that the cost limit binds"
    assert accepted("many_to_one", {**others, "batch": top})
    assert not accepted("many_to_one", {**others, "batch": top + 1})


@pytest.mark.parametrize("topology_id", FEEDBACK)
@pytest.mark.parametrize("field", ["units", "features"])
def test_in_a_loop_fed_its_own_output_units_and_features_each_allow_only_the_other(topology_id, field):
    assert allowed_range(CATALOGUE[topology_id], field, {"features": 3, "units": 3, "steps": 3}) == (3, 3)


@pytest.mark.parametrize("steps", [1, 3, 7, 30])
def test_stateful_batches_allows_at_most_one_chunk_per_step(steps):
    low, high = DOCUMENTED_LIMITS["chunks"]
    assert allowed_range(CATALOGUE["stateful_batches"], "chunks", {"steps": steps}) == (low, min(steps, high))


def test_where_no_value_mends_the_rest_a_field_shows_its_documented_range():
    # units 4 against features 2 is refused whatever the batch.
    refused = {"units": 4, "features": 2}
    assert allowed_range(CATALOGUE["one_to_many_stateful"], "batch", refused) == DOCUMENTED_LIMITS["batch"]


# ----------------------------------------------------------------------------- settling a topology switch


def test_values_that_fit_are_left_as_they_are():
    assert settle(CATALOGUE["many_to_one"], SEED) == ({}, [])
    assert settle(CATALOGUE["one_to_many_stateful"], {"units": 3, "features": 3, "steps": 3}) == ({}, [])


def test_switching_to_a_loop_fed_its_own_output_sets_units_to_features_and_says_why():
    changes, reasons = settle(CATALOGUE["one_to_many_stateful"], {"units": 4, "features": 2, "steps": 3})
    assert changes == {"units": 2}
    assert len(reasons) == 1 and "units" in reasons[0] and "features" in reasons[0]


def test_a_sequence_of_one_step_is_split_into_one_chunk():
    changes, reasons = settle(CATALOGUE["stateful_batches"], {"steps": 1, "chunks": 2})
    assert changes == {"chunks": 1} and len(reasons) == 1


def test_a_batch_over_the_cost_limit_is_lowered_to_the_largest_the_topology_accepts():
    sizes = {"batch": 1024, "steps": 100, "units": 100, "features": 100}
    changes, reasons = settle(CATALOGUE["many_to_one"], sizes)
    assert set(changes) == {"batch"} and len(reasons) == 1
    batch = changes["batch"]
    assert f"from 1024 to {batch}" in reasons[0]  # the sentence names the value and the fix
    assert accepted("many_to_one", {**sizes, "batch": batch})
    assert not accepted("many_to_one", {**sizes, "batch": batch + 1})
