"""`trace(topology_id, config) -> Trace`: the only way shapes reach the app and the CLI.

Nothing in a Trace is computed from a formula: every shape is `array.shape` of a tensor that
came out of a real run. A Trace holds plain Python data only (topologies.records), so it can be
cached, sent to the browser or written as JSON, and no Keras object escapes the engine.
"""

from __future__ import annotations

from topologies.config import Config
from topologies.keras_guard import KERAS_LOCK
from topologies.records import Trace
from topologies.stepper import Stepper


def trace(topology_id: str | object, config: Config, **options) -> Trace:
    """Build `topology_id` for `config`, run its whole protocol on seeded dummy data, and record
    every tensor. A user's own model (topologies.own_model.OwnStack) goes the same way.

    `options` go to a multi-call topology's `calls()`: the labs use them to break what the
    topology demonstrates (`shuffle=True` for stateful_batches, say) and measure the damage.
    """
    with KERAS_LOCK:  # the whole protocol at once: no other session's model in between
        return Stepper(topology_id, config, **options).run_to_end().snapshot()
