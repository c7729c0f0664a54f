"""The structure the code promises: what starts TensorFlow and what does not, records that round-trip,
one contract for every topology, declared axis meanings, and files a newcomer can read.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import seed_config
from topologies import CATALOGUE, Config, Event, Facts, Trace, trace

ROOT = Path(__file__).resolve().parents[1]
IDS = list(CATALOGUE)


def modules_loaded_by(code: str) -> set[str]:
    """The top-level module names a fresh interpreter has loaded after running `code`."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


# ----------------------------------------------------------------------------- what starts TensorFlow


@pytest.mark.parametrize(
    "code",
    [
        "import app.diagram",
        "from topologies.config import Config",
        "import topologies; topologies.CATALOGUE['many_to_one'].summary; topologies.Trace",
        "from topologies.records import Trace, symbolic",
        "from topologies.report import format_table",
        "from topologies.layer_kinds import LAYER_KINDS",
        "import app.draw.charts, app.ui.series, topologies.series",
        "from topologies.__main__ import main; main(['list'])",
    ],
    ids=["diagram", "config", "package", "records", "report", "layer-kinds", "charts-and-series", "cli-list"],
)
def test_importing_the_plain_parts_starts_no_tensorflow(code):
    loaded = modules_loaded_by(code)
    assert "tensorflow" not in loaded
    assert "keras" not in loaded


@pytest.mark.slow  # a fresh process that loads TensorFlow: 10-20 s
def test_asking_for_trace_loads_keras():
    """The control for the test above: the same check does see TensorFlow when it is loaded."""
    assert {"tensorflow", "keras"} <= modules_loaded_by("from topologies import trace")


@pytest.mark.slow  # a fresh process that loads TensorFlow: 10-20 s
def test_importing_the_engine_leaves_clear_session_alone_until_the_guard_is_installed():
    code = (
        "import keras\n"
        "original = keras.backend.clear_session\n"
        "import topologies.engine.tracing, topologies.engine.guard as guard\n"
        "assert keras.backend.clear_session is original, 'patched at import'\n"
        "guard.install_clear_session_guard()\n"
        "assert keras.backend.clear_session is not original\n"
        "assert keras.utils.clear_session is keras.backend.clear_session\n"
        "patched = keras.backend.clear_session\n"
        "guard.install_clear_session_guard()\n"
        "assert keras.backend.clear_session is patched, 'installed twice'\n"
    )
    modules_loaded_by(code)


# ----------------------------------------------------------------------------- records round-trip


@pytest.mark.parametrize("topology_id", IDS)
def test_a_trace_round_trips_through_json_and_draws_the_same(topology_id, traced):
    from app.diagram import draw

    original = traced(topology_id, seed_config(topology_id))
    restored = Trace.from_dict(json.loads(json.dumps(original.to_dict())))
    assert restored == original
    assert draw(restored).to_plotly_json() == draw(original).to_plotly_json()


def test_from_dict_restores_facts_and_every_call():
    original = trace("stateful_batches", Config(batch=3, steps=7, features=5, units=6, chunks=3))
    restored = Trace.from_dict(json.loads(json.dumps(original.to_dict())))
    assert len(restored.calls) == 3
    assert restored.calls[2].input_axes == (("batch", "steps", "features"),)
    assert isinstance(restored.facts, Facts)
    assert restored.facts.stateful_vs_whole_max_abs_diff == original.facts.stateful_vs_whole_max_abs_diff


# ----------------------------------------------------------------------------- the topology contract


@pytest.mark.parametrize("topology_id", [tid for tid in IDS if not CATALOGUE[tid].has_protocol])
def test_a_single_call_topology_steps_once_and_equals_its_trace(topology_id, traced):
    from topologies.engine.stepper import Stepper

    stepper = Stepper(topology_id, seed_config(topology_id))
    assert stepper.advance() == Event("call", "run")
    assert stepper.advance() is None
    assert stepper.finished
    stepped = stepper.snapshot()
    assert [call.label for call in stepped.calls] == ["run"]
    assert stepped.to_dict() == traced(topology_id, seed_config(topology_id)).to_dict()


@pytest.mark.parametrize("topology_id", [tid for tid in IDS if CATALOGUE[tid].has_protocol])
def test_every_step_of_a_protocol_is_a_typed_event_and_each_call_is_recorded(topology_id):
    from topologies.engine.stepper import Stepper

    stepper = Stepper(topology_id, seed_config(topology_id))
    events = []
    while (event := stepper.advance()) is not None:
        events.append(event)
    assert all(isinstance(event, Event) and event.kind in ("call", "epoch") for event in events)
    calls = [event.label for event in events if event.kind == "call"]
    assert calls == [call.label for call in stepper.snapshot().calls]
    for event in events:
        assert (event.loss is not None) == (event.kind == "epoch")
    assert isinstance(stepper.facts, Facts)


def test_options_to_a_single_call_topology_are_refused_in_one_sentence():
    from topologies import ConfigError

    with pytest.raises(ConfigError, match="many_to_one runs in a single call"):
        trace("many_to_one", Config(), shuffle=True)


@pytest.mark.parametrize("topology_id", IDS)
def test_declared_axis_meanings_name_layers_the_model_has(topology_id, traced):
    """LAST_AXIS is keyed by layer name: renaming a layer must fail here, not relabel silently."""
    declared = CATALOGUE[topology_id].last_axis
    layer_names = {layer.name for layer in traced(topology_id, seed_config(topology_id)).layers}
    assert set(declared) <= layer_names
    for layer_name, meaning in declared.items():
        activity = traced(topology_id, seed_config(topology_id)).calls[0].activity(layer_name)
        assert activity.output_axes[0][-1] == meaning


def test_the_declared_meaning_is_what_names_the_axis(monkeypatch):
    """Change the declaration, and the axis follows it: nothing is read from the layer's name."""
    topology = CATALOGUE["text_generator"]
    monkeypatch.setitem(topology.module.LAST_AXIS, "to_vocab", "words")
    result = trace("text_generator", seed_config("text_generator"))
    assert result.calls[0].activity("to_vocab").output_axes[0] == ("batch", "steps", "words")
    assert result.calls[0].activity("softmax").output_axes[0] == ("batch", "steps", "words")


@pytest.mark.parametrize("topology_id", IDS)
def test_the_catalogue_gives_each_concept_as_markdown(topology_id):
    topology = CATALOGUE[topology_id]
    markdown = topology.concept_markdown
    blocks = markdown.split("\n\n")
    first_paragraph = topology.concept.strip().split("\n\n")[0]
    assert blocks[0] == " ".join(first_paragraph.split())  # the docstring's first paragraph, on one line
    examples = re.findall(r"```python\n.*?\n```", markdown, flags=re.S)
    assert len(examples) == 1 and markdown.count("```") == 2  # one example, fenced
    assert "    " not in examples[0].splitlines()[1][:4]  # dedented
    assert "Reference: [http" in markdown
    # Prose is reflowed: outside the example, no paragraph keeps the docstring's line breaks.
    prose = markdown.replace(examples[0], "")
    assert all("\n" not in paragraph.strip() for paragraph in prose.split("\n\n"))
    assert "\n" not in topology.summary and topology.summary.strip()


# ----------------------------------------------------------------------------- layer kinds


def test_each_keras_class_belongs_to_one_layer_kind_at_most():
    from topologies.layer_kinds import LAYER_KINDS

    classes = [class_name for kind in LAYER_KINDS.values() for class_name in kind.classes]
    assert len(classes) == len(set(classes))


@pytest.mark.parametrize("topology_id", IDS)
def test_every_layer_of_the_catalogue_is_of_a_known_kind(topology_id, traced):
    for layer in traced(topology_id, seed_config(topology_id)).layers:
        assert layer.kind != "other", layer.class_name


# ----------------------------------------------------------------------------- readable files


def test_no_python_file_in_the_engine_or_the_app_is_longer_than_400_lines():
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for folder in ("topologies", "app")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert lengths, "no files found"
    assert {path: length for path, length in lengths.items() if length > 400} == {}


def test_no_page_ends_with_st_stop():
    """st.stop() would drop what app/main.py draws after the page (the history keeper, so a
    refused configuration would get no Back entry): pages end early with app.ui.history.stop_page()."""
    pages = list((ROOT / "app" / "views").glob("*.py"))
    assert len(pages) >= 4
    assert [path.name for path in pages if "st.stop(" in path.read_text()] == []


@pytest.mark.parametrize(
    ("topology_id", "options", "events"),
    [
        ("one_to_many_stateful", {}, 5),  # a call per step
        ("stateful_batches", {}, 2),  # a call per chunk
        ("stateful_batches", {"uneven_batch": True}, 1),  # the second batch is refused before it runs
        ("forecast_stateful", {"epochs": 3}, 3 + 3),  # the epochs, the prime, horizon - 1 steps fed back
        ("sliding_windows", {}, 1),  # the windows, as one batch
        ("many_to_one", {}, 1),
    ],
)
def test_a_stepper_is_finished_with_its_last_event_not_one_click_later(topology_id, options, events):
    """The seed's sizes (steps 5, chunks 2, horizon 3): a Next button is disabled exactly when it
    can do nothing."""
    from topologies.engine.stepper import Stepper

    stepper = Stepper(topology_id, seed_config(topology_id), **options)
    for done in range(1, events + 1):
        assert not stepper.finished
        assert isinstance(stepper.advance(), Event)
        assert stepper.finished == (done == events)
    assert stepper.advance() is None
