"""After a script run, the server does not walk TensorFlow's objects: no full garbage collection.

Streamlit ends every script run with gc.collect(2) (runner.postScriptGC) and then with
keras.backend.clear_session(), which collects once more. With TensorFlow loaded, each full pass
walks some 350,000 objects, 0.2-0.3 s on 2 cores with the interpreter held. The project's
config turns off the first (.streamlit/config.toml) and the guard (topologies.engine.guard) makes
the second skip its collection; the engine's own clearing still collects."""

from __future__ import annotations

import gc
import tomllib
from pathlib import Path

import pytest

from topologies import Config, trace
from topologies.engine import run as run_module
from topologies.engine.backend import load_keras
from topologies.engine.guard import install_clear_session_guard

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def full_collections():
    """A list that gets one entry per full (generation 2) collection started while the test runs.
    Python's automatic collections are off meanwhile, so only the ones asked for are counted."""
    install_clear_session_guard()  # as app/main.py does at start-up
    trace("many_to_one", Config())  # Keras and a model loaded, as in a server that has drawn once
    started: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(2)

    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(note)
    yield started
    gc.callbacks.remove(note)
    if was_enabled:
        gc.enable()


def test_streamlit_s_clearing_after_a_run_collects_no_garbage(full_collections):
    # A private function of Streamlit's: no public API runs this step alone. The only public way
    # to reach it is a whole script run (AppTest.run() ends with it too), whose own work would
    # start collections of its own; called alone, it is the only thing counted.
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules()  # what every session's script run ends with
    assert full_collections == []


def test_asked_for_the_collection_a_cleared_session_still_collects(full_collections):
    """The control for the test above: the same counting sees clear_session's own collection."""
    load_keras().backend.clear_session(free_memory=True)
    assert full_collections == [2]


def test_the_engine_s_own_clearing_collects(full_collections):
    run_module.clear_keras()  # every TRACES_BETWEEN_CLEARS traces, and before bench figure 5's readings
    assert full_collections == [2]


def test_the_project_s_config_turns_off_streamlit_s_collection_after_every_run():
    """`streamlit run` reads .streamlit/config.toml from the folder it starts in: the project's
    root, in the README's commands, the tests and the bench."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
