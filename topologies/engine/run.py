"""Build a topology's model and record each call of it: `start()` and the `Runner`.

    runner = start("many_to_one", Config())   # checked, built with seeded weights
    runner.call("run", runner.dummy_inputs())  # run once, record every layer
    runner.snapshot()                          # a Trace of everything recorded so far

Topology modules drive the runner from their `calls()` protocol; `topologies.engine.stepper` runs that
protocol event by event. Nothing here knows a particular topology.
"""

from __future__ import annotations

import dataclasses
import random

import keras
import numpy as np
from keras import layers

from topologies.catalogue import CATALOGUE
from topologies.config import Config, ConfigError
from topologies.engine import heap, shelf
from topologies.engine.guard import KERAS_LOCK
from topologies.engine.observe import Executor, Observer, as_arrays, own_node
from topologies.layer_kinds import describe
from topologies.records import Axes, CallRecord, Facts, Shape, Trace
from topologies.refusal import quoted

# Every model built leaves something behind in TensorFlow's eager kernel cache, which only
# clear_session() empties: each weight of a shape not seen since the last clear leaves its
# variable's kernel (about 70 KB), each build about 40 KB more. The bench's 1000 traces of every
# topology grow it by about 40 MB per 200 traces. Clearing on every trace would keep it empty,
# but the next trace then makes its kernels again (about 50 ms, most of a trace); every 200
# traces costs that once. See clear_keras().
TRACES_BETWEEN_CLEARS = 200
_traces_since_clear = 0


def start(topology: str | object, config: Config) -> Runner:
    """Check the request, build the model, and hand back a Runner ready for its first call.

    `topology` is a catalogue id, or an object with a Topology's interface (a user's own model,
    topologies.own.model.OwnStack)."""
    if isinstance(topology, str):
        if topology not in CATALOGUE:
            raise ConfigError("topology is ", quoted(topology), f", but it must be one of {', '.join(CATALOGUE)}.")
        topology = CATALOGUE[topology]
    if not isinstance(config, Config):
        raise ConfigError("config is ", quoted(config), ", but it must be a topologies.Config.")
    topology.check(config)
    with KERAS_LOCK:
        _clear_keras_now_and_then()
        return Runner(topology, _built(topology, config), config)


def _built(topology, config: Config) -> keras.Model:
    """The model for this request: a kept one if only batch or steps differ (topologies.engine.shelf),
    else built fresh."""
    model = shelf.take(topology, config)
    if model is None:
        model = _build_seeded(topology.build, config)
        shelf.keep(topology, config, model)
    return model


def _build_seeded(build, config: Config) -> keras.Model:
    """Same request, same weights, same numbers: a shared link shows what its author saw.

    A Keras initializer without a seed draws one from Python's `random`, so seeding that for
    the build is enough. keras.utils.set_random_seed would also reseed TensorFlow, which
    throws away its cached kernels and makes every later eager op slower; and the caller's
    own `random` state is put back afterwards.
    """
    saved = random.getstate()
    random.seed(0)
    try:
        return build(config)
    finally:
        random.setstate(saved)


def _clear_keras_now_and_then() -> None:
    global _traces_since_clear
    _traces_since_clear += 1
    if _traces_since_clear >= TRACES_BETWEEN_CLEARS:
        clear_keras()


def clear_keras() -> None:
    """Forget every model built so far and what it left behind: the shelf's models (a kept model
    would hold on to what the clearing frees), Keras's global state and TensorFlow's kernel
    cache (keras.backend.clear_session), then hand the freed memory back to the operating system
    (topologies.engine.heap). Without that last step the process would stay as large as it was just
    before the clear; with it, a worker falls back by about 25 MB each time (bench figure 5).
    Every later trace gives the numbers it would have given anyway (tests/test_concurrency.py)."""
    global _traces_since_clear
    with KERAS_LOCK:
        shelf.empty()
        keras.backend.clear_session(free_memory=True)  # and collect: a bare call need not (keras_guard)
        heap.give_back()
        _traces_since_clear = 0


class Runner:
    """Runs one model for a topology and records each call. Topology modules drive it:

    runner.reset()                       # reset every stateful layer before the next call
    outputs = runner.call("batch 1", x)  # run and record; returns the model's outputs
    runner.call("step 2", outputs[0], fed_back=True)  # the last call's output, fed back in
    runner.run_unrecorded(twin, x)       # run another model without recording it
    runner.snapshot()                    # everything recorded so far, as a Trace
    """

    def __init__(self, topology, model: keras.Model, config: Config):
        self.topology = topology
        self.model = model
        self.config = config
        self.calls: list[CallRecord] = []
        self.reset_pending = False
        self.rng = np.random.default_rng(0)  # the dummy data: seeded, so a link gives the same numbers
        self._observer = Observer(model, self.topology.last_axis)
        self._layers = tuple(describe(layer, parent, own_node(layer, model)) for layer, parent in all_layers(model))

    def random(self, shape: Shape) -> np.ndarray:
        """Seeded standard-normal dummy data, float32."""
        return self.rng.standard_normal(shape).astype("float32")

    def dummy_inputs(self) -> list[np.ndarray]:
        """One array per model input, with None sizes filled in from the config."""
        arrays = []
        for tensor in self.model.inputs:
            batch, *rest = tensor.shape
            shape = (batch or self.config.batch, *(size or self.config.steps for size in rest))
            if "int" in str(tensor.dtype):
                arrays.append(self.rng.integers(0, self._token_count(), shape).astype("int32"))
            else:
                arrays.append(self.random(shape))
        return arrays

    def _token_count(self) -> int:
        """Token ids run below the vocabulary of the first Embedding (config.vocab without one)."""
        embedding = next((layer for layer, _ in all_layers(self.model) if type(layer).__name__ == "Embedding"), None)
        return int(embedding.input_dim) if embedding is not None else self.config.vocab

    def reset(self) -> None:
        with KERAS_LOCK:
            for layer in stateful_layers(self.model):
                layer.reset_states()
        self.reset_pending = True

    def call(self, label: str, inputs: np.ndarray | list[np.ndarray], fed_back: bool = False) -> list[np.ndarray]:
        """Run the model once on `inputs`, record every layer, and return the model's outputs.

        `fed_back` says that `inputs` are the previous call's output, fed back in: the record says
        so (CallRecord.fed_back_from), and the picture draws the feedback arrow from it."""
        if fed_back and not self.calls:
            raise ValueError(f"{label} is fed back, but no call came before it")
        inputs = inputs if isinstance(inputs, list) else [inputs]
        input_axes = [model_input_axes(array) for array in inputs]
        with KERAS_LOCK:
            initial_states = {layer.name: _sample_zero_state(layer) for layer in stateful_layers(self.model)}
            observation = self._observer.observe(inputs, input_axes, initial_states)
        self.calls.append(
            CallRecord(
                label=label,
                input_shapes=tuple(tuple(array.shape) for array in inputs),
                output_shapes=tuple(tuple(array.shape) for array in observation.outputs),
                reset_before=self.reset_pending,
                layers=tuple(observation.activities),
                input_axes=tuple(input_axes),
                output_axes=tuple(observation.output_axes),
                fed_back_from=self.calls[-1].label if fed_back else None,
            )
        )
        self.reset_pending = False
        return observation.outputs

    def run_unrecorded(self, model: keras.Model, inputs: np.ndarray) -> list[np.ndarray]:
        with KERAS_LOCK:
            return as_arrays(Executor(model)(inputs))

    def snapshot(self, facts: Facts | None = None) -> Trace:
        recorded = Trace(
            topology=self.topology.id,
            config=self.config,
            layers=self._layers,
            calls=tuple(self.calls),
            reset_after=self.reset_pending,
            facts=facts or Facts(),
        )
        ran = self.topology.what_ran(recorded) if self.calls else ""
        return dataclasses.replace(recorded, ran=ran, source=getattr(self.topology, "source", ""))


def model_input_axes(array: np.ndarray) -> Axes:
    """Token ids are (batch, steps); a single vector per sequence is (batch, features)."""
    if array.ndim == 3:
        return ("batch", "steps", "features")
    if np.issubdtype(array.dtype, np.integer):
        return ("batch", "steps")
    return ("batch", "features")


def all_layers(model: keras.Model, parent: str | None = None):
    """Every layer with the name of the model holding it, depth first, inputs left out."""
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        yield layer, parent
        if isinstance(layer, keras.Model):
            yield from all_layers(layer, layer.name)


def stateful_layers(model: keras.Model) -> list:
    return [layer for layer, _ in all_layers(model) if getattr(layer, "stateful", False)]


def _sample_zero_state(layer) -> list[np.ndarray] | None:
    """The state a stateful layer holds for sample 0 before the next call."""
    if not getattr(layer, "states", None):
        return None
    return [np.asarray(state)[0:1] for state in layer.states]
