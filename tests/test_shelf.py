"""A model kept for a request that differs only in batch (topologies.shelf) gives exactly the
numbers of a fresh build, and models that must not be shared are never kept."""

from __future__ import annotations

import pytest

from tests.helpers import seed_config
from topologies import CATALOGUE, Config, shelf, trace
from topologies import run as run_module
from topologies.own_model import OwnStack

# cell_loop's graph starts its state from zeros of a fixed batch: its model takes no other.
FIXED_BATCH = ["cell_loop"]
SINGLE_CALL = [
    topology_id
    for topology_id, topology in CATALOGUE.items()
    if not topology.has_protocol and topology_id not in FIXED_BATCH
]
WITH_PROTOCOL = [topology_id for topology_id, topology in CATALOGUE.items() if topology.has_protocol]


@pytest.fixture
def builds(monkeypatch):
    """Empties the shelf, and counts the builds of every catalogue topology: {id: builds}."""
    shelf.empty()
    counted: dict[str, int] = {}
    for topology_id, topology in CATALOGUE.items():

        def counting(config, build=topology.module.build, topology_id=topology_id, **keywords):
            counted[topology_id] = counted.get(topology_id, 0) + 1
            return build(config, **keywords)

        monkeypatch.setattr(topology.module, "build", counting)
    yield counted
    shelf.empty()


@pytest.mark.parametrize("topology_id", SINGLE_CALL)
def test_a_kept_model_gives_exactly_the_numbers_of_a_fresh_build(topology_id, builds):
    base = seed_config(topology_id)
    other_batch = Config(**{**base.to_dict(), "batch": 3})
    trace(topology_id, base)  # builds and keeps the model
    reused = trace(topology_id, other_batch)
    assert builds[topology_id] == 1, "the second request, only its batch changed, built nothing"
    shelf.empty()
    fresh = trace(topology_id, other_batch)
    assert builds[topology_id] == 2
    assert reused.to_dict() == fresh.to_dict()  # every shape, every sampled number, every record
    assert reused.calls[0].input_shapes[0][0] == 3


@pytest.mark.parametrize("topology_id", SINGLE_CALL[:3])
def test_any_other_change_builds_a_fresh_model(topology_id, builds):
    base = seed_config(topology_id)
    trace(topology_id, base)
    for change in ({"steps": base.steps + 1}, {"cell": "GRU" if base.cell != "GRU" else "LSTM"}):
        trace(topology_id, Config(**{**base.to_dict(), **change}))
    assert builds[topology_id] == 3


@pytest.mark.parametrize("topology_id", WITH_PROTOCOL)
def test_a_model_that_runs_a_protocol_is_never_kept(topology_id, builds):
    """Stateful layers carry a state and training changes the weights: each run builds its own."""
    base = seed_config(topology_id)
    assert shelf.shelf_key(CATALOGUE[topology_id], base) is None
    trace(topology_id, base)
    once = builds[topology_id]  # a protocol may build a twin of its own too
    trace(topology_id, Config(**{**base.to_dict(), "batch": base.batch + 1}))
    assert builds[topology_id] == 2 * once and shelf.kept() == 0


@pytest.mark.parametrize("topology_id", FIXED_BATCH)
def test_a_model_with_a_fixed_batch_is_never_kept(topology_id, builds):
    base = seed_config(topology_id)
    model = CATALOGUE[topology_id].module.build(base)
    assert [tensor.shape[0] for tensor in model.inputs] == [base.batch] * len(model.inputs)
    trace(topology_id, base)
    trace(topology_id, Config(**{**base.to_dict(), "batch": base.batch + 1}))
    assert builds[topology_id] == 3 and shelf.kept() == 0


def test_a_users_own_model_is_never_kept(builds):
    stack = OwnStack.from_text("LSTM(4)")
    assert shelf.shelf_key(stack, Config()) is None
    trace(stack, Config())
    assert shelf.kept() == 0


def test_the_shelf_keeps_the_most_recent_and_drops_what_is_too_large(builds, monkeypatch):
    monkeypatch.setattr(shelf, "SHELF_SIZE", 2)
    for units in (1, 2, 3):
        trace("many_to_one", Config(units=units))
    assert shelf.kept() == 2
    trace("many_to_one", Config(units=1, batch=2))  # the oldest was dropped: built again
    assert builds["many_to_one"] == 4
    monkeypatch.setattr(shelf, "SHELF_WEIGHTS", 10)  # smaller than any model
    trace("many_to_one", Config(units=5))
    assert shelf.kept() == 0


def test_clearing_keras_s_session_empties_the_shelf(builds, monkeypatch):
    trace("many_to_one", Config())
    assert shelf.kept() == 1
    monkeypatch.setattr(run_module, "_traces_since_clear", run_module.TRACES_BETWEEN_CLEARS - 1)
    trace("many_to_one", Config(batch=2))  # this request clears first, so it builds again
    assert builds["many_to_one"] == 2
