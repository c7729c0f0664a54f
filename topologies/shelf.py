"""Built models kept for the next request that differs from theirs only in batch.

    key = shelf_key(topology, config)   # None for a model that must never be shared
    model = take(key)                   # the model built for this key, or None
    keep(key, model)                    # after a fresh build

A single-call topology's model is stateless, takes any batch (its Input's batch axis is None),
and its weights come from a seeded build that never reads `batch`. So the model built for
batch 10 is, weight for weight, the model a fresh build for batch 32 would make, and a slider
dragged along batch need not build it again (7 to 70 ms here). Only the build is skipped: each
request still gets its own Runner, observer and seeded dummy data, so its numbers are exactly
those of a fresh build (tests/test_shelf.py).

Never kept: a topology with a protocol (stateful layers and training change their model as it
runs, and a stateful model's state belongs to one session), a user's own model, a model whose
batch is fixed. The shelf lives in one process (a worker, the CLI), holds at most SHELF_SIZE
models and SHELF_WEIGHTS weights in all, and is emptied whenever Keras's session is cleared.
Callers hold topologies.keras_guard.KERAS_LOCK, as for every build.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from topologies.config import Config
from topologies.contract import Topology

SHELF_SIZE = 4  # a slider dragged along batch needs one; a few sessions at once, a few more
SHELF_WEIGHTS = 2_000_000  # numbers in all the kept models' weights: about 8 MB of float32

_models: OrderedDict[tuple, object] = OrderedDict()


def shelf_key(topology: object, config: Config) -> tuple | None:
    """What a kept model is found by: the topology and every setting but batch; None where the
    model must be built fresh (a protocol of calls, a user's own model)."""
    if not isinstance(topology, Topology) or topology.has_protocol:
        return None
    return (topology.id, dataclasses.replace(config, batch=1))


def take(key: tuple | None):
    """The model kept under `key` (now the most recently used), or None."""
    if key is None or key not in _models:
        return None
    _models.move_to_end(key)
    return _models[key]


def keep(key: tuple | None, model) -> None:
    """Keep `model` under `key`, if it takes any batch, dropping the least recently used past the limits."""
    if key is None or any(tensor.shape[0] is not None for tensor in model.inputs):
        return
    _models[key] = model
    _models.move_to_end(key)
    while _models and (len(_models) > SHELF_SIZE or _weights() > SHELF_WEIGHTS):
        _models.popitem(last=False)  # the oldest first; a model too large alone goes too


def empty() -> None:
    """Forget every kept model (before keras.backend.clear_session)."""
    _models.clear()


def kept() -> int:
    """How many models are on the shelf."""
    return len(_models)


def _weights() -> int:
    return sum(int(model.count_params()) for model in _models.values())
