"""Built models kept for the next request that differs from theirs only in batch or steps.

    model = take(topology, config)   # a kept model that serves this request, or None
    keep(topology, config, model)    # after a fresh build

A single-call topology's model is stateless, takes any batch (its Input's batch axis is None),
and its weights come from a seeded build that never reads `batch`. So the model built for
batch 10 is, weight for weight, the model a fresh build for batch 32 would make, and a slider
dragged along batch need not build it again (7 to 70 ms here).

Steps are the same story one step further. Where a topology's build reads `steps` only for its
Inputs' axis 1 (it names those Inputs in STEPS_INPUTS), the weights do not depend on steps either.
A request for other steps then gets the kept model's own layers called again on new Inputs
(`regraphed`): Keras's clone_model with every layer shared, about 1 ms where a build takes 9 to
20. With `any_length` the Input's steps are None, and one model serves every steps as it is.

Only the build is skipped: each request still gets its own Runner, observer and seeded dummy
data, so its numbers and records are exactly those of a fresh build (tests/test_shelf.py). A
layer shared by several kept models has a call (a node) in each graph; whoever reads a layer's
declared shapes reads them from the node of the model at hand (observe.own_node). Those nodes
stay with the layers after their model leaves the shelf, until Keras's session is next cleared
(every TRACES_BETWEEN_CLEARS traces, topologies.engine.run): a graph of symbolic tensors, no weights.

Never kept: a topology with a protocol (stateful layers and training change their model as it
runs, and a stateful model's state belongs to one session), a user's own model, a model whose
batch is fixed. The shelf lives in one process (a worker, the CLI), holds at most SHELF_SIZE
models and SHELF_WEIGHTS weights in all, and is emptied whenever Keras's session is cleared.
Callers hold topologies.engine.guard.KERAS_LOCK, as for every build.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

import keras
import numpy as np

from topologies.config import Config
from topologies.contract import Topology

SHELF_SIZE = 4  # a slider dragged along batch needs one, along steps two; a few sessions, a few more
SHELF_WEIGHTS = 2_000_000  # numbers in all the kept models' weights: about 8 MB of float32

_models: OrderedDict[tuple, object] = OrderedDict()


def shelf_key(topology: object, config: Config) -> tuple | None:
    """What a kept model is found by: the topology and every setting but batch (and steps, where
    the Input takes any length); None where the model must be built fresh (a protocol of calls,
    a user's own model)."""
    if not isinstance(topology, Topology) or topology.has_protocol:
        return None
    return (topology.id, dataclasses.replace(config, batch=1, steps=1 if config.any_length else config.steps))


def take(topology: object, config: Config):
    """A model that serves `config`: the one kept under its key (now the most recently used), or a
    kin's layers re-graphed for its steps (then kept too); None when the request needs a build."""
    key = shelf_key(topology, config)
    if key is None:
        return None
    if key in _models:
        _models.move_to_end(key)
        return _models[key]
    kin = next((_models[other] for other in reversed(_models) if _is_kin(other, key, topology)), None)
    if kin is None:
        return None
    model = regraphed(kin, topology.steps_inputs, config.steps)
    keep(topology, config, model)
    return model


def keep(topology: object, config: Config, model) -> None:
    """Keep `model` for `config`, if it takes any batch, dropping the least recently used past the limits."""
    key = shelf_key(topology, config)
    if key is None or any(tensor.shape[0] is not None for tensor in model.inputs):
        return
    _models[key] = model
    _models.move_to_end(key)
    while _models and (len(_models) > SHELF_SIZE or _weights() > SHELF_WEIGHTS):
        _models.popitem(last=False)  # the oldest first; a model too large alone goes too


def regraphed(model, steps_inputs: tuple[str, ...], steps: int):
    """`model` with its own layers called again on new Inputs: those named in `steps_inputs` get
    `steps` on axis 1, the others stay as they were. The same weights, a graph for the new steps."""
    inputs = [
        keras.Input(
            batch_shape=(tensor.shape[0], steps, *tensor.shape[2:]) if tensor.name in steps_inputs else tensor.shape,
            dtype=tensor.dtype,
            name=tensor.name,
        )
        for tensor in model.inputs
    ]
    structure = inputs if isinstance(model.input, list) else inputs[0]
    return keras.models.clone_model(model, input_tensors=structure, clone_function=lambda layer: layer)


def _is_kin(other: tuple, key: tuple, topology: Topology) -> bool:
    """Whether the model kept under `other` differs from `key`'s only in steps that its topology
    lets a re-graph change."""
    (other_id, other_config), (topology_id, config) = other, key
    if other_id != topology_id or not topology.steps_inputs or config.any_length:
        return False
    return dataclasses.replace(other_config, steps=config.steps) == config


def empty() -> None:
    """Forget every kept model (before keras.backend.clear_session)."""
    _models.clear()


def kept() -> int:
    """How many models are on the shelf."""
    return len(_models)


def _weights() -> int:
    """Numbers in the kept models' weights, each counted once: re-graphed models share theirs."""
    variables = {id(variable): variable for model in _models.values() for variable in model.weights}
    return sum(int(np.prod(variable.shape)) for variable in variables.values())
