"""`trace(topology_id, config) -> Trace`: the only way shapes reach the app and the CLI.

Nothing in a Trace is computed from a formula: every shape is `array.shape` of a tensor that
came out of a real run. A Trace holds plain Python data only (topologies.records), so it can be
cached, sent to the browser or written as JSON, and no Keras object escapes the engine.
"""

from __future__ import annotations

from topologies.config import Config
from topologies.engine.guard import KERAS_LOCK
from topologies.engine.stepper import Stepper
from topologies.records import Trace


def trace(topology_id: str | object, config: Config, **options) -> Trace:
    """Build `topology_id` for `config`, run its whole protocol on seeded dummy data, and record
    every tensor. A user's own model (topologies.own.model.OwnStack) goes the same way.

    `options` go to a multi-call topology's `calls()`: the labs use them to break what the
    topology demonstrates (`shuffle=True` for stateful_batches, say) and measure the damage.
    """
    with KERAS_LOCK:  # the whole protocol at once: no other session's model in between
        return Stepper(topology_id, config, **options).run_to_end().snapshot()


def trace_data(topology_id: str, config: Config, options: dict) -> dict:
    """trace(...) as plain data (Trace.to_dict): what a worker process sends back (app/serve/workers.py)."""
    return trace(topology_id, config, **options).to_dict()


def own_trace_data(kind: str, source: str | bytes, config: Config, name: str) -> dict:
    """A user's own model traced, as plain data: kind "stack" with the text typed, or "model"
    with a .keras file's bytes (read with its limits and allow-lists, topologies.own.keras_file)."""
    if kind == "stack":
        from topologies.own.model import OwnStack

        return trace(OwnStack.from_text(source), config).to_dict()
    from topologies.own.keras_file import OwnKerasFile

    return trace(OwnKerasFile.from_bytes(source, name), config).to_dict()
