"""A model kept for a request that differs only in batch or steps (topologies.engine.shelf) gives exactly
the numbers and records of a fresh build, and models that must not be shared are never kept.
Clearing Keras (topologies.engine.run.clear_keras) forgets every kept model, changes no number, and hands
the freed memory back to the operating system (topologies.engine.heap)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import seed_config
from topologies import CATALOGUE, Config, trace
from topologies.engine import run as run_module
from topologies.engine import shelf
from topologies.own.model import OwnStack

# cell_loop's graph starts its state from zeros of a fixed batch: its model takes no other.
FIXED_BATCH = ["cell_loop"]
SINGLE_CALL = [
    topology_id
    for topology_id, topology in CATALOGUE.items()
    if not topology.has_protocol and topology_id not in FIXED_BATCH
]
WITH_PROTOCOL = [topology_id for topology_id, topology in CATALOGUE.items() if topology.has_protocol]
# The single-call topologies whose build reads steps for an Input's axis 1 and nowhere else.
REGRAPHED = ["many_to_many", "many_to_one", "stacked", "time_distributed", "text_generator", "return_state"]
REGRAPHED += ["bidirectional", "seq2seq"]
# The others make their steps inside the graph (RepeatVector(steps), a loop of steps calls).
BUILT_FOR_STEPS = ["one_to_many_repeat", "autoencoder", "cell_loop"]


@pytest.fixture
def builds(monkeypatch):
    """Empties the shelf, and counts the builds of every catalogue topology: {id: builds}."""
    shelf.empty()
    # The engine clears Keras, and the shelf with it, every TRACES_BETWEEN_CLEARS traces of the
    # session: counting from zero here, none of those clears lands between a test's traces, however
    # many traces the tests selected before it made.
    monkeypatch.setattr(run_module, "_traces_since_clear", 0)
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


def test_the_lists_above_cover_every_single_call_topology():
    assert sorted(REGRAPHED + BUILT_FOR_STEPS) == sorted(SINGLE_CALL + FIXED_BATCH)
    assert sorted(REGRAPHED) == sorted(topology_id for topology_id in CATALOGUE if CATALOGUE[topology_id].steps_inputs)


@pytest.mark.parametrize("topology_id", SINGLE_CALL[:3])
def test_any_other_change_builds_a_fresh_model(topology_id, builds):
    base = seed_config(topology_id)
    trace(topology_id, base)
    for change in ({"units": base.units + 1}, {"cell": "GRU" if base.cell != "GRU" else "LSTM"}):
        trace(topology_id, Config(**{**base.to_dict(), **change}))
    assert builds[topology_id] == 3


@pytest.mark.parametrize("topology_id", REGRAPHED)
def test_a_steps_change_regraphs_the_kept_layers_with_exactly_the_numbers_of_a_fresh_build(topology_id, builds):
    base = seed_config(topology_id)
    other_steps = Config(**{**base.to_dict(), "steps": base.steps + 3, "batch": 2})
    trace(topology_id, base)
    reused = trace(topology_id, other_steps)
    assert builds[topology_id] == 1, "the second request, only batch and steps changed, built nothing"
    regraphed = shelf.take(CATALOGUE[topology_id], other_steps)
    regraphed_inputs = [(tensor.name, tuple(tensor.shape), tensor.dtype) for tensor in regraphed.inputs]
    shelf.empty()
    fresh = trace(topology_id, other_steps)
    assert reused.to_dict() == fresh.to_dict()  # shapes as run and as declared, sampled numbers, records
    fresh_model = CATALOGUE[topology_id].module.build(other_steps)
    assert regraphed_inputs == [(tensor.name, tuple(tensor.shape), tensor.dtype) for tensor in fresh_model.inputs]
    assert reused.calls[0].input_shapes[0][:2] == (2, base.steps + 3)


@pytest.mark.parametrize("topology_id", ["many_to_many", "stacked", "time_distributed"])
def test_the_first_model_keeps_its_own_declared_shapes_once_its_layers_are_shared(topology_id, builds):
    """Its layers now have a call in the re-graphed model too; its records still read its own."""
    base = seed_config(topology_id)
    trace(topology_id, base)
    trace(topology_id, Config(**{**base.to_dict(), "steps": base.steps + 3}))
    again = trace(topology_id, base)
    assert builds[topology_id] == 1
    shelf.empty()
    assert again.to_dict() == trace(topology_id, base).to_dict()
    declared_steps = {shape[1] for layer in again.layers for shape in layer.declared_shapes if len(shape) == 3}
    assert declared_steps == {base.steps}


@pytest.mark.parametrize("topology_id", BUILT_FOR_STEPS)
def test_a_steps_change_builds_where_the_graph_makes_its_own_steps(topology_id, builds):
    base = seed_config(topology_id)
    trace(topology_id, base)
    trace(topology_id, Config(**{**base.to_dict(), "steps": base.steps + 1}))
    assert builds[topology_id] == 2


ANY_LENGTH = [topology_id for topology_id in REGRAPHED if "any_length" in CATALOGUE[topology_id].extras]


@pytest.mark.parametrize("topology_id", ANY_LENGTH)
def test_a_model_of_any_length_serves_every_steps_as_it_is(topology_id, builds):
    base = Config(**{**seed_config(topology_id).to_dict(), "any_length": True})
    trace(topology_id, base)
    reused = trace(topology_id, Config(**{**base.to_dict(), "steps": base.steps + 4}))
    assert builds[topology_id] == 1 and shelf.kept() == 1
    shelf.empty()
    assert reused.to_dict() == trace(topology_id, Config(**{**base.to_dict(), "steps": base.steps + 4})).to_dict()


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


def test_clear_keras_empties_the_shelf_and_a_later_trace_gives_the_same_numbers(builds):
    before = trace("many_to_one", Config())
    assert shelf.kept() == 1
    run_module.clear_keras()
    assert shelf.kept() == 0
    assert run_module._traces_since_clear == 0
    after = trace("many_to_one", Config())
    assert builds["many_to_one"] == 2, "nothing was kept across the clear"
    assert after.to_dict() == before.to_dict()


# A fresh interpreter fills 200 MB of its heap with 4 KB blocks (each past pymalloc's 512 bytes,
# so from the C library's malloc), keeps one block made after them, frees the rest, and reads its
# resident size before and after topologies.engine.heap.give_back(). The block kept is above the others,
# so free() alone can shrink nothing: the memory stays resident until it is handed back.
HEAP_SCRIPT = """
import gc, json
from topologies.engine import heap
def resident():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
start = resident()
blocks = [bytes(4000) for _ in range(50_000)]
kept_above = bytes(4000)
filled = resident()
del blocks
gc.collect()
freed = resident()
gave_back = heap.give_back()
print(json.dumps([start, filled, freed, resident(), gave_back]))
"""


def test_give_back_hands_freed_memory_to_the_operating_system():
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", HEAP_SCRIPT], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    start, filled, freed, trimmed, gave_back = json.loads(done.stdout)
    assert gave_back, "this machine's C library is glibc, which has malloc_trim"
    assert filled - start > 150, "the blocks took their 200 MB"
    assert freed - start > 150, "freed, the memory was still resident"
    assert trimmed - start < 50, f"handed back, resident fell from {freed:.0f} to {trimmed:.0f} MB"
